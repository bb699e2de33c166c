"""Several facteur processes writing one ledger at once, as workers on several
machines do: different flows carrying the same invoices race to deliver them,
and each invoice is delivered once, the other flows rejected as duplicates;
the same flow handled by all at once is recorded once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter

import pytest
from helpers import REPO, Spec, ledger_rows, ubl

pytestmark = pytest.mark.usefixtures("ledger_backend")

PROCESSES = 4
INVOICES = 25


def test_processes_racing_on_the_same_invoices_deliver_each_once(tmp_path):
    folders = []
    for process in range(PROCESSES):
        folder = tmp_path / "drop" / f"p{process}"
        folder.mkdir(parents=True)
        for number in range(INVOICES):
            # Other bytes in each process (the seed changes the lines), so each is a flow of its own.
            (folder / f"race-{number:02d}.xml").write_bytes(ubl(Spec(f"RACE-{number:02d}", seed=process, lines=1)))
            if number % 5 == 0:  # and the very same flow in every process, as when a message is redelivered
                (folder / f"same-{number:02d}.xml").write_bytes(ubl(Spec(f"SAME-{number:02d}", lines=1)))
        folders.append(folder)
    started = [
        subprocess.Popen(
            [sys.executable, "-m", "facteur.adapters.cli", "process", str(folder), "--sender", "DEMO01", "--json",
             "--root", str(tmp_path)],
            cwd=REPO, env={**os.environ, "FACTEUR_LOG_LEVEL": "warning"}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        for folder in folders
    ]
    results = []
    for process in started:
        out, err = process.communicate(timeout=240)
        assert process.returncode == 0, err.decode()
        results += json.loads(out)["flows"]

    raced = [flow for flow in results if flow["name"].startswith("race-")]
    accepted = Counter(flow["name"] for flow in raced if flow["status"] == "90")
    assert accepted == Counter({f"race-{number:02d}.xml": 1 for number in range(INVOICES)})
    duplicates = [flow for flow in raced if flow["status"] == "93"]
    assert len(duplicates) == (PROCESSES - 1) * INVOICES
    assert all({f["code"] for f in flow["findings"] if f["severity"] == "blocking"} == {"FCT-DUPLICATE-INVOICE"}
               for flow in duplicates)
    same = [flow for flow in results if flow["name"].startswith("same-")]
    assert {flow["status"] for flow in same} == {"90"} and len({flow["flow_id"] for flow in same}) == INVOICES // 5
    assert len(list((tmp_path / "outbox" / "VILLEDEM").glob("*.pivot.xml"))) == INVOICES + INVOICES // 5
    assert len(list((tmp_path / "outbox" / "DEMO01").glob("*.flux.statut.xml"))) == PROCESSES * INVOICES + INVOICES // 5
    assert ledger_rows(tmp_path, "SELECT count(*) FROM invoices WHERE accepted = 1") == [(INVOICES + INVOICES // 5,)]
    assert ledger_rows(tmp_path, "SELECT count(*) FROM events WHERE code = '01'") == [(INVOICES + INVOICES // 5,)]
