"""The pool of worker processes that run the pure pipeline for `facteur run`,
and for `facteur process` on enough files to pay for starting them (`for_files`).

Each worker builds its own context once (directory, rule sets compiled and
warmed, its own view of the ledger for duplicate look-ups) and then judges
flows; it writes nothing, so it may die at any moment without harm, and it
dies with its engine.

Each worker judges one flow at a time, so a worker's death concerns the one
flow it held, and no other. That flow is not charged for it: a process killed
by an operator, or by the kernel's OOM killer short of memory for the whole
machine, says nothing about the flow. It becomes a suspect and is judged again
in the lane, a worker of its own beside the pool; a death there, the flow's
second in a row, is its own doing (a poison flow) and is charged to it. The
pool meanwhile goes on with every other flow.
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
from concurrent.futures import Future
from contextlib import contextmanager
from typing import Callable, Iterator

from facteur.adapters import configuration
from facteur.adapters.cpu import cpu_limited
from facteur.adapters.errors import WorkerDied
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
                 timed: Callable[[Callable], Callable] = lambda work: work):
        """`timed(work)` wraps each worker's judgement to measure it (`adapters/metrics.py`)."""
        self.config = config
        self.timed = timed
        self.workers = workers
        self._lock = threading.Lock()
        self._suspects: set[str] = set()  # flow ids judged in the lane until they come out of it alive
        self._waiting: queue.Queue = queue.Queue()
        self._lane: queue.Queue = queue.Queue()
        self._closing = threading.Event()
        self._threads = [self._thread(self._waiting, POOL_NAME, self._died_in_pool) for _ in range(workers)]
        self._threads.append(self._thread(self._lane, LANE_NAME, self._died_alone))

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

    def _thread(self, waiting: queue.Queue, name: str, died: Callable[[Flow, Future], None]) -> threading.Thread:
        thread = threading.Thread(target=self._serve, args=(waiting, name, died), name=name, daemon=True)
        thread.start()
        return thread

    def _serve(self, waiting: queue.Queue, name: str, died: Callable[[Flow, Future], None]) -> None:
        """Hands the flows of `waiting` to one worker process, started at the first."""
        worker = None
        while (item := waiting.get()) is not None:
            flow, result = item
            if not self._closing.is_set():
                worker = worker or self._started(name)
            if self._closing.is_set() or worker is None:
                result.cancel()
                continue
            try:
                judged, value = self.timed(worker.judge)(flow)
            except (EOFError, OSError):  # the worker died holding this flow
                worker.close()
                worker = None
                died(flow, result)
                continue
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

    def judge(self, flow: Flow) -> tuple[bool, Outcome | Exception]:
        self._connection.send(flow)
        return self._connection.recv()

    def close(self) -> None:
        """Closing the pipe ends an idle worker; a dead one is reaped."""
        self._connection.close()
        self._process.join(CLOSE_SECONDS)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()


CLOSE_SECONDS = 10.0


def _work(connection, config_path: str, root: str, open_directory: bool, language: str, name: str) -> None:
    """A worker process: judges what comes down its pipe until the pipe closes.
    Stop signals are the engine's to act on (a terminal's Ctrl-C or a service
    manager reaches every process of the group): the engine finishes the flows
    in flight, then closes the pipes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    _start_worker(config_path, root, open_directory, language, name)
    connection.send(True)
    while True:
        try:
            flow = connection.recv()
        except EOFError:
            return
        try:
            answer = (True, _judge(flow))
        except Exception as err:  # the pipeline's own failure, charged by the service
            answer = (False, err)
        try:
            connection.send(answer)
        except (pickle.PicklingError, TypeError, AttributeError) as err:  # an exception that cannot cross
            connection.send((False, RuntimeError(f"{answer[1]!r} (not transmissible: {err})")))
