"""`facteur run` started on a full disk that also holds its log file: it
waits instead of exiting, says afterwards why it waited, and takes flows once
space comes back. The disk is a small tmpfs (mounting one needs root)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
from helpers import REPO
from test_run import SENDER, drop, flows, left_in_inbox, settled, wait_for

from facteur.engine.model import Flow


@pytest.fixture
def small_disk(tmp_path):
    place = tmp_path / "disk"
    place.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(place)], capture_output=True, text=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"SKIPPED: cannot mount a tmpfs here ({mounted.stderr.strip() or 'refused'}); needs root")
    yield place
    subprocess.run(["umount", "-l", str(place)], capture_output=True)


def fill(disk: Path) -> Path:
    """Writes zeros until the disk refuses one more byte."""
    filler = disk / "filler"
    with open(filler, "wb", buffering=0) as handle:
        try:
            while True:
                handle.write(b"\0" * 65536)
        except OSError:
            pass
    return filler


def test_run_started_on_a_full_disk_waits_then_recovers(small_disk):
    root = small_disk / "root"
    filler = fill(small_disk)
    with open(small_disk / "facteur.log", "wb") as log:  # standard error on the full disk too
        process = subprocess.Popen(
            [sys.executable, "-m", "facteur.adapters.cli", "run", "--root", str(root), "--workers", "1"],
            cwd=REPO, stdout=subprocess.PIPE, stderr=log, start_new_session=True,
        )
    try:
        wait_for(lambda: (root / "var").exists() or process.poll() is not None, 30)
        time.sleep(1)  # a facteur that cannot start has given up by now
        assert process.poll() is None, "facteur exited on a full disk instead of waiting for space"
        assert (small_disk / "facteur.log").stat().st_size == 0  # nothing could be said meanwhile

        filler.unlink()
        wait_for(lambda: b'"facteur running"' in (small_disk / "facteur.log").read_bytes(), 60)
        files = flows(4)  # the first for an unknown recipient: a rejection report, no pivot
        drop(root, files)
        wait_for(lambda: settled(root) == len(files), 60)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        process.communicate(timeout=30)
    said = (small_disk / "facteur.log").read_text()

    assert process.returncode == 0, said
    assert said.index("cannot open the ledger; facteur waits for it") < said.index("refused the log lines above")
    assert said.index("refused the log lines above") < said.index('"facteur running"')
    for name, content in files.items():
        flow_id = Flow(content, SENDER, name, datetime.now(timezone.utc)).id
        assert (root / "outbox" / SENDER / f"{flow_id}.flux.statut.xml").exists(), name
    assert len(list((root / "outbox").glob("*/*.pivot.xml"))) == len(files) - 1
    assert left_in_inbox(root) == []
    assert not os.path.exists(filler)
