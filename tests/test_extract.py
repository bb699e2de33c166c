"""Extraction of UBL and CII into the canonical invoice.

Known documents of the public corpus pin exact values; the same invoice written
in both syntaxes must give the same canonical invoice; every UBL and CII
document of EXPECTED.tsv must extract. Small inline documents cover what the
corpus does not: unreadable data, odd date formats, the party rules.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from facteur.engine.errors import ExtractionError
from facteur.engine.extraction import extract
from facteur.engine.extraction.parties import PartyData, SchemedId, buyer, seller
from facteur.engine.model import Invoice, Syntax

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)

UBL_NS = (
    'xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" '
    'xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2" '
    'xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"'
)
CII_NS = (
    'xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100" '
    'xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100" '
    'xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"'
)


def read(path: Path, syntax: Syntax = Syntax.UBL) -> Invoice:
    return extract(etree.parse(str(path), _PARSER).getroot(), syntax)


def read_text(xml: str, syntax: Syntax = Syntax.UBL) -> Invoice:
    return extract(etree.fromstring(xml.encode(), _PARSER), syntax)


def ubl(body: str) -> str:
    return f"<Invoice {UBL_NS}>{body}</Invoice>"


def cii(document: str = "", transaction: str = "") -> str:
    return (
        f"<rsm:CrossIndustryInvoice {CII_NS}><rsm:ExchangedDocument>{document}</rsm:ExchangedDocument>"
        f"<rsm:SupplyChainTradeTransaction>{transaction}</rsm:SupplyChainTradeTransaction></rsm:CrossIndustryInvoice>"
    )


def _payable(text: str) -> str:
    return f"<cac:LegalMonetaryTotal><cbc:PayableAmount>{text}</cbc:PayableAmount></cac:LegalMonetaryTotal>"


def cii_issue_date(value: str, format_code: str) -> str:
    stamp = f'<udt:DateTimeString format="{format_code}">{value}</udt:DateTimeString>'
    return cii(f"<ram:IssueDateTime>{stamp}</ram:IssueDateTime>")


# --- known documents -------------------------------------------------------------------


def test_ubl_invoice_known_values(corpus: Path) -> None:
    invoice = read(corpus / "en16931/ubl-examples/ubl-tc434-example1.xml", Syntax.UBL)
    assert (invoice.syntax, invoice.number, invoice.type_code) == (Syntax.UBL, "12115118", "380")
    assert (invoice.issue_date, invoice.due_date, invoice.currency) == (date(2015, 1, 9), date(2015, 1, 9), "EUR")
    assert invoice.profile == "urn:cen.eu:en16931:2017"
    assert invoice.total_without_vat == Decimal("229.60")
    assert str(invoice.total_without_vat) == "229.60"  # exactly as written, trailing zero kept
    assert (invoice.total_vat, invoice.total_with_vat, invoice.amount_due) == (
        Decimal("20.73"), Decimal("250.33"), Decimal("250.33"),
    )
    assert [(b.category, b.rate, b.taxable_amount, b.tax_amount) for b in invoice.vat_breakdown] == [
        ("S", Decimal("6"), Decimal("183.23"), Decimal("10.99")),
        ("S", Decimal("21"), Decimal("46.37"), Decimal("9.74")),
    ]
    assert len(invoice.lines) == 20
    first = invoice.lines[0]
    assert (first.number, first.name, first.product_ref) == ("1", "PATAT FRITES 10MM 10KG", "166022")
    assert (first.quantity, first.unit_code, first.unit_price, first.net_amount) == (
        Decimal("2"), "EA", Decimal("9.95"), Decimal("19.90"),
    )
    assert (first.vat_category, first.vat_rate) == ("S", Decimal("6"))
    assert invoice.payment_means == "30"
    assert (invoice.supplier.name, invoice.supplier.country, invoice.supplier.vat_id) == (
        "De Koksmaat", "NL", "NL8200.98.395.B.01",
    )
    assert (invoice.supplier.identifier, invoice.supplier.identifier_type) == ("NL8200.98.395.B.01", "2")
    assert invoice.supplier.iban == "NL57 RABO 0107307510"  # the first of two credit transfers
    assert (invoice.buyer.name, invoice.buyer.identifier, invoice.buyer.identifier_type) == ("ODIN 59", "10202", "2")
    assert invoice.attachments == []


def test_ubl_credit_note(corpus: Path) -> None:
    invoice = read(corpus / "en16931/ubl-examples/ubl-tc434-creditnote1.xml")
    assert invoice.type_code == "381"
    assert invoice.number and invoice.currency
    assert invoice.lines and all(line.quantity for line in invoice.lines)


def test_cii_known_values(corpus: Path) -> None:
    """AFNOR XP Z12-014 use case 1: a French EN 16931 invoice with SIRENs but no SIRET."""
    path = "fr-reform/afnor-xp-z12-014-annexe-B-v1.3/UC1/UC1_F202500003_00-INV_20250701_CII_EN16931.xml"
    invoice = read(corpus / path, Syntax.CII)
    assert (invoice.number, invoice.type_code, invoice.issue_date) == ("F202500003", "380", date(2025, 7, 1))
    assert (invoice.currency, invoice.profile, invoice.process) == ("EUR", "urn:cen.eu:en16931:2017", "S1")
    assert (invoice.service_code, invoice.engagement, invoice.due_date) == ("BU_2516", "PO202525478", date(2025, 7, 31))
    assert (invoice.total_without_vat, invoice.total_vat, invoice.total_with_vat, invoice.amount_due) == (
        Decimal("10000.00"), Decimal("2000.00"), Decimal("12000.00"), Decimal("12000.00"),
    )
    assert sum(b.tax_amount for b in invoice.vat_breakdown) == invoice.total_vat
    assert [(line.quantity, line.unit_code, line.unit_price, line.net_amount) for line in invoice.lines] == [
        (Decimal("200.0000"), "HUR", Decimal("40.0000"), Decimal("8000.00")),
        (Decimal("5.0000"), "DAY", Decimal("400.0000"), Decimal("2000.00")),
    ]
    supplier = invoice.supplier
    assert (supplier.name, supplier.country, supplier.vat_id) == ("LE VENDEUR", "FR", "FR88100000009")
    assert (supplier.identifier, supplier.identifier_type) == ("100000009", "1")  # SIREN: a later control rejects it
    assert (supplier.iban, supplier.bank_id) == ("FR20 1254 2547 2569 8542 5874 698", "BIC_MONCOMPTE")
    buyer_party = invoice.buyer
    assert (buyer_party.name, buyer_party.identifier, buyer_party.identifier_type) == ("LE CLIENT", "200000008", "1")


def test_cii_minimum_profile_has_no_lines_and_finds_the_siret(corpus: Path) -> None:
    invoice = read(corpus / "mustang/library/cii/facturFrMinimum.xml", Syntax.CII_MIN)
    assert (invoice.number, invoice.profile) == ("FA-2017-0010", "urn:factur-x.eu:1p0:minimum")
    assert invoice.lines == [] and invoice.vat_breakdown == []
    assert (invoice.total_without_vat, invoice.total_vat, invoice.amount_due) == (
        Decimal("624.90"), Decimal("46.25"), Decimal("470.15"),
    )
    # a 14-digit legal id of a French party is its SIRET, even under the SIREN scheme 0002
    assert (invoice.buyer.identifier, invoice.buyer.identifier_type) == ("78787878400035", "1")
    assert (invoice.supplier.identifier, invoice.supplier.identifier_type) == ("99999999800010", "1")


def test_cii_extended_sub_lines_are_listed_flat(corpus: Path) -> None:
    folder = corpus / "fr-reform/afnor-xp-z12-014-annexe-B-v1.3/Facture Sous Ligne et Multi-Vendeur/_Sous-ligne"
    invoice = read(folder / "UC12_F202600025_SOUS-LIGNE_CII_Commentee_EXTENDED.xml", Syntax.CII)
    assert [(line.number, line.net_amount) for line in invoice.lines] == [
        ("1", Decimal("500.00")), ("2", Decimal("200.00")), ("3", Decimal("300.00")), ("4", Decimal("0.00")),
    ]


@pytest.mark.parametrize(
    "path",
    ["en16931/ubl-examples/ubl-tc434-example5.xml", "en16931/cii-examples/CII_example5.xml"],
)
def test_vat_total_is_the_one_in_the_invoice_currency(corpus: Path, path: str) -> None:
    """Both documents restate their VAT in EUR (BT-111); BT-110 is the DKK one."""
    invoice = read(corpus / path)
    assert (invoice.currency, invoice.total_vat) == ("DKK", Decimal("675.00"))
    assert sum(b.tax_amount for b in invoice.vat_breakdown) == Decimal("675")


@pytest.mark.parametrize(
    "path",
    ["zugferd/XML-Rechnung/CII/XRECHNUNG_Elektron.cii.xml", "zugferd/XML-Rechnung/UBL/XRECHNUNG_Elektron.ubl.xml"],
)
def test_embedded_attachments_are_decoded(corpus: Path, path: str) -> None:
    invoice = read(corpus / path)
    assert [(a.name, a.mime_type, a.reference, a.kind) for a in invoice.attachments] == [
        ("Aufmass.png", "image/png", "Aufmass", "02"),
        ("ElektronRapport.pdf", "application/pdf", "ElektronRapport", "02"),
    ]
    report = invoice.attachments[1]
    assert len(report.content) == 843023 and report.content.startswith(b"%PDF-")
    assert invoice.attachments[0].content.startswith(b"\x89PNG")


def test_large_ubl_attachment_named_by_its_filename(corpus: Path) -> None:
    invoice = read(corpus / "en16931/ubl-examples/FT G2G_TD01 con Allegato, Bonifico e Split Payment.xml")
    [attachment] = invoice.attachments
    assert (attachment.name, attachment.reference, len(attachment.content)) == ("mappatura_ubl_sdi.pdf", "1", 2464230)


def _same_invoice_pairs(corpus: Path) -> list[tuple[Path, Path]]:
    zugferd = corpus / "zugferd/XML-Rechnung"
    pairs = [
        (path, zugferd / "UBL" / path.name.replace(".cii.xml", ".ubl.xml"))
        for path in sorted((zugferd / "CII").glob("*.cii.xml"))
        if not path.name.startswith("not_validating")
    ]
    afnor = corpus / "fr-reform/afnor-xp-z12-014-annexe-B-v1.3"
    cii_paths = sorted(afnor.glob("UC*/**/*_CII_EN16931*.xml"))
    pairs += [(path, Path(str(path).replace("_CII_", "_UBL_"))) for path in cii_paths]
    return pairs


def test_same_invoice_in_both_syntaxes_extracts_the_same(corpus: Path) -> None:
    """The corpus carries the same invoices as UBL and as CII: the readers must agree
    on everything but the specification and process ids, which these pairs word
    differently in the source."""
    pairs = _same_invoice_pairs(corpus)
    assert len(pairs) >= 30
    for cii_path, ubl_path in pairs:
        from_cii, from_ubl = read(cii_path), read(ubl_path)
        assert dataclasses.replace(from_cii, profile="", process="") == dataclasses.replace(
            from_ubl, profile="", process=""
        ), cii_path.name


# --- the whole corpus ------------------------------------------------------------------


def _expected_xml_documents(corpus: Path) -> list[Path]:
    rows = (corpus / "EXPECTED.tsv").read_text(encoding="utf-8").splitlines()[1:]
    paths = (row.split("\t", 1)[0] for row in rows if row.strip())
    return [corpus / path for path in paths if not path.lower().endswith(".pdf")]


def test_every_expected_xml_document_extracts(corpus: Path) -> None:
    documents = _expected_xml_documents(corpus)
    assert len(documents) >= 200
    failures = []
    for path in documents:
        try:
            invoice = read(path)
        except ExtractionError as err:
            failures.append(f"{path.relative_to(corpus)}: {err}")
            continue
        failures += [f"{path.relative_to(corpus)}: {problem}" for problem in _problems(invoice)]
    assert not failures, f"{len(failures)} problems in {len(documents)} documents:\n" + "\n".join(failures)


def _problems(invoice: Invoice) -> list[str]:
    problems = []
    if not invoice.number or not invoice.currency:
        problems.append(f"number {invoice.number!r}, currency {invoice.currency!r}")
    vat = sum(b.tax_amount for b in invoice.vat_breakdown)
    if invoice.vat_breakdown and invoice.total_vat is not None and vat != invoice.total_vat:
        problems.append(f"VAT breakdown sums to {vat}, total VAT is {invoice.total_vat}")
    amounts = [line.net_amount for line in invoice.lines] + [line.quantity for line in invoice.lines]
    if not all(isinstance(amount, Decimal) for amount in amounts):
        problems.append("a line amount is not a Decimal")
    return problems


# --- what the corpus does not show -----------------------------------------------------


def test_unreadable_amount_says_where() -> None:
    xml = ubl(_payable("12,50"))
    with pytest.raises(ExtractionError) as raised:
        read_text(xml)
    assert raised.value.location == "/*/cac:LegalMonetaryTotal/cbc:PayableAmount"
    assert isinstance(raised.value, ValueError)


@pytest.mark.parametrize("text", ["1e3", "NaN", "Infinity", "1_000", "12.5.0", "--1"])
def test_amounts_are_xsd_decimals_only(text: str) -> None:
    with pytest.raises(ExtractionError):
        read_text(ubl(_payable(text)))


def test_amounts_keep_their_exact_text() -> None:
    xml = ubl(_payable(" -0.10 "))
    assert str(read_text(xml).amount_due) == "-0.10"


@pytest.mark.parametrize("text", ["09/01/2015", "2015-02-30", "20150109"])
def test_unreadable_ubl_date_says_where(text: str) -> None:
    with pytest.raises(ExtractionError) as raised:
        read_text(ubl(f"<cbc:IssueDate>{text}</cbc:IssueDate>"))
    assert raised.value.location == "/*/cbc:IssueDate"


def test_ubl_date_with_time_zone() -> None:
    assert read_text(ubl("<cbc:IssueDate>2015-01-09+01:00</cbc:IssueDate>")).issue_date == date(2015, 1, 9)


@pytest.mark.parametrize(
    ("value", "format_code", "expected"),
    [
        ("20250701", "102", date(2025, 7, 1)),
        ("202507", "610", date(2025, 7, 1)),
        ("202527", "616", date(2025, 6, 30)),  # Monday of ISO week 27
        ("202507011230", "203", date(2025, 7, 1)),
    ],
)
def test_cii_date_formats(value: str, format_code: str, expected: date) -> None:
    assert read_text(cii_issue_date(value, format_code)).issue_date == expected


@pytest.mark.parametrize(
    ("value", "format_code"), [("2025-07-01", "102"), ("20251301", "102"), ("202554", "616"), ("20250701", "999")]
)
def test_unreadable_cii_date_says_where(value: str, format_code: str) -> None:
    with pytest.raises(ExtractionError) as raised:
        read_text(cii_issue_date(value, format_code))
    where = "/rsm:CrossIndustryInvoice/rsm:ExchangedDocument/ram:IssueDateTime/udt:DateTimeString"
    assert raised.value.location == where


def test_invalid_base64_attachment_says_where() -> None:
    reference = (
        "<ram:ApplicableHeaderTradeAgreement><ram:AdditionalReferencedDocument>"
        "<ram:IssuerAssignedID>X</ram:IssuerAssignedID>"
        '<ram:AttachmentBinaryObject mimeCode="application/pdf" filename="x.pdf">JVBER*i0=</ram:AttachmentBinaryObject>'
        "</ram:AdditionalReferencedDocument></ram:ApplicableHeaderTradeAgreement>"
    )
    with pytest.raises(ExtractionError) as raised:
        read_text(cii(transaction=reference))
    assert raised.value.location.endswith("ram:AdditionalReferencedDocument/ram:AttachmentBinaryObject")


def test_attachment_without_filename_or_with_uri_only() -> None:
    references = (
        "<cac:AdditionalDocumentReference><cbc:ID>spec</cbc:ID>"
        "<cbc:DocumentDescription>Specification</cbc:DocumentDescription><cac:Attachment>"
        '<cbc:EmbeddedDocumentBinaryObject mimeCode="text/csv">\n  YSxi\n  LGM=\n</cbc:EmbeddedDocumentBinaryObject>'
        "</cac:Attachment></cac:AdditionalDocumentReference>"
        "<cac:AdditionalDocumentReference><cbc:ID>web</cbc:ID><cac:Attachment><cac:ExternalReference>"
        "<cbc:URI>https://example.org/x.pdf</cbc:URI>"
        "</cac:ExternalReference></cac:Attachment></cac:AdditionalDocumentReference>"
    )
    [attachment] = read_text(ubl(references)).attachments
    assert (attachment.name, attachment.mime_type, attachment.content) == ("spec", "text/csv", b"a,b,c")
    assert (attachment.description, attachment.reference) == ("Specification", "spec")


def test_unknown_root_is_an_extraction_error() -> None:
    with pytest.raises(ExtractionError) as raised:
        read_text("<CPPStatut/>")
    assert raised.value.location == "/CPPStatut"


@pytest.mark.parametrize("xml", [ubl(""), cii(), f"<rsm:CrossIndustryInvoice {CII_NS}/>"])
def test_empty_documents_give_an_empty_invoice(xml: str) -> None:
    """Missing data, even mandatory, is for validation to report, not a crash."""
    invoice = read_text(xml)
    assert (invoice.number, invoice.currency, invoice.issue_date, invoice.total_without_vat) == ("", "", None, None)
    assert invoice.lines == [] and invoice.vat_breakdown == [] and invoice.attachments == []
    assert invoice.supplier.identifier_type == invoice.buyer.identifier_type == ""


def test_values_with_comments_inside_are_whole() -> None:
    assert read_text(ubl("<cbc:ID>F-<!-- year -->2025-1</cbc:ID>")).number == "F-2025-1"


# --- the Chorus Pro party rules --------------------------------------------------------

SIRET = "12345678900012"


def test_siret_scheme_0009_preferred_over_other_party_ids() -> None:
    data = PartyData(country="FR", party_ids=(SchemedId("98765432100034"), SchemedId(SIRET, "0009")))
    assert (seller(data).identifier, seller(data).identifier_type) == (SIRET, "1")


def test_unqualified_14_digits_is_a_siret_only_for_a_french_party() -> None:
    assert seller(PartyData(country="FR", legal_ids=(SchemedId("123 456 789 00012"),))).identifier == SIRET
    german = seller(PartyData(country="DE", vat_id="DE123456789", legal_ids=(SchemedId(SIRET),)))
    assert (german.identifier, german.identifier_type) == ("DE123456789", "2")


def test_siret_scheme_counts_whatever_the_country() -> None:
    party = seller(PartyData(country="BE", vat_id="BE0123456789", legal_ids=(SchemedId(SIRET, "0009"),)))
    assert (party.identifier, party.identifier_type) == (SIRET, "1")


def test_electronic_address_identifies_the_buyer_only() -> None:
    data = PartyData(country="FR", electronic_address=SchemedId(SIRET, "0009"))
    assert (buyer(data).identifier, buyer(data).identifier_type) == (SIRET, "1")
    assert seller(data).identifier == ""
    other_scheme = PartyData(country="FR", electronic_address=SchemedId(SIRET, "0225"))
    assert buyer(other_scheme).identifier == ""


def test_french_party_without_siret_keeps_type_1_with_its_siren() -> None:
    data = PartyData(country="FR", vat_id="FR88100000009", legal_ids=(SchemedId("100000009", "0002"),))
    assert (seller(data).identifier, seller(data).identifier_type) == ("100000009", "1")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (PartyData(country="DE", vat_id="DE123", legal_ids=(SchemedId("HRB 1"),)), ("DE123", "2")),
        (PartyData(country="NL", legal_ids=(SchemedId("57151520"),), party_ids=(SchemedId("P1"),)), ("57151520", "2")),
        (PartyData(country="NO", party_ids=(SchemedId("NO999"),)), ("NO999", "3")),
        (PartyData(country="CH", vat_id="CHE-123"), ("CHE-123", "3")),
        (PartyData(vat_id="EL123456789"), ("EL123456789", "2")),  # no address: the VAT prefix tells, EL is Greece
        (PartyData(legal_ids=(SchemedId(SIRET, "0002"),)), (SIRET, "1")),  # no address: a French registry scheme tells
        (PartyData(country="RE", legal_ids=(SchemedId(SIRET),)), (SIRET, "1")),  # overseas departments are France
        (PartyData(name="nobody"), ("", "")),
    ],
)
def test_identifier_type(data: PartyData, expected: tuple[str, str]) -> None:
    party = buyer(data)
    assert (party.identifier, party.identifier_type) == expected
