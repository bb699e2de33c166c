"""Looking at the flows in the ledger: a filtered listing, and one flow in full."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import date, timedelta

from facteur.engine.errors import InvalidRequest
from facteur.engine.hub.controls import comparable
from facteur.engine.messages import DEFAULT, Message, say
from facteur.engine.operations.hub import Hub
from facteur.engine.runtime.ledger import Ledger
from facteur.engine.runtime.records import FlowDetail, FlowSummary
from facteur.engine.statuses import FLOW_CODES, flow_code

SHOWN_CHOICES = 12  # a usage error names at most this many recipients of the directory


@dataclass(frozen=True)
class FlowFilter:
    """Which flows to list; an empty criterion lets every flow through."""

    status: str = ""  # a code (90, 93, 96, held, pending) or a name (integrated, rejected, partly)
    sender: str = ""
    recipient: str = ""  # a mailbox id or SIRET the flow's invoices went to
    since: date | None = None  # received on or after
    until: date | None = None  # received on or before
    syntax: str = ""
    code: str = ""  # a finding's code
    limit: int = 50
    number: str = ""  # an invoice number of the flow, compared as read (`controls.comparable`)
    supplier: str = ""  # the SIRET (or other identifier) of a supplier of the flow's invoices
    partner: str = ""  # flows this partner sent or received (a partner user's scope)
    offset: int = 0  # flows of the listing skipped, for its next pages


def list_flows(hub: Hub, chosen: FlowFilter = FlowFilter()) -> tuple[FlowSummary, ...]:
    """The latest flows that pass the filter, newest first. A status or a
    recipient that names nothing is an `InvalidRequest` naming the choices,
    rather than an empty listing that would read as "no such flow"."""
    rows = hub.ledger.flows(
        chosen.limit,
        offset=chosen.offset,
        status=status_code(chosen.status),
        sender=chosen.sender,
        recipient=chosen.recipient,
        since=chosen.since.isoformat() if chosen.since else "",
        until=day_after(chosen.until),
        syntax=chosen.syntax,
        code=chosen.code,
        number=comparable(chosen.number),
        supplier="".join(chosen.supplier.split()),
        partner=chosen.partner,
    )
    if not rows and chosen.recipient:
        known_recipient(hub, chosen.recipient)
    return tuple(rows)


def status_code(status: str) -> str:
    """The code of a flow status given by code or name ("" for none); any
    other text is an `InvalidRequest` naming those accepted."""
    code = flow_code(status.strip())
    if status and not (code in FLOW_CODES and FLOW_CODES[code].name):
        accepted = [c for c, entry in FLOW_CODES.items() if entry.name]
        accepted += [entry.name for entry in FLOW_CODES.values() if entry.name and entry.name != entry.code]
        raise InvalidRequest(say("ops-unknown-status", status=status, accepted=", ".join(accepted)))
    return code


def known_recipient(hub: Hub, recipient: str) -> str:
    """The mailbox id of `recipient` (a mailbox id or SIRET of the directory),
    or `recipient` itself when the ledger holds invoices for it (a structure
    since removed, a SIRET a flow was rejected for); anything else is an
    `InvalidRequest` naming the directory's recipients."""
    for structure in hub.directory.structures.values():
        if recipient in (structure.mailbox, structure.siret):
            return structure.mailbox
    if hub.ledger.flows(1, recipient=recipient):
        return recipient
    known = sorted(hub.directory.mailboxes)
    shown = (say("ops-choices", shown=", ".join(known[:SHOWN_CHOICES]), more=max(0, len(known) - SHOWN_CHOICES))
             if known else say("ops-no-structure-at-all"))
    raise InvalidRequest(say("ops-unknown-recipient", recipient=recipient, directory=hub.directory_source, shown=shown))


def day_after(until: date | None) -> str:
    """The ledger's exclusive bound of a listing that ends on `until`, included."""
    return (until + timedelta(days=1)).isoformat() if until else ""


def show_flow(ledger: Ledger, reference: str, partner: str = "", lang: str = DEFAULT) -> FlowDetail:
    """The one flow whose id is, or starts with, `reference`, its findings and
    timeline in `lang` where the ledger kept their messages' keys; with
    `partner`, only a flow that partner sent or received (any other is answered
    as one that does not exist, so that a partner learns nothing of others' flows)."""
    detail = ledger.flow_detail(reference)
    if detail is not None and partner and not involves(detail, partner):
        detail = None
    if detail is None:
        raise InvalidRequest(say("ops-unknown-flow", reference=reference))
    return replace(
        detail,
        timeline=tuple(replace(e, label=_said(e.said, lang, e.label)) for e in detail.timeline),
        findings=tuple(replace(f, message=_said(f.said, lang, f.message)) for f in detail.findings),
    )


def involves(detail: FlowDetail, partner: str) -> bool:
    """Whether `partner` sent the flow or received one of its invoices."""
    return detail.sender == partner or any(invoice.mailbox == partner for invoice in detail.invoices)


def _said(said: str | None, lang: str, written: str) -> str:
    return Message.from_data(json.loads(said)).render(lang) if said else written
