"""`/metrics`, `/healthz` and `/readyz` as their routes answer in process
(Starlette's test client), over a SQLite ledger under a temporary root, and
over a ledger whose server cannot be reached (a closed port)."""

from __future__ import annotations

import shutil
import time
from contextlib import closing
from pathlib import Path

import pytest
from helpers import REPO, Spec, ubl
from prometheus_client.parser import text_string_to_metric_families
from starlette.testclient import TestClient

from facteur.adapters import configuration
from facteur.adapters.metrics import ObservedRunner
from facteur.adapters.web import observability
from facteur.adapters.wiring import Wired
from facteur.engine import operations
from facteur.engine.operations import Submitted

CLOSED = "postgresql://postgres@127.0.0.1:9/facteur"  # the discard port: nothing listens there


@pytest.fixture
def config(tmp_path, monkeypatch):
    monkeypatch.delenv("FACTEUR_LEDGER_URL", raising=False)
    shutil.copytree(REPO / "config", tmp_path / "config")
    return configuration.load(str(tmp_path / "config" / "facteur.toml"), str(tmp_path))


def process(config, *specs: dict, prefix: str = "M") -> None:
    drop = Path(config.root) / "drop"
    drop.mkdir(exist_ok=True)
    submitted = []
    for number, spec in enumerate(specs):
        path = drop / f"{prefix}-{number}.xml"
        path.write_bytes(ubl(Spec(f"{prefix}-{number}", **spec)))
        submitted.append(Submitted(str(path), path.stat().st_size, path.read_bytes))
    with closing(Wired(config, create_ledger=True)) as hub:
        operations.process(hub, submitted, "DEMO01")


def samples(text: str) -> dict[tuple, float]:
    """Each sample of a scrape by (name, sorted labels)."""
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text) for sample in family.samples
    }


def test_metrics_show_the_ledgers_counts_and_healthz_answers(config):
    process(config, {}, {}, {"buyer_siret": "12345678900017"})
    client = TestClient(observability.app(config))

    scraped = client.get("/metrics")
    assert scraped.status_code == 200 and scraped.headers["content-type"].startswith("text/plain")
    found = samples(scraped.text)
    assert found[("facteur_ledger_up", ())] == 1
    assert found[("facteur_flows", (("status", "90"),))] == 2
    assert found[("facteur_flows", (("status", "93"),))] == 1
    assert found[("facteur_invoices", (("status", "02"), ("syntax", "IN_DP_E1_UBL_INVOICE")))] == 2
    assert any(name == "facteur_findings" and dict(labels)["severity"] == "blocking" for name, labels in found)
    assert found[("facteur_retrying", (("what", "flow"),))] == 0
    assert found[("facteur_payment_delays_overdue", ())] == 0
    assert ("facteur_queue_depth", ()) not in found  # no broker configured
    assert "facteur_stage_seconds_bucket" in scraped.text

    process(config, {}, prefix="N")
    assert samples(client.get("/metrics").text)[("facteur_flows", (("status", "90"),))] == 3  # measured at each scrape
    assert client.get("/healthz").json() == {"status": "ok"}


def loaded(client: TestClient, seconds: float = 120):
    """The answer of /readyz once the rule sets are loaded."""
    deadline = time.monotonic() + seconds
    while True:
        answer = client.get("/readyz")
        if answer.json()["checks"][2]["state"] == "ok" or time.monotonic() > deadline:
            return answer
        time.sleep(0.2)


def test_readyz_passes_with_the_ledger_rules_and_disk_and_fails_without_the_ledger(config, monkeypatch):
    process(config, {})
    client = TestClient(observability.app(config))
    ready = loaded(client)  # the rule sets load in a thread of their own, from the start
    assert ready.status_code == 200, ready.text
    assert [c["name"] for c in ready.json()["checks"]] == ["registre", "courtier AMQP", "règles de validation",
                                                          "espace disque"]

    monkeypatch.setenv("FACTEUR_LEDGER_URL", CLOSED)
    away = configuration.load(str(config.path), str(config.root))
    client = TestClient(observability.app(away))
    answer = loaded(client)
    assert answer.status_code == 503 and not answer.json()["ready"]
    [ledger] = [c for c in answer.json()["checks"] if c["name"] == "registre"]
    assert ledger["state"] == "échec" and "injoignable" in ledger["detail"] and "127.0.0.1:9" in ledger["detail"]
    assert samples(client.get("/metrics").text)[("facteur_ledger_up", ())] == 0


def test_the_runner_of_facteur_run_times_its_steps(config):
    from facteur.adapters.metrics import STAGE_SECONDS

    def observed(stage: str) -> float:
        return next(s.value for m in STAGE_SECONDS.collect() for s in m.samples
                    if s.name.endswith("_count") and s.labels["stage"] == stage)

    before = observed("prepare"), observed("finish")
    with closing(Wired(config, create_ledger=True)) as hub:
        runner = ObservedRunner(hub.context, hub.ledger, hub.runner.archive, hub.deliveries)
        path = Path(config.root) / "one.xml"
        path.write_bytes(ubl(Spec("TIMED-1")))
        hub.__dict__["runner"] = runner
        [handled] = operations.process(hub, [Submitted(str(path), path.stat().st_size, path.read_bytes)],
                                       "DEMO01").flows
    assert handled.status == "90"
    assert (observed("prepare"), observed("finish")) == (before[0] + 1, before[1] + 1)
