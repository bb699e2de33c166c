"""The CPU time limit per flow (adapters/cpu.py) ends a flow that computes too
long, and leaves out the one-time work a process does inside its first flows
(a rule set compiled, a schema read: engine/preparing.py): on a slow machine
that work alone passes the limit, and a worker started afresh for a flow
judged alone would die of it every time. Each case runs in a process of its
own, since the limit is the kernel's SIGXCPU."""

from __future__ import annotations

import signal
import subprocess
import sys

from helpers import REPO

PROGRAM = """
import time
from facteur.adapters.cpu import cpu_limited
from facteur.engine import preparing

def burn(seconds):
    started = time.process_time()
    while time.process_time() - started < seconds:
        pass

def flow(prepared):
    if prepared:
        with preparing.once():
            burn(2.6)
    else:
        burn(2.6)
    burn(0.2)
    return "judged"

print(cpu_limited(1, flow)({prepared}))
"""


def test_one_time_work_is_not_charged_to_the_flow_but_computing_is():
    runs = {prepared: subprocess.Popen([sys.executable, "-c", PROGRAM.format(prepared=prepared)], cwd=REPO,
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            for prepared in (True, False)}
    outcomes = {prepared: (run.communicate(timeout=60)[0], run.returncode) for prepared, run in runs.items()}
    assert outcomes[True] == (b"judged\n", 0)
    assert outcomes[False][1] == -signal.SIGXCPU
