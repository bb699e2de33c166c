"""Plain PDFs (no embedded data) through `facteur process`: the header and footer
recognised from the text with the label patterns of mappings/recognition.toml,
a pivot in ModeEmission PDF without lines, and clear rejections naming what is
missing."""

from __future__ import annotations

import base64
import json
import shutil
import time
from decimal import Decimal

import pytest
from conftest import assert_valid
from helpers import REPO, blocking_codes, only_flow, text_pdf

SUPPLIER = "35600000000048"  # the demo supplier DEMO01 deposits for
VILLE = "21750001600019"  # Ville de Démo, which requires nothing more


def french_invoice(number: str = "FA-2026-0042", recipient: str = VILLE, title: str = "FACTURE") -> bytes:
    """An invoice as a French invoicing system prints it: seller letterhead, the
    buyer's block on the right, references, and the totals at the foot."""
    return text_pdf(
        [
            "Fournitures Démo SARL",
            "1 rue de la Démo, 75001 Paris",
            f"SIRET : {SUPPLIER[:3]} {SUPPLIER[3:6]} {SUPPLIER[6:9]} {SUPPLIER[9:]}",
            "",
            f"{title} N° {number}",
            "Date de facture : 2 novembre 2026",
            "Numéro d'engagement : EJ-2026-7781",
            "",
            "Désignation                 Qté      P.U. HT      Total HT",
            "Ramette papier A4            10       4,50 €        45,00 €",
            "Prestation de maintenance     2     580,00 €     1 160,00 €",
            "",
            "Total HT : 1 205,00 €",
            "TVA 20 % : 241,00 €",
            "Total TTC : 1 446,00 €",
            "Net à payer : 1 446,00 €",
        ],
        columns=[["Destinataire", "Ville de Démo", "Place de la Mairie", f"SIRET {recipient}"]],
    )


def test_plain_french_pdf_is_recognised_into_a_pdf_mode_pivot_without_lines(hub, pivot_schema):
    document = french_invoice()
    code, result = hub.process(hub.drop("facture.pdf", document))
    flow = only_flow(result)
    assert code == 0 and flow["status"] == "90", flow["findings"]

    [path] = hub.pivots()
    pivot = assert_valid(pivot_schema, path.read_bytes())
    assert pivot.findtext(".//ModeEmission") == "PDF" and pivot.find(".//Lignes") is None
    assert pivot.findtext(".//DonneesFacture/Id") == "FA-2026-0042"
    assert pivot.findtext(".//DonneesFacture/Type") == "380"
    assert pivot.findtext(".//DateEmissionFacture") == "2026-11-02"
    assert pivot.findtext(".//Fournisseur/Identifiant") == SUPPLIER
    assert pivot.findtext(".//Debiteur/Identifiant") == VILLE
    assert pivot.findtext(".//NumeroEngagement") == "EJ-2026-7781"
    totals = {t: Decimal(pivot.findtext(f".//Montants/{t}")) for t in ("MontantHT", "MontantTTC", "MontantNetAPayer")}
    assert totals == {"MontantHT": Decimal("1205.00"), "MontantTTC": Decimal("1446.00"), "MontantNetAPayer": Decimal("1446.00")}
    original = pivot.find(".//PJ")
    assert original.findtext("MimeTypePJ") == "application/pdf"
    assert base64.b64decode(original.findtext("Contenu")) == document


def test_english_table_layout_with_values_under_their_labels(hub, pivot_schema):
    document = text_pdf(
        [
            "Demo Supplies Ltd",
            f"SIRET {SUPPLIER}",
            "",
            "INVOICE",
            "Invoice number          Invoice date          Currency",
            "INV/2026/118            November 3, 2026      EUR",
            "",
            "Bill to: Ville de Démo",
            f"SIRET {VILLE}",
            "",
            "Subtotal           Total VAT           Total incl. VAT          Amount due",
            "1,250.00           250.00              1,500.00                 1,000.00",
        ]
    )
    code, result = hub.process(hub.drop("invoice.pdf", document))
    assert only_flow(result)["status"] == "90", only_flow(result)["findings"]
    pivot = assert_valid(pivot_schema, hub.pivots()[0].read_bytes())
    assert pivot.findtext(".//DonneesFacture/Id") == "INV/2026/118"
    assert pivot.findtext(".//DateEmissionFacture") == "2026-11-03"
    assert [pivot.findtext(f".//Montants/{t}") for t in ("MontantHT", "MontantTTC", "MontantNetAPayer")] == [
        "1250.00",
        "1500.00",
        "1000.00",
    ]


def test_a_credit_note_title_makes_a_credit_note(hub, pivot_schema):
    document = french_invoice("AV-2026-0007", title="AVOIR")
    code, result = hub.process(hub.drop("avoir.pdf", document))
    assert only_flow(result)["status"] == "90", only_flow(result)["findings"]
    pivot = assert_valid(pivot_schema, hub.pivots()[0].read_bytes())
    assert pivot.findtext(".//DonneesFacture/Type") == "381"
    assert pivot.findtext(".//DonneesFacture/Id") == "AV-2026-0007"


def test_missing_mandatory_fields_are_named_in_the_rejection(hub):
    document = text_pdf(["Fournitures Démo SARL", "FACTURE N° FA-2026-0043", "Date : 02/11/2026", "Total HT : 100,00 €"])
    code, result = hub.process(hub.drop("incomplete.pdf", document))
    flow = only_flow(result)
    assert flow["status"] == "93" and blocking_codes(flow) == ["FCT-PDF-FIELDS-MISSING"]
    [finding] = flow["findings"]
    for what in ("SIRET du fournisseur (BT-29)", "SIRET du destinataire (BT-47)", "total TVA comprise (BT-112)"):
        assert what in finding["message"]
    assert "numéro de facture" not in finding["message"] and "total HT" not in finding["message"]


def test_a_pdf_without_text_is_rejected_as_unreadable(hub):
    _, result = hub.process(hub.drop("scan.pdf", text_pdf([])))
    assert blocking_codes(only_flow(result)) == ["FCT-PDF-NO-TEXT"]


def test_hub_controls_apply_to_recognised_data(hub):
    _, result = hub.process(hub.drop("unknown.pdf", french_invoice("FA-2026-0044", recipient="12345678900017")))
    assert blocking_codes(only_flow(result)) == ["FCT-RECIPIENT-UNKNOWN"]


def test_an_operator_adds_labels_in_the_mappings_not_the_code(hub, tmp_path):
    """A supplier printing Spanish labels: one line in a copy of recognition.toml makes it readable."""
    document = text_pdf(
        [
            "Suministros Demo SL",
            f"SIRET {SUPPLIER}",
            "Factura número: ES-2026-9",
            "Fecha: 04/11/2026",
            f"Destinataire SIRET {VILLE}",
            "Base imponible: 100,00 EUR",
            "Importe total: 121,00 EUR",
        ]
    )
    _, before = hub.process(hub.drop("es.pdf", document))
    assert blocking_codes(only_flow(before)) == ["FCT-PDF-FIELDS-MISSING"]

    mappings = tmp_path / "my-mappings"
    mappings.mkdir()
    patterns = (REPO / "mappings" / "recognition.toml").read_text("utf-8")
    patterns = patterns.replace('labels = ["numero de facture",', 'labels = ["factura numero", "numero de facture",')
    patterns = patterns.replace('labels = ["total hors taxes",', 'labels = ["base imponible", "total hors taxes",')
    patterns = patterns.replace('labels = ["total toutes taxes comprises",', 'labels = ["importe total", "total toutes taxes comprises",')
    patterns = patterns.replace('"invoice date", "date of issue",', '"invoice date", "fecha", "date of issue",')
    (mappings / "recognition.toml").write_text(patterns, "utf-8")
    config = tmp_path / "facteur.toml"
    shutil.copy(REPO / "config" / "directory.toml", tmp_path / "directory.toml")
    config.write_text(f'[mappings]\nfolder = "{mappings}"\n', "utf-8")
    # one byte more: another flow, not a repeat of the rejected one
    again = hub.drop("es2.pdf", document + b"\n")
    code, out = hub.run("process", str(again), "--sender", "DEMO01", "--json", "--config", str(config))
    flow = only_flow(json.loads(out))
    assert flow["status"] == "90", flow["findings"]


def recognised_totals(hub, pivot_schema, name: str, lines: list[str]) -> dict[str, str]:
    """The totals of the pivot facteur makes of a plain PDF printing `lines`
    (with the demo supplier's SIRET and the town's, so that it is accepted)."""
    header = ["Fournitures Démo SARL", f"SIRET : {SUPPLIER}", "", f"{name.upper()} N° FA-2026-0050",
              "Date : 05/11/2026", "Devise : EUR", f"Destinataire SIRET {VILLE}", ""]
    _, result = hub.process(hub.drop(f"{name}.pdf", text_pdf(header + lines)))
    assert only_flow(result)["status"] == "90", only_flow(result)["findings"]
    pivot = assert_valid(pivot_schema, hub.pivots()[0].read_bytes())
    totals = {t: pivot.findtext(f".//Montants/{t}") for t in ("MontantHT", "MontantTTC", "MontantNetAPayer")}
    return {"Type": pivot.findtext(".//DonneesFacture/Type"), **totals}


def test_a_vat_breakdown_gives_its_total_row_not_its_first_rate(hub, pivot_schema):
    assert recognised_totals(hub, pivot_schema, "facture", [
        "Récapitulatif",
        "Taux            Base HT          Montant TVA          Total TTC",
        "20 %            1 000,00               200,00           1 200,00",
        "5,5 %             200,00                11,00             211,00",
        "                1 200,00               211,00           1 411,00",
    ]) == {"Type": "380", "MontantHT": "1200.00", "MontantTTC": "1411.00", "MontantNetAPayer": "1411.00"}


def test_the_totals_that_add_up_win_over_a_column_of_line_totals(hub, pivot_schema):
    """The lines' "Total TTC" column comes before the footer's "Montant TTC" in
    the mapping; only the footer's adds up with the total without VAT and the VAT."""
    assert recognised_totals(hub, pivot_schema, "facture", [
        "Désignation            Qté      Prix HT       Total TTC",
        "Ramette papier A4       10        45,00           54,00",
        "Maintenance              2     1 160,00        1 392,00",
        "",
        "Montant HT : 1 205,00 €",
        "TVA 20 % : 241,00 €",
        "Montant TTC : 1 446,00 €",
    ]) == {"Type": "380", "MontantHT": "1205.00", "MontantTTC": "1446.00", "MontantNetAPayer": "1446.00"}



@pytest.mark.parametrize("title, type_code, sign", [("facture", "380", "-"), ("avoir", "381", "")])
def test_negative_amounts_keep_their_sign_on_an_invoice_not_on_a_credit_note(hub, pivot_schema, title, type_code, sign):
    """An invoice cancelling another states negative totals; a credit note states
    positive ones (its type says they are owed back), however it prints them."""
    assert recognised_totals(hub, pivot_schema, title, [
        "Total HT            -1 205,00 €",
        "TVA 20 %              -241,00 €",
        "Total TTC           -1 446,00 €",
    ]) == {"Type": type_code, "MontantHT": f"{sign}1205.00", "MontantTTC": f"{sign}1446.00",
           "MontantNetAPayer": f"{sign}1446.00"}


@pytest.mark.parametrize("letterhead, name", [
    (["Papeterie Martin · 12 rue des Lilas · 69001 Lyon", "", "Mairie de Démo", "Place de la Mairie", "75004 Paris"],
     "Papeterie Martin"),
    (["FACTURE", "Fournitures Démo SARL", "Immeuble Le Central, rue de la Démo"], "Fournitures Démo SARL"),
    (["Votre partenaire bureautique", "Papeterie Martin", "12 rue des Lilas", "69001 Lyon"], "Papeterie Martin"),
])
def test_the_supplier_name_is_read_off_the_letterhead(hub, pivot_schema, letterhead, name):
    """A sender line over the address window, a name with its legal form, the
    name over the seller's address: not a title, a slogan or the buyer's name."""
    document = text_pdf(letterhead + [
        f"SIRET : {SUPPLIER}", "", "Facture N° FA-2026-0052", "Date : 05/11/2026", f"Destinataire SIRET {VILLE}", "",
        "Total HT : 100,00 €", "TVA 20 % : 20,00 €", "Total TTC : 120,00 €",
    ])
    _, result = hub.process(hub.drop("letterhead.pdf", document))
    assert only_flow(result)["status"] == "90", only_flow(result)["findings"]
    pivot = assert_valid(pivot_schema, hub.pivots()[0].read_bytes())
    assert pivot.findtext(".//Fournisseur/RaisonSociale") == name


@pytest.mark.parametrize("heading, number, issued", [
    (["Bon de commande n° BC-77 du 15/10/2026", "Facture N° FA-2026-0053 du 07/11/2026"], "FA-2026-0053", "2026-11-07"),
    (["Due date: 07/12/2026", "Invoice No. INV-2026-0054 issued on 07/11/2026"], "INV-2026-0054", "2026-11-07"),
    (["Fournitures Démo SARL                                     FACTURE",
      "1 rue de la Démo                             N° FA/2026/11/000123",
      "Date : 07/11/2026"], "FA/2026/11/000123", "2026-11-07"),
])
def test_the_number_and_date_where_invoicing_systems_print_them(hub, pivot_schema, heading, number, issued):
    """The date after the number on its line (not an order's date, not the due
    date), and a number aligned on the right under its title."""
    document = text_pdf(["Fournitures Démo SARL", f"SIRET : {SUPPLIER}", ""] + heading + [
        f"Destinataire SIRET {VILLE}", "", "Total HT : 100,00 €", "TVA 20 % : 20,00 €", "Total TTC : 120,00 €",
    ])
    _, result = hub.process(hub.drop("dates.pdf", document))
    assert only_flow(result)["status"] == "90", only_flow(result)["findings"]
    pivot = assert_valid(pivot_schema, hub.pivots()[0].read_bytes())
    assert (pivot.findtext(".//DonneesFacture/Id"), pivot.findtext(".//DateEmissionFacture")) == (number, issued)


def test_a_long_invoice_is_read_by_its_first_and_last_pages(hub, pivot_schema):
    """The header on the first page, pages of lines, the totals at the foot of
    the last page: facteur reads the ends and finds them all."""
    from io import BytesIO

    from pypdf import PdfReader, PdfWriter

    header = ["Fournitures Démo SARL", f"SIRET : {SUPPLIER}", "", "FACTURE N° FA-2026-0099",
              "Date de facture : 05/11/2026", f"Destinataire SIRET {VILLE}", ""]
    lines = [f"Ligne {n:04d}   Ramette papier A4        1      4,50 €      4,50 €" for n in range(60)]
    pages = [header + lines[:40]] + [lines] * 6 + [["Total HT : 1 205,00 €", "TVA 20 % : 241,00 €",
                                                    "Total TTC : 1 446,00 €", "Net à payer : 1 446,00 €"]]
    writer = PdfWriter()
    for page in pages:
        writer.add_page(PdfReader(BytesIO(text_pdf(page))).pages[0])
    document = BytesIO()
    writer.write(document)
    _, result = hub.process(hub.drop("longue.pdf", document.getvalue()))
    assert only_flow(result)["status"] == "90", only_flow(result)["findings"]
    pivot = assert_valid(pivot_schema, hub.pivots()[0].read_bytes())
    assert pivot.findtext(".//DonneesFacture/Id") == "FA-2026-0099"
    assert {t: pivot.findtext(f".//Montants/{t}") for t in ("MontantHT", "MontantTTC")} == {
        "MontantHT": "1205.00", "MontantTTC": "1446.00"}


def test_the_positioned_text_has_only_the_time_the_pdf_reading_left(monkeypatch):
    """`max_pdf_seconds` bounds the reading of one PDF, its positioned text
    included: a PDF whose text took most of it has the rest for its layout,
    and one whose text took it all is recognised from its text alone."""
    from facteur.engine.inputs import pdf
    from facteur.engine.inputs.layout import EMPTY
    from facteur.engine.validation import validate

    content = text_pdf(["ACME SARL", "FACTURE N° F-1", "Total TTC : 12,00 €"])
    read, given = pdf.read, []

    def slow_read(*args, **kwargs):
        time.sleep(slow)
        return read(*args, **kwargs)

    def layout_of(content, name, seconds):
        given.append(seconds)
        return EMPTY

    monkeypatch.setattr(pdf, "read", slow_read)
    monkeypatch.setattr(pdf, "layout_of", layout_of)
    for slow in (0.3, 0.6):
        validate.check_document("f.pdf", content, validate.Rules(max_pdf_seconds=0.5))
    assert len(given) == 1 and 0 < given[0] <= 0.2
