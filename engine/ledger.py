"""What the engine asks of a ledger, whatever database holds it.

The ledger is the memory of the hub: every flow with its timeline, every
invoice with its verdict and findings, every output written, and the key that
makes an invoice number usable once a year per supplier. The runner and the CLI
speak to it through this protocol; `adapters/` provides the databases.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from .model import Flow, Outcome, Output


class LedgerUnavailable(RuntimeError):
    """The ledger cannot be written now (locked, disk full, server away): the
    flow must wait and be retried, not be judged."""


@dataclass(frozen=True)
class FlowRecord:
    id: str
    sender: str
    name: str
    received_at: datetime
    status: str  # pending, 90, 93, 96, held

    @property
    def done(self) -> bool:
        return self.status != "pending"


class Ledger(Protocol):
    def begin(self, flow: Flow, archive: str) -> FlowRecord:
        """Record the flow as received (pending) unless it is known; return its record.

        A flow seen before keeps its first reception time, so that a flow
        re-processed after a crash produces the same outputs, byte for byte.
        """

    def find(self, flow_id: str) -> FlowRecord | None: ...

    def known_invoice(self, supplier: str, number: str, year: int) -> str | None:
        """The flow that already delivered this invoice, if any."""

    def commit(self, flow: Flow, outcome: Outcome, written: list[tuple[Output, str]], at: datetime) -> None:
        """Record the outcome and the outputs written (with their paths), atomically."""

    def reports(self, flow_id: str) -> list[Output]:
        """The reports sent to the sender for this flow, to send them again."""

    def record_repeat(self, flow: Flow, at: datetime) -> None:
        """Note that the same flow was received again (a sender's retry)."""

    def flows(self, limit: int = 100) -> list[dict]: ...

    def flow_detail(self, flow_id: str) -> dict | None:
        """Everything about one flow (id or unique prefix): timeline, invoices, findings, outputs."""

    def close(self) -> None: ...
