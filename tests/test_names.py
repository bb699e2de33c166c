"""Names as data: any bytes kept, shown escaped, never able to stop a stage."""

from __future__ import annotations

import io
import json
import os
import tarfile
import zipfile
from datetime import datetime, timezone
from pathlib import Path

import pytest
from helpers import Spec, blocking_codes, only_flow, ubl
from lxml import etree

from facteur.engine.inputs import names
from facteur.engine.model import Finding, Flow, Severity
from facteur.engine.outputs import status


@pytest.mark.parametrize(
    "received, shown, raw",
    [
        ("facture.xml", "facture.xml", b"facture.xml"),
        ("Facture n° 12 été.xml", "Facture n° 12 été.xml", "Facture n° 12 été.xml".encode()),
        (b"f\xff\xfe.xml", "f\\xff\\xfe.xml", b"f\xff\xfe.xml"),
        (os.fsdecode(b"f\xe9.xml"), "f\\xe9.xml", b"f\xe9.xml"),  # Latin-1 from an SMB client
        ("a\x01\x1b[31mb", "a\\x01\\x1b[31mb", b"a\x01\x1b[31mb"),
        (b"nul\x00name", "nul\\x00name", b"nul\x00name"),
        ("tab\tnew\nline\x7f", "tab\\x09new\\x0aline\\x7f", b"tab\tnew\nline\x7f"),
        ("bidi\u202egpj.exe", "bidi\\u202egpj.exe", "bidi\u202egpj.exe".encode()),
        ("zero\u200bwidth\u0085", "zero\\u200bwidth\\u0085", "zero\u200bwidth\u0085".encode()),
        ("\U000e0041tag", "\\U000e0041tag", "\U000e0041tag".encode()),
        ("\ud800lone", "\\xed\\xa0\\x80lone", b"\xed\xa0\x80lone"),
    ],
)
def test_a_name_is_kept_as_bytes_and_shown_escaped(received, shown, raw):
    assert names.received(received) == (shown, raw)


def test_an_escaped_byte_is_never_taken_for_a_character():
    """\\xNN of 80 or above is a byte that is not UTF-8; a character above
    ASCII is always \\uNNNN."""
    assert names.shown(b"\x85") == "\\x85" and names.shown("\x85") == "\\u0085"


def test_every_byte_gives_a_name_that_xml_and_sql_text_take():
    every_byte = bytes(range(256))
    shown = names.shown(every_byte)
    assert shown.isprintable()
    element = etree.Element("n")
    element.text = shown
    element.set("a", shown)
    assert etree.fromstring(etree.tostring(element)).text == shown
    shown.encode("utf-8")  # no surrogate left


def test_a_report_can_always_name_the_file():
    name = names.shown(b"\x01\xff\x00\x1b.xml")
    report = status.flow_status_xml(
        flow_id="f", code="93", hub_id="HUB", recipient="DEMO01", produced_at=datetime.now(timezone.utc),
        errors=[(name, Finding("X", Severity.BLOCKING, f"{name} refusé", name))],
    )
    assert b"\\x01\\xff\\x00\\x1b.xml" in report


def test_the_name_is_not_part_of_the_flow_id():
    moment = datetime.now(timezone.utc)
    plain = Flow(b"<x/>", "DEMO01", "a.xml", moment)
    odd = Flow(b"<x/>", "DEMO01", names.shown(b"\xff"), moment, name_raw=b"\xff")
    assert plain.id == odd.id
    assert Flow(b"<x/>", "DEMO01", "a.xml", moment, refused="FCT-INBOX-HARDLINK").id != plain.id


def _odd_path(folder: Path, name: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return Path(os.fsdecode(os.path.join(os.fsencode(folder), name)))


def test_process_keeps_the_bytes_of_a_name_and_flows_show_gives_them(hub):
    path = _odd_path(hub.root / "drop", b"f\xff\x01.xml")
    path.write_bytes(ubl(Spec("ODD-NAME", lines=1)))
    _, result = hub.process(path)
    flow = only_flow(result)
    assert (flow["name"], flow["status"]) == ("f\\xff\\x01.xml", "90")
    _, out = hub.run("flows", "show", flow["flow_id"], "--json")
    assert json.loads(out)["name_raw"] == b"f\xff\x01.xml".hex()
    _, out = hub.run("flows", "show", flow["flow_id"])
    assert "nom tel que reçu (hex) : " + b"f\xff\x01.xml".hex() in out


def test_lot_member_names_of_any_bytes_reach_the_report_escaped(hub):
    members = io.BytesIO()
    with tarfile.open(fileobj=members, mode="w") as tar:
        content = ubl(Spec("LOT-ODD", lines=1))
        info = tarfile.TarInfo(os.fsdecode(b"membre-\xff.xml"))
        info.size = len(content)
        tar.addfile(info, io.BytesIO(content))
    odd_tar = hub.drop("odd.tar", members.getvalue())
    bad = io.BytesIO()
    with zipfile.ZipFile(bad, "w") as archive:
        archive.writestr("a\x01\u202e.xml", ubl(Spec("LOT-CTRL", lines=1)))
    ctrl_zip = hub.drop("ctrl.zip", bad.getvalue())
    _, result = hub.process(odd_tar, ctrl_zip)
    tar_flow, zip_flow = result["flows"]
    assert tar_flow["status"] == "90" and tar_flow["findings"] == []
    assert blocking_codes(zip_flow) == ["FCT-LOT-PATH"]
    [finding] = zip_flow["findings"]
    assert finding["location"] == "a\\x01\\u202e.xml"
    report = (hub.root / "outbox" / "DEMO01" / f"{zip_flow['flow_id']}.flux.statut.xml").read_text()
    assert "a\\x01\\u202e.xml" in report
