"""Proprietary formats described in mappings/formats/: each example mapping
turns its sample file into pivots carrying the sample's own totals (read here
independently of facteur); a file no mapping recognises is rejected as unknown;
a value a mapping cannot read is named in the rejection."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from conftest import assert_valid
from helpers import REPO, blocking_codes, only_flow
from lxml import etree

EXAMPLES = REPO / "mappings" / "examples"
TOTALS = ("MontantHT", "MontantTTC", "MontantNetAPayer")


def _csv_totals(content: bytes) -> dict[str, tuple[Decimal, ...]]:
    rows = csv.reader(io.StringIO(content.decode("utf-8")), delimiter=";")
    amount = lambda text: Decimal(text.replace(" ", "").replace(",", "."))  # noqa: E731
    return {row[1]: (amount(row[9]), amount(row[11]), amount(row[12])) for row in rows if row[0] == "H"}


def _fixed_totals(content: bytes) -> dict[str, tuple[Decimal, ...]]:
    headers = [line for line in content.decode("latin-1").splitlines() if line.startswith("01")]
    return {h[2:22].strip(): (Decimal(h[86:98]), Decimal(h[110:122]), Decimal(h[110:122])) for h in headers}


def _xml_totals(content: bytes) -> dict[str, tuple[Decimal, ...]]:
    ns = {"a": "urn:example:acme:factures:1"}
    root = etree.fromstring(content)
    return {
        invoice.findtext("a:Numero", namespaces=ns): tuple(
            Decimal(invoice.find("a:Totaux", ns).get(key)) for key in ("ht", "ttc", "netAPayer")
        )
        for invoice in root.findall("a:Facture", ns)
    }


@pytest.mark.parametrize(
    "sample, totals",
    [("export-factures.csv", _csv_totals), ("FACT2026.DAT", _fixed_totals), ("factures-acme.xml", _xml_totals)],
    ids=["csv", "fixed-width", "xml"],
)
def test_each_example_mapping_round_trips_its_sample_into_pivots(hub, pivot_schema, sample, totals):
    content = (EXAMPLES / sample).read_bytes()
    expected = totals(content)
    code, result = hub.process(hub.drop(sample, content))
    flow = only_flow(result)
    assert flow["status"] == "90" and flow["accepted"] == len(expected), flow["findings"]

    pivots = [assert_valid(pivot_schema, path.read_bytes()) for path in hub.pivots()]
    written = {
        p.findtext(".//DonneesFacture/Id"): tuple(Decimal(p.findtext(f".//Montants/{t}")) for t in TOTALS)
        for p in pivots
    }
    assert written == expected
    for pivot in pivots:
        lines = [Decimal(amount.text) for amount in pivot.iterfind(".//Ligne/MontantHT")]
        assert lines and sum(lines) == Decimal(pivot.findtext(".//Montants/MontantHT"))
        assert pivot.findtext(".//ModeEmission") == "flux"


def test_a_record_of_an_unexpected_type_refuses_the_whole_file(hub):
    content = (EXAMPLES / "export-factures.csv").read_bytes().replace(b"\nL;2;", b"\nX;2;")
    _, result = hub.process(hub.drop("bad-record.csv", content))
    flow = only_flow(result)
    assert flow["status"] == "93" and blocking_codes(flow) == ["FCT-MAPPING-RECORD"]
    assert "ligne 4" in flow["findings"][0]["message"]


def test_a_file_no_mapping_recognises_is_rejected_as_unknown(hub):
    _, result = hub.process(hub.drop("export.csv", b"invoice,date,amount\nX-1,2026-11-02,12.00\n"))
    flow = only_flow(result)
    assert blocking_codes(flow) == ["FCT-FORMAT-UNKNOWN"]
    assert "aucun mapping" in flow["findings"][0]["message"]


def test_a_value_the_mapping_cannot_read_rejects_its_invoice_only(hub):
    content = (EXAMPLES / "export-factures.csv").read_bytes().replace(b"05/11/2026", b"2026-11-05")
    _, result = hub.process(hub.drop("bad-date.csv", content))
    flow = only_flow(result)
    assert flow["status"] == "96" and flow["accepted"] == 1
    [finding] = [f for f in flow["findings"] if f["severity"] == "blocking"]
    assert finding["code"] == "FCT-MAPPING-VALUE"
    assert "ligne 2" in finding["message"] and "issue_date « 2026-11-05 »" in finding["message"]
