"""The ledger's counts: what the dashboard and the metrics read of many flows
at once, as aggregates the database computes rather than rows the engine would
count. They are kept as the ledger is written (tallies, the dashboard's by
day, updated in the transaction that changes what they count), so that they
read as fast with a million flows as with ten."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class FlowCount:
    """Flows received on one day from one sender, in one status."""

    day: str  # ISO date of reception, as the ledger wrote it
    sender: str
    status: str
    count: int


@dataclass(frozen=True)
class CodeCount:
    """Flows received since a day with at least one blocking finding of this code."""

    code: str
    flows: int


@dataclass(frozen=True)
class Awaiting:
    """Invoices delivered to a recipient (02) that it has not acknowledged yet."""

    mailbox: str
    invoices: int
    oldest: date  # the day of reception of the oldest flow among them


@dataclass(frozen=True)
class Started:
    """Invoices of one buyer whose payment delay started on one day and that
    are not paid nor otherwise settled (not in a final status)."""

    buyer: str
    start: str  # ISO date
    invoices: int


@dataclass(frozen=True)
class Backlog:
    """What waits: flows begun and not committed (they are retried), and
    outbox messages not yet published (retried while the broker refuses)."""

    pending: int
    oldest_pending: datetime | None
    messages: int  # in the outbox, unpublished
    messages_retried: int  # among them, those tried and missed at least once
    oldest_message: datetime | None
    latest_flow: datetime | None  # the latest reception, whatever its status


@dataclass(frozen=True)
class Totals:
    """Everything the ledger holds, counted: the metrics' counters."""

    flows: dict[str, int]  # status -> flows
    invoices: dict[tuple[str, str], int]  # (syntax, status: an invoice code, or "rejected") -> invoices
    findings: dict[tuple[str, str], int]  # (code, severity) -> findings
