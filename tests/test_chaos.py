"""The short form of the chaos script (bench/chaos.py --short), one fault a
test: SIGKILL, ledger lock, full disk, broker restart on a private node, pool
workers killed, copies of a flow in flight, names of arbitrary bytes,
conflicting statuses to two workers, each in one run on a real engine; after
each, every flow with exactly one outcome reported, nothing delivered or
published twice, and the ledger agreeing with the reports and the mailboxes.
The long form gives the figures of docs/RELIABILITY.md."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from helpers import REPO, Spec, ubl

from bench.chaos import FAULTS

# Flows per run: fewer than the script's 40, for a run costs mostly its engine's
# start and its fault; enough that each fault strikes with flows in flight.
FLOWS = 24


def failures(report: dict) -> str:
    """Each run that was not clean, with what went wrong, flow by flow."""
    lines = []
    for run in report["runs"]:
        counts = {k: run[k] for k in ("lost", "duplicated", "contradictions", "half_written", "left_in_inbox") if run[k]}
        if counts:
            lines.append(f"run {run['run']} {run['fault']} ({run['flows']} flows): {counts}; {'; '.join(run['notes'])}")
            lines += [f"    {problem}" for problem in run["problems"]]
    return "\n".join(lines)


@pytest.mark.system
@pytest.mark.parametrize("fault", FAULTS)
def test_short_chaos_loses_duplicates_and_contradicts_nothing(fault):
    """One fault a test, so that the runs share the test workers."""
    run = subprocess.run([sys.executable, str(REPO / "bench" / "chaos.py"), "--short", "--faults", fault,
                          "--flows", str(FLOWS), "--json"], capture_output=True, timeout=900, cwd=REPO)
    assert run.stdout, run.stderr.decode()[-3000:]
    report = json.loads(run.stdout)
    summary = report["summary"]
    if fault in summary["skipped_faults"]:
        pytest.skip(f"SKIPPED chaos fault {fault}: {summary['skipped_faults'][fault]}")
    assert summary["runs"] == 1
    assert run.returncode == 0, failures(report) + "\n" + json.dumps(summary["faults"], indent=1)
    assert (summary["lost"], summary["duplicated"], summary["contradictions"], summary["half_written"],
            summary["left_in_inbox"]) == (0, 0, 0, 0, 0)
    assert summary["flows"] >= FLOWS // 3  # copies: a third of them, each sent three times


def test_the_checker_names_each_lost_or_contradicted_flow(hub):
    """The checker itself, on a real root: clean after `facteur process`, then a
    pivot removed and a report overwritten by another flow's are found, each
    flow once, and a copy of a flow under another name is the same flow."""
    from bench.chaos_check import LedgerView, Sent, check

    made = {f"chk-{n}.xml": ubl(Spec(f"CHK-{n}", buyer_siret=buyer)) for n, buyer in
            enumerate(("21750001600019", "21750001600019", "12345678900017"))}
    code, _ = hub.process(*(hub.drop(name, content) for name, content in made.items()))
    assert code in (0, 1), hub.err
    sent = [Sent("DEMO01", name, content, b"12345678900017" not in content) for name, content in made.items()]
    sent.append(Sent("DEMO01", "copie.xml", made["chk-0.xml"], True))
    ledger = LedgerView(hub.root)
    clean = check(hub.root, sent, ledger)
    assert (clean.lost, clean.duplicated, clean.contradictions) == (0, 0, 0), clean.problems

    first, second, refused = (s.flow_id for s in sent[:3])
    reports = hub.root / "outbox" / "DEMO01"
    (reports / f"{first}.flux.statut.xml").write_bytes((reports / f"{refused}.flux.statut.xml").read_bytes())
    (hub.root / "outbox" / "VILLEDEM" / f"{second}-001.pivot.xml").unlink()
    found = check(hub.root, sent, ledger)
    assert (found.lost, found.duplicated, found.contradictions) == (1, 0, 2), found.problems
    assert any(first in p and "says 93, the ledger 90" in p for p in found.problems), found.problems
    assert any(second in p and "no pivot delivered" in p for p in found.problems), found.problems


def test_a_private_broker_that_cannot_start_says_why(tmp_path, monkeypatch):
    import bench.private_broker as private

    monkeypatch.setattr(private, "SCRIPTS", tmp_path)
    with pytest.raises(private.BrokerUnavailable) as refused:
        private.PrivateBroker()
    assert str(tmp_path / "rabbitmq-server") in str(refused.value)
    assert "FACTEUR_RABBITMQ_SCRIPTS" in str(refused.value)
