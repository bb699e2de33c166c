"""The Factur-X / ZUGFeRD 2 container rules (engine/validation/container.py), one
test per rule, and embedded XML found by its content.

Every PDF here is built by the test: a Factur-X PDF as the factur-x library
generates it from an invoice of the project's generator (which passes every
container rule but the output intent), then changed in exactly one place with
pypdf's writer. No third-party file is copied."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from helpers import Spec, blocking_codes, cii, embed, facturx_pdf, only_flow, text_pdf, ubl
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

from facteur.engine.model import Severity, Syntax
from facteur.engine.validation import container
from facteur.engine.validation.validate import Rules, check_document

RULES = Rules(schematron=False)  # the container is the matter here; the data's XSD still runs
EN16931 = b"<ram:ID>urn:cen.eu:en16931:2017</ram:ID>"


def _changed(pdf: bytes, change: Callable[[PdfWriter], None]) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _spec(writer: PdfWriter, name: str = "factur-x.xml") -> DictionaryObject:
    """The file specification of the embedded file `name`."""
    names = writer.root_object["/Names"]["/EmbeddedFiles"]["/Names"]
    return next(names[i + 1].get_object() for i in range(0, len(names), 2) if names[i] == name)


def _xmp(old: bytes, new: bytes) -> Callable[[PdfWriter], None]:
    def change(writer: PdfWriter) -> None:
        stream = writer.root_object["/Metadata"].get_object()
        packet = stream.get_data()
        assert old in packet
        stream.set_data(packet.replace(old, new))
    return change


def _renamed(name: str) -> Callable[[PdfWriter], None]:
    def change(writer: PdfWriter) -> None:
        spec = _spec(writer)
        writer.root_object["/Names"]["/EmbeddedFiles"]["/Names"][0] = TextStringObject(name)
        spec[NameObject("/F")] = spec[NameObject("/UF")] = TextStringObject(name)
    return change


def _data(xml: bytes) -> Callable[[PdfWriter], None]:
    def change(writer: PdfWriter) -> None:
        _spec(writer)["/EF"]["/F"].get_object().set_data(xml)
    return change


def _with_output_intent(writer: PdfWriter) -> None:
    intent = DictionaryObject({
        NameObject("/Type"): NameObject("/OutputIntent"),
        NameObject("/S"): NameObject("/GTS_PDFA1"),
        NameObject("/OutputConditionIdentifier"): TextStringObject("sRGB IEC61966-2.1"),
    })
    writer.root_object[NameObject("/OutputIntents")] = ArrayObject([writer._add_object(intent)])


def _facturx(number: str = "FX-C-1", xml: bytes | None = None) -> bytes:
    """A Factur-X PDF that passes every container rule (an output intent added to the library's output)."""
    return _changed(facturx_pdf(xml or cii(Spec(number)), ["Facture " + number]), _with_output_intent)


def _findings(pdf: bytes, name: str = "fx.pdf"):
    checked = check_document(name, pdf, RULES)
    return checked, {f.code: f for f in checked.findings if f.layer == container.LAYER}


def _only(pdf: bytes, code: str, severity: Severity = Severity.BLOCKING):
    """The one container finding of `pdf`, which must be `code` at `severity`."""
    checked, found = _findings(pdf)
    assert list(found) == [code], [f.message for f in found.values()]
    assert found[code].severity is severity
    return checked, found[code]


def test_a_factur_x_pdf_as_the_library_makes_it_passes_every_container_rule():
    checked, found = _findings(_facturx())
    assert found == {} and not checked.blocked
    assert checked.ruleset.id == "FACTURX-PDF+FACTURX-EN16931"
    assert checked.ruleset.version.startswith("Factur-X 1.0.07")


def test_an_invoice_xml_under_another_name_is_used_and_its_name_refused():
    pdf = _changed(_facturx(), lambda w: (_renamed("facture.xml")(w),
                                          _xmp(b">factur-x.xml<", b">facture.xml<")(w)))
    checked, finding = _only(pdf, container.FILENAME)
    assert "« facture.xml »" in finding.message and "« factur-x.xml »" in finding.message
    assert checked.syntax is Syntax.FACTURX and checked.ruleset.id == "FACTURX-PDF+FACTURX-EN16931"  # judged


def test_an_xrechnung_is_embedded_as_xrechnung_xml_with_its_level_and_version():
    xml = cii(Spec("FX-C-XR")).replace(
        EN16931, b"<ram:ID>urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0</ram:ID>")
    named_as_facturx = _facturx(xml=xml)
    _, found = _findings(named_as_facturx)
    assert set(found) == {container.FILENAME, container.XMP_LEVEL, container.XMP_VERSION}
    assert "« xrechnung.xml »" in found[container.FILENAME].message
    assert "« EN 16931 »" in found[container.XMP_LEVEL].message and "XRECHNUNG" in found[container.XMP_LEVEL].message
    assert "« 1.0 »" in found[container.XMP_VERSION].message and "3.0" in found[container.XMP_VERSION].message
    proper = _changed(named_as_facturx, lambda w: (
        _renamed("xrechnung.xml")(w),
        _xmp(b">factur-x.xml<", b">xrechnung.xml<")(w),
        _xmp(b">EN 16931<", b">XRECHNUNG<")(w),
        _xmp(b"<fx:Version>1.0<", b"<fx:Version>3.0<")(w),
    ))
    assert _findings(proper)[1] == {}


def test_the_invoice_xml_without_afrelationship_is_refused():
    pdf = _changed(_facturx(), lambda w: _spec(w).pop("/AFRelationship"))
    _, finding = _only(pdf, container.AFRELATIONSHIP)
    assert "factur-x.xml" in finding.message and "Data, Source, Alternative" in finding.message


def test_the_invoice_xml_as_a_mere_supplement_is_refused():
    pdf = _changed(_facturx(), lambda w: _spec(w).__setitem__(NameObject("/AFRelationship"), NameObject("/Supplement")))
    _, finding = _only(pdf, container.AFRELATIONSHIP)
    assert "« Supplement »" in finding.message


@pytest.mark.parametrize("relationship", ["/Data", "/Source", "/Alternative"])
def test_each_relationship_factur_x_allows_passes(relationship):
    pdf = _changed(_facturx(), lambda w: _spec(w).__setitem__(NameObject("/AFRelationship"), NameObject(relationship)))
    assert _findings(pdf)[1] == {}


def test_an_invoice_xml_not_associated_through_the_catalog_af_is_refused():
    pdf = _changed(_facturx(), lambda w: w.root_object.pop("/AF"))
    _, finding = _only(pdf, container.AF)
    assert "/AF" in finding.message and "factur-x.xml" in finding.message


def test_a_pdf_without_xmp_metadata_is_refused():
    pdf = _changed(_facturx(), lambda w: w.root_object.pop("/Metadata"))
    _, finding = _only(pdf, container.XMP)
    assert "fx.pdf n'a pas de métadonnées XMP" in finding.message


def test_xmp_without_the_factur_x_schema_is_refused():
    pdf = _changed(_facturx(), _xmp(b"urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#", b"urn:example:other#"))
    _, finding = _only(pdf, container.XMP)
    assert "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#" in finding.message


def test_an_xmp_profile_other_than_the_xml_is_refused():
    pdf = _changed(_facturx(), _xmp(b">EN 16931<", b">BASIC<"))
    _, finding = _only(pdf, container.XMP_LEVEL)
    assert "« BASIC »" in finding.message and "EN 16931" in finding.message
    assert "urn:cen.eu:en16931:2017" in finding.message


def test_an_xmp_document_type_other_than_invoice_is_refused():
    _, finding = _only(_changed(_facturx(), _xmp(b">INVOICE<", b">ORDER<")), container.XMP_TYPE)
    assert "« ORDER »" in finding.message


def test_an_xmp_file_name_other_than_the_attachment_is_refused():
    _, finding = _only(_changed(_facturx(), _xmp(b">factur-x.xml<", b">invoice.xml<")), container.XMP_FILENAME)
    assert "« invoice.xml »" in finding.message and "« factur-x.xml »" in finding.message


def test_an_xmp_version_other_than_the_profile_is_refused():
    _, finding = _only(_changed(_facturx(), _xmp(b"<fx:Version>1.0<", b"<fx:Version>2.5<")), container.XMP_VERSION)
    assert "« 2.5 »" in finding.message and "1.0" in finding.message


@pytest.mark.parametrize("old, new, shown", [
    (b"<pdfaid:part>3<", b"<pdfaid:part>2<", "partie « 2 »"),
    (b"<pdfaid:conformance>B<", b"<pdfaid:conformance>X<", "conformité « X »"),
    (b"<pdfaid:part>3</pdfaid:part>", b"", "partie « absent »"),
], ids=["pdfa-2", "unknown-conformance", "no-identification"])
def test_a_pdf_not_identified_as_pdf_a_3_is_refused(old, new, shown):
    _, finding = _only(_changed(_facturx(), _xmp(old, new)), container.PDFA)
    assert shown in finding.message


def test_a_pdf_without_output_intent_gets_a_warning_only():
    checked, finding = _only(facturx_pdf(cii(Spec("FX-C-2")), ["Facture"]), container.OUTPUT_INTENT, Severity.WARNING)
    assert not checked.blocked and "GTS_PDFA1" in finding.message


@pytest.mark.parametrize("guideline", ["urn:factur-x.eu:2p0:ultimate", "urn:example:private:profile"])
def test_an_unknown_profile_is_refused_naming_it_and_the_known_ones(guideline):
    xml = cii(Spec("FX-C-3")).replace(EN16931, f"<ram:ID>{guideline}</ram:ID>".encode())
    checked, found = _findings(_changed(_facturx(), _data(xml)))
    assert checked.blocked and list(found) == [container.PROFILE]
    message = found[container.PROFILE].message
    assert f"« {guideline} »" in message and "urn:factur-x.eu:1p0:minimum" in message and "EXTENDED" in message
    assert checked.ruleset.id == "FACTURX-PDF"  # no rule set to judge the data by


def test_a_bare_attachment_of_cii_is_no_factur_x_pdf(hub):
    """The CII attached to a PDF with nothing else (no XMP, no association):
    refused, each missing piece named."""
    bare = embed(text_pdf(["Facture"]), {"factur-x.xml": cii(Spec("FX-C-4"))})
    _, result = hub.process(hub.drop("bare.pdf", bare))
    flow = only_flow(result)
    assert flow["status"] == "93"
    assert blocking_codes(flow) == sorted([container.AFRELATIONSHIP, container.AF, container.XMP])


def test_ubl_under_another_name_is_found_by_its_content_and_used(hub):
    document = embed(text_pdf(["Invoice"]), {"UBL-Invoice-2.1.xml": ubl(Spec("FX-C-5"))})
    _, result = hub.process(hub.drop("ubl.pdf", document))
    flow = only_flow(result)
    assert flow["status"] == "90", flow["findings"]
    [pivot] = hub.pivots()
    assert b"<Id>FX-C-5</Id>" in pivot.read_bytes()  # the invoice read from the XML, not from the text


def test_an_xml_attachment_that_is_no_invoice_is_named_and_the_text_read():
    order = b'<Order xmlns="urn:example:orders"><Number>BC-12</Number></Order>'
    document = embed(text_pdf(["Facture FA-2026-77", "Total TTC : 12,00 EUR"]), {"commande.xml": order})
    checked = check_document("avec-commande.pdf", document, RULES)
    assert checked.syntax is Syntax.PDF and "FA-2026-77" in checked.text
    [warning] = [f for f in checked.findings if f.code == "FCT-PDF-XML-NOT-INVOICE"]
    assert warning.severity is Severity.WARNING
    assert "commande.xml" in warning.message and "Order" in warning.message and "urn:example:orders" in warning.message
    assert [a.name for a in checked.attachments] == ["commande.xml"]  # still forwarded


def test_a_pdf_without_text_names_the_xml_it_carries():
    document = embed(text_pdf([]), {"notes.xml": b"<notes><n>merci</n></notes>"})
    checked = check_document("scan.pdf", document, RULES)
    [refusal] = [f for f in checked.findings if f.blocking]
    assert refusal.code == "FCT-PDF-NO-TEXT"
    assert "notes.xml" in refusal.message and "notes" in refusal.message and "sans espace de noms" in refusal.message


def test_every_factur_x_pdf_the_corpus_accepts_passes_the_blocking_container_rules(corpus):
    """The corpus's Factur-X / ZUGFeRD 2 PDFs listed accept (EXPECTED.tsv) meet
    every rule that blocks; the ZUGFeRD reference PDFs have no output intent,
    which is the one warning."""
    rows = [line.split("\t") for line in (corpus / "EXPECTED.tsv").read_text(encoding="utf-8").splitlines()[1:]]
    judged = 0
    for path, expected, *_ in rows:
        if not path.endswith(".pdf") or expected != "accept":
            continue
        checked, found = _findings((corpus / path).read_bytes(), path)
        if checked.ruleset is None or not checked.ruleset.id.startswith("FACTURX-PDF"):
            continue  # ZUGFeRD 1.0, which the Factur-X container rules do not cover
        judged += 1
        assert [f.code for f in found.values() if f.blocking] == [], path
    assert judged >= 30


def test_every_embedded_file_needs_a_relationship_and_the_af_association():
    """PDF/A-3 asks it of supporting documents too, whatever their relationship."""
    pdf = _changed(facturx_pdf(cii(Spec("FX-C-6")), ["Facture"], {"annexe.pdf": text_pdf(["Annexe"])}),
                   _with_output_intent)
    assert _findings(pdf)[1] == {}
    def strip(writer: PdfWriter) -> None:
        spec = _spec(writer, "annexe.pdf")
        spec.pop("/AFRelationship")
        writer.root_object[NameObject("/AF")] = ArrayObject(
            [ref for ref in writer.root_object["/AF"] if ref.get_object() is not spec])

    checked, found = _findings(_changed(pdf, strip))
    assert set(found) == {container.AFRELATIONSHIP, container.AF} and checked.blocked
    assert all("annexe.pdf" in f.message and f.location == "annexe.pdf" for f in found.values())
