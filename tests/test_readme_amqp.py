"""The README's RabbitMQ example, run as written: its `[amqp]` table and its
commands are read from README.md (the blocks after the `readme-example`
markers), so that the example cannot drift from what runs. The only changes are
the ones that keep the shared broker undisturbed: queue and exchange names of
the test's own, deleted at the end, and `--root`/`--config` for a temporary
installation. And the default mode, as the issue found it: a flow published by
`guest`, which is no partner, is rejected and its report quarantined, with no
`outbox/guest/` folder."""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import subprocess
import sys
import tomllib
import uuid
from pathlib import Path

import pytest
from helpers import REPO, flow_status
from test_run import wait_for
from test_run_amqp import AMQP_URL, _delete

from facteur.adapters.delivery import QUARANTINE

pytestmark = pytest.mark.system  # facteur processes and the shared RabbitMQ
FACTEUR = ".venv/bin/facteur"


def readme_block(marker: str) -> str:
    """The fenced block that follows `<!-- readme-example: marker ... -->` in README.md."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    found = re.search(rf"<!-- readme-example: {re.escape(marker)}\b[^>]*-->\n```\w*\n(.*?)```", readme, re.S)
    assert found, f"README.md has no block after the marker readme-example: {marker}"
    return found.group(1)


@pytest.fixture
def installation(tmp_path):
    """A root whose configuration is the shipped one with the README's `[amqp]`
    table set in it, and queue names of its own on the broker."""
    suffix = uuid.uuid4().hex[:8]
    queue, exchange = f"facteur.readme.{suffix}", f"facteur.readme-out.{suffix}"
    amqp = tomllib.loads(readme_block("amqp-config"))["amqp"]
    amqp |= {"inbound_queue": queue, "dead_letter_queue": f"{queue}.dead", "outbound_exchange": exchange}
    if "FACTEUR_TEST_AMQP_URL" in os.environ:
        amqp["url"] = AMQP_URL
    config = tmp_path / "config" / "facteur.toml"
    config.parent.mkdir()
    shipped = (REPO / "config" / "facteur.toml").read_text(encoding="utf-8")
    head, amqp_table, tail = re.match(r"(.*\n\[amqp\]\n)(.*?)(\n\[.*)", shipped, re.S).groups()
    kept = [line for line in amqp_table.splitlines() if line.split("=")[0].strip() not in amqp]
    table = [*kept, *(f"{key} = {json.dumps(value)}" for key, value in amqp.items())]
    config.write_text(head + "\n".join(table) + "\n" + tail, encoding="utf-8")
    (config.parent / "directory.toml").write_text((REPO / "config" / "directory.toml").read_text("utf-8"), "utf-8")
    yield tmp_path, config
    _delete(queue, f"{queue}.dead", exchange)


def command(line: str, root: Path, config: Path) -> tuple[list[str], bool]:
    """A README command line as argv for this interpreter's facteur, and whether it runs in the background."""
    words = shlex.split(line, comments=True)
    background = words[-1] == "&"
    words = words[:-1] if background else words
    assert words[0] == FACTEUR, f"the README example runs {words[0]}, not {FACTEUR}"
    return [sys.executable, "-m", "facteur.adapters.cli", *words[1:], "--root", str(root), "--config", str(config)], background


def reports(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.flux.statut.xml")) if folder.exists() else []


def run_example(root: Path, config: Path, lines: list[str], reported: Path) -> None:
    """The lines in order, a background one left running until a report is in `reported`."""
    env = {**os.environ, "FACTEUR_LOG_LEVEL": "warning"}
    running = []
    try:
        for line in lines:
            argv, background = command(line, root, config)
            if background:
                running.append(subprocess.Popen(argv, cwd=REPO, env=env, start_new_session=True,
                                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))
            else:
                done = subprocess.run(argv, cwd=REPO, env=env, capture_output=True, timeout=120)
                assert done.returncode == 0, f"{line}\n{done.stderr.decode()}"
        wait_for(lambda: reports(reported), 120)
    finally:
        for process in running:
            process.send_signal(signal.SIGTERM)
            _, err = process.communicate(timeout=60)
            assert process.returncode == 0, err.decode()


def test_the_readme_rabbitmq_example_runs_as_written(installation):
    root, config = installation
    lines = [line for line in readme_block("amqp-commands").splitlines() if line.strip()]
    run_example(root, config, lines, root / "outbox" / "DEMO01")
    [report] = reports(root / "outbox" / "DEMO01")
    assert flow_status(report) == ("90", [])
    assert len(list((root / "outbox" / "VILLEDEM").glob("*.pivot.xml"))) == 1


def test_a_flow_from_a_broker_user_that_is_no_partner_is_rejected_into_quarantine(installation):
    root, config = installation
    config.write_text(config.read_text("utf-8").replace('sender_from = "header"', 'sender_from = "user_id"'), "utf-8")
    run_example(root, config, [f"{FACTEUR} run &", f"{FACTEUR} submit --amqp samples/01-ville-ubl.xml"],
                root / "outbox" / QUARANTINE / "guest")
    [report] = reports(root / "outbox" / QUARANTINE / "guest")
    assert flow_status(report) == ("93", ["FCT-SENDER-UNKNOWN"])
    assert not (root / "outbox" / "guest").exists()
