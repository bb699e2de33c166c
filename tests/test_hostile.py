"""Hostile input: every generated attack (bench/hostile.py) is rejected with a
clear finding, within 2 seconds of CPU and 200 MB, in one engine that goes on; and
names that come from outside never become paths or reach a partner as they are."""

from __future__ import annotations

import base64
import json
import signal
import subprocess
import sys

import pytest
from helpers import REPO, Spec, ubl
from lxml import etree

HOSTILE = REPO / "bench" / "hostile.py"


@pytest.mark.system
def test_every_hostile_input_is_rejected_cleanly_in_bounded_time_and_memory():
    # A process of its own: peak memory is measured per input, from a known state.
    run = subprocess.run([sys.executable, str(HOSTILE), "--json"], capture_output=True, timeout=600, cwd=REPO)
    assert run.returncode == 0, run.stderr.decode()[-3000:]
    report = json.loads(run.stdout)
    failed = [r for r in report["results"] if not r["passed"]]
    assert failed == [], json.dumps(failed, indent=2, ensure_ascii=False)
    assert report["summary"]["inputs"] >= 40
    by_name = {r["name"]: r for r in report["results"]}
    assert by_name["xxe-file.xml"]["codes"] == ["FCT-XML-DTD"] and not by_name["xxe-file.xml"]["leaked"]
    assert by_name["zip-total-bomb.zip"]["codes"] == ["FCT-LOT-TOO-BIG"]
    assert by_name["bom-utf8.xml"]["status"] == "90"


def test_names_from_outside_never_become_paths_or_reach_a_partner_raw(hub):
    names = ["facture\n2026.xml", "facture\u2215..\u2215etc\u202egpj.xml", "..\u2024xml", " -rf *.xml"]
    paths = [hub.drop(name, ubl(Spec(f"NAME-{n}"))) for n, name in enumerate(names)]
    code, result = hub.process(*paths)
    assert code == 0 and [f["status"] for f in result["flows"]] == ["90"] * len(names)
    written = sorted(p.relative_to(hub.root / "outbox") for p in (hub.root / "outbox").rglob("*") if p.is_file())
    flow_ids = {f["flow_id"] for f in result["flows"]}
    for path in written:
        assert path.parts[0] in ("DEMO01", "VILLEDEM") and len(path.parts) == 2
        assert path.name.split(".")[0].split("-")[0] in flow_ids, path
    for pivot in hub.pivots():
        attached = etree.parse(str(pivot)).getroot().find(".//PJ[TypePJ='01']")
        name = attached.findtext("NomPJ")
        assert name.isprintable() and "\n" not in name and "\u202e" not in name, name
        assert base64.b64decode(attached.findtext("Contenu")).startswith(b"<?xml")


@pytest.mark.system
def test_the_watcher_takes_oddly_named_files_and_the_engine_goes_on(tmp_path):
    from test_run import start, wait_for

    inbox = tmp_path / "inbox" / "DEMO01"
    inbox.mkdir(parents=True)
    odd = {"a\nb.xml": ubl(Spec("ODD-1")), "\u202etxt.xml": ubl(Spec("ODD-2")), "bomb.xml": b"<!DOCTYPE x [<!ENTITY a 'a'>]><x>&a;</x>"}
    for name, content in odd.items():
        (inbox / name).write_bytes(content)
    process = start(tmp_path)
    try:
        wait_for(lambda: len(list((tmp_path / "outbox" / "DEMO01").glob("*.flux.statut.xml"))) == len(odd), 60)
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=30)
    assert process.returncode == 0, err.decode()
    assert len(list((tmp_path / "outbox" / "VILLEDEM").glob("*.pivot.xml"))) == 2
    assert [p for p in inbox.rglob("*") if p.is_file()] == []
