"""Leases in the ledger, on both of its databases: a flow, or an invoice whose
statuses are judged, is worked on by one process at a time; a holder that
crashed loses its leases (at once when it was a process of this host, after
they expire otherwise), and a process takes all the keys it asks for or none."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from datetime import datetime, timezone

import pytest
from helpers import REPO, Spec, flow_status, ledger_rows, ubl
from test_lifecycle import recipient_status, soon

from facteur.adapters import configuration
from facteur.adapters.ledgers import open_ledger
from facteur.adapters.mailbox import Archive, Mailboxes
from facteur.engine import pipeline
from facteur.engine.errors import Busy
from facteur.engine.model import Flow
from facteur.engine.runtime.runner import Runner

pytestmark = pytest.mark.usefixtures("ledger_backend")


@pytest.fixture
def ledgers(tmp_path):
    """Two processes' ledgers, as two workers have: each its own holder."""
    config = configuration.load(root=str(tmp_path))
    opened = [open_ledger(config), open_ledger(config)]
    yield opened
    for ledger in opened:
        ledger.close()


def test_a_leased_key_is_refused_to_another_holder_until_released(ledgers):
    first, second = ledgers
    assert first.lease(["flow:a"], 60) is None
    assert first.lease(["flow:a"], 60) is None  # its own lease, taken again
    assert second.lease(["flow:a"], 60) == first.holder
    first.release(["flow:a"])
    assert second.lease(["flow:a"], 60) is None
    assert first.lease(["flow:a"], 60) == second.holder


def test_keys_are_taken_all_or_none(ledgers, tmp_path):
    first, second = ledgers
    assert first.lease(["invoice:f:2"], 60) is None
    assert second.lease(["invoice:f:1", "invoice:f:2", "invoice:f:3"], 60) == first.holder
    assert ledger_rows(tmp_path, "SELECT key, holder FROM leases ORDER BY key") == [("invoice:f:2", first.holder)]
    first.release(["invoice:f:2"])
    assert second.lease(["invoice:f:1", "invoice:f:2", "invoice:f:3"], 60) is None
    assert first.lease(["invoice:f:3"], 60) == second.holder


def test_an_expired_lease_passes_on_unless_renewed(ledgers):
    first, second = ledgers
    assert first.lease(["flow:a", "flow:b"], -1) is None  # already run out, as after a holder stopped renewing
    first.renew(["flow:b"], 60)
    assert second.lease(["flow:a"], 60) is None
    assert second.lease(["flow:b"], 60) == first.holder
    first.renew(["flow:a"], 60)  # a lease lost is not taken back by renewing it
    assert first.lease(["flow:a"], 60) == second.holder


def holding_process(tmp_path, key: str, then: str) -> subprocess.Popen:
    """Another process of this host that leases `key` for an hour, prints its
    holder name, then runs `then` (Python)."""
    script = (
        "import sys\n"
        "from facteur.adapters.ledgers import open_ledger\n"
        "from facteur.adapters.configuration import load\n"
        f"ledger = open_ledger(load(root={str(tmp_path)!r}))\n"
        f"assert ledger.lease([{key!r}], 3600) is None\n"
        "print(ledger.holder, flush=True)\n"
        f"{then}\n"
    )
    return subprocess.Popen([sys.executable, "-c", script], cwd=REPO, stdout=subprocess.PIPE, stdin=subprocess.PIPE)


@pytest.mark.system
def test_the_lease_of_a_process_of_this_host_that_is_gone_passes_on_at_once(ledgers, tmp_path):
    _, second = ledgers
    living = holding_process(tmp_path, "flow:alive", "sys.stdin.read()")
    alive_holder = living.stdout.readline().decode().strip()
    crashed = holding_process(tmp_path, "flow:crashed", "import os; os._exit(9)")
    crashed.communicate(timeout=60)
    try:
        assert second.lease(["flow:alive"], 60) == alive_holder
        assert second.lease(["flow:crashed"], 60) is None
    finally:
        living.communicate(b"", timeout=60)
    assert second.lease(["flow:alive"], 60) is None  # its holder ended without releasing it


def test_a_holder_of_another_host_is_waited_for_until_its_lease_expires(ledgers):
    first, second = ledgers
    ended = subprocess.Popen(["true"])
    ended.wait()
    first.holder = f"another-host~{ended.pid}~0badc0de"  # no such process here, but the pid is another machine's
    assert first.lease(["flow:a"], 60) is None and first.lease(["flow:b"], -1) is None
    assert second.lease(["flow:a"], 60) == first.holder
    assert second.lease(["flow:b"], 60) is None


class Interleaved(Mailboxes):
    """Mailboxes that let another process act once, while this one has judged
    its flow and not yet committed it (its outputs are being written)."""

    meanwhile = None

    def write_all(self, outputs):
        step, self.meanwhile = self.meanwhile, None
        if step:
            step()
        return super().write_all(outputs)


@pytest.fixture
def runners(tmp_path):
    """Two processes' runners on one installation, as two workers are."""
    config = configuration.load(root=str(tmp_path))
    made = []
    for _ in range(2):
        ledger = open_ledger(config)
        context = configuration.context(config, ledger.known_invoice)
        made.append(Runner(context, ledger, Archive(config.archive), Interleaved(config.outbox)))
    yield made
    for runner in made:
        runner.ledger.close()


def test_a_copy_of_a_flow_another_process_works_on_waits_then_is_a_repeat(runners, tmp_path):
    first, second = runners
    flow = Flow(ubl(Spec("LEASE-1")), "DEMO01", "lease-1.xml", datetime.now(timezone.utc))
    prepared = first.prepare(flow)
    with pytest.raises(Busy) as busy:
        second.prepare(replace(flow, name="lease-1-again.xml"))
    assert busy.value.holder == first.ledger.holder
    first.finish(prepared, pipeline.process(prepared, first.context))
    again = second.prepare(replace(flow, name="lease-1-again.xml"))
    assert (again.repeated, again.status) == (True, "90")
    assert len(list((tmp_path / "outbox" / "VILLEDEM").glob("*.pivot.xml"))) == 1
    assert ledger_rows(tmp_path, "SELECT count(*) FROM leases") == [(0,)]


def test_statuses_of_an_invoice_another_process_judges_wait_then_see_its_commit(runners, tmp_path):
    first, second = runners
    delivered = first.handle(Flow(ubl(Spec("LEASE-2")), "DEMO01", "lease-2.xml", datetime.now(timezone.utc)))
    first.handle(Flow(recipient_status("VILLEDEM", flows=[("92", soon(1), delivered.flow_id, "")]), "VILLEDEM",
                      "ack.xml", datetime.now(timezone.utc)))
    rejected, refused = (
        runner.prepare(Flow(recipient_status("VILLEDEM", invoices=[(code, soon(2), "LEASE-2", None, reason)]),
                            "VILLEDEM", f"{code}.xml", datetime.now(timezone.utc)))
        for runner, code, reason in ((first, "04", "service inconnu"), (second, "05", "commande absente"))
    )

    def conflicting_status_meanwhile():
        with pytest.raises(Busy) as busy:
            second.finish(refused, pipeline.process(refused, second.context))
        assert busy.value.holder == first.ledger.holder

    first.mailboxes.meanwhile = conflicting_status_meanwhile
    assert first.finish(rejected, pipeline.process(rejected, first.context)).status == "90"
    assert first.mailboxes.meanwhile is None  # the other one did try while this one judged
    assert second.finish(refused, pipeline.process(refused, second.context)).status == "93"
    report = tmp_path / "outbox" / "VILLEDEM" / f"{refused.id}.flux.statut.xml"
    assert flow_status(report) == ("93", ["FCT-STATUS-TRANSITION"])
    assert ledger_rows(tmp_path, "SELECT state FROM invoices WHERE flow_id = ?", delivered.flow_id) == [("04",)]


def test_a_holder_whose_lease_ran_out_and_passed_on_commits_nothing(runners, tmp_path):
    """A process frozen past its lease (here, its lease made to run out) while
    another one took the flow over: its commit is refused, the other's stands."""
    first, second = runners
    flow = Flow(ubl(Spec("LEASE-3")), "DEMO01", "lease-3.xml", datetime.now(timezone.utc))
    stalled = first.prepare(flow)
    outcome = pipeline.process(stalled, first.context)
    ledger_rows(tmp_path, "UPDATE leases SET expires_at = 0")  # it stopped renewing: frozen, not crashed
    taken_over = second.prepare(replace(flow, name="lease-3-again.xml"))

    with pytest.raises(Busy) as busy:
        first.finish(stalled, outcome)

    assert busy.value.holder == second.ledger.holder
    assert ledger_rows(tmp_path, "SELECT status FROM flows") == [("pending",)]
    assert second.finish(taken_over, pipeline.process(taken_over, second.context)).status == "90"
    again = first.prepare(flow)
    assert (again.repeated, again.status) == (True, "90")
    assert ledger_rows(tmp_path, "SELECT count(*) FROM outputs WHERE kind = 'pivot'") == [(1,)]
