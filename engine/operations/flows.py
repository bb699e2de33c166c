"""Looking at the flows in the ledger: a filtered listing, and one flow in full."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from facteur.engine.errors import InvalidRequest
from facteur.engine.runtime.ledger import Ledger
from facteur.engine.runtime.records import FlowDetail, FlowSummary
from facteur.engine.statuses import flow_code


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


def list_flows(ledger: Ledger, chosen: FlowFilter = FlowFilter()) -> tuple[FlowSummary, ...]:
    """The latest flows that pass the filter, newest first."""
    return tuple(
        ledger.flows(
            chosen.limit,
            status=flow_code(chosen.status),
            sender=chosen.sender,
            recipient=chosen.recipient,
            since=chosen.since.isoformat() if chosen.since else "",
            until=(chosen.until + timedelta(days=1)).isoformat() if chosen.until else "",
            syntax=chosen.syntax,
            code=chosen.code,
        )
    )


def show_flow(ledger: Ledger, reference: str) -> FlowDetail:
    """The one flow whose id is, or starts with, `reference`."""
    detail = ledger.flow_detail(reference)
    if detail is None:
        raise InvalidRequest(f"no single flow matches {reference!r}; see 'facteur flows list'")
    return detail
