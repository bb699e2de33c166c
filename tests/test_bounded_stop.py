"""The coordinator's bounded stop, over in-memory adapters: a flow whose
outputs cannot be written is left unfinished once the stop's time is up,
held by its source and given up by the ledger, and the next coordinator
processes it exactly once."""

from __future__ import annotations

import errno
import threading
from datetime import datetime, timezone
from pathlib import Path

from facteur.adapters.testing import demo_hub
from facteur.engine.model import Flow
from facteur.engine.runtime.service import Intake, Service

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "01-ville-ubl.xml"


def test_a_stop_leaves_a_flow_that_cannot_be_written_and_the_next_run_takes_it_once(monkeypatch):
    hub = demo_hub()
    stop = threading.Event()
    write_all = hub.mailboxes.write_all

    def full_disk(outputs):
        stop.set()  # the operator stops facteur while the disk is full
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(hub.mailboxes, "write_all", full_disk)
    flow = Flow(SAMPLE.read_bytes(), "DEMO01", SAMPLE.name, datetime.now(timezone.utc), source="memory")
    released, abandoned = [], []
    stopping = Service(hub.runner, None)
    assert stopping.offer(Intake(flow, lambda: released.append(flow.id), abandoned.append))
    counts = stopping.run(stop, stop_seconds=0.2)
    assert counts == {"unfinished": 1}
    assert released == [] and abandoned == []  # its source still holds it
    assert hub.runner.leased == {}  # the ledger's lease given up for the next start

    monkeypatch.setattr(hub.mailboxes, "write_all", write_all)
    again = Flow(SAMPLE.read_bytes(), "DEMO01", SAMPLE.name, datetime.now(timezone.utc), source="memory")
    restarted = Service(hub.runner, None)
    assert restarted.offer(Intake(again, lambda: released.append(again.id), abandoned.append))
    counts = restarted.run(threading.Event(), idle=lambda: True, idle_seconds=0)
    assert counts == {"90": 1}
    assert released == [flow.id]
    reports = [name for name in hub.mailboxes.of("DEMO01") if name.endswith(".flux.statut.xml")]
    assert reports == [f"{flow.id}.flux.statut.xml"]
    assert hub.ledger.find(flow.id).status == "90"
