"""Plain PDFs read by their layout: each field with its confidence on layouts
the project generates (bench/layouts.py), the buyer never taken for the seller,
a field below the configured confidence counted as missing and named, the
public buyer of the directory as the recipient, dates day or month first."""

from __future__ import annotations

import random
import tomllib
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from helpers import REPO, blocking_codes, only_flow, text_pdf

from bench import layouts
from facteur.engine.errors import Unrecognised
from facteur.engine.hub import directory
from facteur.engine.inputs import layout, pdf, recognise
from facteur.engine.inputs.layout import Layout, Run

PATTERNS = recognise.Patterns.from_toml(
    tomllib.loads((REPO / "mappings" / "recognition.toml").read_text("utf-8")), "recognition.toml")
STRUCTURES = directory.from_toml(tomllib.loads((REPO / "config" / "directory.toml").read_text("utf-8")), "").structures
VILLE = "21750001600019"  # Ville de Démo, active in the demo directory
SUPPLIER = "35600000000048"


def recognised(content: bytes) -> recognise.Recognised:
    text, page = pdf.read(content, "facture.pdf").text, pdf.layout_of(content, "facture.pdf")
    return recognise.recognise(text, PATTERNS, page, STRUCTURES)


@pytest.mark.parametrize("layout", ["fr-classic", "fr-vos-identifiants", "fr-two-pages", "en-us", "de-classic"])
def test_each_printed_field_is_read_with_its_confidence(layout):
    draw, language, currency, rates = layouts.LAYOUTS[layout]
    invoice = layouts.invoice(random.Random(layout), language, currency, rates)
    found = recognised(draw(invoice))
    given = found.sure(PATTERNS.threshold)
    for name, expected in invoice.truth().items():
        if expected in (None, ""):
            assert name not in given, (name, found.values.get(name), found.how.get(name))
        else:
            assert given.get(name) == expected, (name, found.values.get(name), found.how.get(name))
    for name in ("total_without_vat", "total_vat", "total_with_vat", "amount_due"):
        assert found.confidence[name] >= 0.97, (name, found.how[name])  # they add up (BR-CO-15)
    assert found.confidence["number"] >= 0.9 and found.confidence["recipient_siret"] >= 0.9


def test_the_buyer_printed_first_is_not_taken_for_the_seller():
    """The buyer's block (a company with a legal form and a SIRET) comes first
    on the page, under "Adresse de facturation"; the seller's letterhead is on
    the right: the seller's name and SIRET are the letterhead's."""
    invoice = layouts.invoice(random.Random(3), "fr")
    invoice.buyer_name, invoice.recipient_siret = "Transports Publics SAS", "44306184100047"
    found = recognised(layouts.fr_buyer_left(invoice))
    assert found.values["supplier_name"] == invoice.supplier_name
    assert found.values["supplier_siret"] == invoice.supplier_siret
    assert found.values["recipient_siret"] == "44306184100047"


def test_a_field_below_the_configured_confidence_is_missing_and_named_in_french():
    """The date is printed under no label, so it is read with a confidence of
    0.65: above the shipped threshold, below a stricter one, where the
    rejection names it with what was read, never a guess."""
    document = text_pdf(["Fournitures Démo SARL", f"SIRET : {SUPPLIER}", "FACTURE N° FA-2026-0061",
                         "Lyon, 17/11/2026", f"Destinataire SIRET {VILLE}",
                         "Total HT : 100,00 €", "TVA 20 % : 20,00 €", "Total TTC : 120,00 €"])
    text, page = pdf.read(document, "facture.pdf").text, pdf.layout_of(document, "facture.pdf")
    invoice = recognise.read("facture.pdf", text, PATTERNS, page, STRUCTURES)
    assert invoice.issue_date == date(2026, 11, 17) and invoice.total_with_vat == Decimal("120.00")

    strict = replace(PATTERNS, threshold=0.8)
    with pytest.raises(Unrecognised) as refused:
        recognise.read("facture.pdf", text, strict, page, STRUCTURES)
    message = refused.value.finding.message
    assert "date de facture (BT-2) (lu « 2026-11-17 » avec une confiance de 65 %, sous le seuil de 80 %)" in message
    assert "numéro de facture" not in message and "total TTC" not in message


def test_the_threshold_is_a_setting_and_a_low_confidence_field_rejects_the_invoice(hub, tmp_path):
    document = text_pdf(["Fournitures Démo SARL", f"SIRET : {SUPPLIER}", "FACTURE N° FA-2026-0062",
                         "Lyon, 17/11/2026", f"Destinataire SIRET {VILLE}",
                         "Total HT : 100,00 €", "TVA 20 % : 20,00 €", "Total TTC : 120,00 €"])
    config = tmp_path / "facteur.toml"
    (tmp_path / "directory.toml").write_text((REPO / "config" / "directory.toml").read_text("utf-8"), "utf-8")
    config.write_text("[recognition]\nmin_confidence = 0.9\n", "utf-8")
    _, strict = hub.process(hub.drop("strict.pdf", document), extra=("--config", str(config)))
    assert blocking_codes(only_flow(strict)) == ["FCT-PDF-FIELDS-MISSING"]
    assert "date de facture (BT-2)" in only_flow(strict)["findings"][0]["message"]

    _, shipped = hub.process(hub.drop("shipped.pdf", document + b"\n"))
    assert only_flow(shipped)["status"] == "90", only_flow(shipped)["findings"]


def test_a_public_structure_of_the_directory_printed_on_the_page_is_the_recipient():
    """Its SIRET is printed under no buyer heading, after the supplier's own;
    another company's SIRET is in a block headed "Client": the public buyer
    comes first, surely, and is never the supplier."""
    document = text_pdf(["Fournitures Démo SARL", f"SIRET {VILLE}", f"SIRET {SUPPLIER}",
                         "Facture N° FA-2026-0063", "Date : 17/11/2026",
                         "Total HT : 100,00 €", "TVA 20 % : 20,00 €", "Total TTC : 120,00 €"],
                        columns=[["Client", "Mandataire SAS", "SIRET 44306184100047"]])
    found = recognised(document)
    assert (found.values["recipient_siret"], found.confidence["recipient_siret"]) == (VILLE, 0.99)
    assert found.values["supplier_siret"] == SUPPLIER


def test_an_inactive_structure_is_not_taken_for_the_recipient():
    document = text_pdf(["Fournitures Démo SARL", f"SIRET : {SUPPLIER}", "Facture N° FA-2026-0064",
                         "Réf. 19750000100014"], columns=[["Facturé à", "Ville de Démo", f"SIRET {VILLE}"]])
    assert recognised(document).values["recipient_siret"] == VILLE


@pytest.mark.parametrize("lines, issued", [
    (["Invoice # 12", "Date: 03/04/2026", "Sales tax: 8.00"], date(2026, 3, 4)),  # American: month first
    (["Facture N° 12", "Date : 03/04/2026", "TVA : 8,00"], date(2026, 4, 3)),  # French: day first
    (["Invoice # 12", "Date: 03/04/2026", "Sales tax: 8.00", "Due: 25/04/2026"], date(2026, 4, 3)),  # a day above 12
])
def test_a_date_is_read_day_or_month_first_by_the_page_and_its_language(lines, issued):
    found = recognised(text_pdf(["Demo Supplies Ltd", *lines]))
    assert found.values["issue_date"] == issued


def test_the_address_window_under_a_sender_line_is_the_buyers():
    """A German letter: the seller's sender line printed small over the address
    window, the buyer's name in the window printed larger than the text, no
    heading; the seller is the sender line's, the SIRET in the window the buyer's."""
    page = layouts.Canvas()
    page.text(57, 124, "Serverhaus GmbH • Industriestr. 25 • 91710 Gunzenhausen", size=6)
    for row, text in enumerate(["Ville de Démo", "Place de la Mairie", "75004 Paris", f"SIRET {VILLE}"]):
        page.text(57, 141 + 14 * row, text, size=10)
    for row, text in enumerate(["Rechnungsnummer: R0005532486", "Rechnungsdatum: 19.01.2016"]):
        page.text(460, 216 + 14 * row, text, size=7)
    for row, text in enumerate(["Summe netto 87,39 €", "USt. 19 % 16,60 €", "Summe brutto 103,99 €"]):
        page.text(400, 400 + 12 * row, text, size=8)
    found = recognised(page.pdf())
    assert found.values["supplier_name"] == "Serverhaus GmbH" and found.confidence["supplier_name"] >= 0.9
    assert found.values["recipient_siret"] == VILLE and "supplier_siret" not in found.values


def test_a_hostile_page_is_read_by_its_ends_within_bounds():
    """Thousands of lines of labels: the layout keeps the lines at both ends and
    a bounded number of cells per line, so what recognition reads is bounded."""
    runs = [Run(0, (n % 40) * 60.0, (n // 40) * 12.0, 9.0, f"Total {n} SIRET 12", 30.0) for n in range(20_000)]
    page = Layout.of(runs)
    assert len(page.lines) == 2 * layout.END_LINES and max(len(line.cells) for line in page.lines) == layout.MAX_CELLS
    assert page.lines[0].cells[0].text == "Total 0 SIRET 12" and page.lines[-1].top == (20_000 // 40 - 1) * 12.0
    assert recognise.recognise("", PATTERNS, page).values.get("number") is None
