"""A stop in every state: `facteur run` whose outputs cannot be written (a file
where a partner's outbox folder should be) retries for ever, yet SIGTERM ends
it within [intake] stop_seconds, leaving the flow claimed; once the outbox is
fixed, the next start processes that flow exactly once."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
from helpers import REPO, Spec, ledger_rows, ubl
from test_run import wait_for

from facteur.engine.model import Flow

pytestmark = pytest.mark.system

SENDER = "DEMO01"
STOP_SECONDS = 2
MARGIN = 15  # generous: the bound is the configuration's, this only keeps a hung test from hanging the suite


def installed(tmp_path: Path, stop_seconds: int = STOP_SECONDS) -> Path:
    root = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "facteur.adapters.cli", "init", str(root)], check=True, capture_output=True)
    config = root / "config" / "facteur.toml"
    text = config.read_text(encoding="utf-8").replace("stop_seconds = 30 ", f"stop_seconds = {stop_seconds} ")
    assert f"stop_seconds = {stop_seconds} " in text
    config.write_text(text, encoding="utf-8")
    return root


def start(root: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "facteur.adapters.cli", "run", "--config", str(root / "config" / "facteur.toml"),
         "--workers", "1", *extra],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
    )


def stuck(root: Path, content: bytes) -> subprocess.Popen:
    """`facteur run` retrying a flow whose report cannot be written (a file
    where the sender's outbox folder should be)."""
    reports = root / "outbox" / SENDER
    shutil.rmtree(reports)
    reports.write_bytes(b"not a folder")
    inbox = root / "inbox" / SENDER
    (inbox / ".stop.xml.part").write_bytes(content)
    (inbox / ".stop.xml.part").rename(inbox / "stop.xml")
    return waiting(root, b"cannot write this flow now")


def waiting(root: Path, logged: bytes) -> subprocess.Popen:
    """`facteur run`, once it has logged `logged`."""
    process = start(root)
    seen = _Logged(process)
    try:
        wait_for(lambda: logged in seen.read(), 60)
    except AssertionError:
        os.killpg(process.pid, signal.SIGKILL)
        raise
    return process


def ended(process: subprocess.Popen, timeout: float) -> list[dict]:
    """The log events of a process told to stop, once it has ended; it must end within `timeout`."""
    try:
        _, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        raise AssertionError(f"facteur run did not end within {timeout} s of being told to stop") from None
    return _events(err)


def test_sigterm_ends_a_run_that_cannot_write_and_the_next_start_takes_the_flow_once(tmp_path):
    root = installed(tmp_path)
    content = ubl(Spec("STOP-1", lines=1))
    process = stuck(root, content)
    inbox, reports = root / "inbox" / SENDER, root / "outbox" / SENDER
    stopped = time.monotonic()
    process.send_signal(signal.SIGTERM)
    events = ended(process, STOP_SECONDS + MARGIN)
    print(f"stopped in {time.monotonic() - stopped:.1f} s (bound {STOP_SECONDS} s)")
    assert any("restent réservés" in event["event"] for event in events)
    assert {"unfinished": 1} == {k: v for event in events if event["event"] == "facteur stopped"
                                 for k, v in event.items() if k == "unfinished"}
    assert list((inbox / ".claimed").iterdir()), "the unfinished flow stays claimed for the next start"

    reports.unlink()
    reports.mkdir()
    restarted = start(root, "--until-idle")
    _, err = restarted.communicate(timeout=120)
    assert restarted.returncode == 0, err.decode()
    flow_id = Flow(content, SENDER, "stop.xml", datetime.now(timezone.utc)).id
    assert [p.name for p in reports.glob("*.flux.statut.xml")] == [f"{flow_id}.flux.statut.xml"]
    assert [p.name for p in (root / "outbox").glob("*/*.pivot.xml")] == [f"{flow_id}-001.pivot.xml"]
    assert ledger_rows(root, "SELECT id, status FROM flows") == [(flow_id, "90")]
    assert [p for p in inbox.rglob("*") if p.is_file()] == []


def test_a_second_ctrl_c_stops_at_once(tmp_path):
    root = installed(tmp_path, stop_seconds=600)
    process = stuck(root, ubl(Spec("STOP-2", lines=1)))
    process.send_signal(signal.SIGINT)
    time.sleep(0.5)  # the first one handled: the second is a second
    process.send_signal(signal.SIGINT)
    events = ended(process, MARGIN)
    assert process.returncode == 128 + signal.SIGINT
    assert any("sur-le-champ" in event["event"] for event in events)
    assert list((root / "inbox" / SENDER / ".claimed").iterdir()), "the flow waits, claimed, for the next start"


def test_a_stop_while_waiting_for_the_ledger_at_start_ends_the_process(tmp_path):
    root = installed(tmp_path)
    config = root / "config" / "facteur.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace('url = ""                    # empty: the SQLite file',
                                   'url = "postgresql://nobody@127.0.0.1:1/nowhere" #', 1), encoding="utf-8")
    process = waiting(root, b"cannot open the ledger")
    process.send_signal(signal.SIGTERM)
    events = ended(process, MARGIN)
    assert process.returncode == 0
    assert any("pendant le démarrage" in event["event"] for event in events)


def _events(err: bytes) -> list[dict]:
    """The structured log events of a process's stderr."""
    return [json.loads(line) for line in err.splitlines() if line.startswith(b"{")]


class _Logged:
    """What a process logged so far, its stderr read without waiting."""

    def __init__(self, process: subprocess.Popen):
        self.stream, self.seen = process.stderr, b""
        os.set_blocking(self.stream.fileno(), False)

    def read(self) -> bytes:
        self.seen += self.stream.read() or b""
        return self.seen
