"""Work a process does once, inside the first flow that needs it: a rule set
compiled, a schema read. A limit on each flow's CPU time (`[limits]
max_flow_cpu_seconds`, adapters/cpu.py) must not charge that work to the flow:
on a slow machine the UBL stylesheet alone compiles in more than a second, and
a worker started afresh to judge a flow alone would die of it every time,
rejecting a good invoice as a poison. The process that limits flows says how
that work is left out (`leave_out_with`); by default nothing is done."""

from __future__ import annotations

import contextlib
from typing import Callable, ContextManager

_left_out: Callable[[], ContextManager[None]] = contextlib.nullcontext


def leave_out_with(around: Callable[[], ContextManager[None]]) -> None:
    """What the process wraps one-time work in (its CPU limit lifted, then given back)."""
    global _left_out
    _left_out = around


def once() -> ContextManager[None]:
    """Around one-time work done inside a flow."""
    return _left_out()
