"""The AMQP adapter against the real RabbitMQ: every test gets its own queues and
exchanges (uuid suffix) and deletes them, so tests can share a broker with
other work. No broker is a failure, not a skip: CI starts one."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import threading
import time
import uuid
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pika
import pytest
from pika.exceptions import AMQPConnectionError, ChannelClosedByBroker

from facteur.adapters.amqp import (
    AmqpConsumer,
    AmqpPublisher,
    AmqpSettings,
    Message,
    connect,
    declare_outbound,
    declare_topology,
    redact,
    submit,
)
from facteur.adapters.errors import PublishFailed

URL = os.environ.get("FACTEUR_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/%2F")


@pytest.fixture(scope="session")
def broker() -> str:
    try:
        connect(URL, "facteur test probe").close()
        return URL
    except (AMQPConnectionError, OSError) as error:
        problem = repr(error)
    pytest.fail(
        f"RabbitMQ is not reachable at {redact(URL)} ({problem}); these tests need the real broker: "
        "start it with `rabbitmq-server -detached` (or .ci/run), or set FACTEUR_TEST_AMQP_URL",
        pytrace=False,
    )


@pytest.fixture
def channel(broker):
    connection = connect(broker, "facteur test inspector")
    yield connection.channel()
    connection.close()


@pytest.fixture
def settings(broker):
    suffix = uuid.uuid4().hex[:10]
    settings = AmqpSettings(
        url=broker,
        inbound_queue=f"test.facteur.inbound.{suffix}",
        dead_letter_queue=f"test.facteur.inbound.dead.{suffix}",
        outbound_exchange=f"test.facteur.outbound.{suffix}",
        delivery_limit=2,
    )
    yield settings
    _delete(broker, settings)


def _delete(url: str, settings: AmqpSettings) -> None:
    connection = connect(url, "facteur test cleanup")
    channel = connection.channel()
    for name in (settings.inbound_queue, settings.dead_letter_queue, partner_queue(settings)):
        channel.queue_delete(name)
    for name in (settings.dead_letter_queue, settings.outbound_exchange):
        channel.exchange_delete(name)
    connection.close()


def partner_queue(settings: AmqpSettings) -> str:
    return f"{settings.outbound_exchange}.partner-a"


class Recorder:
    """Stands in for the structlog logger, to read what was logged."""

    def __init__(self):
        self.lines: list[tuple[str, str, dict]] = []

    def __getattr__(self, level):
        return lambda event, **fields: self.lines.append((level, event, fields))

    def at(self, level: str) -> list[tuple[str, dict]]:
        return [(event, fields) for lvl, event, fields in list(self.lines) if lvl == level]


class Running:
    """A consumer on its own thread, as the orchestrator runs it."""

    def __init__(self, settings: AmqpSettings, **options):
        self.received: queue.Queue[Message] = queue.Queue()
        self.log = Recorder()
        options.setdefault("drain_seconds", 0.5)  # tests leave messages unacked on purpose
        self.consumer = AmqpConsumer(settings, self.received.put, log=self.log, **options)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.consumer.run, args=(self.stop,), daemon=True)

    def __enter__(self) -> "Running":
        self.thread.start()
        return self

    def __exit__(self, *_) -> None:
        self.stop.set()
        self.thread.join(timeout=3)
        assert not self.thread.is_alive(), "the consumer did not stop"

    def next(self, timeout: float = 5) -> Message:
        return self.received.get(timeout=timeout)

    def nothing_more(self, wait: float = 0.6) -> None:
        with pytest.raises(queue.Empty):
            self.received.get(timeout=wait)


def files(tmp_path, count: int = 1) -> list:
    paths = []
    for number in range(count):
        path = tmp_path / f"invoice-{number}.xml"
        path.write_bytes(f"<Invoice>{number} {uuid.uuid4()}</Invoice>".encode())
        paths.append(path)
    return paths


def ready(channel, name: str) -> int:
    return channel.queue_declare(name, passive=True).method.message_count


def eventually(condition, timeout: float = 5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


def raw_publish(channel, settings: AmqpSettings, body: bytes, **properties) -> None:
    channel.basic_publish("", settings.inbound_queue, body, pika.BasicProperties(delivery_mode=2, **properties))


def take(channel, name: str) -> tuple | None:
    method, properties, body = channel.basic_get(name, auto_ack=True)
    return None if method is None else (properties, body)


def dead_letters(channel, settings: AmqpSettings) -> list[tuple]:
    return list(iter(lambda: take(channel, settings.dead_letter_queue), None))


def close_broker_side(connection_name: str) -> None:
    """What a broker restart or a network cut does to one connection, without
    touching the other connections on the shared broker."""
    listing = subprocess.run(
        ["rabbitmqctl", "list_connections", "-q", "--no-table-headers", "pid", "client_properties"],
        capture_output=True, text=True, check=True,
    ).stdout
    pids = [line.split("\t")[0] for line in listing.splitlines() if f'"{connection_name}"' in line]
    assert pids, f"no connection named {connection_name!r}"
    for pid in pids:
        subprocess.run(["rabbitmqctl", "close_connection", pid, "test"], capture_output=True, check=True)


def test_redact_removes_the_password_only():
    assert redact("amqp://guest:s3cret@host:5672/%2F") == "amqp://guest@host:5672/%2F"
    assert redact("amqps://host/vhost") == "amqps://host/vhost"


def test_topology_is_a_quorum_queue_with_delivery_limit_and_dead_letter(settings, channel):
    declare_topology(channel, settings)
    declare_topology(channel, settings)  # idempotent
    listing = subprocess.run(
        ["rabbitmqctl", "list_queues", "-q", "--formatter", "json", "name", "type", "durable", "arguments"],
        capture_output=True, text=True, check=True,
    ).stdout
    queues = {row["name"]: row for row in json.loads(listing)}
    inbound, dead = queues[settings.inbound_queue], queues[settings.dead_letter_queue]
    assert (inbound["type"], inbound["durable"]) == ("quorum", True)
    assert (dead["type"], dead["durable"]) == ("quorum", True)
    arguments = {name: value for name, _, value in inbound["arguments"]}
    assert arguments["x-delivery-limit"] == settings.delivery_limit
    assert arguments["x-dead-letter-exchange"] == settings.dead_letter_queue
    assert arguments["x-dead-letter-strategy"] == "at-least-once"
    with pytest.raises(ChannelClosedByBroker) as refused:  # a worker with another policy is refused
        channel.queue_declare(settings.inbound_queue, durable=True, arguments={"x-queue-type": "classic"})
    assert refused.value.reply_code == 406


def test_submitted_file_reaches_the_consumer_with_the_user_id_as_sender(settings, channel, tmp_path):
    [path] = files(tmp_path)
    [message_id] = submit(settings, [path], sender=None)
    assert message_id
    with Running(settings) as running:
        message = running.next()
        assert (message.sender, message.name, message.content) == ("guest", path.name, path.read_bytes())
        assert not message.redelivered and message.syntax_hint == ""
        assert abs(message.received_at - datetime.now(timezone.utc)) < timedelta(seconds=5)
        running.consumer.ack(message.delivery_tag)
    assert ready(channel, settings.inbound_queue) == 0


def test_a_sender_header_is_ignored_when_the_sender_is_the_user_id(settings, channel):
    declare_topology(channel, settings)
    raw_publish(channel, settings, b"<x/>", user_id="guest", headers={"facteur-sender": "mallory", "facteur-syntax": "UBL"})
    with Running(settings) as running:
        message = running.next()
        assert message.sender == "guest" and message.syntax_hint == "UBL"
        running.consumer.ack(message.delivery_tag)


def test_the_broker_refuses_a_user_id_other_than_the_connection_user(settings, channel, tmp_path):
    declare_topology(channel, settings)
    channel.confirm_delivery()
    with pytest.raises(ChannelClosedByBroker) as refused:
        raw_publish(channel, settings, b"<x/>", user_id="mallory")
    assert refused.value.reply_code == 406 and "user_id" in refused.value.reply_text
    with pytest.raises(ValueError, match="connectez-vous en tant que mallory"):
        submit(settings, files(tmp_path), sender="mallory")


def test_the_sender_header_is_used_when_configured(settings, tmp_path):
    settings = replace(settings, sender_from="header")
    submit(settings, files(tmp_path), sender="partner-b")
    with Running(settings) as running:
        message = running.next()
        assert message.sender == "partner-b"
        running.consumer.ack(message.delivery_tag)


def test_an_ack_from_another_thread_removes_the_message(settings, channel, tmp_path):
    submit(settings, files(tmp_path), sender=None)
    with Running(settings) as running:
        message = running.next()
        acker = threading.Thread(target=running.consumer.ack, args=(message.delivery_tag,))
        acker.start()
        acker.join()
    assert ready(channel, settings.inbound_queue) == 0
    with Running(settings) as running:
        running.nothing_more()


def test_a_message_never_acked_is_redelivered_to_the_next_consumer(settings, tmp_path):
    [path] = files(tmp_path)
    submit(settings, [path], sender=None)
    with Running(settings, drain_seconds=0) as first:
        assert not first.next().redelivered
    with Running(settings) as second:
        again = second.next()
        assert again.redelivered and again.content == path.read_bytes()
        second.consumer.ack(again.delivery_tag)


def test_after_a_lost_connection_the_consumer_reconnects_and_ignores_stale_acks(settings, channel, tmp_path):
    submit(settings, files(tmp_path), sender=None)
    with Running(settings, backoff_max=0.2, drain_seconds=0) as running:
        first = running.next()
        close_broker_side(f"facteur consumer {settings.inbound_queue}")
        again = running.next()
        assert again.redelivered and again.delivery_tag != first.delivery_tag
        assert any("connection lost" in event for event, _ in running.log.at("warning"))
        running.consumer.ack(first.delivery_tag)  # from the dead connection: must not ack `again`
        eventually(lambda: any("ignored" in event for event, _ in running.log.at("info")))
    eventually(lambda: ready(channel, settings.inbound_queue) == 1)  # `again` was not acked in its place
    with Running(settings) as running:
        running.consumer.ack(running.next().delivery_tag)
    assert ready(channel, settings.inbound_queue) == 0


def test_stopping_takes_no_new_message_but_waits_for_the_acks_in_flight(settings, channel, tmp_path):
    submit(settings, files(tmp_path, 2), sender=None)
    with Running(replace(settings, prefetch=1), drain_seconds=5) as running:
        message = running.next()
        running.stop.set()
        time.sleep(0.7)  # the consumer has seen `stop` and is draining
        threading.Thread(target=running.consumer.ack, args=(message.delivery_tag,)).start()
        running.thread.join(timeout=2)
        assert not running.thread.is_alive()
        running.nothing_more(0.1)
    with Running(settings) as after:  # the first was acked; the second was never taken
        second = after.next()
        assert not second.redelivered
        after.nothing_more()
        after.consumer.ack(second.delivery_tag)


def test_a_message_that_keeps_failing_is_dead_lettered_after_the_delivery_limit(settings, channel, tmp_path):
    [path] = files(tmp_path)
    submit(settings, [path], sender=None)
    redelivered = []
    with Running(settings) as running:
        while True:
            try:
                message = running.next(timeout=1.5)
            except queue.Empty:
                break
            redelivered.append(message.redelivered)
            running.consumer.reject(message.delivery_tag, requeue=True)
    assert redelivered == [False] + [True] * settings.delivery_limit
    [(event, fields)] = running.log.at("error")  # said before the last return, which a dying worker cannot say
    assert event.startswith("last delivery of this message") and "dead-letter queue" in event
    assert fields["dead_letter_queue"] == settings.dead_letter_queue and fields["deliveries"] == settings.delivery_limit + 1
    [(properties, body)] = eventually(lambda: dead_letters(channel, settings))
    assert body == path.read_bytes()
    assert properties.headers["x-first-death-reason"] == "delivery_limit"


def test_a_reject_without_requeue_dead_letters_at_once(settings, channel, tmp_path):
    submit(settings, files(tmp_path), sender=None)
    with Running(settings) as running:
        running.consumer.reject(running.next().delivery_tag, requeue=False)
        running.nothing_more()
    assert len(eventually(lambda: dead_letters(channel, settings))) == 1


@pytest.mark.parametrize("sender_from", ["user_id", "header"])
def test_a_message_with_no_sender_is_dead_lettered_and_logged(settings, channel, sender_from):
    settings = replace(settings, sender_from=sender_from)
    declare_topology(channel, settings)
    raw_publish(channel, settings, b"<anonymous/>", message_id="m-1")
    with Running(settings) as running:
        running.nothing_more()
        [(event, fields)] = running.log.at("error")
    assert "sender" in event and fields["message_id"] == "m-1" and fields["reason"]
    [(_, body)] = eventually(lambda: dead_letters(channel, settings))
    assert body == b"<anonymous/>"


def test_prefetch_bounds_the_unacked_deliveries(settings, tmp_path):
    settings = replace(settings, prefetch=3)
    submit(settings, files(tmp_path, 10), sender=None)
    with Running(settings) as running:
        held = [running.next() for _ in range(3)]
        running.nothing_more()
        running.consumer.ack(held.pop(0).delivery_tag)
        held.append(running.next())
        running.nothing_more(0.3)
        seen = 4
        while held:
            running.consumer.ack(held.pop(0).delivery_tag)
            if seen < 10:
                held.append(running.next())
                seen += 1
        assert seen == 10


def test_outputs_are_published_confirmed_with_their_headers(settings, channel):
    declare_outbound(channel, settings)
    channel.queue_declare(partner_queue(settings), durable=True, arguments={"x-queue-type": "quorum"})
    channel.queue_bind(partner_queue(settings), settings.outbound_exchange, routing_key="partner-a")
    log = Recorder()
    publisher = AmqpPublisher(settings, log=log)
    try:
        publisher.publish("partner-a", "pivot-1.xml", b"<pivot/>", "pivot", headers={"facteur-flow": "f1"})
        properties, body = eventually(lambda: take(channel, partner_queue(settings)))
        assert body == b"<pivot/>" and properties.delivery_mode == 2
        expected = {"facteur-name": "pivot-1.xml", "facteur-kind": "pivot", "facteur-flow": "f1"}
        assert expected.items() <= properties.headers.items()
        with pytest.raises(PublishFailed, match="no queue is bound"):
            publisher.publish("partner-unknown", "pivot-2.xml", b"<pivot/>", "pivot")
        close_broker_side(f"facteur publisher {settings.outbound_exchange}")
        publisher.publish("partner-a", "pivot-3.xml", b"<pivot 3/>", "pivot")  # reconnects once
        assert [event for event, _ in log.at("warning")] == ["AMQP publisher connection lost; reconnecting once"]
        assert eventually(lambda: take(channel, partner_queue(settings)))[1] == b"<pivot 3/>"
    finally:
        publisher.close()


def test_an_unreachable_broker_is_retried_and_logged_until_stopped():
    settings = AmqpSettings(url="amqp://guest:s3cret@127.0.0.1:5999/%2F")
    with Running(settings, backoff_max=0.2) as running:
        warnings = eventually(lambda: len(running.log.at("warning")) >= 3 and running.log.at("warning"))
        stopping = time.monotonic()
        running.stop.set()
        running.thread.join(timeout=2)
        assert time.monotonic() - stopping < 1.2
    event, fields = warnings[0]
    assert fields["url"] == "amqp://guest@127.0.0.1:5999/%2F"
    assert "s3cret" not in repr(running.log.lines)
    assert "RabbitMQ is running" in fields["hint"] and fields["error"]
    assert [fields["retry_in"] for _, fields in warnings[:3]] == [0.2, 0.2, 0.2]


@pytest.mark.parametrize(
    "url, hint",
    [
        ("amqp://guest:s3cret@127.0.0.1:5999/%2F", "RabbitMQ is running"),
        ("amqp://guest:s3cret@127.0.0.1:5672/%2F", "user and password"),
        ("amqp://guest:s3cret@broker.invalid:5672/%2F", "RabbitMQ is running"),
    ],
)
def test_submit_says_why_it_cannot_reach_the_broker(broker, tmp_path, url, hint):
    with pytest.raises(PublishFailed, match="cannot reach the AMQP broker") as failed:
        submit(AmqpSettings(url=url), files(tmp_path), sender=None)
    assert hint in str(failed.value) and redact(url) in str(failed.value) and "s3cret" not in str(failed.value)


def test_a_failing_on_message_returns_the_message_and_consumption_goes_on(settings, tmp_path):
    submit(settings, files(tmp_path), sender=None)
    calls: list[Message] = []

    def on_message(message: Message) -> None:
        calls.append(message)
        if len(calls) == 1:
            raise RuntimeError("orchestrator bug")
        consumer.ack(message.delivery_tag)

    consumer = AmqpConsumer(settings, on_message, log=Recorder())
    stop = threading.Event()
    thread = threading.Thread(target=consumer.run, args=(stop,), daemon=True)
    thread.start()
    eventually(lambda: len(calls) == 2)
    stop.set()
    thread.join(timeout=3)
    assert calls[1].redelivered and consumer.log.at("exception")
