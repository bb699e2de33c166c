"""A ledger file deleted or replaced under a running `facteur run` stops it
with a clear error, instead of committing into a file no later start reads:
the files dropped after it are neither judged nor released."""

from __future__ import annotations

import os
import signal
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import pytest
from test_run import SENDER, drop, flows, settled, start, wait_for

from facteur.engine.model import Flow


def _delete(ledger: Path) -> None:
    ledger.unlink()


def _replace(ledger: Path) -> None:
    """A backup of it restored over it: the same records, another file."""
    copy = ledger.with_name("backup.sqlite")
    source, target = sqlite3.connect(ledger), sqlite3.connect(copy)
    source.backup(target)
    source.close()
    target.close()
    os.replace(copy, ledger)


def held(root: Path) -> set[str]:
    """The files still in the inbox or claimed: not released."""
    inbox = root / "inbox" / SENDER
    return {p.name for p in inbox.iterdir() if p.is_file()} | {p.name for p in (inbox / ".claimed").glob("*")}


@pytest.mark.system
@pytest.mark.parametrize("fault, what", [(_delete, "supprimé"), (_replace, "remplacé par un autre fichier")])
def test_a_ledger_taken_away_stops_the_engine_and_releases_nothing_more(tmp_path, fault, what):
    made = flows(12)
    names = list(made)
    before, after = {n: made[n] for n in names[:6]}, {n: made[n] for n in names[6:]}
    ledger = tmp_path / "var" / "ledger.sqlite"
    process = start(tmp_path)
    try:
        drop(tmp_path, before)
        wait_for(lambda: settled(tmp_path) == len(before) and not held(tmp_path), 60)  # all committed
        fault(ledger)
        drop(tmp_path, after)
        _, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate(timeout=30)
    message = err.decode()

    assert process.returncode == 1, message
    assert f"facteur: le registre {ledger} a été {what} pendant que facteur s'en servait" in message
    assert "Remettez en " in message

    assert held(tmp_path) == set(after)  # none released: each waits for a ledger to be put back
    for name, content in after.items():
        flow_id = Flow(content, SENDER, name, datetime.now(timezone.utc)).id
        assert not (tmp_path / "outbox" / SENDER / f"{flow_id}.flux.statut.xml").exists(), name
    assert settled(tmp_path) == len(before)
    if ledger.exists():  # the replacement was left as it was put there
        [(recorded,)] = sqlite3.connect(ledger).execute("SELECT count(*) FROM flows").fetchall()
        assert recorded == len(before)


def test_a_ledger_lost_between_two_starts_is_not_replaced_by_an_empty_one(hub):
    """The archive outlives the ledger file: facteur refuses to start on a new,
    empty ledger beside it, which would deliver every invoice a second time."""
    from helpers import Spec, ubl

    invoice = hub.drop("LOST-1.xml", ubl(Spec("LOST-1")))
    code, _ = hub.process(invoice)
    assert code == 0 and len(hub.pivots()) == 1
    ledger = hub.root / "var" / "ledger.sqlite"
    ledger.unlink()

    code, _ = hub.run("process", str(invoice), "--sender", "DEMO01")

    assert code == 1
    assert f"le registre {ledger} manque, alors que l'archive" in hub.err
    assert "Remettez le registre" in hub.err
    assert not ledger.exists() and len(hub.pivots()) == 1
