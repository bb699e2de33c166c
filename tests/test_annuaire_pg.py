"""The national directory kept in a PostgreSQL ledger (`PgDirectory`: batches
copied, then merged by one statement): the same imports and routing as on
SQLite (test_annuaire.py), each test on a schema of its own."""

from __future__ import annotations

from datetime import date

from test_annuaire import CLOSE_SVC1, E1, E4, F14, MALFORMED, TODAY, hub_over, invoice, routed, written

from facteur.adapters.ledgers import directory_store
from facteur.adapters.pg_ledger import PgLedger
from facteur.engine import operations


def test_an_extract_and_an_update_route_from_postgresql_and_a_malformed_update_leaves_nothing(pg_ledger_url, tmp_path):
    ledger = PgLedger(pg_ledger_url)
    try:
        store = directory_store(ledger)
        [first] = operations.import_files(hub_over(store), [written(tmp_path, "f14.xml", F14)])
        [again] = operations.import_files(hub_over(store), [written(tmp_path, "f14.xml", F14)])
        assert (first.outcome, first.added, again.outcome, again.unchanged) == ("applied", 16, "unchanged", 16)
        assert routed(store, invoice(E1, "SVC1"))[:2] == ([], "PA0017")
        assert routed(store, invoice(E4))[0] == ["FCT-RECIPIENT-UNADDRESSABLE"]
        assert routed(store, invoice(E4), date(2025, 6, 1))[1] == "PA0017"
        generation = store.generation()
        [refused] = operations.import_files(hub_over(store), [written(tmp_path, "bad.xml", MALFORMED)])
        assert refused.outcome == "refused" and refused.faults and store.generation() == generation
        operations.import_files(hub_over(store), [written(tmp_path, "f13.xml", CLOSE_SVC1)])
        codes, _, findings = routed(store, invoice(E1, "SVC1"))
        assert codes == ["FCT-SERVICE-INACTIVE"] and f"{TODAY:%d/%m/%Y}" in findings[0].message
    finally:
        ledger.close()
