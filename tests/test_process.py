"""`facteur process` end to end: pivots for recipients, CPPStatut reports for the
sender, the ledger and the archive, bad input, and repeated flows."""

from __future__ import annotations

import io
import json
import zipfile
from decimal import Decimal

import pytest
from conftest import assert_valid
from helpers import Hub, Spec, blocking_codes, cii, flow_status, only_flow, ubl
from lxml import etree

pytestmark = pytest.mark.usefixtures("ledger_backend")


def lot(**members: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_integrated_flow_gives_a_valid_pivot_and_reports_90_and_01(hub, pivot_schema, status_schema):
    spec = Spec("INT-1", lines=7)
    source = ubl(spec)
    code, result = hub.process(hub.drop("int.xml", source))
    flow = only_flow(result)
    assert code == 0 and flow["status"] == "90"

    [pivot] = hub.pivots()
    root = assert_valid(pivot_schema, pivot.read_bytes())
    source_root = etree.fromstring(source)
    ns = {"cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"}
    for pivot_field, source_path in (
        ("MontantHT", "//cbc:TaxExclusiveAmount"),
        ("MontantTTC", "//cbc:TaxInclusiveAmount"),
        ("MontantNetAPayer", "//cbc:PayableAmount"),
    ):
        assert Decimal(root.findtext(f".//Montants/{pivot_field}")) == Decimal(source_root.xpath(source_path, namespaces=ns)[0].text)
    assert len(root.findall(".//Ligne")) == 7
    original = root.find(".//PJ[TypePJ='01']")
    import base64

    assert base64.b64decode(original.findtext("Contenu")) == source

    status_files = hub.outbox("DEMO01")
    assert [p.name.split(".", 1)[1] for p in status_files] == ["factures.statut.xml", "flux.statut.xml"]
    for path in status_files:
        assert_valid(status_schema, path.read_bytes())
    assert flow_status(hub.root / "outbox" / "DEMO01" / f"{flow['flow_id']}.flux.statut.xml") == ("90", [])
    invoice_status = etree.parse(str(status_files[0])).getroot()
    assert invoice_status.findtext(".//IdStatut") == "01"
    assert invoice_status.findtext(".//IdFacture") == "INT-1"


def test_rejected_flow_reports_93_with_one_error_line_per_blocking_finding(hub, status_schema):
    code, result = hub.process(hub.drop("bad.xml", cii(Spec("REJ-1", buyer_siret="12345678900017"))))
    flow = only_flow(result)
    assert code == 0 and flow["status"] == "93"
    assert hub.process(hub.drop("bad.xml", b""), extra=("--strict",))[0] == 1
    report = hub.root / "outbox" / "DEMO01" / f"{flow['flow_id']}.flux.statut.xml"
    assert_valid(status_schema, report.read_bytes())
    assert flow_status(report) == ("93", ["FCT-RECIPIENT-UNKNOWN"])
    assert not (hub.root / "outbox" / "DEMO01" / f"{flow['flow_id']}.factures.statut.xml").exists()
    assert hub.pivots() == []


def test_partly_integrated_lot_reports_96(hub, status_schema):
    content = lot(
        **{
            "a.xml": ubl(Spec("LOT-1")),
            "b.xml": cii(Spec("LOT-2")),
            "c.xml": ubl(Spec("LOT-3", buyer_siret="11000201100044")),  # service code missing
        }
    )
    _, result = hub.process(hub.drop("lot.zip", content))
    flow = only_flow(result)
    assert (flow["status"], flow["documents"], flow["accepted"]) == ("96", 3, 2)
    report = hub.root / "outbox" / "DEMO01" / f"{flow['flow_id']}.flux.statut.xml"
    assert_valid(status_schema, report.read_bytes())
    assert flow_status(report) == ("96", ["FCT-SERVICE-MISSING"])
    line = etree.parse(str(report)).getroot().find(".//LigneErreurDetail")
    assert line.get("IdLigne") == "c.xml"
    assert len(hub.pivots()) == 2


def test_tar_gz_lot_is_unpacked_too(hub):
    import tarfile

    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, content in (("x.xml", ubl(Spec("TAR-1"))), ("y.xml", cii(Spec("TAR-2")))):
            info = tarfile.TarInfo(name)
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))
    _, result = hub.process(hub.drop("lot.tar.gz", buffer.getvalue()))
    assert only_flow(result)["accepted"] == 2


BAD_INPUTS = {
    "empty.xml": (b"", "FCT-EMPTY"),
    "not-xml.xml": (b"%!PS-Adobe-3.0 this is a postscript file\n", "FCT-FORMAT-UNKNOWN"),
    "truncated.xml": (ubl(Spec("TR-1"))[:-300], "FCT-XML-TRUNCATED"),
    "latin1.xml": ('<?xml version="1.0" encoding="UTF-8"?><Invoice>Société</Invoice>'.encode("latin-1"), "FCT-XML-ENCODING"),
    "bomb.xml": (
        b'<?xml version="1.0"?><!DOCTYPE b [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]><Invoice>&d;</Invoice>',
        "FCT-XML-DTD",
    ),
    "xxe.xml": (
        b'<?xml version="1.0"?><!DOCTYPE i [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">&x;</Invoice>',
        "FCT-XML-DTD",
    ),
    "other.xml": (b"<?xml version='1.0'?><order xmlns='urn:example'/>", "FCT-FORMAT-UNKNOWN"),
}


def test_bad_input_is_rejected_clearly_and_the_run_goes_on(hub):
    folder = hub.root / "drop"
    for name, (content, _) in BAD_INPUTS.items():
        hub.drop(name, content)
    hub.drop("huge.xml", b"<Invoice>" + b"x" * 25_000_000 + b"</Invoice>")
    hub.drop("zz-good.xml", ubl(Spec("GOOD-1")))
    code, result = hub.process(folder)
    by_name = {flow["name"]: flow for flow in result["flows"]}
    assert code == 0
    assert by_name["zz-good.xml"]["status"] == "90"
    for name, (_, expected) in BAD_INPUTS.items():
        assert blocking_codes(by_name[name]) == [expected], (name, by_name[name]["findings"])
        message = by_name[name]["findings"][0]["message"]
        assert name in message or expected == "FCT-FORMAT-UNKNOWN", message
    assert blocking_codes(by_name["huge.xml"]) == ["FCT-SIZE"]

    # Nothing lost: every flow archived and in the ledger, every input left in place,
    # every sender report written; no pivot but the good one.
    assert len(result["flows"]) == len(BAD_INPUTS) + 2
    assert sorted(p.name for p in folder.iterdir()) == sorted([*BAD_INPUTS, "huge.xml", "zz-good.xml"])
    assert len(list((hub.root / "var" / "archive").glob("*/*"))) == len(result["flows"])
    assert len(list((hub.root / "outbox" / "DEMO01").glob("*.flux.statut.xml"))) == len(result["flows"])
    assert len(hub.pivots()) == 1
    for path in (hub.root / "outbox").rglob("*"):
        assert b"root:x:0:0" not in path.read_bytes() if path.is_file() else True


def test_same_file_twice_delivers_once_and_resends_the_original_report(hub):
    path = hub.drop("twice.xml", ubl(Spec("TWICE-1")))
    _, first = hub.process(path)
    report = hub.root / "outbox" / "DEMO01" / f"{only_flow(first)['flow_id']}.flux.statut.xml"
    original_report = report.read_bytes()
    report.unlink()  # the sender collected it, then retried after a timeout

    _, second = hub.process(path)
    again = only_flow(second)
    assert again["repeated"] is True and again["flow_id"] == only_flow(first)["flow_id"]
    assert len(hub.pivots()) == 1
    assert report.read_bytes() == original_report
    code, out = hub.run("flows", "show", again["flow_id"], "--json")
    assert [e["code"] for e in json.loads(out)["timeline"] if e["idx"] is None] == ["received", "90", "repeat"]


def test_same_invoice_in_two_files_of_one_lot_is_delivered_once(hub):
    content = lot(**{"a.xml": ubl(Spec("IN-LOT")), "b.xml": cii(Spec("IN-LOT"))})
    _, result = hub.process(hub.drop("lot.zip", content))
    flow = only_flow(result)
    assert (flow["status"], flow["accepted"]) == ("96", 1)
    assert blocking_codes(flow) == ["FCT-DUPLICATE-INVOICE"]


@pytest.mark.parametrize(
    "members, code",
    [
        ({"../evil.xml": b"<x/>"}, "FCT-LOT-PATH"),
        ({"/etc/evil.xml": b"<x/>"}, "FCT-LOT-PATH"),
        ({}, "FCT-LOT-EMPTY"),
    ],
)
def test_hostile_lots_are_refused_whole(hub, members, code):
    _, result = hub.process(hub.drop("lot.zip", lot(**members)))
    flow = only_flow(result)
    assert flow["status"] == "93"
    assert blocking_codes(flow) == [code]


def test_zip_bomb_stops_at_the_member_limit(hub):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("bomb.xml", b"\0" * 200_000_000)
    assert len(buffer.getvalue()) < 1_000_000
    _, result = hub.process(hub.drop("bomb.zip", buffer.getvalue()))
    assert blocking_codes(only_flow(result)) == ["FCT-LOT-MEMBER-TOO-BIG"]


def test_flows_list_and_show(hub):
    _, result = hub.process(hub.drop("a.xml", ubl(Spec("LS-1"))), hub.drop("b.xml", b"junk"))
    code, out = hub.run("flows", "list", "--json")
    listed = json.loads(out)
    assert code == 0 and {f["status"] for f in listed} == {"90", "93"}
    rejected = next(f for f in listed if f["status"] == "93")
    code, out = hub.run("flows", "show", rejected["id"][:8], "--json")
    detail = json.loads(out)
    assert code == 0
    assert [f["code"] for f in detail["findings"]] == ["FCT-FORMAT-UNKNOWN"]
    assert [o["kind"] for o in detail["outputs"]] == ["flow-status"]
    code, out = hub.run("flows", "show", rejected["id"])
    assert code == 0 and "FCT-FORMAT-UNKNOWN" in out and "historique" in out
    assert hub.run("flows", "show", "nope")[0] == 2


def test_validate_exit_codes(hub):
    good = hub.drop("good.xml", cii(Spec("V-1")))
    bad = hub.drop("bad.xml", cii(Spec("V-2", buyer_siret="11000201100044")))
    assert hub.run("validate", str(good))[0] == 0
    code, out = hub.run("validate", str(good), str(bad), "--json")
    assert code == 1
    report = {item["file"]: item for item in json.loads(out)}
    assert report[str(good)]["valid"] and not report[str(bad)]["valid"]
    assert [f["code"] for f in report[str(bad)]["findings"]] == ["FCT-SERVICE-MISSING"]
    assert hub.run("validate", str(hub.root / "missing.xml"))[0] == 2
    assert "n'existe pas" in hub.err


def test_configuration_errors_are_clear(hub, tmp_path):
    broken = tmp_path / "broken.toml"
    broken.write_text("hub_id = [\n")
    assert main_with_config(hub, broken) == 2
    assert "n'est pas du TOML valide" in hub.err and str(broken) in hub.err
    bad_directory = tmp_path / "conf" / "facteur.toml"
    bad_directory.parent.mkdir()
    bad_directory.write_text('[directory]\nfile = "dir.toml"\n')
    (bad_directory.parent / "dir.toml").write_text('[[structure]]\nsiret = "123"\nname = "x"\nmailbox = "ABC"\n')
    assert main_with_config(hub, bad_directory) == 2
    assert "le siret « 123 » doit avoir 14 chiffres" in hub.err


def main_with_config(hub: Hub, config) -> int:
    return hub.run("validate", str(hub.drop("c.xml", ubl(Spec("CF-1")))), "--config", str(config))[0]


def test_facteur_config_environment_variable_is_honoured(hub, tmp_path, monkeypatch):
    missing = tmp_path / "nowhere" / "facteur.toml"
    monkeypatch.setenv("FACTEUR_CONFIG", str(missing))
    assert hub.run("flows", "list")[0] == 2
    assert str(missing) in hub.err and "FACTEUR_CONFIG" in hub.err

