"""The broker's dead-letter queue, for the console (`engine.operations.dead_letters`).

RabbitMQ has no way to look at a message without taking it: each call takes
messages unacknowledged, acknowledges the one it moves or drops, and closes its
channel, which gives every other message back to the queue as it was.
"""

from __future__ import annotations

from facteur.adapters.amqp import AmqpSettings, connect, declare_topology
from facteur.engine.operations.broker import DeadLetter

SCAN_LIMIT = 10_000  # dead letters one requeue or discard looks through for its message


class BrokerDeadLetters:
    def __init__(self, settings: AmqpSettings):
        self.settings = settings
        self.name = settings.dead_letter_queue

    def letters(self, limit: int) -> list[DeadLetter]:
        return [_letter(properties, body, self.settings) for _, properties, body in self._taken(limit, "")]

    def requeue(self, message_id: str) -> bool:
        return self._settle(message_id, publish=True)

    def discard(self, message_id: str) -> bool:
        return self._settle(message_id, publish=False)

    def _settle(self, message_id: str, publish: bool) -> bool:
        connection = connect(self.settings.url, "facteur console")
        try:
            channel = connection.channel()
            declare_topology(channel, self.settings)
            for method, properties, body in _take(channel, self.name, SCAN_LIMIT, message_id):
                if properties.message_id == message_id:
                    if publish:
                        channel.confirm_delivery()
                        channel.basic_publish("", self.settings.inbound_queue, body, properties)
                    channel.basic_ack(method.delivery_tag)
                    return True
            return False
        finally:
            connection.close()

    def _taken(self, limit: int, message_id: str) -> list:
        connection = connect(self.settings.url, "facteur console")
        try:
            channel = connection.channel()
            declare_topology(channel, self.settings)
            return list(_take(channel, self.name, limit, message_id))
        finally:
            connection.close()


def _take(channel, queue: str, limit: int, message_id: str):
    """Messages taken from the queue unacknowledged, up to `limit`, or up to the
    one of `message_id`; each once (a message given back on this channel is not
    taken again before it closes)."""
    for _ in range(limit):
        method, properties, body = channel.basic_get(queue, auto_ack=False)
        if method is None:
            return
        yield method, properties, body
        if message_id and properties.message_id == message_id:
            return


def _letter(properties, body: bytes, settings: AmqpSettings) -> DeadLetter:
    headers = properties.headers or {}
    deaths = headers.get("x-death") or [{}]
    name = headers.get(settings.name_header, "")
    return DeadLetter(
        properties.message_id or "",
        properties.user_id or str(headers.get(settings.sender_header, "")),
        name.decode("utf-8", "replace") if isinstance(name, bytes) else str(name),
        len(body),
        str(deaths[0].get("reason", "") or headers.get("x-first-death-reason", "")),
    )
