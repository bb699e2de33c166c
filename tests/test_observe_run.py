"""The HTTP face with real servers: a running `facteur run` serves its
console (a user logs in and sees the dashboard, a token finds a processed flow
in the API) beside `/metrics`, which shows the flows it processed; and `/readyz` fails while the
ledger's PostgreSQL or the RabbitMQ broker is down and passes again once it is
back. The servers taken away are private ones (a PostgreSQL cluster made with
initdb in a temporary folder, a RabbitMQ node of bench/private_broker.py):
the shared servers are never stopped."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
import uuid
from contextlib import closing
from pathlib import Path
from urllib.parse import urlencode

import pytest
from helpers import REPO
from prometheus_client.parser import text_string_to_metric_families
from starlette.testclient import TestClient
from test_observability import loaded
from test_run import SENDER, drop, flows, settled, wait_for

from bench.private_broker import free_port
from facteur.adapters import configuration
from facteur.adapters.wiring import Wired
from facteur.engine import operations
from facteur.adapters.web import observability

PG_BIN = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"))), Path("/usr/lib/postgresql/15/bin"))


def configured(root: Path, changes: dict[str, str] | None = None) -> Path:
    """A copy of the shipped configuration under `root`, with each line of
    `changes` replaced by its new text."""
    shutil.copytree(REPO / "config", root / "config")
    path = root / "config" / "facteur.toml"
    text = path.read_text()
    for line, new in (changes or {}).items():
        assert line in text, line
        text = text.replace(line, new, 1)
    path.write_text(text)
    return path


def samples(text: str) -> dict[tuple, float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text) for sample in family.samples
    }


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()
    except OSError:
        return 0, ""


def test_a_run_serves_its_console_and_api_and_its_metrics_count_the_flows_it_processed(tmp_path):
    port = free_port()
    config = configured(tmp_path, {'enabled = false\nlisten = "127.0.0.1:8080"':
                                   f'enabled = true\nlisten = "127.0.0.1:{port}"'})
    with closing(Wired(configuration.load(str(config), str(tmp_path)), create_ledger=True)) as hub:
        operations.add_user(hub, "ops", "un-mot-de-passe-sûr", "viewer")
        token = operations.issue_token(hub, "ops")
    env = {**os.environ, "FACTEUR_LOG_LEVEL": "warning"}
    env.pop("FACTEUR_LEDGER_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "facteur.adapters.cli", "run", "--config", str(config), "--root", str(tmp_path),
         "--workers", "2"], cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: get(f"{base}/healthz")[0] == 200, 60)
        wait_for(lambda: get(f"{base}/readyz")[0] == 200, 120)  # once the rule sets are loaded
        files = flows(12, bad_every=4)  # 3 rejected, 9 integrated
        drop(tmp_path, files)
        wait_for(lambda: settled(tmp_path) == len(files), 90)
        # A flow's report is written before its ledger commit, which the metrics
        # read: the last flows settled may not be counted yet.
        judged = {("facteur_flows", (("status", status),)) for status in ("90", "93")}
        wait_for(lambda: sum(v for k, v in samples(get(f"{base}/metrics")[1]).items() if k in judged) == len(files), 60)

        status, text = get(f"{base}/metrics")
        assert status == 200
        found = samples(text)
        assert found[("facteur_flows", (("status", "90"),))] == 9
        assert found[("facteur_flows", (("status", "93"),))] == 3
        assert found[("facteur_retrying", (("what", "flow"),))] == 0
        assert found[("facteur_stage_seconds_count", (("stage", "pipeline"),))] == 12  # timed in the pool's threads
        assert found[("facteur_stage_seconds_count", (("stage", "finish"),))] >= 1

        asked = urllib.request.Request(f"{base}/api/flows?numero=RUN-00001", headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(asked, timeout=10) as answer:
            [flow] = json.loads(answer.read())
        assert (flow["name"], flow["status"]) == ("flow-0001.xml", "90")
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        form = urlencode({"utilisateur": "ops", "mot_de_passe": "un-mot-de-passe-sûr"}).encode()
        with browser.open(f"{base}/connexion", form, timeout=10) as page:  # logged in, then sent to the dashboard
            assert page.url == f"{base}/" and f"<strong>{len(files)}</strong>flux aujourd'hui" in page.read().decode()
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        _, err = process.communicate(timeout=60)
    assert process.returncode == 0, err.decode()[-2000:]
    assert SENDER in {p.name for p in (tmp_path / "outbox").iterdir()}


class PrivatePostgres:
    """A PostgreSQL cluster of this test's own, in a temporary folder, run as
    the `postgres` user when started as root (initdb refuses root)."""

    def __init__(self, folder: Path):
        self.folder, self.port = folder, free_port()
        self.data = folder / "data"
        self.user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if not (PG_BIN / "initdb").exists():
            pytest.fail(f"PostgreSQL's initdb is needed at {PG_BIN}: install postgresql (.ci/run does)")
        folder.mkdir(exist_ok=True)
        if self.user:
            shutil.chown(folder, "postgres")
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres")
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-w", "-l", str(self.folder / "log"), "-o",
                  f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-w", "-m", "immediate", "stop")

    def _run(self, tool: str, *args: str) -> None:
        subprocess.run([*self.user, str(PG_BIN / tool), *args], check=True, capture_output=True, timeout=60)


@pytest.fixture
def private_postgres():
    """Its folder in the system's temporary folder, which the `postgres` user
    can reach (pytest's own folders are the test user's alone)."""
    folder = Path(tempfile.mkdtemp(prefix="facteur-pg-"))
    server = PrivatePostgres(folder)
    server.start()
    yield server
    try:
        server.stop()
    except subprocess.CalledProcessError:
        pass  # stopped already
    shutil.rmtree(folder, ignore_errors=True)


def ledger_check(client: TestClient) -> tuple[int, str]:
    answer = client.get("/readyz")
    [check] = [c for c in answer.json()["checks"] if c["name"] == "registre"]
    return answer.status_code, check["state"]


def test_readyz_fails_while_postgresql_is_down_and_recovers_when_it_is_back(tmp_path, private_postgres, monkeypatch):
    monkeypatch.setenv("FACTEUR_LEDGER_URL", private_postgres.url)
    client = TestClient(observability.app(configuration.load(str(configured(tmp_path)), str(tmp_path))))
    loaded(client)
    assert ledger_check(client) == (200, "ok")
    assert samples(client.get("/metrics").text)[("facteur_ledger_up", ())] == 1

    private_postgres.stop()
    assert ledger_check(client) == (503, "échec")
    assert samples(client.get("/metrics").text)[("facteur_ledger_up", ())] == 0

    private_postgres.start()
    assert ledger_check(client) == (200, "ok")
    assert samples(client.get("/metrics").text)[("facteur_ledger_up", ())] == 1


def test_readyz_fails_while_rabbitmq_is_down_and_recovers_when_it_is_back(tmp_path, private_broker, monkeypatch):
    monkeypatch.delenv("FACTEUR_LEDGER_URL", raising=False)
    queue = f"facteur.readyz.{uuid.uuid4().hex[:8]}"
    path = configured(tmp_path, {'[amqp]\nurl = ""': f'[amqp]\nurl = "{private_broker.url}"',
                                 'inbound_queue = "facteur.inbound"': f'inbound_queue = "{queue}"'})
    client = TestClient(observability.app(configuration.load(str(path), str(tmp_path))))
    loaded(client)

    def broker_check() -> tuple[int, str]:
        answer = client.get("/readyz")
        [check] = [c for c in answer.json()["checks"] if c["name"] == "courtier AMQP"]
        return answer.status_code, check["state"]

    assert broker_check() == (200, "ok")
    found = samples(client.get("/metrics").text)
    assert found[("facteur_broker_up", ())] == 1 and found[("facteur_queue_depth", ())] == 0

    private_broker.ctl("stop_app")
    try:
        assert broker_check() == (503, "échec")
        assert samples(client.get("/metrics").text)[("facteur_broker_up", ())] == 0
    finally:
        private_broker.ctl("start_app")  # the session's other tests need it
    wait_for(lambda: broker_check()[1] == "ok", 60)
    assert samples(client.get("/metrics").text)[("facteur_broker_up", ())] == 1
