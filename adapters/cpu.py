"""A CPU time limit per flow (`[limits] max_flow_cpu_seconds`) for a process
that runs the pipeline: a pool worker of `facteur run`, or `facteur worker`.

Past the limit the kernel ends the process (SIGXCPU), which makes a runaway
flow a poison flow like any other that kills its process: judged again alone,
then rejected with its report. CPU time, not wall time, so that a busy machine
does not count against a flow. The limit is the process's (RLIMIT_CPU), so it
is set afresh before each flow, to what the process has used plus the allowance.

Work the process does once, inside the first flow that needs it (a rule set
compiled, a schema read: engine/preparing.py), is not the flow's: the limit is
lifted while it runs, then given back with what it took added.
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
        resource.setrlimit(resource.RLIMIT_CPU, (_capped(math.ceil(_used() + seconds), hard), hard))
        try:
            return work(*args)
        finally:
            resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))

    return limited


@contextmanager
def _not_counted() -> Iterator[None]:
    """The limit lifted for one-time work, then set again with the seconds it took added."""
    soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if soft == resource.RLIM_INFINITY:
        yield
        return
    before = _used()
    resource.setrlimit(resource.RLIMIT_CPU, (hard, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_CPU, (_capped(soft + math.ceil(_used() - before), hard), hard))


def _used() -> float:
    used = resource.getrusage(resource.RUSAGE_SELF)
    return used.ru_utime + used.ru_stime


def _capped(seconds: int, hard: int) -> int:
    return seconds if hard == resource.RLIM_INFINITY else min(seconds, hard)
