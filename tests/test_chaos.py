"""The short form of the chaos script (bench/chaos.py --short): one run per
fault (SIGKILL, ledger lock, full disk, broker restart) on a real `facteur run`
and, after each, nothing lost, duplicated or half-written, and the ledger in
agreement with the mailboxes. The long form gives the figures of
docs/RELIABILITY.md."""

from __future__ import annotations

import json
import subprocess
import sys

from helpers import REPO


def test_short_chaos_loses_and_duplicates_nothing():
    run = subprocess.run([sys.executable, str(REPO / "bench" / "chaos.py"), "--short", "--json"],
                         capture_output=True, timeout=900, cwd=REPO)
    report = json.loads(run.stdout)
    summary = report["summary"]
    for fault, why in summary["skipped_faults"].items():
        print(f"SKIPPED chaos fault {fault}: {why}")
    assert run.returncode == 0, json.dumps(report["runs"], indent=2)
    assert summary["runs"] == 4 - len(summary["skipped_faults"]) and summary["runs"] >= 2
    assert (summary["lost"], summary["duplicated"], summary["half_written"], summary["left_in_inbox"],
            summary["ledger_mismatches"]) == (0, 0, 0, 0, 0)
    assert summary["flows"] == 40 * summary["runs"]
