"""The pivot writer against the official CPPFacturePivot V2_02 schema.

Every pivot written here is validated by the schema itself (tests/conftest.py);
amounts are compared as Decimals with the model and as text with the source, so
that a float or an exponent slipping in anywhere shows up.
"""

from __future__ import annotations

import base64
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from conftest import CHORUS_XSD, assert_valid
from lxml import etree

from facteur.engine.model import (
    Attachment,
    Invoice,
    Line,
    Party,
    Severity,
    Syntax,
    VatBreakdown,
)
from facteur.engine.outputs.pivot import (
    CADRES,
    PAYMENT_MODES,
    payment_mode,
    pivot_cadre,
    pivot_gaps,
    pivot_name,
    pivot_notes,
    pivot_type,
    pivot_xml,
)

PARIS = timezone(timedelta(hours=2))
RECEIVED = datetime(2024, 5, 17, 23, 30, 12, tzinfo=PARIS)
FLOW = "3f2a9c0d81b7e4a5c6d7e8f9"
XS = "http://www.w3.org/2001/XMLSchema"
ORIGINAL = Attachment("FA-2024-0001.xml", "application/xml", "<Invoice>Société €</Invoice>".encode(), kind="01")


def french_supplier() -> Party:
    return Party(
        name="Société Générale d'Équipements — Œuvres & Cie",
        identifier="35600000000048",
        identifier_type="1",
        country="FR",
        vat_id="FR39356000000",
        iban="FR7630006000011234567890189",
        bank_id="AGRIFRPP",
    )


def eu_supplier() -> Party:
    return Party(name="Müller Straßenbau GmbH", identifier="DE123456789", identifier_type="2", country="DE")


def make_invoice(**changes: object) -> Invoice:
    """A clean French invoice: several VAT rates (one exempt without a rate), lines, attachments."""
    invoice = Invoice(
        syntax=Syntax.UBL,
        number="FA-2024-0001",
        type_code="380",
        issue_date=date(2024, 5, 15),
        currency="EUR",
        supplier=french_supplier(),
        buyer=Party(name="Mairie de Saint-Étienne", identifier="21420218600015", identifier_type="1", country="FR"),
        total_without_vat=Decimal("1234.56"),
        total_with_vat=Decimal("1440.0600"),
        amount_due=Decimal("1440.06"),
        total_vat=Decimal("205.50"),
        process="A1",
        service_code="SERV-FIN-01",
        engagement="EJ-2024-000123",
        contract="MARCHE/2023/45",
        delivery_date=date(2024, 5, 10),
        payment_means="30",
        vat_breakdown=[
            VatBreakdown("S", Decimal("20.00"), Decimal("1000.00"), Decimal("200.00")),
            VatBreakdown("S", Decimal("5.5"), Decimal("100.0000"), Decimal("5.5000")),
            VatBreakdown("E", None, Decimal("134.56"), Decimal("0.00")),
        ],
        lines=[
            Line("1", "Pelle mécanique", "REF-001", Decimal("2"), "C62", Decimal("500.0000"), Decimal("1000.00"),
                 Decimal("20.00"), "S"),
            Line("2", "Livres", "", Decimal("12.5"), "C62", Decimal("8"), Decimal("100.0000"), Decimal("5.5"), "S"),
            Line("3", "Formation", "FORM-ÉTÉ", Decimal("1"), "C62", Decimal("134.56"), Decimal("134.56"), None, "E"),
        ],
        attachments=[
            Attachment("bon-de-livraison.pdf", "application/pdf", b"%PDF-1.4\x00\xff\xfe binary"),
            Attachment("devis signé.png", "image/png", bytes(range(256)), description="Devis"),
        ],
    )
    return replace(invoice, **changes)


def credit_note() -> Invoice:
    return make_invoice(number="AV-2024-0007", type_code="381", preceding_invoice="FA-2024-0001")


def foreign_invoice() -> Invoice:
    return make_invoice(supplier=eu_supplier(), payment_means="58", process="urn:cen.eu:en16931:2017")


def invoice_without_lines() -> Invoice:
    return make_invoice(syntax=Syntax.PDF, lines=[], attachments=[], engagement="", contract="", delivery_date=None)


def large_amounts() -> Invoice:
    return make_invoice(
        total_without_vat=Decimal("123456789012345.6789"),
        total_with_vat=Decimal("1E+3"),
        amount_due=Decimal("0.00000015"),
        vat_breakdown=[VatBreakdown("S", Decimal("2E+1"), Decimal("-99999999999.99"), Decimal("-0.00"))],
        lines=[Line("1", unit_price=Decimal("1.23456789"), quantity=Decimal("1E-4"), net_amount=Decimal("0.0001"))],
    )


VARIANTS = {
    "french supplier": make_invoice,
    "EU supplier": foreign_invoice,
    "credit note": credit_note,
    "without lines (PDF)": invoice_without_lines,
    "large and tiny amounts": large_amounts,
}


def write(invoice: Invoice, **changes: object) -> bytes:
    arguments: dict = dict(
        original=ORIGINAL, flow_id=FLOW, hub_id="FACTEUR", recipient_mailbox="MAIRIE42", received_at=RECEIVED
    )
    return pivot_xml(invoice, **{**arguments, **changes})


def unit(root: etree._Element) -> etree._Element:
    return root.find("CPPFactures/CPPFacturePivotUnitaire")


@pytest.mark.parametrize("build", VARIANTS.values(), ids=VARIANTS.keys())
def test_every_variant_is_valid_against_the_official_schema(pivot_schema, build) -> None:
    invoice = build()
    assert pivot_gaps(invoice, ORIGINAL) == []
    root = assert_valid(pivot_schema, write(invoice, service_name="Direction des finances"))
    assert root.get("Version") == "V2_02"
    assert root.find("CPPFactures").get("Compteur") == "1"


def test_the_xml_is_utf8_with_a_declaration_and_keeps_non_ascii_names() -> None:
    xml = write(make_invoice())
    assert xml.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<CPPFacturePivot')
    supplier = unit(etree.fromstring(xml)).find("Fournisseur")
    assert supplier.findtext("RaisonSociale") == "Société Générale d'Équipements — Œuvres & Cie"


@pytest.mark.parametrize("build", VARIANTS.values(), ids=VARIANTS.keys())
def test_amounts_are_the_model_amounts_exactly(build) -> None:
    invoice = build()
    data = unit(etree.fromstring(write(invoice))).find("DonneesFacture")
    written = [
        data.findtext("Montants/MontantHT"),
        data.findtext("Montants/MontantTTC"),
        data.findtext("Montants/MontantNetAPayer"),
    ]
    expected = [invoice.total_without_vat, invoice.total_with_vat, invoice.amount_due]
    for vat, element in zip(invoice.vat_breakdown, data.iterfind("TVAs/TVA"), strict=True):
        written += [element.findtext("Taux"), element.findtext("BaseHt"), element.findtext("MontantTVA")]
        expected += [vat.rate if vat.rate is not None else Decimal(0), vat.taxable_amount, vat.tax_amount]
    for line, element in zip(invoice.lines, data.iterfind("Lignes/Ligne"), strict=True):
        written += [element.findtext("PrixUnitaire"), element.findtext("Quantite"), element.findtext("MontantHT")]
        expected += [line.unit_price, line.quantity, line.net_amount]
        assert element.findtext("TauxTVA") == (None if line.vat_rate is None else format(line.vat_rate, "f"))
    assert [Decimal(text) for text in written] == expected
    assert not any("E" in text or "e" in text for text in written), written


def test_amounts_keep_their_source_scale_and_never_use_exponents() -> None:
    data = unit(etree.fromstring(write(large_amounts()))).find("DonneesFacture")
    assert data.findtext("Montants/MontantHT") == "123456789012345.6789"
    assert data.findtext("Montants/MontantTTC") == "1000"
    assert data.findtext("Montants/MontantNetAPayer") == "0.00000015"
    assert data.findtext("TVAs/TVA/Taux") == "20"
    assert data.findtext("TVAs/TVA/MontantTVA") == "-0.00"
    assert data.findtext("Lignes/Ligne/Quantite") == "0.0001"
    normal = unit(etree.fromstring(write(make_invoice()))).find("DonneesFacture")
    assert normal.findtext("Montants/MontantTTC") == "1440.0600"
    assert [tva.findtext("Taux") for tva in normal.iterfind("TVAs/TVA")] == ["20.00", "5.5", "0"]


def test_original_comes_first_as_type_01_and_decodes_back() -> None:
    invoice = make_invoice()
    documents = unit(etree.fromstring(write(invoice))).findall("PJ")
    assert [pj.get("NumOrdre") for pj in documents] == ["1", "2", "3"]
    assert [pj.findtext("TypePJ") for pj in documents] == ["01", "02", "02"]
    first = documents[0]
    assert base64.b64decode(first.findtext("Contenu"), validate=True) == ORIGINAL.content
    assert first.findtext("NomPJ") == ORIGINAL.name
    assert first.find("NomPJOrigine") is None
    assert first.findtext("MimeTypePJ") == "application/xml"
    for pj, attachment in zip(documents[1:], invoice.attachments, strict=True):
        assert base64.b64decode(pj.findtext("Contenu"), validate=True) == attachment.content
        assert pj.findtext("NomPJ") == pj.findtext("NomPJOrigine") == attachment.name
        assert pj.findtext("MimeTypePJ") == attachment.mime_type


def test_envelope_carries_production_date_flow_id_and_partners() -> None:
    root = etree.fromstring(write(make_invoice()))
    parameters = root.findall("Enveloppe/EnveloppeUnitaire/Parametres/ParametreIndiv")
    assert [(p.get("NumOrdre"), p.findtext("Code"), p.findtext("Valeurparametre")) for p in parameters] == [
        ("0001", "DtPrd", "2024-05-17T23:30:12+02:00"),
        ("0002", "IdFlx", FLOW),
    ]
    partners = root.find("Enveloppe/EnveloppeUnitaire/Partenaires")
    assert partners.findtext("Recepteur/Id") == "MAIRIE42"
    assert partners.findtext("Emetteur/Id") == "FACTEUR"


def test_french_supplier_with_iban_and_debtor_with_service() -> None:
    pivot = unit(etree.fromstring(write(make_invoice(), service_name="Direction des finances")))
    supplier = pivot.find("Fournisseur")
    assert [child.tag for child in supplier] == [
        "TypeIdentifiant", "Identifiant", "RaisonSociale", "CodePays", "ReferenceBancaire", "ModeEmission"
    ]
    assert supplier.findtext("Identifiant") == "35600000000048"
    assert supplier.find("ReferenceBancaire").get("Type") == "IBAN"
    assert supplier.findtext("ReferenceBancaire/Compte") == "FR7630006000011234567890189"
    assert supplier.findtext("ReferenceBancaire/Etablissement") == "AGRIFRPP"
    assert supplier.findtext("ModeEmission") == "flux"
    debtor = pivot.find("Debiteur")
    assert [(child.tag, child.text) for child in debtor] == [
        ("TypeIdentifiant", "1"),
        ("Identifiant", "21420218600015"),
        ("Nom", "Mairie de Saint-Étienne"),
        ("CodeService", "SERV-FIN-01"),
        ("NomService", "Direction des finances"),
    ]


def test_foreign_supplier_without_iban_has_no_bank_reference() -> None:
    supplier = unit(etree.fromstring(write(foreign_invoice()))).find("Fournisseur")
    assert supplier.findtext("TypeIdentifiant") == "2"
    assert supplier.findtext("CodePays") == "DE"
    assert supplier.find("ReferenceBancaire") is None
    debtor = unit(etree.fromstring(write(make_invoice(service_code="")))).find("Debiteur")
    assert debtor.find("CodeService") is None and debtor.find("NomService") is None


def test_invoice_data_header() -> None:
    data = unit(etree.fromstring(write(make_invoice()))).find("DonneesFacture")
    assert data.findtext("Id") == "FA-2024-0001"
    assert data.find("IdFactureOrigine") is None
    assert data.findtext("Type") == "380"
    assert data.findtext("Cadre") == "A1"
    assert data.findtext("DateEmissionFacture") == "2024-05-15"
    assert data.findtext("DateLivraison") == "2024-05-10"
    assert data.findtext("ModePaiement/Code") == "30"
    assert data.findtext("DateReception") == "2024-05-17"  # the date where it was received, not UTC's
    assert data.findtext("Devise") == "EUR"
    assert data.findtext("Engagement/NumeroMarche") == "MARCHE/2023/45"
    assert data.findtext("Engagement/NumeroEngagement") == "EJ-2024-000123"
    assert [line.get("NumOrdre") for line in data.iterfind("Lignes/Ligne")] == ["1", "2", "3"]
    references = [line.findtext("ReferenceProduit") for line in data.iterfind("Lignes/Ligne")]
    assert references == ["REF-001", None, "FORM-ÉTÉ"]


def test_pdf_invoice_without_lines_or_references() -> None:
    pivot = unit(etree.fromstring(write(invoice_without_lines())))
    assert pivot.findtext("Fournisseur/ModeEmission") == "PDF"
    data = pivot.find("DonneesFacture")
    for absent in ("Lignes", "Engagement", "DateLivraison"):
        assert data.find(absent) is None
    assert len(pivot.findall("PJ")) == 1


def test_engagement_written_with_only_one_of_its_references() -> None:
    data = unit(etree.fromstring(write(make_invoice(contract="")))).find("DonneesFacture")
    assert [child.tag for child in data.find("Engagement")] == ["NumeroEngagement"]


def test_credit_note_carries_the_credited_invoice() -> None:
    data = unit(etree.fromstring(write(credit_note()))).find("DonneesFacture")
    assert data.findtext("Type") == "381"
    assert data.findtext("IdFactureOrigine") == "FA-2024-0001"


def test_credited_invoice_too_long_is_left_out_with_a_warning(pivot_schema) -> None:
    invoice = replace(credit_note(), preceding_invoice="X" * 21)
    assert pivot_gaps(invoice, ORIGINAL) == []
    assert [note.code for note in pivot_notes(invoice)] == ["FCT-PIVOT-PRECEDING-INVOICE-TOO-LONG"]
    data = unit(assert_valid(pivot_schema, write(invoice))).find("DonneesFacture")
    assert data.find("IdFactureOrigine") is None


def test_preceding_invoice_is_not_written_on_an_invoice() -> None:
    data = unit(etree.fromstring(write(make_invoice(preceding_invoice="FA-2023-0099")))).find("DonneesFacture")
    assert data.find("IdFactureOrigine") is None


@pytest.mark.parametrize("code", ["81", "83", "261", "262", "296", "308", "381", "396", "420", "458", "532"])
def test_credit_note_types(code: str) -> None:
    assert pivot_type(code) == "381"


@pytest.mark.parametrize("code", ["380", "384", "386", "389", "751", "", "999"])
def test_other_types_are_invoices(code: str) -> None:
    assert pivot_type(code) == "380"


@pytest.mark.parametrize(
    ("process", "cadre"),
    [("A1", "A1"), ("A2", "A2"), ("a9", "A9"), (" A25 ", "A25"), ("", "A1"),
     ("urn:fdc:peppol.eu:2017:poacc:billing:01:1.0", "A1"),
     ("S1", "A1"), ("B1", "A1"), ("M1", "A1"), ("S2", "A2"), ("B2", "A2"), ("S5", "A9"), ("S6", "A12")],
)
def test_cadre(process: str, cadre: str) -> None:
    assert pivot_cadre(process) == cadre
    assert pivot_notes(make_invoice(process=process)) == [], "a cadre with a known equivalent needs no note"


@pytest.mark.parametrize("process", ["A11", "A26", "S4", "B7", "S8", "P1"])
def test_cadre_like_code_without_equivalent_is_noted(process: str) -> None:
    assert pivot_cadre(process) == "A1"
    assert [note.code for note in pivot_notes(make_invoice(process=process))] == ["FCT-PIVOT-CADRE-DEFAULT"]


def test_cadres_are_the_schema_enumeration(pivot_schema) -> None:
    xsd = etree.parse(str(CHORUS_XSD / "CPPFacturePivot_V2_02.xsd"))
    declared = xsd.xpath("//xs:element[@name='Cadre']//xs:enumeration/@value", namespaces={"xs": XS})
    assert CADRES == set(declared)


@pytest.mark.parametrize(
    ("means", "code"),
    [("10", "10"), ("20", "20"), ("23", "20"), ("30", "30"), ("58", "30"), ("31", "31"), ("42", "42"), ("48", "48"),
     ("54", "48"), ("55", "48"), ("49", "49"), ("59", "49"), ("97", "97")],
)
def test_payment_means_mapping(means: str, code: str) -> None:
    assert payment_mode(means)[0] == code
    assert pivot_notes(make_invoice(payment_means=means)) == []


@pytest.mark.parametrize(("means", "code"), [("", "FCT-PIVOT-PAYMENT-MEANS-ABSENT"),
                                             ("70", "FCT-PIVOT-PAYMENT-MEANS-UNMAPPED")])
def test_payment_means_default_is_said_not_guessed(pivot_schema, means: str, code: str) -> None:
    invoice = make_invoice(payment_means=means)
    notes = pivot_notes(invoice)
    assert [(note.code, note.severity, note.layer) for note in notes] == [(code, Severity.WARNING, "pivot")]
    assert "BT-81" in notes[0].location
    mode = unit(assert_valid(pivot_schema, write(invoice))).find("DonneesFacture/ModePaiement")
    assert mode.findtext("Code") == "30"
    assert (means or "non renseigné") in mode.findtext("Libelle")


def test_payment_codes_are_in_the_schema_enumeration(pivot_schema) -> None:
    for means in PAYMENT_MODES:
        assert_valid(pivot_schema, write(make_invoice(payment_means=means)))


@pytest.mark.parametrize(
    ("changes", "code"),
    [({"type_code": "386"}, "FCT-PIVOT-TYPE-MAPPED"), ({"type_code": "261"}, "FCT-PIVOT-TYPE-MAPPED")],
)
def test_other_notes(changes: dict, code: str) -> None:
    assert [note.code for note in pivot_notes(make_invoice(**changes))] == [code]


def test_clean_invoice_has_no_gaps_and_no_notes() -> None:
    for build in (make_invoice, credit_note, foreign_invoice):
        assert pivot_gaps(build(), ORIGINAL) == []
    assert pivot_notes(make_invoice()) == []
    assert pivot_notes(make_invoice(process="urn:cen.eu:en16931:2017")) == []


def long_attachment() -> list[Attachment]:
    return [Attachment("a" * 47 + ".pdf", "application/pdf", b"%PDF")]


GAPS = {
    "no number": ({"number": ""}, "FCT-PIVOT-NUMBER-MISSING", "BT-1"),
    "21-char number": ({"number": "F" * 21}, "FCT-PIVOT-NUMBER-TOO-LONG", "BT-1"),
    "no issue date": ({"issue_date": None}, "FCT-PIVOT-ISSUE-DATE-MISSING", "BT-2"),
    "lower-case currency": ({"currency": "eur"}, "FCT-PIVOT-CURRENCY", "BT-5"),
    "no currency": ({"currency": ""}, "FCT-PIVOT-CURRENCY", "BT-5"),
    "no BT-109": ({"total_without_vat": None}, "FCT-PIVOT-TOTAL-MISSING", "BT-109"),
    "no BT-112": ({"total_with_vat": None}, "FCT-PIVOT-TOTAL-MISSING", "BT-112"),
    "no BT-115": ({"amount_due": None}, "FCT-PIVOT-TOTAL-MISSING", "BT-115"),
    "NaN amount": ({"amount_due": Decimal("NaN")}, "FCT-PIVOT-AMOUNT-INVALID", "BT-115"),
    "13-char buyer id": (
        {"buyer": Party(name="X", identifier="2142021860001")}, "FCT-PIVOT-BUYER-ID", "BT-47"),
    "51-char contract": ({"contract": "M" * 51}, "FCT-PIVOT-CONTRACT-TOO-LONG", "BT-12"),
    "51-char engagement": ({"engagement": "E" * 51}, "FCT-PIVOT-ENGAGEMENT-TOO-LONG", "BT-13"),
    "101-char service": ({"service_code": "S" * 101}, "FCT-PIVOT-SERVICE-CODE-TOO-LONG", "BT-10"),
    "51-char attachment name": ({"attachments": long_attachment()}, "FCT-PIVOT-ATTACHMENT-NAME-TOO-LONG", "BT-125"),
    "3-letter country": ({"supplier": replace(french_supplier(), country="FRA")}, "FCT-PIVOT-SUPPLIER-COUNTRY",
                         "BT-40"),
    "no country": ({"supplier": replace(french_supplier(), country="")}, "FCT-PIVOT-SUPPLIER-COUNTRY", "BT-40"),
    "no identifier type": ({"supplier": replace(french_supplier(), identifier_type="")},
                           "FCT-PIVOT-SUPPLIER-ID-TYPE", "BG-4"),
    "control character": ({"supplier": replace(french_supplier(), name="ACME\x0c SARL")},
                          "FCT-PIVOT-INVALID-CHARACTER", "BT-27"),
}


@pytest.mark.parametrize(("changes", "code", "term"), GAPS.values(), ids=GAPS.keys())
def test_each_gap_is_reported_and_blocks_the_pivot(changes: dict, code: str, term: str) -> None:
    invoice = make_invoice(**changes)
    gaps = pivot_gaps(invoice, ORIGINAL)
    assert [gap.code for gap in gaps] == [code]
    gap = gaps[0]
    assert gap.severity is Severity.BLOCKING and gap.layer == "pivot"
    assert term in gap.location and gap.message
    with pytest.raises(ValueError, match="cannot be carried"):
        write(invoice)


def test_original_name_too_long_is_a_gap() -> None:
    original = replace(ORIGINAL, name="x" * 47 + ".xml")
    assert [gap.code for gap in pivot_gaps(make_invoice(), original)] == ["FCT-PIVOT-ATTACHMENT-NAME-TOO-LONG"]


def test_limits_themselves_are_carried(pivot_schema) -> None:
    invoice = make_invoice(
        number="F" * 20,
        contract="M" * 50,
        engagement="E" * 50,
        service_code="S" * 100,
        attachments=[Attachment("a" * 46 + ".pdf", "application/pdf", b"%PDF")],
    )
    original = replace(ORIGINAL, name="o" * 46 + ".xml")
    assert pivot_gaps(invoice, original) == []
    assert_valid(pivot_schema, write(invoice, original=original))


@pytest.mark.parametrize("changes", [{"hub_id": "FC"}, {"recipient_mailbox": "MAIRIE-DE-LYON"}])
def test_partner_ids_outside_the_envelope_limits_are_refused(changes: dict) -> None:
    with pytest.raises(ValueError, match="3 to 8 characters"):
        write(make_invoice(), **changes)


def test_naive_received_at_is_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        write(make_invoice(), received_at=RECEIVED.replace(tzinfo=None))


def test_same_inputs_same_bytes() -> None:
    assert write(make_invoice()) == write(make_invoice())
    assert write(credit_note(), received_at=RECEIVED.astimezone(timezone.utc)) != write(credit_note())


def test_pivot_name() -> None:
    assert pivot_name(FLOW, 1) == f"{FLOW}-001.pivot.xml"
    assert pivot_name(FLOW, 12) != pivot_name(FLOW, 1)
