"""The lifecycle's rules (engine/hub/lifecycle.py) without the CLI: which status
may follow which, who may set which, what must be explained, when a payment
delay starts. The table is checked entry by entry on `settle` directly; the
sequences run through a runner over the in-memory ledger and mailboxes
(facteur.adapters.testing), as recipients' status files. The system tier
(test_lifecycle.py) runs them through `facteur` on both ledger databases."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pytest
from helpers import Spec, ubl
from lxml import etree

from bench.status_files import recipient_status
from facteur.adapters.testing import demo_hub
from facteur.engine.hub import lifecycle
from facteur.engine.hub.lifecycle import NEXT
from facteur.engine.model import Flow, StatusEntry, StatusMessage
from facteur.engine.statuses import (
    DELIVERY_ERRORS,
    INVOICE_STATUS_LABELS,
    NEEDS_EXPLANATION,
    SET_BY_HUB,
    FlowStatus,
)

SUPPLIER = "35600000000048"  # the generator's demo supplier
DEPOSITED = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
REASON = "quantités livrées inférieures à la commande"


class Clock:
    """The hub's clock, moved on by the test."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def memory():
    return demo_hub(clock=Clock(DEPOSITED))


def deposit(memory, number: str, **spec) -> str:
    handled = memory.deposit(ubl(Spec(number, **spec)), f"{number}.xml")
    assert handled.status == "90", handled.findings
    return handled.flow_id


def send(memory, recipient: str, *, later: timedelta, flows=(), invoices=()):
    """A recipient's status file, received `later` after the deposit; what
    was done, and the codes its report to the recipient refuses."""
    memory.runner.clock.now = DEPOSITED + later
    content = recipient_status(recipient, flows=flows, invoices=invoices)
    handled = memory.deposit(content, f"statuts-{later.total_seconds():.0f}.xml", sender=recipient)
    report = etree.fromstring(memory.mailboxes.of(recipient)[f"{handled.flow_id}.flux.statut.xml"])
    assert report.findtext(".//IdStatut") == handled.status
    return handled, [code.text for code in report.iter("CodeErreur")]


def forwarded(memory, partner: str = "DEMO01") -> list[tuple[str, str]]:
    """(status, invoice number) forwarded to the partner that deposited, in time order."""
    seen = []
    for name, content in memory.mailboxes.of(partner).items():
        if name.endswith(".suivi.statut.xml"):
            for data in etree.fromstring(content).iter("DonneesStatut"):
                seen.append((data.findtext("Horodatage"), data.findtext("IdStatut"), data.findtext("IdFacture")))
    return [(code, number) for _, code, number in sorted(seen)]


def at(minutes: int) -> datetime:
    return DEPOSITED + timedelta(minutes=minutes)


# The table, entry by entry, on `settle` with a one-invoice lookup.

class Only:
    """A lookup that knows one delivered invoice."""

    def __init__(self, invoice):
        self.invoice = invoice

    def delivered(self, flow_id):
        return [self.invoice] if flow_id == self.invoice.flow_id else []

    def invoices_numbered(self, supplier, number, year):
        return [self.invoice] if (supplier, number) == (SUPPLIER, self.invoice.invoice.number) else []


@pytest.fixture(scope="module")
def delivered():
    """An invoice as the ledger gives it back once delivered (02)."""
    memory = demo_hub(clock=Clock(DEPOSITED))
    flow_id = deposit(memory, "TAB-1")
    [invoice] = memory.ledger.delivered(flow_id)
    assert invoice.state == "02"
    return invoice


def settle(invoice, *entries: StatusEntry, sender: str = "VILLEDEM"):
    flow = Flow(b"", sender, "statuts.xml", at(60))
    return lifecycle.settle(flow, StatusMessage(sender, list(entries)), Only(invoice), "FACTEUR", at(60))


def invoice_entry(invoice, code: str, comment: str = REASON, when: datetime = at(30)) -> StatusEntry:
    return StatusEntry("1", code, when, comment, supplier=SUPPLIER, number=invoice.invoice.number)


def flow_entry(invoice, code: str, when: datetime = at(30), comment: str = "") -> StatusEntry:
    return StatusEntry("1", code, when, comment, flow_ref=invoice.flow_id)


RECIPIENT_CODES = sorted(set(INVOICE_STATUS_LABELS) - SET_BY_HUB)


@pytest.mark.parametrize("current", sorted(NEXT))
def test_a_status_may_follow_only_those_the_table_allows(delivered, current):
    invoice = replace(delivered, state=current)
    applied = {}
    for code in RECIPIENT_CODES:
        outcome = settle(invoice, invoice_entry(invoice, code))
        applied[code] = [(c.code, c.index) for c in outcome.changes] == [(code, invoice.index)]
        if not applied[code]:
            assert [f.code for f in outcome.findings] == ["FCT-STATUS-TRANSITION"], (current, code)
            assert outcome.status is FlowStatus.REJECTED
    assert applied == {code: code in NEXT[current] for code in RECIPIENT_CODES}


def test_before_the_acknowledgment_the_refusal_says_to_acknowledge_first(delivered):
    [finding] = settle(delivered, invoice_entry(delivered, "07")).findings
    assert "accuser réception de la livraison (statut de flux 92)" in finding.message


@pytest.mark.parametrize("code", sorted(SET_BY_HUB))
def test_the_statuses_of_the_hub_are_refused_to_a_recipient(delivered, code):
    [finding] = settle(replace(delivered, state="03"), invoice_entry(delivered, code)).findings
    assert finding.code == "FCT-STATUS-TRANSITION" and "est posé par la plateforme" in finding.message


@pytest.mark.parametrize("code", ["90", "93", "96", "01"])
def test_a_recipient_sends_only_92_94_95_at_flow_level(delivered, code):
    assert [f.code for f in settle(delivered, flow_entry(delivered, code)).findings] == ["FCT-STATUS-NOT-YOURS"]


def test_an_invoice_status_facteur_does_not_exchange_is_refused(delivered):
    assert [f.code for f in settle(delivered, invoice_entry(delivered, "13")).findings] == ["FCT-STATUS-UNKNOWN-CODE"]


def test_the_acknowledgment_makes_the_invoice_available_and_starts_its_payment_delay_then(delivered):
    outcome = settle(delivered, flow_entry(delivered, "92", at(30)))
    [change] = outcome.changes
    assert (change.code, change.dgp_start, change.dgp_rule) == ("03", at(30), lifecycle.RULE_ACK)
    assert outcome.status is FlowStatus.INTEGRATED and outcome.findings == []


def test_an_acknowledgment_of_an_available_invoice_changes_nothing_and_says_so(delivered):
    outcome = settle(replace(delivered, state="07"), flow_entry(delivered, "92"))
    assert outcome.changes == [] and [f.code for f in outcome.findings] == ["FCT-STATUS-ALREADY"]
    assert not outcome.findings[0].blocking and outcome.status is FlowStatus.INTEGRATED


@pytest.mark.parametrize("code", sorted(DELIVERY_ERRORS))
def test_a_delivery_error_is_recorded_without_moving_the_invoice_or_its_delay(delivered, code):
    [change] = settle(delivered, flow_entry(delivered, code, comment="pivot illisible")).changes
    assert (change.code, change.dgp_start) == (code, None) and "pivot illisible" in change.note


@pytest.mark.parametrize("code", sorted(NEEDS_EXPLANATION))
@pytest.mark.parametrize("comment", ["", "  ", "xxx", "n/a", "x", "voir", "motif", "test test", "aaa bbbb"])
def test_a_rejection_or_suspension_without_a_reason_is_refused(delivered, code, comment):
    outcome = settle(replace(delivered, state="03"), invoice_entry(delivered, code, comment))
    assert [f.code for f in outcome.findings] == ["FCT-STATUS-UNEXPLAINED"] and outcome.changes == []


def test_the_refusal_of_a_placeholder_says_why_with_the_value(delivered):
    [finding] = settle(replace(delivered, state="03"), invoice_entry(delivered, "04", "xxx")).findings
    assert "le motif « xxx » n'explique rien : écrivez au moins 2 mots (8 lettres en tout)" in finding.message
    assert finding.message.startswith("statut 04 (Rejetée par l'ordonnateur pour erreur données acheminement)")


@pytest.mark.parametrize("code", sorted(NEEDS_EXPLANATION))
def test_a_rejection_or_suspension_with_a_reason_is_applied(delivered, code):
    [change] = settle(replace(delivered, state="03"), invoice_entry(delivered, code, "prix unitaire erroné")).changes
    assert change.code == code and "prix unitaire erroné" in change.note


@pytest.mark.parametrize("when, moment", [(DEPOSITED - timedelta(minutes=6), "before"), (at(66), "future")])
def test_a_status_dated_before_the_deposit_or_in_the_future_is_refused(delivered, when, moment):
    outcome = settle(delivered, flow_entry(delivered, "92", when))
    assert [f.code for f in outcome.findings] == ["FCT-STATUS-TIME"] and outcome.changes == []


def test_clock_drift_within_five_minutes_is_tolerated(delivered):
    assert settle(delivered, flow_entry(delivered, "92", DEPOSITED - timedelta(minutes=4))).findings == []
    assert settle(delivered, flow_entry(delivered, "92", at(64))).findings == []


def test_a_recipient_cannot_touch_an_invoice_delivered_to_another(delivered):
    for entry, refused in ((flow_entry(delivered, "92"), "FCT-STATUS-UNKNOWN-FLOW"),
                           (invoice_entry(delivered, "07"), "FCT-STATUS-UNKNOWN-INVOICE")):
        outcome = settle(replace(delivered, state="03"), entry, sender="MINDEMO")
        assert [f.code for f in outcome.findings] == [refused] and outcome.changes == []


def test_entries_of_one_file_apply_in_order_and_a_refused_one_makes_it_96(delivered):
    invoice = replace(delivered, state="03")
    in_order = settle(invoice, invoice_entry(invoice, "07"), invoice_entry(invoice, "11"))
    assert [c.code for c in in_order.changes] == ["07", "11"] and in_order.status is FlowStatus.INTEGRATED
    reversed_ = settle(invoice, invoice_entry(invoice, "11"), invoice_entry(invoice, "07"))
    assert [c.code for c in reversed_.changes] == ["07"] and reversed_.status is FlowStatus.PARTLY_INTEGRATED
    assert [f.code for f in reversed_.findings] == ["FCT-STATUS-TRANSITION"]


def test_statuses_applied_are_forwarded_to_the_partner_that_deposited(delivered):
    outcome = settle(replace(delivered, state="03"), invoice_entry(delivered, "07"))
    assert sorted((o.mailbox, o.kind) for o in outcome.outputs) == [("DEMO01", "invoice-status"),
                                                                   ("VILLEDEM", "flow-status")]


@pytest.mark.parametrize("comment, explained", [
    ("prix erroné", True), ("BC manquant", True), ("Autre motif.", True), ("Montant erroné", True),
    ("Facture en double", True), ("rien reçu", True), ("Écart de 12,50 € sur BT-131", True),
    ("autre", False), ("ab", False), ("  -  ", False), ("Aucun", False), ("xxx", False), ("test", False),
    ("n/a", False), ("...", False), ("-", False), ("aaa", False), ("aaaa aaaa", False), ("zzzzz yyyyy", False),
    ("motif", False), ("TEST TEST TEST", False), ("12345 678", False), ("a b c d e f g h", False),
    ("ok ok", False),
])
def test_what_counts_as_an_explanation(comment, explained):
    assert lifecycle.explained(comment) is explained


def test_a_portal_notification_makes_available_and_starts_the_delay_at_that_time(delivered):
    changes, outputs = lifecycle.notified([delivered], "CHDEMO", "FACTEUR", at(90))
    assert [(c.code, c.dgp_start, c.dgp_rule) for c in changes] == [("03", at(90), lifecycle.RULE_NOTIFIED)]
    assert [o.mailbox for o in outputs] == ["DEMO01"]


def test_a_dispute_starts_the_delay_two_days_after_deposit_unless_it_started(delivered):
    change = lifecycle.disputed(delivered, "la collectivité dit n'avoir rien reçu", at(90))
    assert (change.dgp_start, change.dgp_rule) == (delivered.deposited_at + timedelta(days=2), lifecycle.RULE_DISPUTE)
    with pytest.raises(ValueError, match=f"a commencé le {re.escape(at(30).isoformat())} .* ne change jamais"):
        lifecycle.disputed(replace(delivered, dgp_start=at(30), dgp_rule=lifecycle.RULE_ACK), "encore", at(90))
    with pytest.raises(ValueError, match="le motif « \\? » n'explique rien"):
        lifecycle.disputed(delivered, "?", at(90))


def test_a_second_dispute_says_the_delay_will_start_when_its_start_is_ahead(delivered):
    first = lifecycle.disputed(delivered, "la collectivité dit n'avoir rien reçu", at(90))
    disputed_again = replace(delivered, dgp_start=first.dgp_start, dgp_rule=first.dgp_rule)
    assert first.dgp_start > at(91)
    with pytest.raises(ValueError, match=re.escape(f"commencera le {first.dgp_start.isoformat()} (règle dispute)")):
        lifecycle.disputed(disputed_again, "toujours rien reçu", at(91))


# Sequences through the runner, over the in-memory ledger and mailboxes.

def test_acknowledged_then_service_done_then_paid(memory):
    flow_id = deposit(memory, "LIFE-1")
    for later, entries in ((timedelta(minutes=1), {"flows": [("92", at(1), flow_id, "")]}),
                           (timedelta(minutes=2), {"invoices": [("07", at(2), "LIFE-1", None, "")]}),
                           (timedelta(minutes=3), {"invoices": [("11", at(3), "LIFE-1", None, "virement 4521")]})):
        handled, refused = send(memory, "VILLEDEM", later=later, **entries)
        assert (handled.status, handled.kind, refused) == ("90", "statuses", [])
    [invoice] = memory.ledger.delivered(flow_id)
    assert (invoice.state, invoice.dgp_start, invoice.dgp_rule) == ("11", at(1), lifecycle.RULE_ACK)
    assert forwarded(memory) == [("03", "LIFE-1"), ("07", "LIFE-1"), ("11", "LIFE-1")]


def test_a_second_acknowledgment_never_moves_the_payment_delay_start(memory):
    flow_id = deposit(memory, "LIFE-2")
    send(memory, "VILLEDEM", later=timedelta(minutes=1), flows=[("92", at(1), flow_id, "")])
    handled, refused = send(memory, "VILLEDEM", later=timedelta(minutes=9), flows=[("92", at(9), flow_id, "")])
    assert (handled.status, refused) == ("90", [])
    assert [f["code"] for f in handled.findings] == ["FCT-STATUS-ALREADY"]
    [invoice] = memory.ledger.delivered(flow_id)
    assert invoice.dgp_start == at(1)
    assert forwarded(memory) == [("03", "LIFE-2")]
    with pytest.raises(sqlite3.IntegrityError, match="never changes"):  # the in-memory ledger keeps the guarantee
        memory.ledger.db.execute("UPDATE invoices SET dgp_start = '2020-01-01T00:00:00+00:00' WHERE flow_id = ?",
                                 (flow_id,))


def test_a_refused_status_leaves_the_invoice_and_reaches_only_its_sender(memory):
    flow_id = deposit(memory, "LIFE-3")
    handled, refused = send(memory, "VILLEDEM", later=timedelta(minutes=1),
                            invoices=[("11", at(1), "LIFE-3", None, "")])
    assert (handled.status, refused) == ("93", ["FCT-STATUS-TRANSITION"])
    assert memory.ledger.delivered(flow_id)[0].state == "02"
    assert forwarded(memory) == []


def test_a_number_delivered_in_two_years_needs_the_date_to_say_which(memory):
    first = deposit(memory, "YR-1", issue_date=date(2025, 12, 30))
    second = deposit(memory, "YR-1", issue_date=date(2026, 1, 5))
    send(memory, "VILLEDEM", later=timedelta(minutes=1), flows=[("92", at(1), first, ""), ("92", at(1), second, "")])
    _, refused = send(memory, "VILLEDEM", later=timedelta(minutes=2), invoices=[("07", at(2), "YR-1", None, "")])
    assert refused == ["FCT-STATUS-AMBIGUOUS"]
    handled, refused = send(memory, "VILLEDEM", later=timedelta(minutes=3),
                            invoices=[("07", at(3), "YR-1", "2026-01-05", "")])
    assert (handled.status, refused) == ("90", [])
    assert [(d.invoice.year, d.state) for d in memory.ledger.invoices("VILLEDEM")] == [(2025, "03"), (2026, "07")]
