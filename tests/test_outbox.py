"""Publish after commit: outputs for a partner served over AMQP wait in the
ledger's outbox, written in the flow's commit, and a relay publishes them after
it, each under a message id of its own that every publish repeats. On both
ledgers, against the real RabbitMQ; a relay is killed for real (SIGKILL)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import uuid
from dataclasses import replace
from datetime import datetime, timezone

import pika
import psycopg
import pytest
from helpers import REPO, Spec, ledger_rows, ubl
from test_run import left_in_inbox
from test_run_amqp import installation  # noqa: F401  (a fixture)

from facteur.adapters import configuration
from facteur.adapters.amqp import AmqpPublisher, AmqpSettings
from facteur.adapters.delivery import Deliveries
from facteur.adapters.ledgers import open_ledger
from facteur.adapters.mailbox import Archive, Mailboxes
from facteur.adapters.outbox import Relay
from facteur.engine.model import Flow, Output
from facteur.engine.outputs import status
from facteur.engine.outputs.pivot import pivot_name
from facteur.engine.runtime.ledger import message_id
from facteur.engine.runtime.runner import Runner

AMQP_URL = os.environ.get("FACTEUR_TEST_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/%2F")
CLOSED_PORT_URL = "amqp://guest:guest@127.0.0.1:5999/%2F"
PARTNER = "VILLEDEM"


@pytest.fixture
def exchange():
    """An outbound exchange of this test's own, with the partner's queue bound to it."""
    name = f"facteur.test.outbox.{uuid.uuid4().hex[:10]}"
    connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
    channel = connection.channel()
    channel.exchange_declare(name, exchange_type="direct", durable=True)
    channel.queue_declare(name, durable=True)
    channel.queue_bind(name, name, routing_key=PARTNER)
    yield name
    channel.queue_delete(name)
    channel.exchange_delete(name)
    connection.close()


def received(exchange: str) -> list[tuple[str, str, str, bytes]]:
    """Every message on the partner's queue, taken: (message id, name, kind, body)."""
    connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
    try:
        channel, messages = connection.channel(), []
        while True:
            method, properties, body = channel.basic_get(exchange, auto_ack=True)
            if method is None:
                return messages
            headers = properties.headers
            messages.append((properties.message_id, headers["facteur-name"], headers["facteur-kind"], body))
    finally:
        connection.close()


def engine(root, exchange: str):
    """A runner delivering the partner's outputs over AMQP, as `facteur run` wires it."""
    config = replace(configuration.load(root=str(root)), delivery={PARTNER: "amqp"})
    ledger = open_ledger(config)
    deliveries = Deliveries(Mailboxes(config.outbox), config.delivery, exchange)
    return Runner(configuration.context(config, ledger.known_invoice), ledger, Archive(config.archive), deliveries)


def relay(ledger, exchange: str, url: str = AMQP_URL) -> Relay:
    return Relay(ledger, AmqpPublisher(AmqpSettings(url=url, outbound_exchange=exchange)))


def committed(runner: Runner, count: int) -> dict[str, str]:
    """`count` invoices for the partner, committed; their pivots' expected
    message ids -> pivot names."""
    expected = {}
    for number in range(count):
        content = ubl(Spec(f"OUTBOX-{uuid.uuid4().hex[:8]}-{number}", lines=1))
        flow = Flow(content, "DEMO01", f"invoice-{number}.xml", datetime.now(timezone.utc))
        assert runner.handle(flow).status == "90"
        name = pivot_name(flow.id, 1)
        expected[message_id(flow.id, Output(PARTNER, name, b"", "pivot"))] = name
    return expected


def standing(runner: Runner, names: dict[str, str]) -> list[tuple[str, bool]]:
    """What the ledger says of each pivot: its message id, and whether it was published."""
    rows = []
    for flow in runner.ledger.flows(limit=1000):
        for output in runner.ledger.flow_detail(flow.id).outputs:
            if output.name in names.values():
                rows.append((output.message_id, output.published_at is not None))
    return sorted(rows)


@pytest.mark.usefixtures("ledger_backend")
def test_committed_outputs_wait_in_the_outbox_and_a_relay_publishes_each_once(tmp_path, exchange):
    runner = engine(tmp_path, exchange)
    try:
        expected = committed(runner, 3)
        assert received(exchange) == []  # nothing is published before or by the commit
        assert not (tmp_path / "outbox" / PARTNER).exists()
        assert runner.ledger.due(datetime.now(timezone.utc)) == 3
        assert standing(runner, expected) == sorted((mid, False) for mid in expected)

        relaying = relay(runner.ledger, exchange)
        assert relaying.publish_due() == 3
        assert relaying.publish_due() == 0
        relaying.publisher.close()
        messages = received(exchange)
        assert sorted((mid, name, kind) for mid, name, kind, _ in messages) == sorted(
            (mid, name, "pivot") for mid, name in expected.items()
        )
        assert all(body.startswith(b"<?xml") for *_, body in messages)
        assert runner.ledger.due(datetime.now(timezone.utc)) == 0
        assert standing(runner, expected) == sorted((mid, True) for mid in expected)
    finally:
        runner.ledger.close()


DYING_RELAY = """
import os, signal, sys
from facteur.adapters.amqp import AmqpPublisher, AmqpSettings
from facteur.adapters.ledgers import open_ledger
from facteur.adapters.outbox import Relay
from facteur.adapters import configuration

class DiesOnceConfirmed(AmqpPublisher):
    def publish(self, *args, **kwargs):
        super().publish(*args, **kwargs)
        os.kill(os.getpid(), signal.SIGKILL)

root, url, exchange = sys.argv[1:]
Relay(open_ledger(configuration.load(root=root)), DiesOnceConfirmed(AmqpSettings(url=url, outbound_exchange=exchange))).publish_due()
"""


@pytest.mark.usefixtures("ledger_backend")
def test_a_relay_killed_between_publish_and_mark_publishes_again_under_the_same_id(tmp_path, exchange):
    runner = engine(tmp_path, exchange)
    try:
        expected = committed(runner, 3)
        killed = subprocess.run([sys.executable, "-c", DYING_RELAY, str(tmp_path), AMQP_URL, exchange], cwd=REPO,
                                capture_output=True, timeout=60)
        assert killed.returncode == -9, killed.stderr.decode()
        [first] = received(exchange)  # confirmed by the broker, never marked in the ledger
        assert runner.ledger.due(datetime.now(timezone.utc)) == 3

        relaying = relay(runner.ledger, exchange)
        assert relaying.publish_due() == 3
        relaying.publisher.close()
        again = received(exchange)
    finally:
        runner.ledger.close()
    assert sorted(mid for mid, *_ in again) == sorted(expected)
    assert first in again  # the same message: same id, same name, same bytes


@pytest.mark.usefixtures("ledger_backend")
def test_relays_at_work_together_publish_each_message_once(tmp_path, exchange):
    """Several workers on one ledger each run a relay: a message held by one
    is skipped by the others (PostgreSQL), or waits for the one writer (SQLite)."""
    runner = engine(tmp_path, exchange)
    relays = []
    try:
        expected = committed(runner, 24)
        relays = [Relay(open_ledger(configuration.load(root=str(tmp_path))),
                        AmqpPublisher(AmqpSettings(url=AMQP_URL, outbound_exchange=exchange)), batch=4)
                  for _ in range(3)]
        counts = []
        threads = [threading.Thread(target=lambda r=r: counts.append(r.publish_due())) for r in relays]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        messages = received(exchange)
    finally:
        for each in relays:
            each.publisher.close()
            each.ledger.close()
        runner.ledger.close()
    assert sum(counts) == 24 and len(counts) == 3
    assert sorted(mid for mid, *_ in messages) == sorted(expected)  # each once


def configured(root, exchange: str, url: str, partner: str = PARTNER):
    """A root whose configuration delivers `partner` over AMQP at `url`."""
    config = root / "config" / "facteur.toml"
    config.parent.mkdir(exist_ok=True)
    text = (REPO / "config" / "facteur.toml").read_text()
    text = text.replace('[amqp]\nurl = ""', f'[amqp]\nurl = "{url}"')
    text = text.replace('outbound_exchange = "facteur.outbound"', f'outbound_exchange = "{exchange}"')
    config.write_text(text.replace("[delivery]", f'[delivery]\n{partner} = "amqp"', 1))
    (config.parent / "directory.toml").write_text((REPO / "config" / "directory.toml").read_text())
    return config


def run_until_idle(root, config) -> str:
    """`facteur run --until-idle` on the inboxes; returns what it logged."""
    done = subprocess.run(
        [sys.executable, "-m", "facteur.adapters.cli", "run", "--no-amqp", "--until-idle", "--workers", "1",
         "--root", str(root), "--config", str(config)],
        cwd=REPO, env={**os.environ, "FACTEUR_LOG_LEVEL": "warning"}, capture_output=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr.decode()
    return done.stderr.decode()


def cli(root, config, *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "facteur.adapters.cli", *args, "--root", str(root),
                           "--config", str(config)], cwd=REPO, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr.decode()
    return done.stdout.decode()


def show(root, config, flow_id: str) -> str:
    return cli(root, config, "flows", "show", flow_id)


def test_while_the_broker_is_away_flows_commit_and_their_messages_wait_for_it(tmp_path, exchange):
    from test_run import drop, flows

    config = configured(tmp_path, exchange, CLOSED_PORT_URL)
    files = flows(6)  # the first one for an unknown recipient: a report, no pivot
    drop(tmp_path, files)
    logged = run_until_idle(tmp_path, config)

    assert left_in_inbox(tmp_path) == []  # every flow released
    assert len(list((tmp_path / "outbox" / "DEMO01").glob("*.flux.statut.xml"))) == 6
    assert ledger_rows(tmp_path, "SELECT status, count(*) FROM flows GROUP BY status ORDER BY status") == [
        ("90", 5), ("93", 1)]
    assert ledger_rows(tmp_path, "SELECT count(*) FROM outbox WHERE published_at IS NULL") == [(5,)]
    assert received(exchange) == []
    assert "cannot publish the outbox now; its messages wait and are retried" in logged
    assert "stopping with messages waiting in the outbox" in logged
    flow_ids = {name: Flow(content, "DEMO01", name, datetime.now(timezone.utc)).id for name, content in files.items()}
    some = flow_ids["flow-0001.xml"]
    assert "(en attente de publication" in show(tmp_path, config, some)

    config = configured(tmp_path, exchange, AMQP_URL)
    run_until_idle(tmp_path, config)
    names = {pivot_name(flow_id, 1): flow_id for name, flow_id in flow_ids.items() if name != "flow-0000.xml"}
    messages = received(exchange)
    assert sorted(name for _, name, *_ in messages) == sorted(names)
    assert all(mid == message_id(names[name], Output(PARTNER, name, b"", "pivot")) for mid, name, *_ in messages)
    assert ledger_rows(tmp_path, "SELECT count(*) FROM outbox WHERE published_at IS NULL") == [(0,)]
    assert "(publié le " in show(tmp_path, config, some)


def test_an_engine_killed_again_and_again_publishes_every_pivot_under_one_id(installation):
    """A real `facteur run` consuming the queue, SIGKILLed with its workers at
    several points of the stream and started again: every pivot reaches the
    partner's queue, a copy is the same message (same id, same bytes), and no
    message is ever on the queue for a flow the ledger has not committed."""
    from test_run import flows, wait_for
    from test_run_amqp import (
        SENDER,
        facteur,
        queue_depth,
        reports,
        run_until_settled,
        submit,
    )

    root, config, queue = installation
    exchange = next(line.split('"')[1] for line in config.read_text().splitlines() if line.startswith("outbound_exchange"))
    config.write_text(config.read_text().replace("[delivery]", f'[delivery]\n{PARTNER} = "amqp"', 1))
    connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
    channel = connection.channel()
    channel.exchange_declare(exchange, exchange_type="direct", durable=True)
    channel.queue_declare(exchange, durable=True)
    channel.queue_bind(exchange, exchange, routing_key=PARTNER)
    files = flows(100)
    submit(root, config, files)
    messages = []
    try:
        for settled in (10, 30, 50, 70):
            process = facteur(root, config, "run", "--workers", "2")
            wait_for(lambda: reports(root) >= settled, 120)
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate(timeout=30)
            so_far = received(exchange)
            for _, name, *_ in so_far:
                assert ledger_rows(root, "SELECT status FROM flows WHERE id = ?", name.split("-")[0]) == [("90",)]
            messages += so_far
        run_until_settled(root, config, len(files))
        messages += received(exchange)
    finally:
        channel.queue_delete(exchange)
        connection.close()

    pivots = {}
    for name, content in files.items():
        flow_id = Flow(content, SENDER, name, datetime.now(timezone.utc)).id
        if b"12345678900017" not in content:
            pivots[message_id(flow_id, Output(PARTNER, pivot_name(flow_id, 1), b"", "pivot"))] = pivot_name(flow_id, 1)
    copies = {}
    for mid, name, kind, body in messages:
        copies.setdefault(mid, set()).add((name, kind, body))
    assert {mid: {name for name, _, _ in same} for mid, same in copies.items()} == {
        mid: {name} for mid, name in pivots.items()}
    assert all(len(same) == 1 for same in copies.values())  # a copy is the same message, byte for byte
    assert len(copies) == len(pivots) == 90
    assert ledger_rows(root, "SELECT count(*) FROM outbox WHERE published_at IS NULL") == [(0,)]
    assert ledger_rows(root, "SELECT status, count(*) FROM flows GROUP BY status ORDER BY status") == [("90", 90), ("93", 10)]
    assert reports(root) == len(files) and queue_depth(queue) == 0
    print(f"{len(messages)} messages for {len(pivots)} pivots ({len(messages) - len(pivots)} published again)")


def test_process_and_collect_deliver_an_amqp_partner_through_the_outbox(tmp_path, exchange):
    """The commands that run once honour `[delivery]` too: the depositor's
    reports, and the status a collection forwards to it, are committed to the
    outbox and published after, each under its own id."""
    config = configured(tmp_path, exchange, AMQP_URL, partner="DEMO01")
    connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
    connection.channel().queue_bind(exchange, exchange, routing_key="DEMO01")
    connection.close()
    invoice = tmp_path / "invoice.xml"
    invoice.write_bytes(ubl(Spec("OUTBOX-COLLECT", buyer_siret="26750045200011", engagement="EJ-2026-77")))  # CHDEMO

    [flow] = json.loads(cli(tmp_path, config, "process", str(invoice), "--sender", "DEMO01", "--json"))["flows"]
    assert flow["status"] == "90"
    cli(tmp_path, config, "collect", "CHDEMO")

    messages = received(exchange)
    reports = [status.flow_status_name(flow["flow_id"]), status.invoice_status_name(flow["flow_id"])]
    [collected] = [name for _, name, *_ in messages if name.startswith("collect-")]
    origins = {name: flow["flow_id"] for name in reports} | {collected: "collect by CHDEMO"}
    assert sorted((mid, name) for mid, name, *_ in messages) == sorted(
        (message_id(origin, Output("DEMO01", name, b"", "")), name) for name, origin in origins.items())
    assert not (tmp_path / "outbox" / "DEMO01").exists()
    assert ledger_rows(tmp_path, "SELECT count(*) FROM outbox WHERE published_at IS NULL") == [(0,)]

    [again] = json.loads(cli(tmp_path, config, "process", str(invoice), "--sender", "DEMO01", "--json"))["flows"]
    assert again["repeated"]  # the sender's retry: its reports are sent again, as the same messages
    assert sorted(received(exchange)) == sorted(m for m in messages if m[1] in reports)


def test_a_postgresql_ledger_of_the_previous_schema_gains_the_outbox(pg_ledger_url):
    from facteur.adapters.pg_ledger import MIGRATIONS, SCHEMA_VERSION, PgLedger

    before_outbox = next(n for n, step in enumerate(MIGRATIONS) if "TABLE IF NOT EXISTS outbox" in str(step))
    PgLedger(pg_ledger_url).close()
    with psycopg.connect(pg_ledger_url, autocommit=True) as connection:
        connection.execute("DROP TABLE outbox")
        connection.execute("UPDATE schema_version SET version = %s", (before_outbox,))
    ledger = PgLedger(pg_ledger_url)
    try:
        assert ledger.due(datetime.now(timezone.utc)) == 0
    finally:
        ledger.close()
    with psycopg.connect(pg_ledger_url, autocommit=True) as connection:
        assert connection.execute("SELECT version FROM schema_version").fetchall() == [(SCHEMA_VERSION,)]


@pytest.mark.usefixtures("ledger_backend")
def test_a_message_the_broker_refuses_waits_on_its_own_and_goes_once_it_can(tmp_path, exchange):
    from test_amqp import Recorder
    from test_run import wait_for

    runner = engine(tmp_path, exchange)
    connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
    channel = connection.channel()
    channel.queue_unbind(exchange, exchange, routing_key=PARTNER)  # as when the partner's binding is forgotten
    log = Recorder()
    relaying = Relay(runner.ledger, AmqpPublisher(AmqpSettings(url=AMQP_URL, outbound_exchange=exchange)), log=log)
    try:
        expected = committed(runner, 2)
        assert relaying.publish_due() == 0
        refused = log.at("error")
        assert [event for event, _ in refused] == ["the broker refused a message; it waits in the outbox and is retried"] * 2
        assert all("no queue is bound" in fields["error"] and fields["partner"] == PARTNER for _, fields in refused)
        [(waiting, attempts)] = ledger_rows(tmp_path, "SELECT count(*), max(attempts) FROM outbox WHERE published_at IS NULL"
                                            " AND error LIKE ?", "%no queue is bound%")
        assert (waiting, attempts) == (2, 1)

        channel.queue_bind(exchange, exchange, routing_key=PARTNER)
        published = []
        wait_for(lambda: published.append(relaying.publish_due()) or sum(published) == 2, 30)
        assert sorted(mid for mid, *_ in received(exchange)) == sorted(expected)
    finally:
        relaying.publisher.close()
        connection.close()
        runner.ledger.close()
