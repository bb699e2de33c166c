"""The lifecycle operations an operator starts: handing a portal or service
recipient what waits for it (`collect`), disputing an invoice, and the
payment-delay clock of every invoice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from facteur.engine.errors import InvalidRequest, NotAllowed
from facteur.engine.hub import annuaire as national
from facteur.engine.hub import dgp, lifecycle
from facteur.engine.hub.annuaire import Annuaire
from facteur.engine.hub.directory import Directory, Structure
from facteur.engine.messages import say
from facteur.engine.operations.flows import known_recipient, show_flow
from facteur.engine.operations.hub import Hub
from facteur.engine.outputs import pivot
from facteur.engine.runtime.ledger import DeliveredInvoice, Ledger


@dataclass(frozen=True)
class Handed:
    """An invoice handed to its recipient, whose payment delay starts now."""

    flow_id: str
    index: int
    number: str
    supplier: str
    pivot: str  # where the recipient takes its pivot
    dgp_start: datetime
    dgp_rule: str


@dataclass(frozen=True)
class Collected:
    recipient: str  # the structure's mailbox id
    notified_at: datetime
    invoices: tuple[Handed, ...]


@dataclass(frozen=True)
class Disputed:
    flow_id: str
    index: int
    number: str
    dgp_start: datetime
    dgp_rule: str


@dataclass(frozen=True)
class Delay:
    """Where an invoice's payment delay stands on a given day."""

    flow_id: str
    index: int
    number: str
    supplier: str
    recipient: str
    state: str
    dgp_start: datetime | None  # None while the delay has not started
    dgp_rule: str
    delay_days: int
    due: date | None
    days_left: int | None
    overdue: bool


@dataclass(frozen=True)
class PaymentDelays:
    on: date  # the day the days left are counted from
    delays: tuple[Delay, ...]


def collect(hub: Hub, recipient: str, to: str = "") -> Collected:
    """Hand a portal or service recipient (mailbox id or SIRET) the invoices
    waiting for it, copied into `to` when given: each is made available (03)
    and its payment delay starts now; the depositors are told."""
    structure = recipient_structure(hub.directory, recipient, hub.directory_store, hub.clock().date())
    if structure.delivery == "edi":
        raise InvalidRequest(
            say("ops-collect-edi", mailbox=structure.mailbox, name=structure.name)
        )
    waiting = hub.ledger.waiting(structure.mailbox)
    now = hub.clock()
    places = [hub.hand_over(structure.mailbox, pivot.pivot_name(d.flow_id, d.index), to) for d in waiting]
    changes, outputs = lifecycle.notified(waiting, structure.mailbox, hub.hub_id, now)
    written = list(zip(outputs, hub.deliveries.write_all(outputs)))
    hub.ledger.record(changes, written, f"collect by {structure.mailbox}", hub.deliveries.to_publish(outputs))
    hub.publish()
    handed = tuple(
        Handed(d.flow_id, d.index, d.invoice.number, d.invoice.supplier.identifier, place, now, lifecycle.RULE_NOTIFIED)
        for d, place in zip(waiting, places)
    )
    return Collected(structure.mailbox, now, handed)


def recipient_structure(directory: Directory, recipient: str, annuaire: Annuaire | None = None,
                        on: date | None = None) -> Structure:
    """The structure whose mailbox id or SIRET is `recipient`: the TOML
    directory's, else an establishment of the national directory by its SIRET
    as it stood on `on`."""
    for structure in directory.structures.values():
        if recipient in (structure.mailbox, structure.siret):
            return structure
    found = national.establishment(annuaire, recipient, on) if annuaire is not None and on is not None else None
    if found is not None:
        return found
    raise InvalidRequest(say("ops-no-structure", recipient=recipient))


def dispute(hub: Hub, reference: str, reason: str) -> Disputed:
    """Start an invoice's payment delay by the dispute rule (deposit + 2 days).
    `reference` is FLOW[:N]: a flow id or unique prefix, and the invoice's
    place in the flow when it holds several."""
    invoice = _delivered(hub.ledger, reference)
    try:
        change = lifecycle.disputed(invoice, " ".join(reason.split()), hub.clock())
    except ValueError as err:
        raise NotAllowed(err.args[0]) from None
    hub.ledger.record([change], [], origin="dispute by an operator")
    return Disputed(invoice.flow_id, invoice.index, invoice.invoice.number, change.dgp_start, change.dgp_rule)


def _delivered(ledger: Ledger, reference: str) -> DeliveredInvoice:
    flow_ref, _, number = reference.partition(":")
    flow_id = show_flow(ledger, flow_ref).id
    delivered = ledger.delivered(flow_id)
    if number:
        delivered = [d for d in delivered if str(d.index) == number]
    if len(delivered) != 1:
        raise InvalidRequest(
            say("ops-invoice-reference", flow=flow_id, n=len(delivered), reference=reference)
        )
    return delivered[0]


def payment_delays(hub: Hub, recipient: str = "", overdue: bool = False, on: date | None = None) -> PaymentDelays:
    """Every accepted invoice (of one recipient, by mailbox id or SIRET, when
    given) with its payment-delay start, due date and days left as on `on`
    (today by the hub's clock); `overdue` keeps those past due without a
    payment status. A recipient that names nothing is an `InvalidRequest`."""
    invoices = hub.ledger.invoices(known_recipient(hub, recipient) if recipient else "")
    today = on or hub.clock().date()
    clocks = dgp.clocks(invoices, hub.directory, today, hub.directory_store)
    return PaymentDelays(today, tuple(_delay(c) for c in clocks if c.overdue or not overdue))


def flow_delays(hub: Hub, flow_id: str, on: date | None = None) -> tuple[Delay, ...]:
    """The payment delay of each accepted invoice of one flow, as on `on`
    (today by the hub's clock): its start, due date and days left."""
    clocks = dgp.clocks(hub.ledger.delivered(flow_id), hub.directory, on or hub.clock().date(), hub.directory_store)
    return tuple(_delay(c) for c in clocks)


def _delay(clock: dgp.Clock) -> Delay:
    invoice = clock.invoice
    return Delay(
        invoice.flow_id, invoice.index, invoice.invoice.number, invoice.invoice.supplier.identifier, invoice.mailbox,
        invoice.state, invoice.dgp_start, invoice.dgp_rule, clock.delay_days, clock.due, clock.days_left, clock.overdue,
    )
