"""What the operations are handed: the hub's parts, built by the composition
root (`adapters/wiring.py`); the two ways an operation says no
(`InvalidRequest`, `NotAllowed`) are in engine/errors.py.

Operations take a `Hub` rather than a configuration so that the engine never
chooses a database, a folder or a broker; a face asks the composition root for
a hub, calls operations on it, and renders what they return. The root may
build each part only when an operation first asks for it, so a command that
reads the directory never opens a ledger it does not need.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from facteur.engine.hub.annuaire import Annuaire
from facteur.engine.hub.directory import Directory
from facteur.engine.operations.accounts import Accounts
from facteur.engine.operations.broker import DeadLetterQueue
from facteur.engine.pipeline import Context
from facteur.engine.runtime.ledger import Ledger
from facteur.engine.runtime.runner import MailboxWriter, Runner


@dataclass(frozen=True)
class QueueState:
    """The broker's inbound queue as it stands: what waits for a worker, and
    what the broker gave up on (the dead-letter queue)."""

    depth: int
    dead_letters: int


class Hub(Protocol):
    hub_id: str  # the hub's own id, the sender of the statuses it writes
    max_lot_bytes: int  # a flow above this size is refused unread
    directory_source: str  # where the directory is kept, for messages

    @property
    def ledger(self) -> Ledger: ...

    @property
    def directory(self) -> Directory: ...

    @property
    def directory_store(self) -> Annuaire:
        """The national directory kept in the ledger's database."""

    @property
    def context(self) -> Context:
        """What the pipeline consults (directory, rules, mappings), checking senders."""

    @property
    def deliveries(self) -> MailboxWriter:
        """Where each partner receives its outputs: folders, or the outbox for the broker."""

    @property
    def runner(self) -> Runner:
        """The durable sequence around the pipeline, over the parts above."""

    @property
    def accounts(self) -> Accounts:
        """The console's users, sessions, tokens and audit trail, beside the ledger."""

    @property
    def dead_letters(self) -> DeadLetterQueue | None:
        """The broker's dead-letter queue; None when no broker is configured."""

    def clock(self) -> datetime: ...

    def read_archive(self, place: str) -> bytes:
        """A flow's original bytes, from the place the archive gave it."""

    def hand_over(self, mailbox: str, name: str, to: str) -> str:
        """Where a recipient takes a pivot written for it: its place in the
        mailbox, or a copy made in `to` when `to` is given."""

    def queue(self) -> QueueState | None:
        """The inbound queue and its dead letters, asked of the broker; None
        when no broker is configured. A broker that cannot be reached raises
        `Unavailable` with a message saying so."""

    def publish(self) -> None:
        """After a command committed: one pass of the outbox's relay, so that
        what it queued for partners served over AMQP goes out now."""
