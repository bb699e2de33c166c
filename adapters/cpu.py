"""A CPU time limit per flow (`[limits] max_flow_cpu_seconds`) for a process
that runs the pipeline: a pool worker of `facteur run`, or `facteur worker`.

Past the limit the kernel ends the process (SIGXCPU), which makes a runaway
flow a poison flow like any other that kills its process: judged again alone,
then rejected with its report. CPU time, not wall time, so that a busy machine
does not count against a flow. The limit is the process's (RLIMIT_CPU), so it
is set afresh before each flow, to what the process has used plus the allowance.
"""

from __future__ import annotations

import math
import resource
from typing import Callable, TypeVar

T = TypeVar("T")


def cpu_limited(seconds: float, work: Callable[..., T]) -> Callable[..., T]:
    """`work`, each call of it allowed `seconds` of CPU time (0: no limit)."""
    if not seconds:
        return work
    # a process ended for a flow's CPU time is no crash to debug: no core file
    resource.setrlimit(resource.RLIMIT_CORE, (0, resource.getrlimit(resource.RLIMIT_CORE)[1]))

    def limited(*args) -> T:
        used = resource.getrusage(resource.RUSAGE_SELF)
        soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
        allowed = math.ceil(used.ru_utime + used.ru_stime + seconds)
        resource.setrlimit(resource.RLIMIT_CPU, (allowed if hard == resource.RLIM_INFINITY else min(allowed, hard), hard))
        try:
            return work(*args)
        finally:
            resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))

    return limited
