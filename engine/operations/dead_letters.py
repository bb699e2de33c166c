"""The dead letters of the broker: inbound messages the queue gave up on after
its delivery limit (a flow that kept failing its worker), shown to an
operator, who puts each back on the inbound queue (once the cause is mended)
or discards it."""

from __future__ import annotations

from facteur.engine.errors import InvalidRequest, NotAllowed
from facteur.engine.operations.broker import DeadLetters
from facteur.engine.operations.hub import Hub


def dead_letters(hub: Hub, limit: int = 100) -> DeadLetters:
    """What waits in the dead-letter queue; nothing, and no queue, without a broker."""
    queue = hub.dead_letters
    if queue is None:
        return DeadLetters("", ())
    return DeadLetters(queue.name, tuple(queue.letters(limit)))


def requeue(hub: Hub, message_id: str) -> None:
    if not _queue(hub).requeue(message_id):
        raise InvalidRequest(_unknown(hub, message_id))


def discard(hub: Hub, message_id: str) -> None:
    if not _queue(hub).discard(message_id):
        raise InvalidRequest(_unknown(hub, message_id))


def _queue(hub: Hub) -> DeadLetterQueue:
    if hub.dead_letters is None:
        raise NotAllowed("aucun courtier AMQP n'est configuré ([amqp] url) : il n'y a pas de lettres mortes")
    return hub.dead_letters


def _unknown(hub: Hub, message_id: str) -> str:
    return f"aucune lettre morte « {message_id} » dans {hub.dead_letters.name} ; rechargez la liste"
