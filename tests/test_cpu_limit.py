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

def flow(prepared, computed):
    for seconds in prepared:
        with preparing.once():
            burn(seconds)
    burn(computed)
    return "judged"

print(cpu_limited(1, flow)({prepared}, {computed}))
"""


def outcomes(**cases: tuple[list[float], float]) -> dict[str, tuple[bytes, int]]:
    """Each case's output and exit status: a flow allowed 1 s of CPU, which
    does one-time work of the seconds given, then computes for the seconds given."""
    runs = {name: subprocess.Popen([sys.executable, "-c", PROGRAM.format(prepared=prepared, computed=computed)],
                                   cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            for name, (prepared, computed) in cases.items()}
    return {name: (run.communicate(timeout=60)[0], run.returncode) for name, run in runs.items()}


def test_one_time_work_is_not_charged_to_the_flow_but_computing_is():
    ended = outcomes(prepared=([2.6], 0.2), computed=([], 2.8))
    assert ended["prepared"] == (b"judged\n", 0)
    assert ended["computed"][1] == -signal.SIGXCPU


def test_pieces_of_one_time_work_do_not_each_add_a_second_to_the_allowance():
    """The kernel counts whole seconds: rounded up once per piece of one-time
    work, three short ones gave the flow up to four seconds in all."""
    ended = outcomes(pieces=([0.05, 0.05, 0.05], 2.3))
    assert ended["pieces"][1] == -signal.SIGXCPU
