"""The life of a delivered invoice: its statuses, and when its payment delay starts.

After delivery an invoice moves through the Chorus Pro statuses: made available
(03) once the recipient acknowledges the delivery, then rejected (04, 05),
suspended (06) and completed (12), or service done (07), mandated (08), sent
to the accountant (09), booked (10) and paid (11). `NEXT` says which step may
follow which; anything else is refused and the refusal goes back to whoever
sent it, with the reason. A rejection or a suspension must say why in words
(`explanation_gap`): a supplier never receives "xxx" or "test" as a reason.

The payment delay (DGP) starts once, by one of three rules, recorded with it:
the recipient system's technical acknowledgment (EDI), the time a portal or
service recipient was notified (`facteur collect`), or, in a dispute, deposit
time plus two days. A start, once written, never changes.

Everything here is plain functions over plain data; the ledger's answers come
in through `Lookup`, and what to record and send goes out as `StatusChange`s
and `Output`s for the runner to write.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from facteur.engine.messages import DEFAULT, Message, say, text
from facteur.engine.model import (
    Finding,
    Flow,
    Outcome,
    Output,
    Severity,
    StatusChange,
    StatusEntry,
    StatusMessage,
)
from facteur.engine.outputs import status
from facteur.engine.runtime.ledger import DeliveredInvoice
from facteur.engine.statuses import (
    DELIVERY_ACK,
    DELIVERY_ERRORS,
    FLOW_STATUS_LABELS,
    INVOICE_STATUS_LABELS,
    NEEDS_EXPLANATION,
    SET_BY_HUB,
    FlowStatus,
)
from facteur.engine.validation.rulesets import RULES_VERSION

# Which invoice status may follow which. 01 and 02 are the hub's (deposit,
# routing); 03 comes from the recipient's flow-level acknowledgment (92) or a
# portal notification, never from an invoice-level status. Steps of the
# payment chain may be skipped forward (not every system reports the mandate or
# the booking), but nothing is paid before the service is certified done (07)
# or the payment mandated (08): the public-accounting rule of "service fait".
NEXT: Mapping[str, frozenset[str]] = {
    "02": frozenset({"03"}),
    "03": frozenset({"04", "05", "06", "07", "08"}),
    "06": frozenset({"04", "05", "12"}),
    "12": frozenset({"04", "05", "06", "07", "08"}),
    "07": frozenset({"04", "05", "06", "08", "09", "10", "11"}),
    "08": frozenset({"09", "10", "11"}),
    "09": frozenset({"10", "11"}),
    "10": frozenset({"11"}),
    "04": frozenset(),
    "05": frozenset(),
    "11": frozenset(),
}
# What an explanation needs: words of letters, enough of them to say something.
# "Autre motif." (10 letters) or "rien reçu" (8) pass; "xxx", "n/a", "motif" do not.
MIN_WORDS = 2
MIN_LETTERS = 8
# Words that fill a field without saying anything; they count for nothing.
PLACEHOLDERS = frozenset(
    {"test", "tests", "essai", "todo", "tbd", "na", "nc", "nr", "lorem", "ipsum", "blabla", "bla", "asdf", "qwerty",
     "azerty", "idem", "xxx", "xx"}
)
_WORD = re.compile(r"[^\W\d_]{2,}")
CLOCK_TOLERANCE = timedelta(minutes=5)  # partners' clocks drift a little from facteur's
DISPUTE_DELAY = timedelta(days=2)

RULE_ACK = "edi-acknowledgment"
RULE_NOTIFIED = "portal-notification"
RULE_DISPUTE = "dispute"


class Lookup(Protocol):
    """What the lifecycle asks of the ledger."""

    def delivered(self, flow_id: str) -> list[DeliveredInvoice]: ...

    def invoices_numbered(self, supplier: str, number: str, year: int | None) -> list[DeliveredInvoice]: ...


@dataclass
class _Plan:
    """Entries applied in file order, with the state each invoice reaches."""

    lookup: Lookup | None  # None when nothing is to be looked up (a portal notification)
    sender: str
    now: datetime
    states: dict[tuple[str, int], str] = field(default_factory=dict)
    changes: list[StatusChange] = field(default_factory=list)
    forwarded: list[tuple[DeliveredInvoice, status.InvoiceStatusEntry]] = field(default_factory=list)
    refused: list[Finding] = field(default_factory=list)
    notes: list[Finding] = field(default_factory=list)

    def state(self, invoice: DeliveredInvoice) -> str:
        return self.states.get((invoice.flow_id, invoice.index), invoice.state)

    def move(self, invoice: DeliveredInvoice, entry: StatusEntry, code: str, dgp_rule: str = "") -> None:
        self.states[(invoice.flow_id, invoice.index)] = code
        note = f"{entry.comment} (from {self.sender})" if entry.comment else f"from {self.sender}"
        self.changes.append(
            StatusChange(invoice.flow_id, invoice.index, code, entry.at, note,
                         entry.at if dgp_rule else None, dgp_rule)
        )
        self.forwarded.append((invoice, status.InvoiceStatusEntry(invoice.invoice, code, entry.comment, at=entry.at)))

    def refuse(self, entry: StatusEntry, code: str, message: Message) -> None:
        self.refused.append(Finding(code, Severity.BLOCKING, message, entry.position, layer="lifecycle"))


def settle(flow: Flow, message: StatusMessage, lookup: Lookup, hub_id: str, now: datetime,
           lang: str = DEFAULT) -> Outcome:
    """Apply a recipient's status file: what to record, what to forward to the
    suppliers' senders, and the report back to the recipient (90 all applied,
    96 some refused, 93 none applied), one error line per refused entry, in `lang`."""
    plan = _Plan(lookup, flow.sender, now)
    for entry in message.entries:
        if entry.flow_level:
            _flow_entry(plan, entry)
        else:
            _invoice_entry(plan, entry)
    applied = len(message.entries) - len(plan.refused)
    state = FlowStatus.INTEGRATED if not plan.refused else FlowStatus.PARTLY_INTEGRATED if applied else FlowStatus.REJECTED
    refused = [finding.in_language(lang) for finding in plan.refused]
    outcome = Outcome(flow.id, flow.sender, state, findings=refused + [note.in_language(lang) for note in plan.notes],
                      rules_version=RULES_VERSION, statuses=message, changes=plan.changes)
    outcome.outputs = forward(plan.forwarded, flow.id, hub_id, flow.received_at)
    comment = text("lifecycle-comment", lang, n=applied, total=len(message.entries), name=flow.name)
    outcome.outputs.append(
        Output(
            flow.sender,
            status.flow_status_name(flow.id),
            status.flow_status_xml(
                flow_id=flow.id, code=state.value, hub_id=hub_id, recipient=flow.sender, produced_at=flow.received_at,
                errors=[(f.location, f) for f in refused], comment=comment, lang=lang,
            ),
            "flow-status",
        )
    )
    return outcome


def _flow_entry(plan: _Plan, entry: StatusEntry) -> None:
    if entry.code != DELIVERY_ACK and entry.code not in DELIVERY_ERRORS:
        return plan.refuse(
            entry, "FCT-STATUS-NOT-YOURS",
            say("lifecycle-not-yours", code=entry.code),
        )
    delivered = [d for d in plan.lookup.delivered(entry.flow_ref) if d.mailbox == plan.sender]
    if not delivered:
        return plan.refuse(
            entry, "FCT-STATUS-UNKNOWN-FLOW",
            say("lifecycle-unknown-flow", flow=entry.flow_ref, recipient=plan.sender),
        )
    if _bad_time(plan, entry, delivered):
        return
    if entry.code in DELIVERY_ERRORS:
        label = FLOW_STATUS_LABELS[entry.code]
        for invoice in delivered:
            plan.changes.append(
                StatusChange(invoice.flow_id, invoice.index, entry.code, entry.at,
                             f"{label}: {entry.comment or 'no detail given'} (from {plan.sender})")
            )
        return
    for invoice in delivered:
        current = plan.state(invoice)
        if current == "02":
            plan.move(invoice, entry, "03", RULE_ACK)
        else:
            plan.notes.append(
                Finding(
                    "FCT-STATUS-ALREADY", Severity.WARNING,
                    say("lifecycle-already", number=invoice.invoice.number, flow=invoice.flow_id,
                        state=_describe(current)),
                    entry.position, layer="lifecycle",
                )
            )


def _invoice_entry(plan: _Plan, entry: StatusEntry) -> None:
    code = entry.code
    if code not in INVOICE_STATUS_LABELS:
        return plan.refuse(
            entry, "FCT-STATUS-UNKNOWN-CODE",
            say("lifecycle-unknown-code", code=code),
        )
    if code in SET_BY_HUB:
        return plan.refuse(
            entry, "FCT-STATUS-TRANSITION",
            say("lifecycle-set-by-hub", number=entry.number, status=_describe(code)),
        )
    year = entry.issue_date.year if entry.issue_date else None
    found = [d for d in plan.lookup.invoices_numbered(entry.supplier, entry.number, year) if d.mailbox == plan.sender]
    if not found:
        return plan.refuse(
            entry, "FCT-STATUS-UNKNOWN-INVOICE",
            say("lifecycle-unknown-invoice-dated", number=entry.number, supplier=entry.supplier, recipient=plan.sender,
                date=entry.issue_date.isoformat()) if entry.issue_date else
            say("lifecycle-unknown-invoice", number=entry.number, supplier=entry.supplier, recipient=plan.sender),
        )
    if len(found) > 1:
        years = ", ".join(sorted({str(d.invoice.year) for d in found}))
        return plan.refuse(
            entry, "FCT-STATUS-AMBIGUOUS",
            say("lifecycle-ambiguous", number=entry.number, supplier=entry.supplier, recipient=plan.sender,
                years=years),
        )
    (invoice,) = found
    gap = explanation_gap(entry.comment) if code in NEEDS_EXPLANATION else None
    if gap:
        return plan.refuse(
            entry, "FCT-STATUS-UNEXPLAINED",
            say("lifecycle-unexplained", status=_describe(code), number=entry.number, gap=gap),
        )
    current = plan.state(invoice)
    if code not in NEXT.get(current, frozenset()):
        return plan.refuse(entry, "FCT-STATUS-TRANSITION", _impossible(entry.number, current, code))
    if _bad_time(plan, entry, [invoice]):
        return
    plan.move(invoice, entry, code)


def explained(comment: str) -> bool:
    """A comment that gives a reason (see `explanation_gap`)."""
    return not explanation_gap(comment)


def explanation_gap(comment: str) -> Message | None:
    """Why `comment` explains nothing, or None when it explains.

    A reason is at least MIN_WORDS different words of two letters or more and
    MIN_LETTERS letters in all; a word of one repeated letter ("aaa") or a
    placeholder ("test", "xxx") counts for nothing, so that a supplier always
    reads something it can act on."""
    shown = " ".join(comment.split())
    words = {word for word in map(str.lower, _WORD.findall(comment))
             if word not in PLACEHOLDERS and len(set(word)) > 1}
    letters = sum(len(word) for word in words)
    if len(words) >= MIN_WORDS and letters >= MIN_LETTERS:
        return None
    what = say("explanation-empty-reason", reason=shown) if shown else say("explanation-no-reason")
    return say("explanation-gap", what=what, words=MIN_WORDS, letters=MIN_LETTERS)


def _impossible(number: str, current: str, code: str) -> Message:
    allowed = sorted(NEXT.get(current, frozenset()) - SET_BY_HUB)
    after = say("lifecycle-only-after", allowed=", ".join(allowed)) if allowed else say("lifecycle-final")
    if current == "02":
        after = say("lifecycle-ack-first")
    return say("lifecycle-impossible", number=number, state=_describe(current), status=_describe(code), after=after)


def _describe(code: str) -> str:
    return f"{code} ({INVOICE_STATUS_LABELS.get(code, code)})"


def _bad_time(plan: _Plan, entry: StatusEntry, invoices: list[DeliveredInvoice]) -> bool:
    """A status timestamped before the deposit, or in the future, beyond what
    clock drift explains, is refused: it may start a legal delay, so it must be
    plausible."""
    deposited = max(d.deposited_at for d in invoices)
    if entry.at < deposited - CLOCK_TOLERANCE:
        plan.refuse(
            entry, "FCT-STATUS-TIME",
            say("lifecycle-before-deposit", at=entry.at.isoformat(), deposited=deposited.isoformat()),
        )
        return True
    if entry.at > plan.now + CLOCK_TOLERANCE:
        plan.refuse(
            entry, "FCT-STATUS-TIME",
            say("lifecycle-future", at=entry.at.isoformat(), now=plan.now.isoformat()),
        )
        return True
    return False


def forward(
    forwarded: list[tuple[DeliveredInvoice, status.InvoiceStatusEntry]], name_id: str, hub_id: str, produced_at: datetime
) -> list[Output]:
    """Invoice statuses for the partners who deposited the invoices, one file
    per partner, named after what produced them so that writing again after a
    crash replaces rather than adds."""
    by_depositor: dict[str, list[status.InvoiceStatusEntry]] = {}
    for invoice, entry in forwarded:
        by_depositor.setdefault(invoice.depositor, []).append(entry)
    return [
        Output(
            depositor,
            status.follow_up_name(name_id),
            status.invoice_status_xml(
                flow_id=name_id, hub_id=hub_id, recipient=depositor, produced_at=produced_at, entries=entries
            ),
            "invoice-status",
        )
        for depositor, entries in by_depositor.items()
    ]


def notified(waiting: list[DeliveredInvoice], recipient: str, hub_id: str, at: datetime) -> tuple[list[StatusChange], list[Output]]:
    """A portal or service recipient has been handed its invoices at `at`:
    each is made available (03) and its payment delay starts then."""
    entry = StatusEntry("notification", "03", at, f"notified to {recipient} (portal or service mode)")
    plan = _Plan(None, recipient, at)
    for invoice in waiting:
        plan.move(invoice, entry, "03", RULE_NOTIFIED)
    name_id = "collect-" + hashlib.sha256(
        (recipient + "".join(f"\0{d.flow_id}:{d.index}" for d in waiting)).encode()
    ).hexdigest()[:16]
    return plan.changes, forward(plan.forwarded, name_id, hub_id, at)


def disputed(invoice: DeliveredInvoice, reason: str, at: datetime) -> StatusChange:
    """The dispute rule: the delay starts two days after deposit. Raises
    ValueError when the delay has a start already (a start never changes); a
    start by this rule may still be ahead of `at`, and the refusal says so."""
    if invoice.dgp_start is not None:
        raise ValueError(say("dispute-started" if invoice.dgp_start <= at else "dispute-will-start",
                             number=invoice.invoice.number, flow=invoice.flow_id, start=invoice.dgp_start.isoformat(),
                             rule=invoice.dgp_rule))
    gap = explanation_gap(reason)
    if gap:
        raise ValueError(say("dispute-unexplained", gap=gap))
    start = invoice.deposited_at + DISPUTE_DELAY
    return StatusChange(invoice.flow_id, invoice.index, "dispute", at, f"dispute: {reason}", start, RULE_DISPUTE)
