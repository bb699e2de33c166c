"""The pool of worker processes that run the pure pipeline for `facteur run`.

Each worker builds its own context once (directory, rule sets compiled and
warmed, its own view of the ledger for duplicate look-ups) and then judges
flows; it writes nothing. A worker that dies (killed, out of memory) breaks a
`ProcessPoolExecutor`; the pool is then rebuilt and the flow offered again.
"""

from __future__ import annotations

import multiprocessing
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from facteur.engine import config as config_module
from facteur.engine import pipeline
from facteur.engine.model import Flow, Outcome

from .ledgers import open_ledger

_context: pipeline.Context | None = None


def _start_worker(config_path: str, root: str, open_directory: bool) -> None:
    global _context
    config = config_module.load(config_path, root)
    if open_directory:
        config = config.with_open_directory()
    ledger = open_ledger(config, readonly=True)
    _context = pipeline.Context.from_config(config, ledger.known_invoice)


def _judge(flow: Flow) -> Outcome:
    return pipeline.process(flow, _context)


class WorkerPool:
    def __init__(self, config: config_module.Config, workers: int):
        self.config = config
        self.workers = workers
        self._lock = threading.Lock()
        self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=(str(self.config.path), str(self.config.root), self.config.open_directory),
        )

    def submit(self, flow: Flow) -> "Future[Outcome]":
        with self._lock:
            try:
                return self._pool.submit(_judge, flow)
            except BrokenProcessPool:
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = self._new_pool()
                return self._pool.submit(_judge, flow)

    def shutdown(self) -> None:
        with self._lock:
            self._pool.shutdown(wait=True, cancel_futures=True)
