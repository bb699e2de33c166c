"""What the console sees of the broker: the dead letters of its inbound
queue, and the queue that holds them (`DeadLetterQueue`, which
`adapters/dead_letters.py` implements with RabbitMQ)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class DeadLetter:
    message_id: str
    sender: str
    name: str
    size: int
    reason: str  # why the broker dead-lettered it, as it says (delivery_limit, rejected...)


@dataclass(frozen=True)
class DeadLetters:
    queue: str  # the dead-letter queue, "" when no broker is configured
    letters: tuple[DeadLetter, ...]


class DeadLetterQueue(Protocol):
    name: str

    def letters(self, limit: int) -> list[DeadLetter]:
        """The first `limit` dead letters, left on the queue."""

    def requeue(self, message_id: str) -> bool:
        """Put that dead letter back on the inbound queue; False if none has that id."""

    def discard(self, message_id: str) -> bool: ...
