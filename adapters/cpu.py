"""A CPU time limit per flow (`[limits] max_flow_cpu_seconds`) for a process
that runs the pipeline: a pool worker of `facteur run`, or `facteur worker`.

Past the limit the kernel ends the process (SIGXCPU), which makes a runaway
flow a poison flow like any other that kills its process: judged again alone,
then rejected with its report. CPU time, not wall time, so that a busy machine
does not count against a flow. The limit is the process's (RLIMIT_CPU), so it
is set afresh before each flow, to what the process has used plus the allowance.

Work the process does once, inside the first flow that needs it (a rule set
compiled, a schema read: engine/preparing.py), is not the flow's: the limit is
lifted while it runs, then set again from the flow's start, its allowance and
all such work of the flow so far. The kernel counts whole seconds, so the
limit is rounded up once, over that sum: rounding each piece of work up on its
own gave a flow up to a second more per piece (a worker's first flow reads a
schema and compiles a rule set), enough for a runaway document to pass on a
fast machine.
"""

from __future__ import annotations

import math
import resource
from contextlib import contextmanager
from typing import Callable, Iterator, TypeVar

from facteur.engine import preparing

T = TypeVar("T")


def cpu_limited(seconds: float, work: Callable[..., T]) -> Callable[..., T]:
    """`work`, each call of it allowed `seconds` of CPU time (0: no limit)."""
    if not seconds:
        return work
    # a process ended for a flow's CPU time is no crash to debug: no core file
    resource.setrlimit(resource.RLIMIT_CORE, (0, resource.getrlimit(resource.RLIMIT_CORE)[1]))
    preparing.leave_out_with(_not_counted)

    def limited(*args) -> T:
        soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
        _allowed.start, _allowed.seconds, _allowed.left_out = _used(), seconds, 0.0
        resource.setrlimit(resource.RLIMIT_CPU, (_allowed.limit(hard), hard))
        try:
            return work(*args)
        finally:
            _allowed.seconds = 0.0
            resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))

    return limited


class _Allowance:
    """The flow being judged: the process's CPU time when it began, its
    allowance, and the one-time work done inside it so far (seconds)."""

    start = seconds = left_out = 0.0

    def limit(self, hard: int) -> int:
        """The process's limit that gives the flow its allowance, in the whole seconds the kernel counts."""
        return _capped(math.ceil(self.start + self.seconds + self.left_out), hard)


_allowed = _Allowance()


@contextmanager
def _not_counted() -> Iterator[None]:
    """The limit lifted for one-time work, then set again with the seconds it took left out."""
    if not _allowed.seconds:
        yield
        return
    hard = resource.getrlimit(resource.RLIMIT_CPU)[1]
    before = _used()
    resource.setrlimit(resource.RLIMIT_CPU, (hard, hard))
    try:
        yield
    finally:
        _allowed.left_out += _used() - before
        resource.setrlimit(resource.RLIMIT_CPU, (_allowed.limit(hard), hard))


def _used() -> float:
    used = resource.getrusage(resource.RUSAGE_SELF)
    return used.ru_utime + used.ru_stime


def _capped(seconds: int, hard: int) -> int:
    return seconds if hard == resource.RLIM_INFINITY else min(seconds, hard)
