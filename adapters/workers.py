"""The pool of worker processes that run the pure pipeline for `facteur run`,
and for `facteur process` on enough files to pay for starting them (`for_files`).

Each worker builds its own context once (directory, rule sets compiled and
warmed, its own view of the ledger for duplicate look-ups) and then judges
flows; it writes nothing, so it may die at any moment without harm, and it
dies with its engine.

Each worker judges one flow at a time, so a worker's death concerns the one
flow it was judging, and no other. The next flow already waits in its pipe
(`PIPELINED`), so that a worker never idles while the engine's busy process
gets round to answering it; a death leaves that next flow unjudged, and it is
handed to the worker that replaces it, uncharged. The flow being judged when a
worker dies is the oldest it has not answered, for it judges them in order.
That flow is not charged for it: a process killed
by an operator, or by the kernel's OOM killer short of memory for the whole
machine, says nothing about the flow. It becomes a suspect and is judged again
in the lane, a worker of its own beside the pool; a death there, the flow's
second in a row, is its own doing (a poison flow) and is charged to it. The
pool meanwhile goes on with every other flow.

The workers take the flows from one waiting line, each served first with
flows of the kind it judged last (`waiting_line.py`): Saxon runs a
stylesheet faster when it ran the same one just before.
"""

from __future__ import annotations

import ctypes
import itertools
import multiprocessing
import multiprocessing.connection
import os
import pickle
import queue
import signal
import sys
import threading
import time
from collections import deque
from concurrent.futures import Future
from contextlib import contextmanager
from typing import Callable, Iterator

from facteur.adapters import configuration
from facteur.adapters.cpu import cpu_limited
from facteur.adapters.errors import WorkerDied
from facteur.adapters.waiting_line import EMPTY, WaitingLine, kind
from facteur.adapters.ledgers import annuaire, open_ledger
from facteur.engine import config as config_module
from facteur.engine import pipeline
from facteur.engine.model import Flow, Outcome
from facteur.engine.runtime import logs
from facteur.engine.runtime.service import RETRY_DELAYS, Compute

POOL_NAME = "facteur-pool"  # the process name `ps -o comm`, `top` and `pgrep` show for a pool worker
LANE_NAME = "facteur-alone"  # ... and for the worker that judges suspects alone

# Files from which `facteur process` judges in a pool. Each worker costs some 2 s of CPU to start
# (interpreter, imports, a compile per syntax), and every flow ~4 ms more than in-process (its bytes
# and outcome over a pipe, the coordinator's threads): the pool pays only when the files are many
# and a core is idle. Measured on 2 cores (bench/process_folder.py): slower at 50 and 100 files.
POOL_MIN_FILES = 200
# Flows handed to a pool worker before its first answer: the one it judges and the next. Without the
# next one waiting, a worker idled between flows until the engine's process (its intake, ledger and disk
# syncs on two cores) took its answer and sent it another: on 2 cores, 2 workers then judged no faster
# than 1 (bench/latency.py).
PIPELINED = 2

log = logs.get("facteur.workers")
_context: pipeline.Context | None = None
_process: Callable[[Flow, pipeline.Context], Outcome] = pipeline.process


def _start_worker(config_path: str, root: str, open_directory: bool, language: str, name: str) -> None:
    global _context, _process
    _die_with_parent()
    _name_process(name)
    config = configuration.load(config_path, root).in_language(language)  # --lang, over [ui] language
    if open_directory:
        config = config.with_open_directory()
    ledger = open_ledger(config, readonly=True)
    _context = configuration.context(config, ledger.known_invoice,
                                     annuaire=annuaire(ledger, config.directory_refresh_seconds))
    _process = cpu_limited(config.limits.max_flow_cpu_seconds, pipeline.process)


def _die_with_parent() -> None:
    """Exit as soon as the engine is gone, whatever killed it (SIGKILL included),
    even in the middle of a flow: a worker left behind would hold its memory
    and a ledger connection, judging for nobody (an idle one also ends, when
    its pipe closes).

    multiprocessing hands every spawned child a sentinel, the read end of a
    pipe whose write end only the parent holds: the kernel closes it when the
    parent dies, and a thread waiting on it wakes at once, even while the main
    thread is deep in a document. It needs no polling (unlike a watch of
    os.getppid()) and no Linux-only call (prctl PR_SET_PDEATHSIG, which is tied
    to the parent *thread* that started the child, and misses a parent that
    died before the child made the call). The worker holds nothing that needs
    a goodbye: it writes nothing, and its read-only ledger connection ends with
    the process."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        multiprocessing.connection.wait([parent.sentinel])
        os._exit(1)

    threading.Thread(target=watch, name="facteur-parent-watch", daemon=True).start()


def _name_process(name: str) -> None:
    """The name the process lists show instead of `python3`, so an operator
    tells pool workers from the engine (Linux only; elsewhere they keep theirs)."""
    if sys.platform.startswith("linux"):
        PR_SET_NAME = 15
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_NAME, name.encode()[:15], 0, 0, 0)


def _judge(flow: Flow) -> Outcome:
    """The pipeline, within the CPU time `[limits] max_flow_cpu_seconds` allows
    a flow (adapters/cpu.py)."""
    return _process(flow, _context)


@contextmanager
def for_files(config: config_module.Config, files: int) -> Iterator[Compute | None]:
    """For `facteur process` on `files` files: a pool's way to judge a flow
    (one worker per core, or `[intake] workers`), shut down after; None when
    the files are too few to pay for it, or one process is all there is."""
    workers = config.workers or os.cpu_count() or 1
    if files < POOL_MIN_FILES or workers < 2:
        yield None
        return
    pool = WorkerPool(config, workers)
    try:
        yield pool.submit
    finally:
        pool.shutdown()


class WorkerPool:
    """`workers` processes judge the flows, one flow each at a time; one more,
    started at the first need, judges the suspects (`_lane`).

    A poison flow cannot starve the others: its death in the pool costs one
    worker one restart, and from then on it is judged only in the lane while
    the pool goes on with every other flow; each of its runs there ends with
    its worker's death, and it has three before the service rejects it. Only
    the suspects waiting in the lane behind it wait, and only for those runs.
    (A flow that neither ends nor dies would hold one worker, in the pool or in
    the lane, for ever: `[limits] max_flow_cpu_seconds` turns it into a poison
    flow.) A worker that dies while it starts, before it holds a flow, is
    replaced without charging anyone."""

    def __init__(self, config: config_module.Config, workers: int,
                 observe: Callable[[float], None] = lambda seconds: None):
        """`observe(seconds)` is told how long each judgement took in its worker (`adapters/metrics.py`)."""
        self.config = config
        self.observe = observe
        self.workers = workers
        self._lock = threading.Lock()
        self._suspects: set[str] = set()  # flow ids judged in the lane until they come out of it alive
        self._waiting = WaitingLine()
        self._lane = WaitingLine()
        self._closing = threading.Event()
        self._threads = [self._thread(self._waiting, POOL_NAME, self._died_in_pool, PIPELINED) for _ in range(workers)]
        self._threads.append(self._thread(self._lane, LANE_NAME, self._died_alone, 1))

    def submit(self, flow: Flow) -> "Future[Outcome]":
        """The outcome of a flow; a failure in it is the flow's own (an exception
        of the pipeline, or `WorkerDied`), never a neighbour's death."""
        result: Future = Future()
        with self._lock:
            suspect = flow.id in self._suspects
        (self._lane if suspect else self._waiting).put((flow, result))
        return result

    def shutdown(self) -> None:
        """Flows still waiting are cancelled (the service settles every flow
        before it stops, so there are some only when it stops on an error)."""
        self._closing.set()
        for _ in range(self.workers):
            self._waiting.put(None)
        self._lane.put(None)
        for thread in self._threads:
            thread.join()

    def _thread(self, waiting: WaitingLine, name: str, died: Callable[[Flow, Future], None],
                depth: int) -> threading.Thread:
        thread = threading.Thread(target=self._serve, args=(waiting, name, died, depth), name=name, daemon=True)
        thread.start()
        return thread

    def _serve(self, waiting: WaitingLine, name: str, died: Callable[[Flow, Future], None], depth: int) -> None:
        """Hands the flows of `waiting` to one worker process, started at the
        first, `depth` of them in its pipe at most, those of the kind it took
        last first (`waiting_line.py`); answers come in the order the flows
        were sent. `held` are the flows sent and not answered; `again`, those
        a dead worker left unjudged, sent first to the next."""
        worker: _Worker | None = None
        held: deque[tuple[Flow, Future]] = deque()
        again: deque[tuple[Flow, Future]] = deque()
        ending = False
        last: bytes | None = None  # the kind of the flow taken last
        while True:
            while len(held) < depth and (again or not ending):
                item = again.popleft() if again else waiting.get(last, wait=not held)
                if item is EMPTY:
                    break
                if item is None:
                    ending = True
                    break
                if not self._closing.is_set():
                    worker = worker or self._started(name)
                if self._closing.is_set() or worker is None:
                    item[1].cancel()
                    continue
                held.append(item)
                last = kind(item[0].content)
                try:
                    worker.send(item[0])
                except OSError:  # the worker died holding the oldest of `held`
                    _lost(worker, held, again, died)
                    worker = None
            if not held:
                if ending and not again:
                    break
                continue
            try:
                judged, value, seconds = worker.receive()
            except (EOFError, OSError):
                _lost(worker, held, again, died)
                worker = None
                continue
            flow, result = held.popleft()
            self.observe(seconds)
            with self._lock:
                self._suspects.discard(flow.id)
            if judged:
                result.set_result(value)
            else:
                result.set_exception(value)
        if worker is not None:
            worker.close()

    def _died_in_pool(self, flow: Flow, result: Future) -> None:
        log.warning("a pool worker died; this flow, not charged for it, is judged again alone",
                    flow_id=flow.id, flow_name=flow.name)
        with self._lock:
            self._suspects.add(flow.id)
        self._lane.put((flow, result))

    def _died_alone(self, flow: Flow, result: Future) -> None:
        log.error("the worker judging this flow alone died; the flow is charged an attempt",
                  flow_id=flow.id, flow_name=flow.name)
        result.set_exception(WorkerDied())

    def _started(self, name: str) -> "_Worker | None":
        """A started worker, waiting for a flow; None once the pool closes."""
        for attempt in itertools.count():
            if self._closing.is_set():
                return None
            worker = _Worker(self.config, name)
            if worker.ready():
                return worker
            delay = RETRY_DELAYS[min(attempt, len(RETRY_DELAYS) - 1)]
            log.error("a worker process could not start; trying again", worker=name, retry_in_seconds=delay)
            self._closing.wait(delay)
        return None


class _Worker:
    """One process judging one flow at a time over a pipe of its own, so that
    a death is known, and charged, flow by flow. The parent keeps only its end
    of the pipe: when the process dies, even halfway through sending a result,
    the parent's read ends at once (EOFError). concurrent.futures' pool shares
    one result queue whose write end the parent also holds; a worker killed
    while writing to it leaves that pool waiting for ever (Python 3.11)."""

    def __init__(self, config: config_module.Config, name: str):
        context = multiprocessing.get_context("spawn")
        self._connection, child = context.Pipe()
        self._process = context.Process(
            target=_work,
            args=(child, str(config.path), str(config.root), config.open_directory, config.language, name),
            name=name,
            daemon=True,
        )
        self._process.start()
        child.close()

    def ready(self) -> bool:
        try:
            return self._connection.recv() is True
        except (EOFError, OSError):  # killed while starting, or cannot start (its ledger away)
            self.close()
            return False

    def send(self, flow: Flow) -> None:
        self._connection.send(flow)

    def receive(self) -> tuple[bool, Outcome | Exception, float]:
        """The answer for the oldest flow sent: judged or failed, and the seconds its judgement took."""
        return self._connection.recv()

    def close(self) -> None:
        """Closing the pipe ends an idle worker; a dead one is reaped."""
        self._connection.close()
        self._process.join(CLOSE_SECONDS)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()


CLOSE_SECONDS = 10.0


def _lost(worker: _Worker, held: deque, again: deque, died: Callable[[Flow, Future], None]) -> None:
    """A dead worker: the flow it was judging, the oldest unanswered, is told
    `died`; the ones sent behind it wait in `again` for the next worker, uncharged."""
    worker.close()
    died(*held.popleft())
    again.extendleft(reversed(held))
    held.clear()


def _read_ahead(connection) -> queue.Queue:
    """The flows that come down the pipe, read by a thread of their own as
    they come, then None once the pipe closes. The engine sends the next flow
    while this process judges one: left unread, a large one would block the
    engine's send while this process blocks sending its answer to an engine
    that does not read yet."""
    flows: queue.Queue = queue.Queue()

    def read() -> None:
        while True:
            try:
                flows.put(connection.recv())
            except (EOFError, OSError):
                flows.put(None)
                return

    threading.Thread(target=read, name="facteur-read-ahead", daemon=True).start()
    return flows


def _work(connection, config_path: str, root: str, open_directory: bool, language: str, name: str) -> None:
    """A worker process: judges what comes down its pipe until the pipe closes.
    Stop signals are the engine's to act on (a terminal's Ctrl-C or a service
    manager reaches every process of the group): the engine finishes the flows
    in flight, then closes the pipes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    _start_worker(config_path, root, open_directory, language, name)
    connection.send(True)
    flows = _read_ahead(connection)
    while (flow := flows.get()) is not None:
        started = time.perf_counter()
        try:
            judged, value = True, _judge(flow)
        except Exception as err:  # the pipeline's own failure, charged by the service
            judged, value = False, err
        seconds = time.perf_counter() - started
        try:
            connection.send((judged, value, seconds))
        except (pickle.PicklingError, TypeError, AttributeError) as err:  # an exception that cannot cross
            connection.send((False, RuntimeError(f"{value!r} (not transmissible: {err})"), seconds))
