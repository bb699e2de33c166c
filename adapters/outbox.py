"""The relay of the ledger's outbox: publishes, after the commit, the outputs
that the commit put there for partners served over AMQP.

Publishing after the commit means that nothing is ever published for a flow
that was not committed, and that a crash between a publish and its mark in the
ledger publishes the message again after the restart: at least once, under the
same message id, which the recipient uses to recognise the copy.

The engine runs one relay in a thread of its own, on a ledger connection of its
own: woken after each commit, and every few seconds for what waits (messages
a crash left, a broker that was away). While the broker is away the messages
wait in the ledger, and the relay tries again with a growing delay, saying so
once per attempt; the flows themselves are committed and released meanwhile.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

from facteur.adapters.amqp import AmqpPublisher
from facteur.adapters.errors import BrokerUnreachable, PublishFailed
from facteur.engine.errors import LedgerUnavailable, Refused
from facteur.engine.runtime import logs
from facteur.engine.runtime.ledger import Ledger, Outgoing

BATCH = 64  # messages per transaction: held together, marked together
PERIOD = 5.0  # seconds between passes when nothing wakes the relay
RETRY_DELAYS = (0.5, 1, 2, 5, 10, 30)


class Relay:
    def __init__(self, ledger: Ledger, publisher: AmqpPublisher, log=None, period: float = PERIOD, batch: int = BATCH):
        self.ledger = ledger
        self.publisher = publisher
        self.log = log or logs.get("facteur.outbox")
        self.period = period
        self.batch = batch
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def publish_due(self) -> int:
        """Publishes every message due now, oldest first; returns how many.
        Raises BrokerUnreachable while the broker is away (what was confirmed
        before is marked), LedgerUnavailable while the ledger is."""
        published = 0
        while self.ledger.due(_now()):
            self.publisher.ready()  # before any row is held: a broker away holds nothing
            done = self.ledger.relay(self._publish, _now(), self.batch)
            published += done
            if not done:  # what is left is refused for a while, or held by another relay
                break
        return published

    def start(self) -> None:
        """A first pass at once: messages a crash left are published at start-up."""
        self._thread = threading.Thread(target=self._run, name="facteur-outbox", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self, wait: float) -> None:
        """A last pass publishes what the last commits queued; what the broker
        does not take by then waits in the ledger for the next start."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(wait)
            if self._thread.is_alive():  # still publishing: its ledger connection is not ours to use
                return
        try:
            waiting = self.ledger.due(_now())
        except LedgerUnavailable:
            return
        if waiting:
            self.log.warning("stopping with messages waiting in the outbox; they are published at the next start",
                             count=waiting)

    def _run(self) -> None:
        failures = 0
        while True:
            self._wake.clear()
            try:
                self.publish_due()
                failures = 0
            except (BrokerUnreachable, LedgerUnavailable) as error:
                failures += 1
                delay = RETRY_DELAYS[min(failures, len(RETRY_DELAYS)) - 1]
                self.log.warning("cannot publish the outbox now; its messages wait and are retried",
                                 error=str(error), retry_in_seconds=delay, attempt=failures)
                if self._stop.wait(delay):
                    return
                continue
            except Exception:  # a bug must not end publishing for good
                failures += 1
                self.log.exception("the outbox relay failed; it tries again", attempt=failures)
            if self._stop.is_set():
                return
            self._wake.wait(self.period)

    def _publish(self, outgoing: Outgoing) -> None:
        output = outgoing.output
        try:
            self.publisher.publish(output.mailbox, output.name, output.content, output.kind,
                                   message_id=outgoing.message_id)
        except BrokerUnreachable:
            raise
        except PublishFailed as error:
            delay = RETRY_DELAYS[min(outgoing.attempts, len(RETRY_DELAYS) - 1)]
            self.log.error("the broker refused a message; it waits in the outbox and is retried", partner=output.mailbox,
                           name=output.name, flow_id=outgoing.origin, message_id=outgoing.message_id, error=str(error),
                           retry_in_seconds=delay)
            raise Refused(str(error), timedelta(seconds=delay)) from error


def _now() -> datetime:
    return datetime.now(timezone.utc)
