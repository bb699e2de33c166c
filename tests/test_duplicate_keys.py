"""Invoice numbers a person reads as the same are the same invoice: the
duplicate control compares them after NFKC, without invisible characters, with
one dash and one case; the number itself stays as written. Ledgers written
before keep working: their keys are recomputed when opened."""

from __future__ import annotations

import json

import pytest
from helpers import Hub, Spec, blocking_codes, cii, ledger_rows, only_flow, ubl
from lxml import etree

from facteur.engine.extraction import extract
from facteur.engine.hub.controls import comparable, duplicate_key
from facteur.engine.model import Syntax

SEEN_AS_ONE = [
    ("zero-width space", "DK-1", "DK-1\u200b"),
    ("non-breaking hyphen", "DK-1", "DK\u20111"),
    ("lower case", "DK-1", "dk-1"),
    ("en dash and spaces", "FA 2026-7", " fa\u00a02026\u20137 "),
    ("minus sign, word joiner", "FA-8", "FA\u2212\u20608"),
    ("full-width", "FA-9", "\uff26\uff21\uff0d\uff19"),
]


@pytest.mark.parametrize("case, written, again", SEEN_AS_ONE, ids=[c[0] for c in SEEN_AS_ONE])
def test_numbers_read_as_one_compare_equal(case, written, again):
    assert comparable(written) == comparable(again)


@pytest.mark.parametrize("one, other", [("DK-1", "DK-11"), ("DK-1", "DK1"), ("DK 1", "DK-1"), ("A-1", "A-I")])
def test_numbers_read_differently_stay_different(one, other):
    assert comparable(one) != comparable(other)


def test_plain_ascii_reads_as_the_whole_normalisation_does():
    """The ASCII shortcut gives what every step gives, for each ASCII
    character alone, inside a number and repeated at its ends."""
    from facteur.engine.hub.controls import _read

    for code in range(128):
        for text in (chr(code), f"A{chr(code)}b", f"{chr(code)} x{chr(code)}Y {chr(code)}{chr(code)}"):
            assert comparable(text) == _read(text), repr(text)


def test_the_key_is_normalised_and_the_invoice_keeps_its_number():
    invoice = extract(etree.fromstring(ubl(Spec("dk\u20111\u200b"))), Syntax.UBL)
    assert duplicate_key(invoice)[1:] == ("dk-1", 2026)
    assert invoice.number == "dk\u20111\u200b"


backends = pytest.mark.usefixtures("ledger_backend")


def deposit(hub: Hub, name: str, content: bytes) -> dict:
    _, result = hub.process(hub.drop(name, content))
    return only_flow(result)


@backends
@pytest.mark.parametrize("case, written, again", SEEN_AS_ONE[:3], ids=[c[0] for c in SEEN_AS_ONE[:3]])
def test_second_of_a_pair_read_as_one_is_a_duplicate(hub, case, written, again):
    first = deposit(hub, "first.xml", ubl(Spec(written, lines=2)))
    second = deposit(hub, "second.xml", cii(Spec(again, lines=4)))  # other bytes, other syntax
    assert first["status"] == "90", first["findings"]
    assert second["status"] == "93"
    assert blocking_codes(second) == ["FCT-DUPLICATE-INVOICE"]
    message = next(f["message"] for f in second["findings"] if f["code"] == "FCT-DUPLICATE-INVOICE")
    assert first["flow_id"] in message and f"la facture {again} pour 2026" in message  # the number as written
    [pivot] = hub.pivots()
    assert f">{written}<".encode() in pivot.read_bytes()
    numbers = ledger_rows(hub.root, "SELECT flow_id, number FROM invoices ORDER BY number")
    assert sorted(numbers) == sorted([(first["flow_id"], written), (second["flow_id"], again)])


@backends
def test_one_lot_holding_a_number_twice_as_read_delivers_it_once(hub):
    from test_process import lot

    content = lot(**{"a.xml": ubl(Spec("LOT-7")), "b.xml": cii(Spec("lot\u20117\u200b"))})
    flow = deposit(hub, "lot.zip", content)
    assert (flow["status"], flow["accepted"]) == ("96", 1)
    assert blocking_codes(flow) == ["FCT-DUPLICATE-INVOICE"]


def _make_old(hub: Hub, backend: str, renumbered: dict[str, str]) -> None:
    """The ledger as an older facteur left it: numbers as they were received
    (some changed here into forms that used to pass), keys made of the raw
    supplier, number and year, claims of the accepted ones, the schema before."""
    for old_number, number in renumbered.items():
        ledger_rows(hub.root, "UPDATE invoices SET number = ? WHERE number = ?", number, old_number)
    rows = ledger_rows(hub.root, "SELECT flow_id, idx, supplier, number, issue_date, accepted FROM invoices")
    ledger_rows(hub.root, "DELETE FROM claims")
    for flow_id, idx, supplier, number, issue_date, accepted in rows:
        key = "\x1f".join([supplier, number, issue_date[:4]])
        ledger_rows(hub.root, "UPDATE invoices SET dup_key = ? WHERE flow_id = ? AND idx = ?", key, flow_id, idx)
        if accepted:
            ledger_rows(hub.root, "INSERT INTO claims (dup_key, flow_id) VALUES (?, ?)", key, flow_id)
    if backend == "sqlite":  # the tables and columns that came after schema 3 go too
        ledger_rows(hub.root, "DROP TABLE leases")
        ledger_rows(hub.root, "ALTER TABLE flows DROP COLUMN name_raw")
        ledger_rows(hub.root, "ALTER TABLE flows DROP COLUMN lone_runs")
        ledger_rows(hub.root, "ALTER TABLE invoices DROP COLUMN rule_set")
        ledger_rows(hub.root, "ALTER TABLE invoices DROP COLUMN rule_set_version")
        ledger_rows(hub.root, "ALTER TABLE findings DROP COLUMN said")
        ledger_rows(hub.root, "ALTER TABLE events DROP COLUMN said")
        ledger_rows(hub.root, "ALTER TABLE findings DROP COLUMN read_values")
        ledger_rows(hub.root, "DROP INDEX invoices_by_number_key")
        ledger_rows(hub.root, "ALTER TABLE invoices DROP COLUMN number_key")
        ledger_rows(hub.root, "PRAGMA user_version = 3")
    else:
        ledger_rows(hub.root, "UPDATE invoices SET number_key = NULL")
        ledger_rows(hub.root, "UPDATE schema_version SET version = 1")


@backends
def test_an_older_ledger_gets_its_keys_recomputed_and_keeps_both_rows_of_a_collision(hub, ledger_backend):
    first = deposit(hub, "a.xml", ubl(Spec("DK-1")))
    later = deposit(hub, "b.xml", ubl(Spec("TMP-2")))  # made "dk-1" below: an older facteur let it through
    other = deposit(hub, "c.xml", ubl(Spec("X-9")))
    assert [f["status"] for f in (first, later, other)] == ["90", "90", "90"]
    _make_old(hub, ledger_backend, {"TMP-2": "dk-1"})

    again = deposit(hub, "d.xml", ubl(Spec("Dk\u20111\u200b", lines=5)))  # opening the ledger migrates it
    other_again = deposit(hub, "e.xml", ubl(Spec("x-9", lines=5)))

    assert blocking_codes(again) == ["FCT-DUPLICATE-INVOICE"]
    assert first["flow_id"] in again["findings"][0]["message"]  # the key stayed with the first one received
    assert blocking_codes(other_again) == ["FCT-DUPLICATE-INVOICE"]
    claims = dict(ledger_rows(hub.root, "SELECT dup_key, flow_id FROM claims"))
    supplier = Spec("x").supplier_siret
    assert claims == {f"{supplier}\x1fdk-1\x1f2026": first["flow_id"], f"{supplier}\x1fx-9\x1f2026": other["flow_id"]}
    kept = ledger_rows(hub.root, "SELECT number, state, dup_key FROM invoices WHERE flow_id = ?", later["flow_id"])
    assert kept == [("dk-1", "02", None)]  # still delivered, readable, its number as written

    code, out = hub.run("flows", "show", later["flow_id"], "--json")
    timeline = json.loads(out)["timeline"]
    [merged] = [e for e in timeline if e["code"] == "same-invoice"]
    assert code == 0 and merged["idx"] == 1 and first["flow_id"] in merged["detail"]
    assert [i["number"] for i in json.loads(out)["invoices"]] == ["dk-1"]
