"""`facteur run`: intake sources feed one coordinator; the pure work goes to a pool.

Sources (watched inboxes, the AMQP queue) offer `Intake` items from their own
threads. One coordinator thread does all I/O in order — archive, ledger,
outputs, commit — so there is a single writer and duplicate detection stays
exact; the CPU-heavy pipeline runs in worker processes. An item is released
(inbox file deleted, message acked) only after its commit. A bounded number of
items in flight pushes back on the sources. What is waiting is handled as
one group, so many flows share each disk sync and ledger commit.

Copies of one flow never run side by side: a copy of a flow in flight here
waits until that one is settled, and a flow that another process works on
(its lease in the ledger) waits its turn; either then is a repeat. The leases
of the flows in flight are renewed while the service runs.

Failures never lose a flow. An I/O failure (disk full, ledger locked) is
retried with a growing delay while the item stays held, so flows wait and
resume by themselves. A flow whose own processing fails (the pipeline raises,
or kills the worker judging it alone: the pool does not charge a flow for a
neighbour's death) is retried a few times, then rejected with a report that
says so (FCT-TRAITEMENT-ECHEC), like any rejection: it ends, and its archived
original can be replayed once the cause is fixed. Only if even that rejection
cannot be committed is the item abandoned to its source's quarantine (the
dead-letter queue, or the inbox's `.failed/` folder), with the error logged.

Without a pool (`facteur worker`), the pipeline runs in the service's own
process, and a flow that kills it (out of memory, out of CPU time) takes down
every flow of its group: the broker delivers them all again. So a flow
delivered again is a suspect, run alone, after the others: a death then
concerns it only. Each of its runs alone is counted in the ledger before it
starts, so the count outlives the process and every worker reads it; once
MAX_PIPELINE_ATTEMPTS runs alone have not come back, the flow is not run
again but rejected, with its report (FCT-TRAITEMENT-ECHEC).
"""

from __future__ import annotations

import queue
import threading
import time
from collections import Counter
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Callable

from facteur.engine import pipeline
from facteur.engine.errors import Busy, LedgerReplaced, LedgerUnavailable
from facteur.engine.messages import Message, say
from facteur.engine.model import Flow, Outcome
from facteur.engine.runtime import logs
from facteur.engine.runtime.runner import WAIT_SECONDS, Handled, Runner, finishing_groups

Compute = Callable[[Flow], "Future[Outcome]"]

# Failures of the machine, not of the flow: they pass, so the flow waits for them.
TRANSIENT = (OSError, LedgerUnavailable)
MAX_PIPELINE_ATTEMPTS = 3
GROUP = 32  # events taken together: flows per disk sync and ledger commit under load
RETRY_DELAYS = (0.5, 1, 2, 5, 10, 30)


@dataclass
class Intake:
    """One flow offered by a source, with what to do once it is settled."""

    flow: Flow
    release: Callable[[], None]  # after the commit: delete the file, ack the message
    abandon: Callable[[Message], None]  # when not even its rejection can be committed: quarantine, with the reason
    attempts: int = field(default=0)
    io_failures: int = field(default=0)
    waits: int = field(default=0)  # times it waited for another process working on the same flow or invoice
    suspect: bool = field(default=False)  # delivered again: a process may have died with it
    settled: Callable[[Handled], None] = field(default=lambda handled: None)  # told what became of it, once released


class Service:
    def __init__(self, runner: Runner, compute: Compute | None = None, max_in_flight: int = 64,
                 judge: Callable[[Flow, pipeline.Context], Outcome] = pipeline.process, patient: bool = True):
        self.runner = runner
        self.compute = compute
        self.judge = judge  # the pipeline as it runs here without `compute` (within a CPU time limit, say)
        # Whether an I/O failure waits and is retried (a service), or ends the run (a command that
        # runs once, `facteur process`, whose caller is told, as when it runs without a pool).
        self.patient = patient
        self._events: queue.Queue = queue.Queue()
        self._slots = threading.BoundedSemaphore(max_in_flight)
        self._lock = threading.Lock()
        self._in_flight = 0
        self._closing = threading.Event()
        self._active: dict[str, Intake] = {}  # flow id -> the item worked on, from its start until it is settled
        self._parked: dict[str, list[Intake]] = {}  # flow id -> copies waiting for that item
        self._renewed = time.monotonic()
        self.counts: Counter = Counter()
        self.log = logs.get("facteur.service")

    @property
    def in_flight(self) -> int:
        with self._lock:
            return self._in_flight

    def offer(self, item: Intake) -> bool:
        """Hand a flow over, waiting for room; False once the service is closing
        (the source keeps the flow: the file stays claimed, the message unacked)."""
        while not self._slots.acquire(timeout=0.2):
            if self._closing.is_set():
                return False
        if self._closing.is_set():
            self._slots.release()
            return False
        with self._lock:
            self._in_flight += 1
        self._events.put(("new", item, None))
        return True

    def run(self, stop: threading.Event, idle: Callable[[], bool] | None = None, idle_seconds: float = 1.0,
            stop_seconds: float = 30.0) -> Counter:
        """The coordinator loop, in the calling thread. Returns when `stop` is set
        and every flow in flight is settled, or, with `idle`, once nothing has
        happened for `idle_seconds` and `idle()` says the sources are empty.

        A stop is bounded: `stop_seconds` after `stop` is set, the flows still in
        flight (waiting for a disk or a ledger to come back, say) are left
        unfinished, their leases given up, while their sources keep them (files
        claimed, messages unacked): the next start takes them, and the ledger
        makes each count once (an output already written is written again under
        the same name, a commit already made makes it a repeat).

        What is waiting is taken as one group (up to GROUP events): under load
        many flows share each disk sync and ledger commit, and a lone flow
        never waits for company. A ledger replaced under the engine stops it at
        once: no more flows are taken, those in flight stay held by their
        sources (files claimed, messages unacked), and the error is raised;
        so is an I/O failure, in a service that is not `patient`."""
        try:
            return self._coordinate(stop, idle, idle_seconds, stop_seconds)
        except LedgerReplaced as err:
            self.log.error("the ledger was replaced; facteur stops taking flows", error=str(err), in_flight=self.in_flight)
            raise
        finally:
            self._closing.set()  # sources waiting to offer give up

    def _coordinate(self, stop: threading.Event, idle: Callable[[], bool] | None, idle_seconds: float,
                    stop_seconds: float) -> Counter:
        quiet_since = time.monotonic()
        stopped_at = None
        while True:
            self._renew()
            if stop.is_set():
                self._closing.set()
                stopped_at = stopped_at or time.monotonic()
                if self.in_flight == 0:
                    return self.counts
                if time.monotonic() - stopped_at >= stop_seconds:
                    self._leave_unfinished(stop_seconds)
                    return self.counts
            try:
                events = [self._events.get(timeout=0.1)]
            except queue.Empty:
                quiet = time.monotonic() - quiet_since >= idle_seconds
                if not stop.is_set() and idle and self.in_flight == 0 and quiet and idle():
                    self._closing.set()
                    return self.counts
                continue
            quiet_since = time.monotonic()
            while len(events) < GROUP and not self._events.empty():
                events.append(self._events.get_nowait())
            new = [item for kind, item, _ in events if kind == "new"]
            if new:
                self._start(new)
            done = [(item, payload) for kind, item, payload in events if kind == "done"]
            if done:
                self._settle(done)

    def _leave_unfinished(self, stop_seconds: float) -> None:
        """The flows in flight at the end of a stop's time, given up for the next
        start: their leases released (at once, not when they run out), their
        sources left holding them."""
        unfinished = list(self._active.values())
        for item in unfinished:
            try:
                self.runner.release(item.flow)
            except TRANSIENT:  # the lease runs out by itself, its holder gone
                pass
        self.counts["unfinished"] += self.in_flight
        self.log.warning(
            f"arrêt au bout de {stop_seconds:g} s : {self.in_flight} flux non terminés restent réservés "
            "(fichiers dans inbox/<partenaire>/.claimed/, messages non acquittés) ; le prochain démarrage les "
            "reprend, chacun une seule fois",
            flows=[item.flow.id for item in unfinished],
        )

    def _start(self, items: list[Intake]) -> None:
        """The items begun as one group, but for the suspects of a service
        without a pool: each of those begins alone, after the group."""
        items = [item for item in items if self._turn(item)]
        self._begin([item for item in items if not self._lone(item)])
        for item in items:
            if self._lone(item):
                self._begin([item])

    def _lone(self, item: Intake) -> bool:
        return item.suspect and self.compute is None

    def _begin(self, items: list[Intake]) -> None:
        if not items:
            return
        try:
            prepared = self.runner.prepare_all([item.flow for item in items])
        except TRANSIENT as err:
            for item in items:
                self._retry_later(item, err)
            return
        computed = []
        for item, flow in zip(items, prepared):
            if isinstance(flow, Busy):
                self._wait(item, flow)
                continue
            if isinstance(flow, Handled):
                self._done(item, flow)
                continue
            item.flow = flow
            if self.compute is None:
                if self._lone(item) and not self._counted_alone(item):
                    continue
                computed.append((item, _completed(self.judge, self.runner.context, flow)))
                self._renew()  # a long group computed here must not let the leases of its flows run out
            else:
                future = self.compute(flow)
                future.add_done_callback(lambda done, item=item: self._events.put(("done", item, done)))
        if computed:
            self._settle(computed)

    def _settle(self, results: list[tuple[Intake, "Future[Outcome]"]]) -> None:
        settled = []
        for item, future in results:
            try:
                settled.append((item, future.result()))
            except TRANSIENT as err:  # the duplicate look-up could not reach the ledger: not the flow's fault
                self._retry_later(item, err)
            except Exception as err:  # the flow's own: the pipeline raised, or killed the worker judging it alone
                self._pipeline_failed(item, err)
        for group in finishing_groups(settled, lambda pair: pair[1]):
            try:
                handled = self.runner.finish_all([(item.flow, outcome) for item, outcome in group])
            except Busy as busy:
                for item, outcome in group:
                    self._wait(item, busy, outcome)
                continue
            except TRANSIENT as err:
                for item, outcome in group:
                    self._retry_later(item, err, outcome)
                continue
            for (item, _), result in zip(group, handled):
                self._done(item, result)

    def _done(self, item: Intake, handled: Handled) -> None:
        try:
            item.release()
        except Exception as err:  # the flow is committed; its source will offer it again, as a repeat
            self.log.error("could not release a settled flow", flow_id=item.flow.id, error=str(err))
        self.counts["repeat" if handled.repeated else handled.status] += 1
        self._leave(item)
        self._free()
        item.settled(handled)

    def _pipeline_failed(self, item: Intake, err: Exception) -> None:
        item.attempts += 1
        log = self.log.bind(flow_id=item.flow.id, flow_name=item.flow.name, attempt=item.attempts)
        if item.attempts < MAX_PIPELINE_ATTEMPTS:
            log.warning("pipeline failed; trying again", error=repr(err))
            self._events.put(("new", item, None))
            return
        log.error("the pipeline keeps failing on this flow; it is rejected, replay it once fixed", error=repr(err))
        self._reject(item, item.attempts, _named(err))

    def _counted_alone(self, item: Intake) -> bool:
        """Whether a suspect may run, its run alone counted first. One whose
        earlier runs alone never came back, MAX_PIPELINE_ATTEMPTS times, is
        rejected instead: a process that dies running a flow alone is the
        flow's doing (a kill from outside at that moment cannot be told apart)."""
        try:
            runs = self.runner.ledger.start_alone(item.flow.id, MAX_PIPELINE_ATTEMPTS)
        except TRANSIENT as err:
            self._retry_later(item, err)
            return False
        log = self.log.bind(flow_id=item.flow.id, flow_name=item.flow.name, runs_before=runs)
        if runs < MAX_PIPELINE_ATTEMPTS:
            log.warning("flow delivered again (a worker may have died with it); it runs alone")
            return True
        log.error("the workers running this flow alone died every time; it is rejected, replay it once fixed")
        self._reject(item, runs, "le processus facteur worker qui le traitait seul s'est arrêté brutalement à chaque "
                                 "fois (mémoire ou temps de calcul épuisés, plantage ou arrêt forcé)")
        return False

    def _reject(self, item: Intake, attempts: int, cause: str) -> None:
        """The flow rejected with a report saying its processing failed, like any rejection."""
        try:
            outcome = pipeline.failed(item.flow, self.runner.context, attempts, cause)
            [handled] = self.runner.finish_all([(item.flow, outcome)])
        except TRANSIENT as failure:  # the disk or the ledger away (the outcome, pure, was made): it waits
            self._retry_later(item, failure, outcome)
            return
        except Exception as failure:  # nothing is lost: the source keeps the flow aside, for an operator
            self._abandon(item, say("flow-abandoned", name=item.flow.name, flow=item.flow.id, attempts=attempts,
                                    cause=cause, failure=_named(failure)))
            return
        self._done(item, handled)

    def _abandon(self, item: Intake, reason: Message) -> None:
        self.log.error("flow abandoned to quarantine; replay it once fixed", flow_id=item.flow.id,
                       flow_name=item.flow.name, reason=str(reason))
        try:
            item.abandon(reason)
        finally:
            self.counts["abandoned"] += 1
            self._leave(item)
            self._free()

    def _retry_later(self, item: Intake, err: Exception, outcome: Outcome | None = None) -> None:
        if not self.patient:
            raise err
        delay = RETRY_DELAYS[min(item.io_failures, len(RETRY_DELAYS) - 1)]
        item.io_failures += 1
        self.log.error(
            "cannot write this flow now; it waits and is retried",
            flow_id=item.flow.id,
            flow_name=item.flow.name,
            error=str(err),
            retry_in_seconds=delay,
        )
        self._later(item, delay, outcome)

    def _wait(self, item: Intake, busy: Busy, outcome: Outcome | None = None) -> None:
        """Another process works on this flow, or on an invoice it changes: it
        is offered again shortly, charged nothing."""
        if not item.waits:
            self.log.info("another process works on this flow or on an invoice it changes; it waits its turn",
                          flow_id=item.flow.id, flow_name=item.flow.name, holder=busy.holder)
        item.waits += 1
        self._later(item, WAIT_SECONDS, outcome)

    def _later(self, item: Intake, delay: float, outcome: Outcome | None) -> None:
        event = ("new", item, None) if outcome is None else ("done", item, resolved(outcome))
        timer = threading.Timer(delay, self._events.put, args=(event,))
        timer.daemon = True
        timer.start()

    def _turn(self, item: Intake) -> bool:
        """Whether the item may be worked on now: a copy of a flow in flight here
        is parked until that one is settled (then it is a repeat)."""
        first = self._active.setdefault(item.flow.id, item)
        if first is not item:
            self._parked.setdefault(item.flow.id, []).append(item)
        return first is item

    def _leave(self, item: Intake) -> None:
        """The item is settled: its lease, if it still holds one (abandoned), is
        given up, and the copies parked behind it are offered again."""
        if self._active.get(item.flow.id) is not item:
            return
        del self._active[item.flow.id]
        for parked in self._parked.pop(item.flow.id, []):
            self._events.put(("new", parked, None))
        try:
            self.runner.release(item.flow)
        except TRANSIENT as err:  # it runs out by itself, unrenewed
            self.log.error("could not release the lease of a settled flow", flow_id=item.flow.id, error=str(err))

    def _renew(self) -> None:
        """The leases of the flows in flight renewed, a few times per lease."""
        if time.monotonic() - self._renewed < self.runner.lease_seconds / 3:
            return
        self._renewed = time.monotonic()
        try:
            self.runner.renew()
        except TRANSIENT as err:
            self.log.error("could not renew the leases of the flows in flight", error=str(err))

    def _free(self) -> None:
        with self._lock:
            self._in_flight -= 1
        self._slots.release()


def resolved(outcome: Outcome | None) -> "Future[Outcome | None]":
    """A future already done with `outcome`."""
    future: Future = Future()
    future.set_result(outcome)
    return future


def _completed(judge: Callable[[Flow, pipeline.Context], Outcome], context: pipeline.Context,
               flow: Flow) -> "Future[Outcome]":
    future: Future = Future()
    try:
        future.set_result(judge(flow, context))
    except Exception as err:
        future.set_exception(err)
    return future


def _named(error: Exception) -> str:
    """An error as the reports and logs of a failed flow show it: its type, then its text."""
    return f"{type(error).__name__}: {error}"
