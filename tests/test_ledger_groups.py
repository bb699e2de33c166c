"""Rows a group inserts where others may be (`begin_all`'s flows, `claim_all`'s
invoice claims): on PostgreSQL one statement a group (in chunks of
ROWS_PER_INSERT), on SQLite a row at a time; on both, a flow is recorded once,
one already there keeps its first record, only the new ones are counted and
given their "received" event, and an invoice is held by one flow."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from facteur.adapters.pg_ledger import ROWS_PER_INSERT, PgLedger
from facteur.adapters.sqlite_ledger import SqliteLedger
from facteur.engine.model import Flow

FIRST = datetime(2026, 11, 2, 9, 30, tzinfo=timezone.utc)


@pytest.fixture(params=["sqlite", "postgresql"])
def ledger(request, tmp_path):
    opened = (SqliteLedger(tmp_path / "ledger.sqlite") if request.param == "sqlite"
              else PgLedger(request.getfixturevalue("pg_ledger_url")))
    yield opened
    opened.close()


def flows(count: int, at: datetime) -> list[Flow]:
    return [Flow(f"<f n='{n}'/>".encode(), "DEMO01", f"f{n:04d}.xml", at) for n in range(count)]


def test_a_group_larger_than_one_statement_is_recorded_once_each_and_known_flows_keep_their_record(ledger):
    count = ROWS_PER_INSERT + 5
    ledger.begin_all([(flow, f"/archive/{flow.id}") for flow in flows(7, FIRST)])
    again = flows(count, FIRST + timedelta(hours=1))
    records = ledger.begin_all([(flow, f"/archive/{flow.id}") for flow in reversed(again)])

    assert [record.id for record in records] == [flow.id for flow in reversed(again)]
    first_seen = {record.id: record.received_at for record in records}
    assert {first_seen[flow.id] for flow in again[:7]} == {FIRST}
    assert {first_seen[flow.id] for flow in again[7:]} == {FIRST + timedelta(hours=1)}
    assert ledger.totals().flows == {"pending": count}  # the tallies count each new flow once
    received = ledger._execute("SELECT flow_id, count(*) AS n FROM events WHERE code = 'received' GROUP BY flow_id")
    assert {row["flow_id"]: row["n"] for row in received.fetchall()} == {flow.id: 1 for flow in again}


def test_two_flows_of_one_group_claiming_one_invoice_leave_it_to_one_and_the_other_gives_its_claims_back(ledger):
    """Claims go in in one order (by key, then flow): of two flows of a group
    carrying the same invoice, the first in that order holds it; the other
    finds it held, and the claim it made for its other invoice is given back."""
    shared, own = ("12345678900017", "F-1", 2026), ("12345678900017", "F-2", 2026)
    first, second = sorted(flow.id for flow in flows(2, FIRST))
    held = ledger.claim_all([(second, [shared, own]), (first, [shared])])
    assert held == [first, None]
    assert ledger.known_invoice(*shared) == first and ledger.known_invoice(*own) is None
