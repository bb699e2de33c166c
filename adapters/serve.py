"""The long-running roles that `facteur run`, `worker` and `watch` start,
joined from the parts `adapters/wiring.py` builds, and SIGTERM/SIGINT stop each gracefully: sources
stop taking, flows in flight finish and commit, nothing is lost.

- `facteur run`, the embedded default: watched inboxes and the AMQP queue feed
  the coordinator (`service.py`), a pool of worker processes runs the pipeline.
- `facteur watch`: watched inboxes feed the AMQP queue, nothing more.
- `facteur worker`: the AMQP queue feeds a coordinator that runs the pipeline
  in its own process; any number of them share a PostgreSQL ledger.

Deliveries go to folders or the broker in every role that processes flows;
those for the broker are published after the commit by the outbox's relay.
"""

from __future__ import annotations

import itertools
import os
import signal
import sys
import threading
import time
from datetime import datetime, timezone
from typing import Callable

from facteur.adapters import configuration, metrics, wiring
from facteur.adapters.ledgers import annuaire
from facteur.engine import pipeline
from facteur.engine.config import Config, redact
from facteur.engine.errors import ConfigError, LedgerTooNew
from facteur.engine.hub.directory import PARTNER_ID, Directory
from facteur.engine.inputs import door, names
from facteur.engine.messages import Message, say, text
from facteur.engine.model import Flow
from facteur.engine.runtime import logs
from facteur.engine.runtime.service import RETRY_DELAYS, TRANSIENT, Intake, Service
from facteur.engine.statuses import counted

CONSUMER_DRAIN_SECONDS = 10.0  # how long a stopping consumer waits for the acks of flows in flight
CLOSING_SECONDS = 5.0  # past [intake] stop_seconds, what closing (sources, pool, ledger) may take before the exit


def serve(config: Config, workers: int | None, until_idle: bool, use_amqp: bool) -> int:
    from facteur.adapters.watch import InboxWatcher
    from facteur.adapters.workers import WorkerPool

    logs.configure("info")
    log = logs.get("facteur.run")
    configuration.check_folders(config)
    amqp = wiring.amqp_settings(config) if config.amqp.get("url") else None
    stop = threading.Event()
    _on_signals(stop, log, config.stop_seconds, config.language)
    engine = _Engine(config, amqp, log, stop)
    pool = WorkerPool(config, workers or config.workers or os.cpu_count() or 1,
                      observe=metrics.STAGE_SECONDS.labels(metrics.PIPELINE).observe)
    service = Service(engine.runner, pool.submit, config.max_in_flight)
    faces = _faces(config, log, stop)

    directory = engine.runner.context.directory
    partners = config.watched_partners(directory)
    watcher = InboxWatcher(
        config.inbox,
        partners,
        on_file=lambda claimed: _offer_file(service, claimed, log),
        stable_seconds=config.stable_seconds,
        max_bytes=config.limits.max_lot_bytes,
        on_refused=lambda refused: _offer_refused(service, refused, log),
        advise=_advice(config, directory),
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
        ledger=engine.ledger_name,
    )
    try:
        _when_ready(watcher.start, log, "cannot prepare the inbox folders; facteur waits", stop, inbox=str(config.inbox))
        idle = (lambda: _inboxes_empty(config, partners, config.limits.max_lot_bytes)) if until_idle else None
        counts = service.run(stop, idle=idle, idle_seconds=max(1.0, config.stable_seconds),
                             stop_seconds=config.stop_seconds)
    finally:
        stop.set()
        watcher.stop()
        if consumer_thread:
            consumer_thread.join(CONSUMER_DRAIN_SECONDS + 1)
        pool.shutdown()
        faces()
        engine.close()
    return _stopped(counts, log, config.language)


def _faces(config: Config, log, stop: threading.Event) -> Callable[[], None]:
    """What `facteur run` shows of itself beside its work: the HTTP face
    (`[web] enabled`) and the alerts (`[alerts]`, when they go somewhere);
    returns what stops them, once `stop` is set."""
    stops = []
    if config.web.enabled:
        from facteur.adapters.web import server

        stops.append(server.start(config, log))
    if config.alerts.enabled:
        from facteur.adapters import alerts

        stops.append(alerts.start(config, log, stop))

    def stopped() -> None:
        for each in stops:
            each()

    return stopped


def work(config: Config) -> int:
    """`facteur worker`: consumes the inbound queue and runs the whole durable
    sequence in this process, in groups of what waits, on the configured ledger
    (PostgreSQL, to share it with the other workers). Start one or two per core, on as
    many machines as needed, under something that starts a worker again when it
    dies: a flow that exceeds `[limits] max_flow_cpu_seconds` ends it, as the
    OOM killer would, and comes back to be run alone (service.py)."""
    from facteur.adapters.cpu import cpu_limited

    logs.configure("info")
    log = logs.get("facteur.worker")
    amqp = wiring.amqp_settings(config)
    stop = threading.Event()
    _on_signals(stop, log, config.stop_seconds, config.language)
    engine = _Engine(config, amqp, log, stop)
    judge = cpu_limited(config.limits.max_flow_cpu_seconds, pipeline.process)
    service = Service(engine.runner, None, config.max_in_flight, judge)
    consumer_thread = _start_consumer(amqp, service, stop, log)
    log.info("facteur worker running", queue=amqp.inbound_queue, amqp=redact(amqp.url), ledger=engine.ledger_name)
    try:
        counts = service.run(stop, stop_seconds=config.stop_seconds)
    finally:
        stop.set()
        consumer_thread.join(CONSUMER_DRAIN_SECONDS + 1)
        engine.close()
    return _stopped(counts, log, config.language)


def watch(config: Config) -> int:
    """`facteur watch`: takes the complete files of the inboxes and publishes
    each to the inbound queue, confirmed by the broker, before releasing it;
    the workers do the rest. The sender is the inbox's partner, named in the
    sender header, so the workers must take it from there."""
    from facteur.adapters.amqp import InboundPublisher
    from facteur.adapters.watch import InboxWatcher

    logs.configure("info")
    log = logs.get("facteur.watch")
    amqp = wiring.amqp_settings(config)
    if amqp.sender_from != "header":
        raise ConfigError(say("watch-needs-header", header=amqp.sender_header, path=config.path))
    publisher = InboundPublisher(amqp, "watch")
    stop = threading.Event()
    _on_signals(stop, log, config.stop_seconds, config.language)
    directory = configuration.load_directory(config)
    partners = config.watched_partners(directory)
    watcher = InboxWatcher(
        config.inbox,
        partners,
        on_file=lambda claimed: _publish_file(publisher, claimed, stop, log),
        on_refused=lambda refused: _publish_refused(publisher, refused, stop, log),
        stable_seconds=config.stable_seconds,
        max_bytes=config.limits.max_lot_bytes,
        advise=_advice(config, directory),
    )
    log.info("facteur watch running", inbox=str(config.inbox), partners=partners, queue=amqp.inbound_queue,
             amqp=redact(amqp.url))
    try:
        _when_ready(watcher.start, log, "cannot prepare the inbox folders; facteur waits", stop, inbox=str(config.inbox))
        # In steps: the kernel may hand SIGTERM to any thread, and its handler runs
        # only once this main thread runs Python again; a wait without end never
        # would, and the watcher ignored the signal (seen 1 time in 8 in tests).
        while not stop.wait(0.5):
            pass
    finally:
        watcher.stop(wait=CONSUMER_DRAIN_SECONDS)
        publisher.close()
    log.info("facteur watch stopped")
    return 0


class _Engine:
    """What processes flows, for `facteur run` and `facteur worker` alike:
    the ledger, the pipeline's context, the deliveries, the durable runner, and
    the relay that publishes the outbox (on a ledger connection of its own)
    when some partner receives over AMQP."""

    def __init__(self, config: Config, amqp, log, stop: threading.Event):
        from facteur.adapters.ledgers import describe, open_ledger
        from facteur.adapters.mailbox import Archive

        self.folders, self.log = (config.outbox, config.archive), log
        folders = [str(folder) for folder in self.folders]
        _when_ready(self._sweep, log, "cannot sweep the outbox and archive; facteur waits", stop, folders=folders)
        self.ledger_name = describe(config)
        self.ledger = _when_ready(
            lambda: open_ledger(config), log, "cannot open the ledger; facteur waits for it", stop,
            ledger=self.ledger_name
        )
        context = configuration.context(config, self.ledger.known_invoice,
                                        annuaire=annuaire(self.ledger, config.directory_refresh_seconds))
        self.relay = None
        try:
            deliveries = wiring.deliveries(config, amqp)
        except Exception:
            self.close()
            raise
        if deliveries.uses_broker:
            relay_ledger = _when_ready(
                lambda: open_ledger(config), log, "cannot open the ledger; facteur waits for it", stop,
                ledger=self.ledger_name
            )
            self.relay = wiring.relay(amqp, relay_ledger)
            self.relay.start()
        wake = self.relay.wake if self.relay else lambda: None
        self.runner = metrics.ObservedRunner(context, self.ledger, Archive(config.archive), deliveries,
                                             on_commit=wake, lease_seconds=config.lease_seconds)

    def close(self) -> None:
        if self.relay:
            self.relay.stop(CONSUMER_DRAIN_SECONDS)
            self.relay.publisher.close()
            self.relay.ledger.close()
        self.ledger.close()
        self._sweep()

    def _sweep(self) -> None:
        """Remove the temporary files that dead writers of this host left (never
        seen by a reader), at start and again at stop: a worker killed beside
        this one leaves a whole group of them, and may never start again."""
        from facteur.adapters.mailbox import sweep

        swept = sum(sweep(folder) for folder in self.folders)
        if swept:
            self.log.warning("removed files left half-written by a process that crashed", count=swept)


def _advice(config: Config, directory: Directory):
    """What the watcher says of a misplaced file (adapters/watch.py), in the terms of this configuration."""
    from facteur.adapters.watch import misplaced_advice

    known = set(directory.senders) | directory.mailboxes
    return lambda path: misplaced_advice(path, config.inbox, known, config.directory_file, config.path,
                                         config.language)


def _when_ready(step, log, waiting: str, stop: threading.Event, **about):
    """An engine that starts on a full disk, or while its database server is
    away, waits for each start-up step that writes (the sweep, the ledger, the
    inbox folders), saying why, instead of exiting: the flows wait in the inbox
    or on the queue meanwhile, and are taken once every step is done. A ledger
    written by a newer facteur is not worth waiting for. A stop while it waits
    ends the process: nothing was taken yet."""
    for attempt in itertools.count():
        try:
            return step()
        except LedgerTooNew:
            raise
        except TRANSIENT as err:
            delay = RETRY_DELAYS[min(attempt, len(RETRY_DELAYS) - 1)]
            log.error(waiting, error=str(err), retry_in_seconds=delay, **about)
            if stop.wait(delay):
                log.info("arrêté pendant le démarrage ; aucun flux n'avait été pris")
                raise SystemExit(0)


def _stopped(counts, log, lang: str) -> int:
    log.info("facteur stopped", **{k: v for k, v in counts.items()})
    print(counted(counts, lang), file=sys.stdout)
    return 0


def _publish_file(publisher, claimed, stop: threading.Event, log) -> None:
    """Publishes until the broker confirms, then releases the file. While the
    broker is away the file waits, claimed, and the watcher takes no more (the
    others wait in the inbox); stopping leaves it claimed, offered again at the
    next start. A file published twice that way is one flow (same sender, same
    bytes): the workers see a repeat."""
    _publish_confirmed(publisher, claimed.name, claimed.content, claimed.partner, stop, log)
    claimed.release()


def _publish_refused(publisher, refused, stop: threading.Event, log) -> None:
    """A file refused unread goes to the workers as its note, marked refused:
    they report it to its sender like any flow. It is set aside once the
    broker has it, and refused again at the next start if not."""
    _publish_confirmed(publisher, refused.name, refused.note, refused.partner, stop, log, refused=refused.code)
    refused.set_aside()


def _publish_confirmed(publisher, name: str, content: bytes, partner: str, stop: threading.Event, log,
                       refused: str = "") -> None:
    from facteur.adapters.errors import PublishFailed

    for attempt in itertools.count():
        try:
            publisher.publish(name, content, partner, refused)
            return
        except PublishFailed as err:
            delay = RETRY_DELAYS[min(attempt, len(RETRY_DELAYS) - 1)]
            log.error("cannot publish a claimed file; it waits and is retried", partner=partner,
                      file=names.shown(name), error=str(err), retry_in_seconds=delay)
            if stop.wait(delay):
                raise


def _offer_file(service: Service, claimed, log) -> None:
    name, name_raw = names.received(claimed.name)
    flow = Flow(
        content=claimed.content,
        sender=claimed.partner,
        name=name,
        received_at=datetime.fromtimestamp(claimed.mtime, timezone.utc),
        source="inbox",
        name_raw=name_raw,
    )
    service.offer(Intake(flow, claimed.release, lambda reason: _quarantine(claimed, reason, log)))


def _offer_refused(service: Service, refused, log) -> None:
    """A file refused unread is a flow of its own (its note for content), so
    that its rejection report and the ledger agree; it is set aside once that
    is committed, or once abandoned."""
    name, name_raw = names.received(refused.name)
    flow = Flow(refused.note, refused.partner, name, datetime.fromtimestamp(refused.mtime, timezone.utc), "inbox",
                name_raw=name_raw, refused=refused.code)

    def abandon(reason: Message) -> None:
        refused.set_aside()
        log.error("refused file moved aside without a report", partner=refused.partner, file=name, reason=str(reason))

    service.offer(Intake(flow, refused.set_aside, abandon))


def _quarantine(claimed, reason: Message, log) -> None:
    """A file whose rejection cannot even be committed goes to
    inbox/<partner>/.failed/, out of the way of the others, where an operator
    finds it."""
    failed = claimed.path.parent.parent / ".failed"
    failed.mkdir(exist_ok=True)
    target = failed / claimed.name
    number = 0
    while target.exists():
        number += 1
        target = failed / f"{claimed.name}.{number}"
    os.replace(claimed.path, target)
    log.error("file moved to quarantine", path=names.shown(str(target)), reason=str(reason))


def _start_consumer(amqp, service: Service, stop: threading.Event, log) -> threading.Thread:
    from facteur.adapters.amqp import AmqpConsumer

    consumer: AmqpConsumer

    def on_message(message) -> None:
        if not PARTNER_ID.match(message.sender):
            log.error("message refused: its sender is not a partner id", sender=message.sender,
                      name=names.shown(message.name))
            consumer.reject(message.delivery_tag, requeue=False)
            return
        # Reception is when facteur received it, by its own clock: the publisher's
        # timestamp is not checked by the broker, and reception time has legal weight.
        name, name_raw = names.received(message.name)
        refused = message.refused if message.refused in door.REFUSALS else ""
        flow = Flow(message.content, message.sender, name, datetime.now(timezone.utc), "amqp", name_raw=name_raw,
                    refused=refused)
        tag = message.delivery_tag
        service.offer(Intake(flow, lambda: consumer.ack(tag), lambda reason: consumer.reject(tag, requeue=False),
                             suspect=message.redelivered))

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


def _on_signals(stop: threading.Event, log, stop_seconds: float, lang: str) -> None:
    """The first SIGTERM or Ctrl-C stops taking flows and lets those in flight
    finish for `stop_seconds` ([intake] stop_seconds), then leaves the others
    claimed for the next start (service.py); whatever then hangs (a disk that
    blocks a write, a broker that never answers), the process ends
    CLOSING_SECONDS later. A second signal ends it at once: every step of a
    flow is durable before the next, so the next start resumes it, once."""

    def handler(signum, _frame):
        name = signal.Signals(signum).name
        if stop.is_set():
            log.warning(text("stop-second-signal", lang), signal=name)
            _exit_now(128 + signum)
        log.info(text("stop-asked", lang, seconds=f"{stop_seconds:g}"), signal=name)
        stop.set()
        watchdog = threading.Timer(stop_seconds + CLOSING_SECONDS, _overdue, args=(log, stop_seconds, lang))
        watchdog.daemon = True
        watchdog.start()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)


def _overdue(log, stop_seconds: float, lang: str) -> None:
    log.error(text("stop-overdue", lang, seconds=f"{stop_seconds + CLOSING_SECONDS:g}"))
    _exit_now(1)


def _exit_now(code: int) -> None:
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
