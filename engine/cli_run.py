"""The wiring of `facteur run` (part of the CLI, which alone may join the engine
to its adapters): watched inboxes and the AMQP queue feed the coordinator
(`service.py`), a pool of worker processes runs the pipeline, deliveries go to
folders or the broker, and SIGTERM/SIGINT stop it gracefully: sources stop
taking, flows in flight finish and commit, nothing is lost.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from datetime import datetime, timezone

from . import logs, pipeline
from .config import Config
from .directory import PARTNER_ID
from .model import Flow
from .runner import Runner
from .service import Intake, Service

CONSUMER_DRAIN_SECONDS = 10.0  # how long a stopping consumer waits for the acks of flows in flight


def serve(config: Config, workers: int | None, until_idle: bool, use_amqp: bool) -> int:
    from facteur.adapters.delivery import Deliveries
    from facteur.adapters.mailbox import Archive, Mailboxes, sweep
    from facteur.adapters.ledgers import describe, open_ledger
    from facteur.adapters.watch import InboxWatcher
    from facteur.adapters.workers import WorkerPool

    from .cli import UsageError, _amqp_settings

    logs.configure("info")
    log = logs.get("facteur.run")
    amqp = _amqp_settings(config) if config.amqp.get("url") else None
    swept = sweep(config.outbox) + sweep(config.archive)
    if swept:
        log.warning("removed files left half-written by an earlier crash", count=swept)
    ledger = open_ledger(config)
    context = pipeline.Context.from_config(config, ledger.known_invoice)
    publisher = _publisher(amqp) if amqp and any(m != "folder" for m in config.delivery.values()) else None
    try:
        deliveries = Deliveries(Mailboxes(config.outbox), publisher, config.delivery, amqp.outbound_exchange if amqp else "")
    except ValueError as err:
        raise UsageError(str(err)) from None
    runner = Runner(context, ledger, Archive(config.archive), deliveries)
    pool = WorkerPool(config, workers or config.workers or os.cpu_count() or 1)
    service = Service(runner, pool.submit, config.max_in_flight)
    stop = threading.Event()
    _on_signals(stop, log)

    partners = config.watched_partners(context.directory)
    watcher = InboxWatcher(
        config.inbox,
        partners,
        on_file=lambda claimed: _offer_file(service, claimed, log),
        stable_seconds=config.stable_seconds,
        max_bytes=config.limits.max_lot_bytes,
    )
    consumer_thread = None
    if amqp and use_amqp:
        consumer_thread = _start_consumer(amqp, service, stop, log)
    log.info(
        "facteur running",
        inbox=str(config.inbox),
        partners=partners,
        workers=pool.workers,
        amqp=bool(consumer_thread),
        ledger=describe(config),
    )
    watcher.start()
    try:
        idle = (lambda: _inboxes_empty(config, partners, config.limits.max_lot_bytes)) if until_idle else None
        counts = service.run(stop, idle=idle, idle_seconds=max(1.0, 3 * config.stable_seconds))
    finally:
        stop.set()
        watcher.stop()
        if consumer_thread:
            consumer_thread.join(CONSUMER_DRAIN_SECONDS + 1)
        pool.shutdown()
        if publisher:
            publisher.close()
        ledger.close()
    log.info("facteur stopped", **{k: v for k, v in counts.items()})
    print(", ".join(f"{v} {k}" for k, v in sorted(counts.items())) or "no flow", file=sys.stdout)
    return 0


def _publisher(amqp):
    from facteur.adapters.amqp import AmqpPublisher

    return AmqpPublisher(amqp)


def _offer_file(service: Service, claimed, log) -> None:
    flow = Flow(
        content=claimed.content,
        sender=claimed.partner,
        name=claimed.name,
        received_at=datetime.fromtimestamp(claimed.mtime, timezone.utc),
        source="inbox",
    )
    service.offer(Intake(flow, claimed.release, lambda reason: _quarantine(claimed, reason, log)))


def _quarantine(claimed, reason: str, log) -> None:
    """A file the pipeline keeps failing on goes to inbox/<partner>/.failed/,
    out of the way of the others, where an operator finds it."""
    failed = claimed.path.parent.parent / ".failed"
    failed.mkdir(exist_ok=True)
    target = failed / claimed.name
    number = 0
    while target.exists():
        number += 1
        target = failed / f"{claimed.name}.{number}"
    os.replace(claimed.path, target)
    log.error("file moved to quarantine", path=str(target), reason=reason)


def _start_consumer(amqp, service: Service, stop: threading.Event, log) -> threading.Thread:
    from facteur.adapters.amqp import AmqpConsumer

    consumer: AmqpConsumer

    def on_message(message) -> None:
        if not PARTNER_ID.match(message.sender):
            log.error("message refused: its sender is not a partner id", sender=message.sender, name=message.name)
            consumer.reject(message.delivery_tag, requeue=False)
            return
        # Reception is when facteur received it, by its own clock: the publisher's
        # timestamp is not checked by the broker, and reception time has legal weight.
        flow = Flow(message.content, message.sender, message.name, datetime.now(timezone.utc), "amqp")
        tag = message.delivery_tag
        service.offer(
            Intake(flow, lambda: consumer.ack(tag), lambda reason: consumer.reject(tag, requeue=False))
        )

    consumer = AmqpConsumer(amqp, on_message, drain_seconds=CONSUMER_DRAIN_SECONDS)
    thread = threading.Thread(target=consumer.run, args=(stop,), name="facteur-amqp", daemon=True)
    thread.start()
    return thread


def _inboxes_empty(config: Config, partners: list[str], max_bytes: int) -> bool:
    """No file left that the watcher would take (files it leaves alone, such as
    oversized ones, are the operator's to deal with and do not keep it busy)."""
    from facteur.adapters.watch import CLAIMED, ignored

    def waiting(path) -> bool:
        return path.is_file() and not path.is_symlink() and not ignored(path.name) and path.stat().st_size <= max_bytes

    for partner in partners:
        folder = config.inbox / partner
        if folder.is_dir() and any(waiting(p) for p in folder.iterdir()):
            return False
        if (folder / CLAIMED).is_dir() and any((folder / CLAIMED).iterdir()):
            return False
    return True


def _on_signals(stop: threading.Event, log) -> None:
    def handler(signum, _frame):
        log.info("stopping: flows in flight finish first", signal=signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)
