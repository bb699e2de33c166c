"""What the engine asks of a ledger, whatever database holds it.

The ledger is the memory of the hub: every flow with its timeline, every
invoice with its verdict and findings, every output written, and the key that
makes an invoice number usable once a year per supplier. The runner and the
operations speak to it through this protocol; `adapters/` provides the databases.
"""

from __future__ import annotations

import hashlib
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Protocol

from facteur.engine.model import Flow, Invoice, Outcome, Output, StatusChange
from facteur.engine.runtime.records import FlowDetail, FlowSummary
from facteur.engine.runtime.tallies import Awaiting, Backlog, CodeCount, FlowCount, Started, Totals
from facteur.engine.statuses import PENDING


@dataclass(frozen=True)
class FlowRecord:
    id: str
    sender: str
    name: str
    received_at: datetime
    status: str  # pending, 90, 93, 96, held
    replay_of: str = ""  # the first flow of the chain, for a replay
    attempt: int = 0

    @property
    def done(self) -> bool:
        return self.status != PENDING


@dataclass(frozen=True)
class DeliveredInvoice:
    """An accepted invoice as the lifecycle sees it: where it went, who deposited
    it, where it stands, and the parts of it that status files repeat."""

    flow_id: str
    index: int
    depositor: str  # the partner that deposited the flow: it receives the statuses
    mailbox: str  # the recipient it was delivered to
    deposited_at: datetime
    state: str  # the latest invoice status, 02 to 12
    dgp_start: datetime | None
    dgp_rule: str
    invoice: Invoice  # number, date, supplier, buyer, service, amounts


def message_id(origin: str, output: Output) -> str:
    """The id an output keeps on every publish: derived from what produced it
    (a flow id) and where and under which name it goes, so a message published
    again after a crash is the same message for its recipient."""
    return hashlib.sha256(f"{origin}\0{output.mailbox}\0{output.name}".encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Outgoing:
    """An output waiting in the outbox to be published to its partner."""

    message_id: str
    origin: str  # the flow id, or what else produced it (a collection)
    output: Output
    attempts: int  # publishes tried before this one


@dataclass(frozen=True)
class Episode:
    """An alert's condition true since `since` (`operations/alerts.py`): kept
    in the ledger, so a restarted engine knows it alerted already."""

    condition: str
    since: datetime
    detail: str  # what was seen when it opened


@dataclass(frozen=True)
class Finished:
    """A flow's outcome to commit, the outputs written for it (with their
    places), and those of them to publish through the outbox."""

    flow: Flow
    outcome: Outcome
    written: list[tuple[Output, str]]
    publish: list[Output]


class Ledger(Protocol):
    def begin(self, flow: Flow, archive: str) -> FlowRecord:
        """Record the flow as received (pending) unless it is known; return its record.

        A flow seen before keeps its first reception time, so that a flow
        re-processed after a crash produces the same outputs, byte for byte.
        """

    def begin_all(self, received: list[tuple[Flow, str]]) -> list[FlowRecord]:
        """`begin` for many flows (each with its archive's place) in one transaction."""

    def find(self, flow_id: str) -> FlowRecord | None: ...

    def start_alone(self, flow_id: str, limit: int) -> int:
        """Count one more run of this (begun) flow alone, committed before it
        starts, unless `limit` were counted already; returns how many were
        counted before. The count outlives a worker the flow kills, and every
        worker sharing the ledger reads it."""

    def group(self) -> AbstractContextManager:
        """One transaction around many calls, made durable by one commit at its
        end: the runner begins and commits many flows for the price of one.
        Each call inside stays all-or-nothing (a savepoint); an error undoes
        the whole group, whose flows then wait and are retried."""

    def known_invoice(self, supplier: str, number: str, year: int) -> str | None:
        """The flow that delivered this invoice, or holds its claim, if any."""

    def claim_all(self, wanted: list[tuple[str, list[tuple[str, str, int]]]]) -> list[str | None]:
        """Reserve each flow's invoice keys (supplier, number, year) for it,
        durably and all or none for each flow, before its outputs are written,
        for many flows in one transaction. Returns, for each flow, the other
        flow that holds one of its keys (then nothing is reserved for it), or
        None.

        Many workers may deliver at once: whoever claims an invoice first
        delivers it, and a flow that claims again after a crash keeps its own
        claims. Checking at commit would be too late, the pivot being already
        in the recipient's mailbox.
        """

    def lease(self, keys: list[str], seconds: float) -> str | None:
        """Take these keys (a flow, the invoices a status file changes) for this
        process, for `seconds`, all or none. Returns the holder of one of them
        held by another process (then nothing is taken), or None.

        A key this process holds already is taken again (its lease lengthened).
        A lease expired, or whose holder is a process of this host that is gone,
        passes to whoever asks: a crashed holder does not stop the others.
        """

    def lease_each(self, keys: list[str], seconds: float) -> dict[str, str]:
        """`lease` of each key on its own (many flows), in one transaction:
        the keys another process holds, each with its holder; the others are
        taken."""

    def renew(self, keys: list[str], seconds: float) -> None:
        """Lengthen this process's leases on these keys while it works on them."""

    def release(self, keys: list[str]) -> None:
        """Give up this process's leases on these keys."""

    def commit_all(self, finished: list[Finished], at: datetime) -> None:
        """Record each flow's outcome and the outputs written (with their
        places), and put the outputs to `publish` in the outbox, atomically
        for them all; a flow committed meanwhile (by another worker handed
        the same flow) is left as that commit recorded it."""

    def reports(self, flow_id: str) -> list[Output]:
        """The reports sent to the sender for this flow, to send them again."""

    def record_repeat(self, flow: Flow, at: datetime, publish: list[Output] = ()) -> None:
        """Note that the same flow was received again (a sender's retry), and
        put its reports to `publish` back in the outbox, under their ids."""

    def flows(self, limit: int = 100, offset: int = 0, **filters: str) -> list[FlowSummary]:
        """The latest flows, newest first (the first `offset` skipped), each with
        its finding codes and first blocking message; filters: status, sender,
        recipient, since, until (ISO dates), syntax, code (a finding's code),
        number (an invoice number as `controls.comparable` gives it), supplier
        (a supplier's identifier), partner (flows it sent or received)."""

    def delivered(self, flow_id: str) -> list[DeliveredInvoice]:
        """The accepted invoices of a flow."""

    def invoices_numbered(self, supplier: str, number: str, year: int | None) -> list[DeliveredInvoice]:
        """Accepted invoices with this supplier and number (and issue year, when given)."""

    def waiting(self, mailbox: str) -> list[DeliveredInvoice]:
        """Invoices delivered to this mailbox and not yet made available (02)."""

    def invoices(self, mailbox: str = "") -> list[DeliveredInvoice]:
        """Every accepted invoice (of one recipient mailbox, when given)."""

    def record(
        self, changes: list[StatusChange], written: list[tuple[Output, str]], origin: str, publish: list[Output] = ()
    ) -> None:
        """Lifecycle steps that came from no flow (a collection, a dispute), with
        the outputs written for them and those to publish put in the outbox,
        atomically. A DGP start already written is never changed."""

    def due(self, at: datetime) -> int:
        """How many outbox messages wait to be published and may be tried at `at`."""

    def relay(self, publish: Callable[[Outgoing], None], at: datetime, limit: int) -> int:
        """Hand the oldest messages due at `at` (up to `limit`) to `publish`,
        each held meanwhile so that no other relay publishes it at once, and
        mark each published once `publish` returns (it returns once the broker
        confirmed). A message refused (`Refused`) waits its delay, the others go
        on; any other error ends the pass, keeping what was confirmed before it,
        and is raised. Returns how many were published."""

    def archived(self, flow_id: str) -> tuple[FlowRecord, str, str] | None:
        """A flow's record, archive path and sha-256, to replay it."""

    def attempts(self, flow_id: str) -> int:
        """How many replays the chain of this flow has had."""

    def flow_detail(self, flow_id: str) -> FlowDetail | None:
        """Everything about one flow (id or unique prefix): timeline, invoices, findings, outputs."""

    def flow_counts(self, since: str) -> list[FlowCount]:
        """Flows received on or after the day `since` (ISO), counted by day of
        reception, sender and status: read from the tallies, whatever the
        ledger holds."""

    def recent_counts(self, since: datetime) -> list[FlowCount]:
        """Flows received at or after the moment `since`, counted as
        `flow_counts` does: from the flows themselves, for a window of minutes."""

    def blocking_codes(self, since: str) -> list[CodeCount]:
        """For each finding code that blocked something in flows received on or
        after `since` (rejected or partly integrated flows: nothing blocks in
        the others), how many such flows; most frequent first."""

    def awaiting(self) -> list[Awaiting]:
        """Per recipient, the invoices delivered (02) and not yet acknowledged."""

    def started(self, before: str) -> list[Started]:
        """Invoices not in a final status whose payment delay started before the
        day `before` (ISO), counted by buyer and day of start."""

    def backlog(self) -> Backlog:
        """The flows and outbox messages that wait."""

    def totals(self) -> Totals:
        """Flows, invoices and findings, all counted."""

    def episodes(self) -> dict[str, Episode]:
        """The alert episodes open, by condition, as `keep_episodes` left them."""

    def keep_episodes(self, episodes: dict[str, Episode]) -> None:
        """Keep these episodes as the ones open, in place of those before."""

    def close(self) -> None: ...
