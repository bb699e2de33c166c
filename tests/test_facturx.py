"""Factur-X and ZUGFeRD PDFs through `facteur process`: the embedded XML judged
at the level of the profile it declares, the PDF kept as the invoice (PJ 01),
its other embedded files forwarded as supporting documents (PJ 02), lines kept
when the profile has them."""

from __future__ import annotations

import base64
import json
from decimal import Decimal

import pytest
from conftest import assert_valid
from helpers import (
    Hub,
    Spec,
    blocking_codes,
    cii,
    embed,
    facturx_pdf,
    only_flow,
    text_pdf,
    ubl,
)
from lxml import etree


def _pivot(hub: Hub, pivot_schema) -> etree._Element:
    [path] = hub.pivots()
    return assert_valid(pivot_schema, path.read_bytes())


def test_facturx_pdf_is_integrated_with_the_pdf_as_the_invoice(hub, pivot_schema):
    spec = Spec("FX-2026-1", lines=4)
    annex = text_pdf(["Bon de livraison 42"])
    document = facturx_pdf(cii(spec), ["Facture FX-2026-1"], {"bon-livraison.pdf": annex})
    code, result = hub.process(hub.drop("fx.pdf", document))
    assert code == 0 and only_flow(result)["status"] == "90"

    pivot = _pivot(hub, pivot_schema)
    source = etree.fromstring(cii(spec))
    ram = {"ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"}
    assert Decimal(pivot.findtext(".//Montants/MontantTTC")) == Decimal(
        source.xpath("//ram:GrandTotalAmount", namespaces=ram)[0].text
    )
    assert len(pivot.findall(".//Ligne")) == 4
    original, supporting = pivot.findall(".//PJ")
    assert (original.findtext("TypePJ"), original.findtext("MimeTypePJ"), original.findtext("NomPJ")) == (
        "01",
        "application/pdf",
        "fx.pdf",
    )
    assert base64.b64decode(original.findtext("Contenu")) == document
    assert (supporting.findtext("TypePJ"), supporting.findtext("NomPJ"), supporting.findtext("MimeTypePJ")) == (
        "02",
        "bon-livraison.pdf",
        "application/pdf",
    )
    assert base64.b64decode(supporting.findtext("Contenu")) == annex


def test_validate_names_the_facturx_syntax(hub):
    code, out = hub.run("validate", str(hub.drop("fx.pdf", facturx_pdf(cii(Spec("FX-2026-2")), ["x"]))), "--json")
    assert code == 0
    assert json.loads(out)[0]["syntax"] == ["IN_DP_E2_CII_FACTURX"]


def test_the_declared_profile_decides_the_rules(hub):
    """The same data with lines is valid EN 16931 but not BASIC WL, whose schema has no lines."""
    xml = cii(Spec("FX-2026-3", lines=2)).replace(
        b"<ram:ID>urn:cen.eu:en16931:2017</ram:ID>", b"<ram:ID>urn:factur-x.eu:1p0:basicwl</ram:ID>"
    )
    code, result = hub.process(hub.drop("basicwl.pdf", facturx_pdf(xml, ["x"])))
    flow = only_flow(result)
    assert flow["status"] == "93" and blocking_codes(flow) == ["XSD"]
    assert any("BASICWL" in f["message"] for f in flow["findings"])


def test_the_pdf_metadata_and_the_xml_must_declare_the_same_profile(hub):
    """The factur-x library writes the XMP metadata from the XML: nothing to say.
    A PDF that merely attaches CII, with no Factur-X metadata, gets a warning."""
    _, result = hub.process(hub.drop("fx.pdf", facturx_pdf(cii(Spec("FX-2026-7")), ["x"])))
    assert "FCT-FACTURX-XMP" not in {f["code"] for f in only_flow(result)["findings"]}
    _, result = hub.process(hub.drop("bare.pdf", embed(text_pdf(["x"]), {"factur-x.xml": cii(Spec("FX-2026-8"))})))
    flow = only_flow(result)
    assert flow["status"] == "90"
    [warning] = [f for f in flow["findings"] if f["code"] == "FCT-FACTURX-XMP"]
    assert warning["severity"] == "warning" and "ne déclare aucun niveau de conformité Factur-X" in warning["message"]


def test_ubl_embedded_in_a_pdf_is_read_too(hub, pivot_schema):
    document = embed(text_pdf(["Invoice"]), {"factur-x.xml": ubl(Spec("FX-2026-4", lines=2))})
    code, result = hub.process(hub.drop("ubl-in.pdf", document))
    assert only_flow(result)["status"] == "90"
    assert len(_pivot(hub, pivot_schema).findall(".//Ligne")) == 2


@pytest.mark.parametrize(
    "data, code",
    [
        (b"<Invoice><Total>12</Total></Invoice>", "FCT-FACTURX-DATA-UNKNOWN"),
        (cii(Spec("FX-2026-5"))[:700], "FCT-XML-TRUNCATED"),
        (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>', "FCT-XML-DTD"),
    ],
    ids=["not-invoice-data", "truncated", "dtd"],
)
def test_embedded_data_that_cannot_be_used_is_rejected_with_its_own_code(hub, data, code):
    document = embed(text_pdf(["Facture"]), {"factur-x.xml": data})
    _, result = hub.process(hub.drop("bad.pdf", document))
    flow = only_flow(result)
    assert flow["status"] == "93" and blocking_codes(flow) == [code]
    assert any("factur-x.xml embedded in bad.pdf" in f["message"] for f in flow["findings"])


def test_factur_x_data_is_preferred_to_zugferd_1_in_the_same_pdf(hub):
    """A producer in transition embeds both; factur-x.xml, the name Factur-X fixes, is the data."""
    zugferd1 = b'<rsm:CrossIndustryDocument xmlns:rsm="urn:ferd:CrossIndustryDocument:invoice:1p0"/>'
    document = embed(text_pdf(["Facture"]), {"ZUGFeRD-invoice.xml": zugferd1, "factur-x.xml": cii(Spec("FX-2026-6"))})
    _, result = hub.process(hub.drop("both.pdf", document))
    assert only_flow(result)["status"] == "90"


def test_minimum_profile_from_the_corpus_gives_a_pivot_without_lines(hub, corpus, pivot_schema):
    source = corpus / "zugferd/ZUGFeRDv2/correct/FNFE-factur-x-examples/Facture_FR_MINIMUM.pdf"
    code, result = hub.process(source, extra=("--open-directory",))
    assert only_flow(result)["status"] == "90"
    pivot = _pivot(hub, pivot_schema)
    assert pivot.find(".//Lignes") is None and pivot.findtext(".//PJ/MimeTypePJ") == "application/pdf"


def test_zugferd_1_from_the_corpus_is_judged_by_its_schema_and_says_so(hub, corpus, pivot_schema):
    source = corpus / "zugferd/ZUGFeRDv1/correct/Intarsys/ZUGFeRD_1p0_COMFORT_Einfach.pdf"
    code, result = hub.process(source, extra=("--open-directory",))
    flow = only_flow(result)
    assert flow["status"] == "90"
    assert "FCT-RULES-ZUGFERD1" in {f["code"] for f in flow["findings"]}
    pivot = _pivot(hub, pivot_schema)
    assert pivot.findtext(".//Montants/MontantTTC") == "529.87" and len(pivot.findall(".//Ligne")) == 2
