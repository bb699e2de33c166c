"""Supporting documents and mixed flows in lots, through `facteur process` and
`facteur validate`: the naming rule of `engine/bundles.py` ties an invoice to
its PDF and its supporting documents; the Chorus Pro limits on attachments are
enforced with one clear finding each."""

from __future__ import annotations

import base64
import io
import json
import zipfile

import pytest
from conftest import assert_valid
from helpers import Spec, blocking_codes, cii, only_flow, text_pdf, ubl


def lot(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_mixed_flow_takes_the_data_from_the_xml_and_attaches_the_pdf_as_the_invoice(hub, pivot_schema):
    printed = text_pdf(["Facture F-2026-17"])
    delivery_note = text_pdf(["Bon de livraison"])
    members = {
        "F-2026-17.xml": cii(Spec("F-2026-17", lines=2)),
        "F-2026-17.pdf": printed,
        "F-2026-17.bon-livraison.pdf": delivery_note,
        "F-2026-18.xml": ubl(Spec("F-2026-18", lines=1)),
    }
    code, result = hub.process(hub.drop("lot.zip", lot(members)))
    flow = only_flow(result)
    assert flow["status"] == "90" and flow["documents"] == 2, flow

    pivots = [assert_valid(pivot_schema, path.read_bytes()) for path in hub.pivots()]
    mixed = next(p for p in pivots if p.findtext(".//DonneesFacture/Id") == "F-2026-17")
    documents = [(pj.findtext("TypePJ"), pj.findtext("NomPJ"), pj.findtext("MimeTypePJ")) for pj in mixed.iter("PJ")]
    assert documents == [
        ("01", "F-2026-17.pdf", "application/pdf"),
        ("02", "F-2026-17.bon-livraison.pdf", "application/pdf"),
    ]
    assert base64.b64decode(mixed.find(".//PJ/Contenu").text) == printed
    assert len(mixed.findall(".//Ligne")) == 2  # the data is the XML's

    _, out = hub.run("validate", str(hub.drop("again.zip", lot(members))), "--json")
    assert sorted(json.loads(out)[0]["syntax"]) == ["IN_DP_E1_UBL_INVOICE", "IN_DP_E2_CII_MIN_16B"]


def test_ubl_beside_its_pdf_is_the_ubl_mixed_syntax(hub):
    members = {"A-1.xml": ubl(Spec("A-1")), "A-1.pdf": text_pdf(["Facture A-1"])}
    _, out = hub.run("validate", str(hub.drop("mixed.zip", lot(members))), "--json")
    assert json.loads(out)[0]["syntax"] == ["IN_DP_E2_UBL_INVOICE_MIN"]


@pytest.mark.parametrize(
    "name, content, code",
    [
        ("F-2026-20.virus.exe", b"MZ\x90\x00", "FCT-ATTACHMENT-TYPE"),
        ("F-2026-20.annexe", b"plain text", "FCT-ATTACHMENT-TYPE"),
        ("F-2026-20.vide.pdf", b"", "FCT-ATTACHMENT-EMPTY"),
        ("F-2026-20.plan.tiff", b"\0" * (10 * 1024 * 1024 + 1), "FCT-ATTACHMENT-TOO-BIG"),
        ("F-2026-20." + "n" * 50 + ".pdf", b"%PDF-1.7", "FCT-PIVOT-ATTACHMENT-NAME-TOO-LONG"),
    ],
    ids=["forbidden-extension", "no-extension", "empty", "above-10-MB", "name-above-50"],
)
def test_each_attachment_limit_is_a_clear_rejection(hub, name, content, code):
    members = {"F-2026-20.xml": ubl(Spec("F-2026-20")), name: content}
    _, result = hub.process(hub.drop("lot.zip", lot(members)))
    flow = only_flow(result)
    assert flow["status"] == "93" and blocking_codes(flow) == [code]
    assert any(name[:40] in f["message"] for f in flow["findings"])


def test_all_documents_of_one_invoice_stay_within_120_mb(hub):
    scans = {f"F-2026-21.scan-{n:02d}.pdf": b"\0" * (10 * 1024 * 1024) for n in range(12)}
    members = {"F-2026-21.xml": ubl(Spec("F-2026-21")), **scans}
    _, result = hub.process(hub.drop("lot.zip", lot(members)))
    assert blocking_codes(only_flow(result)) == ["FCT-ATTACHMENTS-TOO-BIG"]


def test_supporting_document_embedded_in_ubl_is_forwarded(hub, pivot_schema):
    annex = base64.b64encode(b"%PDF-1.7 annexe").decode()
    reference = (
        "<cac:AdditionalDocumentReference><cbc:ID>ANX-1</cbc:ID><cac:Attachment>"
        f'<cbc:EmbeddedDocumentBinaryObject mimeCode="application/pdf" filename="annexe.pdf">{annex}'
        "</cbc:EmbeddedDocumentBinaryObject></cac:Attachment></cac:AdditionalDocumentReference>"
    ).encode()
    source = ubl(Spec("F-2026-22")).replace(b"<cac:AccountingSupplierParty>", reference + b"<cac:AccountingSupplierParty>")
    code, result = hub.process(hub.drop("embedded.xml", source))
    assert only_flow(result)["status"] == "90", only_flow(result)["findings"]
    pivot = assert_valid(pivot_schema, hub.pivots()[0].read_bytes())
    assert [(pj.findtext("TypePJ"), pj.findtext("NomPJ")) for pj in pivot.iter("PJ")] == [
        ("01", "embedded.xml"),
        ("02", "annexe.pdf"),
    ]
