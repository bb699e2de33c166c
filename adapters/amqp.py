"""RabbitMQ in and out, for when one machine is not enough.

Inbound, files arrive as messages on a durable quorum queue. A message is only
acknowledged once the orchestrator says the flow's outputs and ledger commit are
durable, so a crash anywhere before that gets the message redelivered, and the
flow id (sender + bytes) makes the second pass a repeat rather than a second
delivery. A message delivered again is marked `redelivered`: a worker may have
died with it, so `facteur worker` runs it alone, and rejects it with a report
once it has killed MAX_PIPELINE_ATTEMPTS workers that way (engine/service.py).
That takes up to MAX_PIPELINE_ATTEMPTS + 2 deliveries, and a bystander is
returned with every worker that dies holding it: the quorum queue dead-letters
a message only past `delivery_limit` (20) returns, the last resort against a
loop that nothing else ends, logged at the last delivery.

The sender is who the broker says published the message: the `user-id`
property, which RabbitMQ checks against the connection's user, so one partner
cannot publish as another. A header is accepted instead only when configured,
for publishers that are trusted to name the sender.

Outbound, outputs for partners served over AMQP are published persistent, with
publisher confirms and `mandatory`, so an output is either confirmed stored in a
queue or the caller gets an exception: never silently dropped by an exchange
with no binding for that partner. They are published by the outbox's relay
after the ledger commit, each under its own stable message id.

Only `ack` and `reject` may be called from other threads; everything else runs
on the consumer's own thread, because a pika connection is not thread-safe.
"""

from __future__ import annotations

import functools
import itertools
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable
from urllib.parse import parse_qs, urlsplit

import pika
from pika.exceptions import (
    AMQPChannelError,
    AMQPConnectionError,
    AMQPError,
    ChannelClosedByBroker,
    ConnectionWrongStateError,
    NackError,
    ProbableAccessDeniedError,
    ProbableAuthenticationError,
    UnroutableError,
)

from facteur.adapters.errors import BrokerUnreachable, PublishFailed
from facteur.engine.config import redact
from facteur.engine.inputs import names
from facteur.engine.messages import say
from facteur.engine.runtime import logs

KIND_HEADER = "facteur-kind"
REFUSED_HEADER = "facteur-refused"  # a file refused unread by `facteur watch`: the code (engine/door.py)
CONTENT_TYPE = "application/octet-stream"
POLL_SECONDS = 0.5  # how long the consumer waits for I/O before looking at `stop` again
NOT_FOUND = 404  # the broker's reply to a passive declaration of a queue that does not exist
CONNECT_TIMEOUT = 5.0  # bounds how long `stop` can go unnoticed while the broker is silent


@dataclass(frozen=True)
class AmqpSettings:
    url: str = "amqp://guest:guest@127.0.0.1:5672/%2F"
    inbound_queue: str = "facteur.inbound"
    dead_letter_queue: str = "facteur.inbound.dead"  # also the name of its fanout exchange
    outbound_exchange: str = "facteur.outbound"
    prefetch: int = 64  # twice the service's GROUP: the next group is delivered while one is judged
    delivery_limit: int = 20  # quorum-queue x-delivery-limit: returns before dead-lettering (see above)
    sender_from: str = "user_id"  # "user_id" (validated by the broker) or "header" (trusted publishers only)
    sender_header: str = "facteur-sender"
    name_header: str = "facteur-name"
    syntax_header: str = "facteur-syntax"


@dataclass(frozen=True)
class Message:
    """One inbound file. `delivery_tag` is this consumer's own number, unique
    across reconnections, so that an ack meant for a message of a dead
    connection can never acknowledge a different message on the new one."""

    sender: str
    name: str | bytes  # as the header had it: any bytes or text, NUL included (engine/names.py)
    content: bytes
    syntax_hint: str
    delivery_tag: int
    redelivered: bool
    received_at: datetime
    refused: str = ""  # the refusal code of a file `facteur watch` refused unread


def declare_topology(channel, settings: AmqpSettings) -> None:
    """Idempotent, so every worker and every `submit` can call it: whoever
    comes first creates the queues, the others check them. A queue that exists
    with other arguments makes the broker close the channel (PRECONDITION_FAILED)
    rather than letting workers run with a different retry policy."""
    channel.exchange_declare(settings.dead_letter_queue, exchange_type="fanout", durable=True)
    channel.queue_declare(settings.dead_letter_queue, durable=True, arguments={"x-queue-type": "quorum"})
    channel.queue_bind(settings.dead_letter_queue, settings.dead_letter_queue)
    channel.queue_declare(
        settings.inbound_queue,
        durable=True,
        arguments={
            "x-queue-type": "quorum",
            "x-delivery-limit": settings.delivery_limit,
            "x-dead-letter-exchange": settings.dead_letter_queue,
            # the default (at-most-once) drops a dead letter the DLQ fails to take
            "x-dead-letter-strategy": "at-least-once",
            "x-overflow": "reject-publish",  # which at-least-once requires
        },
    )
    declare_outbound(channel, settings)


def declare_outbound(channel, settings: AmqpSettings) -> None:
    """Direct, because a partner id is matched exactly: a topic exchange would
    read the dots of a partner id as word separators."""
    channel.exchange_declare(settings.outbound_exchange, exchange_type="direct", durable=True)


def connect(url: str, name: str) -> pika.BlockingConnection:
    """`name` shows in the broker's connection list, so an operator can tell
    workers from publishers. pika's own timeouts (10 and 15 s) would leave a
    silent broker blocking shutdown for that long; the URL may still set them."""
    parameters = pika.URLParameters(url)
    parameters.client_properties = {"connection_name": name}
    chosen = parse_qs(urlsplit(url).query)
    for option in ("socket_timeout", "stack_timeout"):
        if option not in chosen:
            setattr(parameters, option, CONNECT_TIMEOUT)
    return pika.BlockingConnection(parameters)


def _unreachable(url: str, error: Exception) -> str:
    return f"cannot reach the AMQP broker at {redact(url)} ({_describe(error)}): {_hint(error)}"


def _hint(error: Exception) -> str:
    """What an operator should do, since the error alone rarely says."""
    if isinstance(error, ProbableAuthenticationError):
        return "check the user and password in the URL"
    if isinstance(error, ProbableAccessDeniedError):
        return "check the virtual host in the URL and the user's permissions on it"
    if isinstance(error, AMQPChannelError):
        return "the broker refused a declaration: does a queue or exchange of that name exist with other settings?"
    return "check that RabbitMQ is running and reachable at that address"


def _describe(error: Exception) -> str:
    """pika often leaves str() empty and puts the cause in args."""
    detail = str(error) or ", ".join(a if isinstance(a, str) else repr(a) for a in error.args)
    return f"{type(error).__name__}: {detail}" if detail else type(error).__name__


def queue_counts(settings: AmqpSettings) -> tuple[int, int]:
    """The messages waiting in the inbound queue and in its dead-letter queue,
    read by passive declarations (which create and change nothing) over one
    short connection; a queue no worker has declared yet holds none."""
    try:
        connection = connect(settings.url, "facteur-observe")
    except AMQPError as err:
        raise BrokerUnreachable(
            f"le courtier AMQP {redact(settings.url)} est injoignable ({_describe(err)}) : vérifiez qu'il tourne et "
            "que [amqp] url est juste"
        ) from None
    try:
        return _messages(connection, settings.inbound_queue), _messages(connection, settings.dead_letter_queue)
    except AMQPError as err:
        raise BrokerUnreachable(
            f"le courtier AMQP {redact(settings.url)} ne répond plus ({_describe(err)}) : vérifiez qu'il tourne"
        ) from None
    finally:
        if connection.is_open:
            connection.close()


def _messages(connection: pika.BlockingConnection, queue: str) -> int:
    channel = connection.channel()
    try:
        return channel.queue_declare(queue, passive=True).method.message_count
    except ChannelClosedByBroker as closed:
        if closed.reply_code == NOT_FOUND:
            return 0
        raise
    finally:
        if channel.is_open:
            channel.close()


class AmqpConsumer:
    """Consumes the inbound queue on the thread that calls `run`."""

    def __init__(
        self,
        settings: AmqpSettings,
        on_message: Callable[[Message], None],
        log=None,
        backoff_max: float = 30.0,
        drain_seconds: float = 10.0,
    ):
        self.settings = settings
        self.on_message = on_message
        self.log = log or logs.get("facteur.amqp")
        self.backoff_max = backoff_max
        self.drain_seconds = drain_seconds
        self._lock = threading.Lock()
        self._connection: pika.BlockingConnection | None = None
        self._channel = None
        self._consumer_tag = ""
        self._tags = itertools.count(1)
        self._unsettled: dict[int, int] = {}  # our tag -> the broker's tag on the current channel

    def run(self, stop: threading.Event) -> None:
        """Never gives up on the broker: a worker started before RabbitMQ, or
        cut off from it for a while, carries on when it comes back."""
        failures = 0
        try:
            while not stop.is_set():
                try:
                    self._open()
                    failures = 0
                    self._consume(stop)
                except (AMQPError, OSError) as error:  # OSError: the host name does not resolve
                    self._close()
                    failures += 1
                    self._wait_after(error, failures, stop)
        finally:
            self._close()

    def ack(self, delivery_tag: int) -> None:
        self._settle_threadsafe(delivery_tag, lambda channel, tag: channel.basic_ack(tag))

    def reject(self, delivery_tag: int, requeue: bool) -> None:
        self._settle_threadsafe(delivery_tag, lambda channel, tag: channel.basic_reject(tag, requeue=requeue))

    def _open(self) -> None:
        connection = connect(self.settings.url, f"facteur consumer {self.settings.inbound_queue}")
        with self._lock:
            self._connection = connection
        self._channel = connection.channel()
        declare_topology(self._channel, self.settings)
        self._channel.basic_qos(prefetch_count=self.settings.prefetch)
        self._consumer_tag = self._channel.basic_consume(self.settings.inbound_queue, self._deliver, auto_ack=False)
        self.log.info("consuming", url=redact(self.settings.url), queue=self.settings.inbound_queue)

    def _consume(self, stop: threading.Event) -> None:
        while not stop.is_set():
            self._connection.process_data_events(time_limit=POLL_SECONDS)
        self._drain()

    def _drain(self) -> None:
        """Flows in flight when `stop` comes usually commit within seconds:
        taking no new message but waiting for their acks spares a redelivery,
        and spares the message a count towards the dead-letter limit."""
        self._channel.basic_cancel(self._consumer_tag)
        deadline = time.monotonic() + self.drain_seconds
        self._connection.process_data_events(time_limit=0)
        while self._unsettled and time.monotonic() < deadline:
            self._connection.process_data_events(time_limit=0.1)
        if self._unsettled:
            self.log.warning("stopping with messages unsettled; the broker redelivers them", count=len(self._unsettled))

    def _close(self) -> None:
        """Unsettled messages go back to the broker with the connection; acks
        still on their way for them are ignored when they arrive."""
        with self._lock:
            connection, self._connection = self._connection, None
        self._channel = None
        self._unsettled.clear()
        if connection is not None and connection.is_open:
            try:
                connection.close()
            except AMQPError:
                pass  # already going away: the broker requeues what was unsettled either way

    def _wait_after(self, error: Exception, failures: int, stop: threading.Event) -> None:
        delay = min(self.backoff_max, 0.5 * 2 ** (failures - 1))
        self.log.warning(
            "AMQP broker unavailable or connection lost; retrying",
            url=redact(self.settings.url),
            error=_describe(error),
            hint=_hint(error),
            retry_in=delay,
            attempt=failures,
        )
        stop.wait(delay)

    def _deliver(self, channel, method, properties, body: bytes) -> None:
        sender, problem = self._sender(properties)
        if problem:
            self.log.error(
                "message dead-lettered: its sender cannot be determined",
                reason=problem,
                queue=self.settings.inbound_queue,
                message_id=properties.message_id,
            )
            channel.basic_reject(method.delivery_tag, requeue=False)
            return
        deliveries = (properties.headers or {}).get("x-delivery-count") or 0
        if deliveries >= self.settings.delivery_limit:
            self.log.error(
                "last delivery of this message: returned once more, the broker moves it to the dead-letter queue",
                queue=self.settings.inbound_queue, dead_letter_queue=self.settings.dead_letter_queue,
                message_id=properties.message_id, deliveries=deliveries + 1,
            )
        tag = next(self._tags)
        self._unsettled[tag] = method.delivery_tag
        try:
            self.on_message(self._message(sender, tag, method, properties, body))
        except Exception:  # a bug there must not silently end consumption for good
            self.log.exception("message returned to the queue: on_message failed", message_id=properties.message_id)
            self._unsettled.pop(tag, None)
            channel.basic_reject(method.delivery_tag, requeue=True)

    def _sender(self, properties) -> tuple[str, str]:
        if self.settings.sender_from == "header":
            value = _text((properties.headers or {}).get(self.settings.sender_header))
            return value, "" if value else f"no {self.settings.sender_header} header"
        value = properties.user_id or ""
        return value, "" if value else "no user-id property (publishers must set it to their user)"

    def _message(self, sender: str, tag: int, method, properties, body: bytes) -> Message:
        headers = properties.headers or {}
        name = headers.get(self.settings.name_header)
        if not (name and isinstance(name, (str, bytes))):
            name = properties.message_id or f"amqp-{tag}"
        received = (
            datetime.fromtimestamp(properties.timestamp, timezone.utc)
            if properties.timestamp
            else datetime.now(timezone.utc)
        )
        return Message(
            sender=sender,
            name=name,
            content=body,
            syntax_hint=_text(headers.get(self.settings.syntax_header)),
            delivery_tag=tag,
            redelivered=bool(method.redelivered or headers.get("x-delivery-count")),
            received_at=received,
            refused=_text(headers.get(REFUSED_HEADER)),
        )

    def _settle_threadsafe(self, tag: int, settle: Callable) -> None:
        with self._lock:
            if self._connection is not None:
                try:
                    self._connection.add_callback_threadsafe(functools.partial(self._settle, tag, settle))
                    return
                except ConnectionWrongStateError:
                    pass  # closed between the check and the call
        self._ignored(tag)

    def _settle(self, tag: int, settle: Callable) -> None:
        broker_tag = self._unsettled.pop(tag, None)
        if broker_tag is None:
            self._ignored(tag)
            return
        settle(self._channel, broker_tag)

    def _ignored(self, tag: int) -> None:
        self.log.info(
            "ack or reject ignored: the message is settled already or its connection is gone "
            "(the broker then redelivers it)",
            delivery_tag=tag,
        )


def _text(value) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value if isinstance(value, str) else ""


class _ConfirmedPublisher:
    """A connection with a confirm channel, opened on first use, serialised,
    and reopened once when it was dropped since the last publish (idle
    connections get closed by the broker's heartbeat); the retried message may
    then arrive twice, which is the at-least-once side of "never lost".

    Safe to share between threads: publishes are serialised, because a pika
    connection is not thread-safe and confirms are awaited one by one anyway.
    """

    def __init__(self, settings: AmqpSettings, connection_name: str, declare: Callable, log=None):
        self.settings = settings
        self.connection_name = connection_name
        self.declare = declare
        self.log = log or logs.get("facteur.amqp")
        self._lock = threading.Lock()
        self._connection: pika.BlockingConnection | None = None
        self._channel = None

    def close(self) -> None:
        with self._lock:
            self._drop()

    def ready(self) -> None:
        """Connects now if need be, raising BrokerUnreachable while the broker
        is away: a caller about to hold something while it publishes checks first."""
        with self._lock:
            try:
                self._open_channel()
            except (AMQPConnectionError, OSError) as error:
                self._drop()
                raise BrokerUnreachable(_unreachable(self.settings.url, error)) from error

    def _send(self, exchange: str, routing_key: str, content: bytes, properties, target: str, unroutable: str) -> None:
        """Returns once the broker has confirmed the message stored; raises
        PublishFailed otherwise, saying `unroutable` when no queue took it."""
        with self._lock:
            try:
                self._send_once(exchange, routing_key, content, properties, target, unroutable)
            except (AMQPConnectionError, OSError) as error:
                self.log.warning(
                    "AMQP publisher connection lost; reconnecting once",
                    url=redact(self.settings.url),
                    error=_describe(error),
                )
                self._drop()
                try:
                    self._send_once(exchange, routing_key, content, properties, target, unroutable)
                except (AMQPConnectionError, OSError) as error:
                    self._drop()
                    raise BrokerUnreachable(_unreachable(self.settings.url, error)) from error

    def _send_once(self, exchange: str, routing_key: str, content: bytes, properties, target: str, unroutable: str):
        try:
            self._open_channel().basic_publish(exchange, routing_key, content, properties, mandatory=True)
        except UnroutableError as error:
            raise PublishFailed(unroutable) from error
        except NackError as error:
            raise PublishFailed(say("amqp-refused", target=target)) from error
        except AMQPChannelError as error:
            self._drop()
            raise PublishFailed(say("amqp-closed", target=target, reason=_describe(error))) from error

    def _open_channel(self):
        if self._channel is None or not self._channel.is_open:
            self._drop()
            self._connection = connect(self.settings.url, self.connection_name)
            self._channel = self._connection.channel()
            self._channel.confirm_delivery()
            self.declare(self._channel, self.settings)
        return self._channel

    def _drop(self) -> None:
        connection, self._connection, self._channel = self._connection, None, None
        if connection is not None and connection.is_open:
            try:
                connection.close()
            except AMQPError:
                pass  # it is being discarded because it failed


def _properties(
    settings: AmqpSettings, name: str, headers: dict, user_id: str | None = None, message_id: str | None = None
) -> pika.BasicProperties:
    return pika.BasicProperties(
        delivery_mode=pika.DeliveryMode.Persistent,
        content_type=CONTENT_TYPE,
        message_id=message_id or uuid.uuid4().hex,
        timestamp=int(time.time()),
        user_id=user_id,
        headers={settings.name_header: name, **headers},
    )


class AmqpPublisher(_ConfirmedPublisher):
    """Publishes outputs to the outbound exchange, routing key = partner id,
    persistent and `mandatory`, so an output no partner queue takes is an error."""

    def __init__(self, settings: AmqpSettings, log=None):
        super().__init__(settings, f"facteur publisher {settings.outbound_exchange}", declare_outbound, log)

    def publish(
        self, routing_key: str, name: str, content: bytes, kind: str, headers: dict | None = None,
        message_id: str | None = None,
    ) -> None:
        """`message_id` is the output's own (the outbox's), the same on every
        publish of the same output."""
        properties = _properties(self.settings, name, {KIND_HEADER: kind, **(headers or {})}, message_id=message_id)
        exchange = self.settings.outbound_exchange
        unroutable = (
            f"no queue is bound to exchange {exchange!r} for partner {routing_key!r}: "
            f"bind the partner's queue with routing key {routing_key!r}"
        )
        self._send(exchange, routing_key, content, properties, f"partner {routing_key!r}", unroutable)


class InboundPublisher(_ConfirmedPublisher):
    """Publishes flows to the inbound queue, each confirmed by the broker before
    `publish` returns: for `facteur submit` and for the watchers of `facteur watch`.

    With sender_from="user_id" the sender is the connection's user, which the
    broker validates: naming another sender is refused here, before the broker
    would refuse it less clearly. With "header", each flow names its sender.
    """

    def __init__(self, settings: AmqpSettings, role: str, log=None):
        super().__init__(settings, f"facteur {role} {settings.inbound_queue}", declare_topology, log)
        self.user = pika.URLParameters(settings.url).credentials.username

    def publish(self, name: str, content: bytes, sender: str | None, refused: str = "") -> str:
        """Returns the message id. A name from the file system that is not
        UTF-8 travels as its bytes (an AMQP byte array), kept as they are."""
        user_id, headers = _identity(self.settings, self.user, sender)
        if refused:
            headers = {**headers, REFUSED_HEADER: refused}
        properties = _properties(self.settings, _header_name(name), headers, user_id)
        unroutable = f"the broker did not confirm {names.shown(name)}: queue {self.settings.inbound_queue!r} took no message"
        self._send("", self.settings.inbound_queue, content, properties, self.settings.inbound_queue, unroutable)
        return properties.message_id


def submit(settings: AmqpSettings, paths: list[Path], sender: str | None) -> list[str]:
    """Publishes files to the inbound queue for an operator, each confirmed by
    the broker before the next is sent; returns their message ids."""
    _identity(settings, pika.URLParameters(settings.url).credentials.username, sender)  # refused before connecting
    publisher = InboundPublisher(settings, "submit")
    try:
        return [publisher.publish(path.name, path.read_bytes(), sender) for path in paths]
    finally:
        publisher.close()


def _header_name(name: str) -> str | bytes:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # undecodable bytes of a file name, kept by os.fsdecode as surrogates
        return names.raw(name)
    return name


def _identity(settings: AmqpSettings, user: str, sender: str | None) -> tuple[str | None, dict]:
    if settings.sender_from == "header":
        if not sender:
            raise ValueError(say("amqp-sender-required", header=settings.sender_header))
        return None, {settings.sender_header: sender}
    if sender and sender != user:
        raise ValueError(say("amqp-sender-is-user", user=user, sender=sender))
    return user, {}
