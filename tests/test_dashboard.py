"""The dashboard operation over the in-memory hub: flows of several days and
senders, rejections, invoices awaiting acknowledgment, payment delays past
due, and the broker's queue as the hub reports it (or cannot)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from observed import NOW, Observed

from facteur.adapters import configuration
from facteur.adapters.ledgers import directory_store
from facteur.adapters.pg_ledger import PgLedger
from facteur.adapters.sql_ledger import NUMBER_KEYS, TALLIED
from facteur.adapters.sqlite_ledger import MIGRATIONS, SqliteLedger
from facteur.adapters.testing import MemoryHub, demo_hub, shipped_config
from facteur.engine import operations
from facteur.engine.errors import Unavailable
from facteur.engine.model import StatusChange
from facteur.engine.operations import QueueState
from facteur.engine.runtime.replay import replay
from facteur.engine.runtime.runner import Runner

CHDEMO = {"buyer_siret": "26750045200011", "engagement": "EJ-2026-77"}  # portal recipient, 50 days
VILLEDEM = "21750001600019"  # EDI recipient, 30 days


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.system)])
def hub(request) -> Observed:
    """The in-memory hub, its ledger on SQLite in memory, or on a PostgreSQL schema of its own."""
    moment = [NOW]
    memory = demo_hub(clock=lambda: moment[0])
    if request.param == "postgresql":
        ledger = PgLedger(request.getfixturevalue("pg_ledger_url"))
        context = configuration.context(shipped_config(), ledger.known_invoice)
        memory = MemoryHub(Runner(context, ledger, memory.archive, memory.mailboxes, clock=lambda: moment[0]),
                           ledger, memory.mailboxes, memory.archive, directory_store(ledger))
    yield Observed(memory, moment)
    memory.ledger.close()


def test_flows_by_status_and_partner_today_and_over_the_week(hub):
    hub.deposit("D-1", NOW - timedelta(hours=1))
    hub.deposit("D-2", NOW - timedelta(hours=2), buyer_siret="12345678900017")  # unknown recipient: rejected
    hub.deposit("D-3", NOW - timedelta(days=3), sender="FOURN01")
    hub.deposit("D-4", NOW - timedelta(days=6))
    hub.deposit("D-5", NOW - timedelta(days=8))  # before the week

    board = operations.dashboard(hub)

    assert board.today.since == NOW.date() and board.today.flows == 2
    assert board.today.by_status == {"90": 1, "93": 1}
    assert board.week.since == NOW.date() - timedelta(days=6) and board.week.flows == 4
    assert board.week.by_status == {"90": 3, "93": 1}
    assert [(p.sender, p.flows, p.by_status) for p in board.week.partners] == [
        ("DEMO01", 3, {"90": 2, "93": 1}), ("FOURN01", 1, {"90": 1})
    ]
    [rejection] = board.rejections
    assert rejection.flows == 1 and rejection.code.startswith("FCT-")
    assert board.queue is None and board.healthy


def test_invoices_awaiting_acknowledgment_and_payment_delays_overdue(hub):
    edi = hub.deposit("A-1", NOW - timedelta(days=40))
    hub.deposit("A-2", NOW - timedelta(days=1))
    portal = hub.deposit("A-3", NOW - timedelta(days=45), **CHDEMO)
    started = NOW - timedelta(days=35)
    hub.ledger.record([
        StatusChange(edi, 1, "03", started, "acknowledged", dgp_start=started, dgp_rule="edi-acknowledgment"),
        StatusChange(portal, 1, "03", started, "collected", dgp_start=started, dgp_rule="notified"),
    ], [], origin="test")

    board = operations.dashboard(hub)

    [awaiting] = board.awaiting
    assert (awaiting.mailbox, awaiting.invoices) == ("VILLEDEM", 1) and board.awaiting_invoices == 1
    # 35 days since the start: past the Ville's 30 days, within the hospital's 50
    assert board.overdue.invoices == 1 and board.overdue.by_buyer == {VILLEDEM: 1}
    hub.ledger.record([StatusChange(edi, 1, "11", NOW, "paid")], [], origin="test")
    assert operations.dashboard(hub).overdue.invoices == 0  # a payment settles it


def test_queue_and_dead_letters_when_a_broker_answers_and_health_when_it_does_not(hub):
    hub.broker = QueueState(depth=7, dead_letters=2)
    board = operations.dashboard(hub)
    assert board.queue == QueueState(7, 2) and board.healthy
    states = {check.name: (check.state, check.detail) for check in board.health}
    assert states["lettres mortes"] == ("attention", "2 message(s) abandonné(s) par le courtier dans la file des "
                                        "lettres mortes : examinez-les")

    hub.broker = Unavailable("le courtier AMQP amqp://x est injoignable")
    board = operations.dashboard(hub)
    assert board.queue is None and not board.healthy
    assert ("courtier AMQP", "échec", "le courtier AMQP amqp://x est injoignable") in {
        (c.name, c.state, c.detail) for c in board.health
    }


def test_a_flow_pending_for_long_is_a_warning(hub):
    hub.ledger.begin(_flow("stuck", NOW - timedelta(minutes=40)), "memory:archive/stuck")
    states = {check.name: check for check in operations.dashboard(hub).health}
    assert states["flux en cours"].state == "attention"
    assert states["flux en cours"].detail.startswith("1 flux en attente, le plus ancien reçu il y a 40 min")


def test_the_tallies_are_the_counts_of_the_rows_after_flows_replays_status_changes_and_a_group_undone(hub):
    edi = hub.deposit("T-1", NOW - timedelta(days=40))
    rejected = hub.deposit("T-2", NOW - timedelta(days=2), buyer_siret="12345678900017", sender="FOURN01")
    portal = hub.deposit("T-3", NOW - timedelta(hours=3), **CHDEMO)
    hub.deposit("T-4", NOW - timedelta(days=1))
    replay([rejected], hub.ledger, hub.memory.archive.read, hub.memory.runner)  # rejected again: a second flow
    started = NOW - timedelta(days=35)
    hub.ledger.record([
        StatusChange(edi, 1, "03", started, "acknowledged", dgp_start=started, dgp_rule="edi-acknowledgment"),
        StatusChange(portal, 1, "03", NOW, "collected", dgp_start=NOW, dgp_rule="notified"),
    ], [], origin="test")
    hub.ledger.record([StatusChange(edi, 1, "11", NOW, "paid")], [], origin="test")
    with pytest.raises(RuntimeError), hub.ledger.group():  # a group that fails: its flows wait, and count nothing
        hub.ledger.begin(_flow("undone", NOW), "memory:archive/undone")
        hub.ledger.record([StatusChange(portal, 1, "11", NOW, "paid")], [], origin="test")
        raise RuntimeError("crash")
    hub.ledger.begin(_flow("waiting", NOW), "memory:archive/waiting")

    for table in TALLIED:
        assert _tally(hub.ledger, table) == _counted(hub.ledger, table), table
    board = operations.dashboard(hub)
    assert board.week.by_status == {"90": 2, "93": 2, "pending": 1} and board.awaiting_invoices == 1
    assert [(a.mailbox, a.invoices) for a in board.awaiting] == [("VILLEDEM", 1)]


def _tally(ledger, table: str) -> set[tuple]:
    """The tally as the ledger kept it, its counts of 0 left out."""
    keys, count, _ = TALLIED[table]
    return {tuple(row[k] for k in keys.split(", ")) + (row[count],)
            for row in ledger._execute(f"SELECT * FROM {table} WHERE {count} > 0").fetchall()}


def _counted(ledger, table: str) -> set[tuple]:
    """The tally counted again from every row, by the statement the migration fills it with."""
    keys, _, select = TALLIED[table]
    return {tuple(row[k] for k in keys.split(", ")) + (row["n"],)
            for row in ledger._execute(select.format(where="1 = 1", sign=1)).fetchall()}


# The SQLite schema version the number keys and the tallies' indexes were added after,
# found by its step, so that later migrations do not move it.
NUMBER_KEYS_STEP = next(v for v, step in MIGRATIONS.items() if step.startswith(NUMBER_KEYS.format(if_not_exists="")))


def test_a_ledger_of_the_schema_before_gains_the_indexes_and_the_number_keys(tmp_path):
    path = tmp_path / "ledger.sqlite"
    SqliteLedger(path).close()
    older = SqliteLedger(path)
    older.db.executescript(
        "DROP INDEX flows_by_received; DROP INDEX invoices_awaiting; DROP INDEX findings_by_code;"
        "DROP INDEX invoices_by_number_key; CREATE INDEX invoices_by_syntax ON invoices(syntax, accepted, state);"
        "ALTER TABLE invoices DROP COLUMN number_key;"
        "INSERT INTO flows (id, sender, name, source, size, sha256, archive, received_at, status)"
        " VALUES ('old', 'DEMO01', 'a.xml', 'inbox', 1, 'x', 'a', '2026-11-01T10:00:00.000000+00:00', '93');"
        "INSERT INTO invoices (flow_id, idx, document, syntax, accepted, number) VALUES ('old', 1, 'a.xml', 'UBL', 0,"
        " 'DK\u20111 ');"
        f"PRAGMA user_version = {NUMBER_KEYS_STEP};"
    )
    older.close()
    ledger = SqliteLedger(path)
    indexes = {row[0] for row in ledger.db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"flows_by_received", "invoices_awaiting", "findings_by_code", "invoices_by_number_key"} <= indexes
    assert "invoices_by_syntax" not in indexes  # read by no query since the tallies
    assert [f.id for f in ledger.flows(number="dk-1")] == ["old"]  # the number as read, filled for the rows before
    assert [(c.day, c.status, c.count) for c in ledger.flow_counts("2026-11-01")] == [("2026-11-01", "93", 1)]  # tallied
    plan = " ".join(row[3] for row in ledger.db.execute(
        "EXPLAIN QUERY PLAN SELECT substr(received_at, 1, 10), sender, status, COUNT(*) FROM flows"
        " WHERE received_at >= '2026-11-14' GROUP BY substr(received_at, 1, 10), sender, status"))
    assert "COVERING INDEX flows_by_received" in plan
    ledger.close()


def _flow(name: str, at: datetime):
    from facteur.engine.model import Flow

    return Flow(b"<x/>", "DEMO01", name, at, source="memory")
