"""`facteur run` as operators run it: a real process watching real folders,
stopped gracefully, killed with SIGKILL mid-stream and restarted."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
from helpers import REPO, Spec, cii, ledger_rows, ubl

from facteur.adapters.watch import JOURNALS
from facteur.engine.model import Flow

SENDER = "DEMO01"


def start(root: Path, *extra: str) -> subprocess.Popen:
    env = {**os.environ, "FACTEUR_LOG_LEVEL": "warning"}
    return subprocess.Popen(
        [sys.executable, "-m", "facteur.adapters.cli", "run", "--root", str(root), "--workers", "2", *extra],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group, so a kill takes the workers too
    )


def flows(count: int, bad_every: int = 10) -> dict[str, bytes]:
    """Small invoices for the demo town hall; every `bad_every`-th one is for an
    unknown recipient, so it must end as a rejection report and no pivot."""
    made = {}
    for index in range(count):
        buyer = "12345678900017" if index % bad_every == 0 else "21750001600019"
        maker = ubl if index % 2 else cii
        made[f"flow-{index:04d}.xml"] = maker(Spec(f"RUN-{index:05d}", buyer_siret=buyer, lines=1))
    return made


def drop(root: Path, files: dict[str, bytes]) -> None:
    inbox = root / "inbox" / SENDER
    inbox.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        temporary = inbox / f".{name}.part"
        temporary.write_bytes(content)
        temporary.rename(inbox / name)


def settled(root: Path) -> int:
    folder = root / "outbox" / SENDER
    return len(list(folder.glob("*.flux.statut.xml"))) if folder.exists() else 0


def wait_for(predicate, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"not reached within {timeout} s")


def left_in_inbox(root: Path) -> list[Path]:
    """Files still in a partner's inbox or claimed (the watcher's journals of
    its claims are its own, not files left)."""
    return [p for p in (root / "inbox").rglob("*") if p.is_file() and JOURNALS not in p.parts]


def assert_exactly_once(root: Path, files: dict[str, bytes], sender: str = SENDER) -> None:
    """Every flow has exactly one report, the valid ones exactly one pivot, the
    ledger agrees, and nothing is left in the inboxes or half-written."""
    expected_pivots = set()
    for name, content in files.items():
        flow_id = Flow(content, sender, name, datetime.now(timezone.utc)).id
        assert (root / "outbox" / sender / f"{flow_id}.flux.statut.xml").exists(), name
        if b"12345678900017" not in content:
            expected_pivots.add(f"{flow_id}-001.pivot.xml")
    pivots = [p.name for p in (root / "outbox").glob("*/*.pivot.xml")]
    assert sorted(pivots) == sorted(expected_pivots)
    assert len(list((root / "outbox" / sender).glob("*.flux.statut.xml"))) == len(files)

    statuses = dict(ledger_rows(root, "SELECT status, count(*) FROM flows GROUP BY status"))
    rejected = sum(1 for c in files.values() if b"12345678900017" in c)
    assert statuses == {"90": len(files) - rejected, "93": rejected}
    [(delivered,)] = ledger_rows(root, "SELECT count(*) FROM outputs WHERE kind = 'pivot'")
    assert delivered == len(expected_pivots)

    assert left_in_inbox(root) == []
    half_written = [p for p in (root / "outbox").rglob(".*") if p.is_file()]
    assert half_written == []


def test_run_takes_dropped_files_and_stops_gracefully(tmp_path):
    process = start(tmp_path)
    try:
        files = flows(40)
        drop(tmp_path, files)
        wait_for(lambda: settled(tmp_path) == len(files), 60)
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err.decode()
    assert_exactly_once(tmp_path, files)


def test_killed_mid_stream_then_restarted_processes_every_flow_exactly_once(tmp_path):
    files = flows(250)
    names = list(files)
    process = start(tmp_path)
    try:
        drop(tmp_path, {n: files[n] for n in names[:125]})
        wait_for(lambda: settled(tmp_path) >= 30, 120)
        drop(tmp_path, {n: files[n] for n in names[125:]})
        wait_for(lambda: settled(tmp_path) >= 75, 120)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate(timeout=30)
    assert settled(tmp_path) < len(files), "the kill came too late to test anything"

    restarted = start(tmp_path, "--until-idle")
    out, err = restarted.communicate(timeout=300)
    assert restarted.returncode == 0, err.decode()
    assert_exactly_once(tmp_path, files)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_stop_signal_lets_flows_in_flight_finish(tmp_path, signum):
    files = flows(60)
    drop(tmp_path, files)
    process = start(tmp_path)
    wait_for(lambda: settled(tmp_path) >= 5, 60)
    process.send_signal(signum)
    process.communicate(timeout=60)
    assert process.returncode == 0
    # Whatever was not taken stays in the inbox; whatever was taken is settled.
    restarted = start(tmp_path, "--until-idle")
    restarted.communicate(timeout=120)
    assert_exactly_once(tmp_path, files)


def test_a_file_still_being_written_is_not_taken_early(tmp_path):
    content = ubl(Spec("SLOW-1", lines=40))
    inbox = tmp_path / "inbox" / SENDER
    inbox.mkdir(parents=True)
    process = start(tmp_path)
    try:
        wait_for(lambda: (inbox / ".claimed").is_dir(), 30)
        path = inbox / "slow.xml"
        chunk = len(content) // 20 + 1
        for offset in range(0, len(content), chunk):
            with open(path, "ab") as handle:  # reopened for each chunk, as a slow copy does
                handle.write(content[offset : offset + chunk])
            time.sleep(0.1)
        wait_for(lambda: settled(tmp_path) == 1, 30)
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=30)
    assert ledger_rows(tmp_path, "SELECT name, status, size FROM flows") == [("slow.xml", "90", len(content))]


def test_a_starting_engine_sweeps_only_what_dead_processes_left(tmp_path):
    """Workers may share the outbox: one that starts must not remove the file
    another is writing now, only those of writers that are gone."""
    finished = subprocess.Popen(["true"])
    finished.wait()
    outbox = tmp_path / "outbox" / "VILLEDEM"
    outbox.mkdir(parents=True)
    host = socket.gethostname()
    left = outbox / f".a.pivot.xml~{host}~{finished.pid}.tmp"
    being_written = outbox / f".b.pivot.xml~{host}~{os.getpid()}.tmp"
    elsewhere = outbox / ".c.pivot.xml~another-machine~1.tmp"
    for path in (left, being_written, elsewhere):
        path.write_bytes(b"<partial")
    process = start(tmp_path, "--until-idle")
    _, err = process.communicate(timeout=120)
    assert process.returncode == 0, err.decode()
    assert not left.exists() and being_written.exists() and elsewhere.exists()
