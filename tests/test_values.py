"""Findings that show the values: a business rule's finding carries the values
its rule compared, read in the document and named by their business terms
(BT-n) in words; a code-list finding names the code and the list; a parse
error says what is wrong and where. Documents are the project's samples,
changed to break one rule each."""

from __future__ import annotations

import json

import pytest
from conftest import assert_valid
from helpers import REPO, only_flow

from facteur.engine.errors import UnsafeXml
from facteur.engine.inputs.parse import parse_xml
from facteur.engine.model import Value
from facteur.engine.terms import name, shown, values_text
from facteur.engine.validation.validate import Rules, check_document

UBL = (REPO / "samples" / "01-ville-ubl.xml").read_bytes()
CII = (REPO / "samples" / "02-ministere-cii.xml").read_bytes()


def changed(content: bytes, *replacements: tuple[str, str]) -> bytes:
    for old, new in replacements:
        assert old.encode() in content, old
        content = content.replace(old.encode(), new.encode(), 1)
    return content


def finding(content: bytes, code: str):
    found = [f for f in check_document("f.xml", content, Rules()).findings if f.code == code]
    assert found, f"{code} did not fire"
    return found[0]


BR_CO_16 = changed(UBL, ('<cbc:PayableAmount currencyID="EUR">35851.72', '<cbc:PayableAmount currencyID="EUR">120.00'))


def test_br_co_16_names_the_amounts_that_disagree_with_their_values():
    f = finding(BR_CO_16, "BR-CO-16")
    assert Value("BT-115", "120.00", "/Invoice/cac:LegalMonetaryTotal/cbc:PayableAmount") in f.values
    assert Value("BT-112", "35851.72", "/Invoice/cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount") in f.values
    assert values_text(f.values) == "Valeurs lues : Montant à payer (BT-115) = 120.00 ; Montant total TTC (BT-112) = 35851.72"
    assert values_text(f.values, "en") == (
        "Values read: Amount due for payment (BT-115) = 120.00; Invoice total amount with VAT (BT-112) = 35851.72"
    )


def test_br_co_16_in_cii_reads_the_same_terms_at_their_cii_places():
    f = finding(changed(CII, ("<ram:DuePayableAmount>26696.45", "<ram:DuePayableAmount>126696.45")), "BR-CO-16")
    assert [(v.term, v.value) for v in f.values] == [("BT-115", "126696.45"), ("BT-112", "26696.45")]
    assert f.values[0].location.endswith("ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:DuePayableAmount")


def test_br_co_10_gives_the_total_and_the_sum_of_the_line_amounts():
    f = finding(changed(UBL, ('<cbc:LineExtensionAmount currencyID="EUR">9898.49', '<cbc:LineExtensionAmount currencyID="EUR">98.49')),
                "BR-CO-10")
    assert Value("BT-106", "31339.65", "/Invoice/cac:LegalMonetaryTotal/cbc:LineExtensionAmount") in f.values
    assert Value("BT-131", "21539.65", "/Invoice/cac:InvoiceLine/cbc:LineExtensionAmount", 3) in f.values
    assert "Montant net de la ligne (BT-131), somme de 3 = 21539.65" in values_text(f.values)


def test_a_variable_the_rule_binds_is_read_as_the_rule_read_it():
    # BR-CO-15 reads the VAT total in the invoice's currency: `every $Currency in cbc:DocumentCurrencyCode`.
    f = finding(changed(UBL, ('<cbc:TaxAmount currencyID="EUR">4512.07', '<cbc:TaxAmount currencyID="EUR">4511.07')),
                "BR-CO-15")
    assert [(v.term, v.value) for v in f.values] == [("BT-5", "EUR"), ("BT-110", "4511.07"), ("BT-112", "35851.72"),
                                                     ("BT-109", "31339.65")]


def test_a_date_rule_shows_both_dates():
    period = "<cac:InvoicePeriod><cbc:StartDate>2026-11-30</cbc:StartDate><cbc:EndDate>2026-11-01</cbc:EndDate></cac:InvoicePeriod>"
    f = finding(changed(UBL, ("<cac:AccountingSupplierParty>", period + "<cac:AccountingSupplierParty>")), "BR-29")
    assert {(v.term, v.value) for v in f.values} == {("BT-73", "2026-11-30"), ("BT-74", "2026-11-01")}
    assert "Date de début de période de facturation (BT-73) = 2026-11-30" in values_text(f.values)


def test_a_code_list_finding_names_the_code_and_the_list():
    f = finding(changed(UBL, ("<cbc:PaymentMeansCode>30", "<cbc:PaymentMeansCode>XX")), "BR-CL-16")
    assert f.message == ("Le code « XX » de cbc:PaymentMeansCode (BT-81) n'est pas dans la liste des moyens de "
                         "paiement (UNTDID 4461)")
    assert f.in_language("en").message == ('The code "XX" of cbc:PaymentMeansCode (BT-81) is not in the list of '
                                           "payment means (UNTDID 4461)")
    assert f.values == (Value("BT-81", "XX", "/Invoice/cac:PaymentMeans/cbc:PaymentMeansCode"),)


def test_an_identifier_scheme_outside_its_list_is_named_with_its_value():
    f = finding(changed(UBL, ('<cbc:EndpointID schemeID="0009">', '<cbc:EndpointID schemeID="9958">')), "BR-CL-25")
    assert f.message.startswith("Le code « 9958 » de cbc:EndpointID/@schemeID n'est pas dans la liste des "
                                "identifiants de schéma")
    assert f.values[0].location == "/Invoice/cac:AccountingSupplierParty/cac:Party/cbc:EndpointID/@schemeID"


def test_a_factur_x_code_list_rule_names_the_value_it_refused():
    content = changed(CII, ("<ram:TypeCode>380</ram:TypeCode>", "<ram:TypeCode>999</ram:TypeCode>"))
    [f] = [f for f in check_document("f.xml", content, Rules()).findings if f.code.startswith("FX-SCH-")]
    assert f.message == ("Le code « 999 » de ram:TypeCode (BT-3) n'est pas dans la liste des codes de type (UNTDID)")
    assert f.values[0].term == "BT-3"


def test_terms_are_named_in_both_languages():
    assert (name("BT-1"), name("BT-109"), name("BT-115"), name("BG-23")) == (
        "Numéro de facture", "Montant total HT", "Montant à payer", "Ventilation de la TVA")
    assert name("BT-112", "en") == "Invoice total amount with VAT"
    assert shown(Value("@mimeCode", "text/foo")) == "@mimeCode = text/foo"
    assert name("not-a-term") == ""


@pytest.mark.parametrize(
    "content, code, message, location",
    [
        (b'<?xml version="1.0"?>\n<a>\n  <b>Dupont & Fils</b>\n</a>', "FCT-XML-SYNTAX",
         "f.xml contient un « & » non échappé ligne 3, colonne 13 ; en XML, un « & » s'écrit « &amp; »",
         "ligne 3, colonne 13"),
        (b'<?xml version="1.0"?>\n<a>\n  <b>caf&eacute;</b>\n</a>', "FCT-XML-SYNTAX",
         "f.xml utilise l'entité « &eacute; » ligne 3, colonne 17, que XML ne connaît pas", "ligne 3, colonne 17"),
        ('<?xml version="1.0" encoding="UTF-8"?>\n<a>\n  <b>Café</b>\n</a>'.encode("latin-1"), "FCT-XML-ENCODING",
         "f.xml déclare l'encodage UTF-8 mais l'octet 0xE9 ligne 3, colonne 9 n'en est pas : le fichier semble "
         "écrit en Latin-1 ou Windows-1252 (où cet octet est « é »)", "ligne 3, colonne 9"),
        ('<a>\n<b>Café</b></a>'.encode("latin-1"), "FCT-XML-ENCODING",
         "f.xml déclare l'encodage UTF-8 (l'encodage par défaut, faute de déclaration) mais l'octet 0xE9 ligne 2",
         "ligne 2, colonne 7"),
        (b'<?xml version="1.0"?>\n<a>\n  <b>x</b>\n  <c>y', "FCT-XML-TRUNCATED",
         "f.xml s'arrête ligne 4, colonne 7 avant la fin de son XML (l'élément c n'est pas fermé)", "ligne 4, colonne 7"),
        (b"<a>\n<b>x</c>\n</a>", "FCT-XML-SYNTAX",
         "f.xml ferme ligne 2, colonne 9 l'élément c alors que b, ouvert ligne 2, n'est pas fermé", "ligne 2, colonne 9"),
    ],
    ids=["ampersand", "entity", "latin-1 declared utf-8", "latin-1 undeclared", "truncated", "mismatch"],
)
def test_a_parse_error_says_what_is_wrong_where(content, code, message, location):
    with pytest.raises(UnsafeXml) as refused:
        parse_xml(content, "f.xml", 1_000_000)
    assert (refused.value.finding.code, refused.value.finding.location) == (code, location)
    assert refused.value.finding.message.startswith(message), refused.value.finding.message


def test_an_ampersand_in_a_real_invoice_is_named_with_its_line_in_english_too():
    content = changed(UBL, ("Fournitures Démo SARL", "Fournitures Démo & Fils"))
    [f] = check_document("f.xml", content, Rules()).findings
    column = content.decode().split("\n")[1].index("&") + 1  # in characters, as an editor counts
    assert f.code == "FCT-XML-SYNTAX" and f"« & » non échappé ligne 2, colonne {column} ;" in f.message
    assert 'an unescaped "&" at line 2' in f.in_language("en").message


@pytest.mark.usefixtures("ledger_backend")
def test_the_ledger_keeps_the_values_and_the_report_shows_them(hub, status_schema):
    _, result = hub.process(hub.drop("co16.xml", BR_CO_16))
    flow = only_flow(result)
    assert flow["status"] == "93"
    code, shown_text = hub.run("flows", "show", flow["flow_id"])
    assert code == 0 and "Valeurs lues : Montant à payer (BT-115) = 120.00 ; Montant total TTC (BT-112) = 35851.72" in shown_text
    _, out = hub.run("flows", "show", flow["flow_id"], "--json")
    [co16] = [f for f in json.loads(out)["findings"] if f["code"] == "BR-CO-16"]
    assert {"term": "BT-115", "value": "120.00", "location": "/Invoice/cac:LegalMonetaryTotal/cbc:PayableAmount",
            "count": 0} in co16["values"]
    _, out = hub.run("flows", "list", "--json")
    [row] = json.loads(out)
    assert row["blocking_values"] and row["blocking_values"][0]["term"]
    [report] = [p for p in hub.outbox("DEMO01") if "BR-CO-16".encode() in p.read_bytes()]
    root = assert_valid(status_schema, report.read_bytes())
    [line] = [e for e in root.iter("LigneErreurDetail") if e.findtext("CodeErreur") == "BR-CO-16"]
    assert line.findtext("DescriptionErreur").endswith(
        ". Valeurs lues : Montant à payer (BT-115) = 120.00 ; Montant total TTC (BT-112) = 35851.72")


def test_real_rejected_invoices_of_the_corpus_show_the_values_of_their_rules(corpus):
    """Every rejection of the corpus by a rule that compares values (BR-CO-*,
    code lists BR-CL-*) names them; rules about a missing element have none to show."""
    with_values, without = [], []
    for line in (corpus / "EXPECTED.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        path, expected, rules = (line.split("\t") + [""])[:3]
        if expected != "reject" or not rules.startswith("BR-"):
            continue
        for f in check_document(path, (corpus / path).read_bytes(), Rules()).findings:
            if f.code.startswith(("BR-CO-", "BR-CL-")):
                (with_values if f.values else without).append(f"{path}: {f.code}")
    assert len(with_values) >= 7 and without == []


def test_process_prints_the_values_under_a_blocking_finding(hub):
    code, out = hub.run("process", str(hub.drop("co16.xml", BR_CO_16)), "--sender", "DEMO01")
    assert code == 0 and "BR-CO-16" in out
    assert "Valeurs lues : Montant à payer (BT-115) = 120.00 ; Montant total TTC (BT-112) = 35851.72" in out
    code, out = hub.run("process", str(hub.drop("co16-en.xml", BR_CO_16 + b"\n")), "--sender", "DEMO01", "--lang", "en")
    assert "Values read: Amount due for payment (BT-115) = 120.00" in out


def test_the_glossary_names_every_business_term_and_finds_them_in_the_samples():
    from lxml import etree

    from facteur.engine.terms import glossary, term_of

    named = glossary()["terms"]
    assert [f"BT-{n}" for n in range(1, 166) if n != 4 and f"BT-{n}" not in named] == []  # EN 16931 has no BT-4
    assert [f"BG-{n}" for n in range(1, 33) if f"BG-{n}" not in named] == []
    assert all(entry["fr"] and entry["en"] for entry in named.values())
    for content, wanted in ((UBL, {"BT-1", "BT-2", "BT-5", "BT-106", "BT-109", "BT-112", "BT-115", "BT-131"}),
                            (CII, {"BT-1", "BT-2", "BT-106", "BT-109", "BT-112", "BT-115", "BT-131"})):
        found = {term_of(node) for node in etree.fromstring(content).iter() if isinstance(node.tag, str) and len(node) == 0}
        assert wanted <= found, wanted - found
