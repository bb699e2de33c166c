"""The ledger's queries, common to its databases (SQLite, PostgreSQL).

Both keep the same tables with the same meaning, so the queries are written
once here, in the SQL both speak (`?` placeholders, which the PostgreSQL
ledger translates); each database's module brings its connection, its
transactions, its schema and its migrations.

Outputs for partners served over AMQP are not published before the commit:
the commit puts them in the `outbox` table, and a relay publishes them after it
(`relay`), each under a message id derived from its flow and name, so a
message published again after a crash is the same message for its recipient.

Three rules hold whatever the database. An accepted invoice's (supplier, number,
year) key is reserved in the `claims` table, which it keys, before any output
is written (`claim`), so two workers racing to deliver the same invoice cannot
both deliver it; `invoices` also keeps it unique among accepted invoices. And a
payment-delay start, once written, never changes (a trigger refuses it).
And a flow, or an invoice whose statuses are judged, is worked on by one
process at a time: it holds a lease (`leases`) that it renews while it works,
and that passes on when it expires or, on the same host, as soon as its
holder's process is gone.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import time
from contextlib import AbstractContextManager, contextmanager
from dataclasses import asdict
from datetime import date, datetime, timezone
from decimal import Decimal
from functools import cache, cached_property
from typing import Callable, Iterator

from facteur.adapters import processes
from facteur.engine.errors import Refused
from facteur.engine.hub.controls import comparable, duplicate_key
from facteur.engine.inputs import names
from facteur.engine.messages import Message, say
from facteur.engine.model import (
    Flow,
    Invoice,
    Outcome,
    Output,
    Party,
    StatusChange,
    Syntax,
    Value,
)
from facteur.engine.runtime.ledger import (
    DeliveredInvoice,
    Episode,
    Finished,
    FlowRecord,
    Outgoing,
    message_id,
)
from facteur.engine.runtime.records import (
    FindingLine,
    FlowDetail,
    FlowSummary,
    InvoiceLine,
    OutputLine,
    ReplayLine,
    TimelineEvent,
)
from facteur.engine.runtime.tallies import Awaiting, Backlog, CodeCount, FlowCount, Started, Totals
from facteur.engine.statuses import FINAL, FLOW_CODES, INVOICE_STATUS_LABELS, PENDING, FlowStatus

# Who works on a flow, or judges statuses of an invoice, now; a migration of its own too.
LEASES = """
CREATE TABLE IF NOT EXISTS leases (key TEXT PRIMARY KEY, holder TEXT NOT NULL, expires_at DOUBLE PRECISION NOT NULL);
"""

# Runs of a redelivered flow alone in a `facteur worker` (`start_alone`); a migration of its own too.
LONE_RUNS = "ALTER TABLE flows ADD COLUMN {if_not_exists}lone_runs INTEGER NOT NULL DEFAULT 0;"

# The rule set that judged each invoice (`Verdict.rule_set`); a migration of its own too.
# Invoices judged before it was recorded keep NULL: the flow's rules_version says what judged them.
RULE_SETS = (
    "ALTER TABLE invoices ADD COLUMN {if_not_exists}rule_set TEXT;"
    "ALTER TABLE invoices ADD COLUMN {if_not_exists}rule_set_version TEXT;"
)

# The message of each finding and timeline event as the catalogue's key and arguments
# (`Message.data()`, JSON), so that a face shows it in its language; a migration of its own too.
# Rows written before it keep NULL: their text stays as written.
SAID = (
    "ALTER TABLE findings ADD COLUMN {if_not_exists}said TEXT;"
    "ALTER TABLE events ADD COLUMN {if_not_exists}said TEXT;"
)

# The console's users, their sessions and API tokens (kept as digests), and the
# audit trail of what they did (`adapters/accounts.py`); a migration of its own too.
CONSOLE = """
CREATE TABLE IF NOT EXISTS console_users (
    name TEXT PRIMARY KEY, password TEXT NOT NULL, role TEXT NOT NULL, partner TEXT NOT NULL, created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS console_sessions (
    digest TEXT PRIMARY KEY, user_name TEXT NOT NULL REFERENCES console_users(name) ON DELETE CASCADE,
    csrf TEXT NOT NULL, expires_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS console_tokens (
    digest TEXT PRIMARY KEY, user_name TEXT NOT NULL REFERENCES console_users(name) ON DELETE CASCADE,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS console_audit (
    id {serial} PRIMARY KEY, at TEXT NOT NULL, user_name TEXT NOT NULL, action TEXT NOT NULL, target TEXT NOT NULL,
    outcome TEXT NOT NULL, detail TEXT NOT NULL
);
"""

# The final invoice statuses as an SQL list: a started payment delay that is not
# in one of them runs. Written as literals, so that one statement serves every
# ledger and the migration that fills the tallies needs no parameter.
SETTLED = "(" + ", ".join(f"'{code}'" for code in sorted(FINAL)) + ")"

# The flow statuses a blocking finding leaves: rejected, or partly integrated.
BLOCKED = f"('{FlowStatus.REJECTED.value}', '{FlowStatus.PARTLY_INTEGRATED.value}')"

# What the searches of the console filter on, and the invoices a recipient has
# not acknowledged, kept fast at a million flows; a migration of its own, with
# NUMBER_KEYS before it. (The dashboard and the metrics read TALLIES.)
TALLY_INDEXES = """
CREATE INDEX IF NOT EXISTS flows_by_received ON flows(received_at, sender, status, id);
CREATE INDEX IF NOT EXISTS invoices_awaiting ON invoices(mailbox, flow_id) WHERE state = '02';
CREATE INDEX IF NOT EXISTS findings_by_code ON findings(code, flow_id, severity);
CREATE INDEX IF NOT EXISTS invoices_by_number_key ON invoices(number_key);
"""

# The dashboard's and the metrics' counts kept as they go (`tallies.py`), so
# that they read a few hundred rows whatever the ledger holds: flows by day of reception, sender and
# status; flows rejected or partly integrated by day and blocking code; invoices
# awaiting their recipient's acknowledgment (02) by recipient and day of their
# flow's reception; payment delays running (started, not settled) by buyer and
# day of start; and for the metrics, every flow by status, every invoice by
# syntax and status (an invoice code, or "rejected"), every finding by code and
# severity. Each is written in the transaction that changes what it counts
# (`_tally`), so a rollback takes both back; a count may fall to 0 and stay.
TALLIES = """
CREATE TABLE IF NOT EXISTS tally_flows (
    day TEXT NOT NULL, sender TEXT NOT NULL, status TEXT NOT NULL, flows INTEGER NOT NULL,
    PRIMARY KEY (day, sender, status)
);
CREATE TABLE IF NOT EXISTS tally_codes (
    day TEXT NOT NULL, code TEXT NOT NULL, flows INTEGER NOT NULL, PRIMARY KEY (day, code)
);
CREATE TABLE IF NOT EXISTS tally_awaiting (
    mailbox TEXT NOT NULL, day TEXT NOT NULL, invoices INTEGER NOT NULL, PRIMARY KEY (mailbox, day)
);
CREATE TABLE IF NOT EXISTS tally_started (
    day TEXT NOT NULL, buyer TEXT NOT NULL, invoices INTEGER NOT NULL, PRIMARY KEY (day, buyer)
);
CREATE TABLE IF NOT EXISTS tally_statuses (status TEXT PRIMARY KEY, flows INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS tally_invoices (
    syntax TEXT NOT NULL, status TEXT NOT NULL, invoices INTEGER NOT NULL, PRIMARY KEY (syntax, status)
);
CREATE TABLE IF NOT EXISTS tally_findings (
    code TEXT NOT NULL, severity TEXT NOT NULL, findings INTEGER NOT NULL, PRIMARY KEY (code, severity)
);
"""

# Each tally: its key columns, its count column, and what a part of the ledger
# (`{where}`, on flows f or invoices i) adds to it, times `{sign}`: +1 once the
# part is written, -1 before it changes. The same statements fill the tallies
# from every row (`FILL_TALLIES`) and keep them up to date, flow by flow.
INVOICE_STATUS = "CASE WHEN i.accepted = 1 THEN COALESCE(i.state, '02') ELSE 'rejected' END"
TALLIED = {
    "tally_flows": (
        "day, sender, status", "flows",
        "SELECT substr(f.received_at, 1, 10) AS day, f.sender AS sender, f.status AS status,"
        " {sign} * COUNT(*) AS n FROM flows f"
        " WHERE {where} GROUP BY substr(f.received_at, 1, 10), f.sender, f.status",
    ),
    "tally_codes": (
        "day, code", "flows",
        "SELECT substr(f.received_at, 1, 10) AS day, x.code AS code, {sign} * COUNT(DISTINCT x.flow_id) AS n"
        f" FROM flows f JOIN findings x ON x.flow_id = f.id WHERE {{where}} AND f.status IN {BLOCKED}"
        " AND x.severity = 'blocking' GROUP BY substr(f.received_at, 1, 10), x.code",
    ),
    "tally_awaiting": (
        "mailbox, day", "invoices",
        "SELECT COALESCE(i.mailbox, '') AS mailbox, substr(f.received_at, 1, 10) AS day, {sign} * COUNT(*) AS n"
        " FROM invoices i JOIN flows f ON f.id = i.flow_id WHERE {where} AND i.state = '02'"
        " GROUP BY COALESCE(i.mailbox, ''), substr(f.received_at, 1, 10)",
    ),
    "tally_started": (
        "day, buyer", "invoices",
        "SELECT substr(i.dgp_start, 1, 10) AS day, COALESCE(i.buyer, '') AS buyer, {sign} * COUNT(*) AS n"
        f" FROM invoices i WHERE {{where}} AND i.dgp_start IS NOT NULL AND i.state NOT IN {SETTLED}"
        " GROUP BY substr(i.dgp_start, 1, 10), COALESCE(i.buyer, '')",
    ),
    "tally_statuses": (
        "status", "flows",
        "SELECT f.status AS status, {sign} * COUNT(*) AS n FROM flows f WHERE {where} GROUP BY f.status",
    ),
    "tally_invoices": (
        "syntax, status", "invoices",
        f"SELECT i.syntax AS syntax, {INVOICE_STATUS} AS status, {{sign}} * COUNT(*) AS n FROM invoices i"
        f" WHERE {{where}} GROUP BY i.syntax, {INVOICE_STATUS}",
    ),
    "tally_findings": (
        "code, severity", "findings",
        "SELECT x.code AS code, x.severity AS severity, {sign} * COUNT(*) AS n FROM flows f"
        " JOIN findings x ON x.flow_id = f.id WHERE {where} GROUP BY x.code, x.severity",
    ),
}
# What a flow counts in, by its reception, sender, status and findings; what an invoice counts in, by its state.
FLOW_TALLIES = ("tally_flows", "tally_codes", "tally_statuses", "tally_findings")
INVOICE_TALLIES = ("tally_awaiting", "tally_started", "tally_invoices")


@cache
def _select(table: str, where: str, sign: int) -> str:
    return TALLIED[table][2].format(where=where, sign=sign)


@cache
def _upsert(table: str) -> str:
    keys, count, _ = TALLIED[table]
    return _added(table, f"VALUES ({_marks(keys.split(', ') + [count])})")


def tallied(table: str, where: str, sign: int) -> str:
    """The statement that adds what `where` selects to `table`, times `sign`."""
    return _added(table, _select(table, where, sign))


def _added(table: str, rows: str) -> str:
    """The statement that adds `rows` (keys, then a count) to `table`'s counts."""
    keys, count, _ = TALLIED[table]
    return (f"INSERT INTO {table} ({keys}, {count}) {rows}"
            f" ON CONFLICT ({keys}) DO UPDATE SET {count} = {table}.{count} + excluded.{count}")


# The tallies made again from every row: a migration of its own, and what a
# ledger loaded in bulk (bench/console.py) runs once its rows are in.
FILL_TALLIES = TALLIES + "".join(f"DELETE FROM {table};{tallied(table, '1 = 1', 1)};" for table in TALLIED)

# The indexes the dashboard's and the metrics' counts read before TALLIES: no
# query reads them since, and every invoice written paid for them.
UNREAD_INDEXES = "DROP INDEX IF EXISTS invoices_started; DROP INDEX IF EXISTS invoices_by_syntax;"

# The alert episodes open (`operations/alerts.py`), so that a restarted engine
# knows which it alerted for already; a migration of its own.
ALERT_EPISODES = """
CREATE TABLE IF NOT EXISTS alert_episodes (condition TEXT PRIMARY KEY, since TEXT NOT NULL, detail TEXT NOT NULL);
"""

# Each invoice's number as a person reads it (`controls.comparable`), which a search
# by number finds through its index; filled for the invoices written before it
# by `comparable`, a function the database is handed. Followed by TALLY_INDEXES.
NUMBER_KEYS = "ALTER TABLE invoices ADD COLUMN {if_not_exists}number_key TEXT;"
FILL_NUMBER_KEYS = "UPDATE invoices SET number_key = comparable(number) WHERE number IS NOT NULL AND number_key IS NULL;"

# The tables, in the SQL both databases speak; each fills in its own types: an
# auto-numbered key (`serial`), bytes (`binary`), and a column that numbers rows
# in insertion order where the database has no rowid of its own (`insertion_order`).
TABLES = """
CREATE TABLE IF NOT EXISTS flows (
    id TEXT PRIMARY KEY,
    sender TEXT NOT NULL,
    name TEXT NOT NULL,
    name_raw {binary},
    source TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    archive TEXT NOT NULL,
    received_at TEXT NOT NULL,
    status TEXT NOT NULL,
    processed_at TEXT,
    rules_version TEXT,
    documents INTEGER,
    accepted INTEGER,
    replay_of TEXT,
    attempt INTEGER NOT NULL DEFAULT 0,
    lone_runs INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS flows_by_status ON flows(status, received_at);
CREATE INDEX IF NOT EXISTS flows_by_chain ON flows(replay_of);
CREATE TABLE IF NOT EXISTS invoices (
    flow_id TEXT NOT NULL REFERENCES flows(id),
    idx INTEGER NOT NULL,
    document TEXT NOT NULL,
    syntax TEXT NOT NULL,
    accepted INTEGER NOT NULL,
    number TEXT,
    issue_date TEXT,
    supplier TEXT,
    supplier_name TEXT,
    buyer TEXT,
    buyer_name TEXT,
    mailbox TEXT,
    service_code TEXT,
    engagement TEXT,
    currency TEXT,
    total_without_vat TEXT,
    total_with_vat TEXT,
    amount_due TEXT,
    dup_key TEXT,
    supplier_type TEXT,
    supplier_country TEXT,
    state TEXT,
    dgp_start TEXT,
    dgp_rule TEXT,
    rule_set TEXT,
    rule_set_version TEXT,
    number_key TEXT,
    PRIMARY KEY (flow_id, idx)
);
CREATE UNIQUE INDEX IF NOT EXISTS invoices_once ON invoices(dup_key) WHERE accepted = 1;
CREATE INDEX IF NOT EXISTS invoices_by_mailbox ON invoices(mailbox, state);
CREATE INDEX IF NOT EXISTS invoices_by_number ON invoices(supplier, number);
CREATE TABLE IF NOT EXISTS events (
    id {serial} PRIMARY KEY,
    flow_id TEXT NOT NULL,
    idx INTEGER,
    code TEXT NOT NULL,
    label TEXT NOT NULL,
    at TEXT NOT NULL,
    detail TEXT,
    said TEXT
);
CREATE INDEX IF NOT EXISTS events_by_flow ON events(flow_id, id);
CREATE TABLE IF NOT EXISTS findings ({insertion_order}
    flow_id TEXT NOT NULL,
    idx INTEGER,
    document TEXT,
    code TEXT NOT NULL,
    severity TEXT NOT NULL,
    message TEXT NOT NULL,
    location TEXT,
    layer TEXT,
    said TEXT,
    read_values TEXT
);
CREATE INDEX IF NOT EXISTS findings_by_flow ON findings(flow_id);
CREATE TABLE IF NOT EXISTS outputs ({insertion_order}
    flow_id TEXT NOT NULL,
    mailbox TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    report {binary}
);
CREATE INDEX IF NOT EXISTS outputs_by_flow ON outputs(flow_id);
CREATE TABLE IF NOT EXISTS claims (dup_key TEXT PRIMARY KEY, flow_id TEXT NOT NULL);
""" + LEASES + TALLY_INDEXES + TALLIES + ALERT_EPISODES

# The transactional outbox: a message per output for an AMQP partner, written in
# the commit of what produced it, published after it. A published message keeps
# its id and time, not its bytes (the flow's archive and reports keep those).
OUTBOX = """
CREATE TABLE IF NOT EXISTS outbox ({insertion_order}
    message_id TEXT PRIMARY KEY,
    flow_id TEXT NOT NULL,
    mailbox TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    content {binary},
    queued_at TEXT NOT NULL,
    retry_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    published_at TEXT
);
CREATE INDEX IF NOT EXISTS outbox_waiting ON outbox(retry_at) WHERE published_at IS NULL;
CREATE INDEX IF NOT EXISTS outbox_by_flow ON outbox(flow_id);
"""


def _values(stored: str | None) -> tuple[Value, ...]:
    """A finding's values as the ledger keeps them: a JSON list of `Value`s, NULL for none."""
    return tuple(Value(**value) for value in json.loads(stored)) if stored else ()


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="microseconds")


KEY_SEPARATOR = "\x1f"
UNCHANGED = "unchanged"  # the timeline's code for a replay whose report was not sent again
SLICE = 500  # values one query asks for at most (flows of a listing, keys of a claim): a database's limit of parameters


def _marks(values) -> str:
    """A placeholder for each value."""
    return ", ".join("?" * len(values))


def _utc(moment: datetime) -> str:
    """Outbox times are compared as texts: one zone, one format."""
    return _iso(moment.astimezone(timezone.utc))


def _key(parts: tuple[str, str, int] | None) -> str | None:
    return None if parts is None else KEY_SEPARATOR.join(map(str, parts))


# The migration to keys compared as a person reads them (`controls.comparable`),
# given `key_map (old, new)`: each key written before, and what it is now. Two
# accepted invoices whose keys become one are the same invoice delivered twice
# before the change: the first received keeps the key (and the claim), the
# later one keeps its row, number and findings, readable as before, without a
# key, and its timeline says why. `{now}` is the database's expression of the
# current time as an ISO text.
RENORMALISE_KEYS = """
CREATE TEMP TABLE key_rank AS
SELECT i.flow_id, i.idx, m.new AS new_key,
       ROW_NUMBER() OVER (PARTITION BY m.new ORDER BY f.received_at, i.flow_id, i.idx) AS place
FROM invoices i JOIN key_map m ON m.old = i.dup_key JOIN flows f ON f.id = i.flow_id
WHERE i.accepted = 1;
UPDATE invoices SET dup_key = NULL WHERE accepted = 1;
UPDATE invoices SET dup_key = (SELECT r.new_key FROM key_rank r
                               WHERE r.flow_id = invoices.flow_id AND r.idx = invoices.idx AND r.place = 1)
WHERE accepted = 1;
UPDATE invoices SET dup_key = (SELECT m.new FROM key_map m WHERE m.old = invoices.dup_key)
WHERE accepted = 0 AND dup_key IS NOT NULL;
INSERT INTO events (flow_id, idx, code, label, at, detail)
SELECT later.flow_id, later.idx, 'same-invoice',
       'same invoice as one delivered before, once numbers are compared as read', {now}, 'its key stays with flow ' || first.flow_id || '; this row is kept as it was'
FROM key_rank later JOIN key_rank first ON first.new_key = later.new_key AND first.place = 1
WHERE later.place > 1;
CREATE TEMP TABLE claim_rank AS
SELECT m.new AS new_key, c.flow_id,
       ROW_NUMBER() OVER (PARTITION BY m.new ORDER BY
           CASE WHEN EXISTS (SELECT 1 FROM key_rank r WHERE r.flow_id = c.flow_id AND r.new_key = m.new AND r.place = 1)
                THEN 0 ELSE 1 END,
           f.received_at, c.flow_id) AS place
FROM claims c JOIN key_map m ON m.old = c.dup_key LEFT JOIN flows f ON f.id = c.flow_id;
DELETE FROM claims;
INSERT INTO claims (dup_key, flow_id) SELECT new_key, flow_id FROM claim_rank WHERE place = 1;
DROP TABLE key_rank;
DROP TABLE claim_rank;
DROP TABLE key_map;
"""

# Every key the ledger holds, for `key_map`.
WRITTEN_KEYS = "SELECT dup_key FROM invoices WHERE dup_key IS NOT NULL UNION SELECT dup_key FROM claims"


def renormalised(old: str) -> str:
    """A key written before keys were compared as read, as it is now."""
    supplier, _, rest = old.partition(KEY_SEPARATOR)
    number, _, year = rest.rpartition(KEY_SEPARATOR)
    return _key((comparable(supplier), comparable(number), int(year)))


class _Held(Exception):
    """Another process holds a lease: what was taken is rolled back."""

    def __init__(self, holder: str):
        super().__init__(holder)
        self.holder = holder


class SqlLedger:
    """The Ledger protocol over a database; subclasses provide `_execute`
    (rows readable by column name), `_executemany` (one statement for many
    rows, sent together), `_atomic` (a transaction, or a savepoint
    inside one) and `close`, how a transaction holds rows that another
    relay must skip (`_HOLD`), and how it holds a row it reads until it ends
    (`_LOCK`; SQLite's one writer holds the whole ledger already)."""

    _HOLD = ""
    _LOCK = ""

    def _execute(self, sql: str, parameters: tuple | list = ()): ...

    def _executemany(self, sql: str, rows: list[tuple]) -> None: ...

    def _atomic(self) -> AbstractContextManager: ...

    def close(self) -> None: ...

    @cached_property
    def _deltas(self) -> list[dict[tuple, int]]:
        """What each transaction open, outermost first, changes in the tallies."""
        return []

    @contextmanager
    def _transaction(self):
        """`_atomic`, and the tallies' changes made in it written at its end,
        in one order (by tally and key) whoever writes them: workers that
        commit together on PostgreSQL wait on one another's tally rows for
        the last instants of a transaction only, and never deadlock on them.
        A savepoint's changes join its transaction's, or are dropped with it."""
        with self._atomic():
            self._deltas.append({})
            try:
                yield
            except BaseException:
                self._deltas.pop()
                raise
            deltas = self._deltas.pop()
            if self._deltas:
                outer = self._deltas[-1]
                for key, n in deltas.items():
                    outer[key] = outer.get(key, 0) + n
            else:
                for (table, *values), n in sorted(deltas.items()):
                    if n:
                        self._execute(_upsert(table), (*values, n))

    def _tally(self, tables: tuple[str, ...], where: str, parameters: tuple, sign: int) -> None:
        """Count in `tables` (+1) what the rows `where` selects hold, or take it
        back (-1) before they change: at the end of the transaction."""
        deltas = self._deltas[-1]
        for table in tables:
            keys = TALLIED[table][0].split(", ")
            for row in self._execute(_select(table, where, sign), parameters).fetchall():
                key = (table, *(row[k] for k in keys))
                deltas[key] = deltas.get(key, 0) + row["n"]

    @cached_property
    def holder(self) -> str:
        """Who takes this ledger's leases: this process, by a name of its own."""
        return processes.holder()

    def lease(self, keys: list[str], seconds: float) -> str | None:
        try:
            with self._transaction():
                now = self._clock()
                for key in sorted(set(keys)):  # one order for every taker, so none deadlocks another
                    holder = self._take(key, now, seconds)
                    if holder is not None:
                        raise _Held(holder)
        except _Held as held:
            return held.holder
        return None

    def lease_each(self, keys: list[str], seconds: float) -> dict[str, str]:
        with self._transaction():
            now = self._clock()
            held = {key: self._take(key, now, seconds) for key in sorted(set(keys))}
        return {key: holder for key, holder in held.items() if holder is not None}

    def _take(self, key: str, now: float, seconds: float) -> str | None:
        """Insert or take over the key (ours already, or expired); where that
        changed no row, read who holds it, as `claim_all` does; a holder that
        is gone (a process of this host that no longer exists) loses its lease
        at once. Returns the other process that keeps it, or None."""
        if self._execute(
            "INSERT INTO leases (key, holder, expires_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE"
            " SET holder = excluded.holder, expires_at = excluded.expires_at"
            " WHERE leases.holder = excluded.holder OR leases.expires_at < ?",
            (key, self.holder, now + seconds, now),
        ).rowcount:
            return None
        other = self._execute("SELECT holder FROM leases WHERE key = ?", (key,)).fetchone()["holder"]
        if not processes.holder_gone(other):
            return other
        self._execute(
            "UPDATE leases SET holder = ?, expires_at = ? WHERE key = ? AND holder = ?",
            (self.holder, now + seconds, key, other),
        )
        return None

    def renew(self, keys: list[str], seconds: float) -> None:
        if keys:
            with self._transaction():
                self._execute(
                    f"UPDATE leases SET expires_at = ? WHERE holder = ? AND key IN ({_marks(keys)})",
                    (self._clock() + seconds, self.holder, *keys),
                )

    def release(self, keys: list[str]) -> None:
        if keys:
            with self._transaction():
                self._execute(
                    f"DELETE FROM leases WHERE holder = ? AND key IN ({_marks(keys)})", (self.holder, *keys)
                )

    def _clock(self) -> float:
        """Seconds since the epoch by the clock every holder of this ledger reads."""
        return time.time()

    def begin(self, flow: Flow, archive: str) -> FlowRecord:
        return self.begin_all([(flow, archive)])[0]

    def begin_all(self, received: list[tuple[Flow, str]]) -> list[FlowRecord]:
        """Two workers may be handed the same flow at once (a message
        redelivered while its first worker still works on it): the one that
        inserts second finds the first one's record instead. The flows are
        inserted in the order of their ids (two workers inserting the same
        ones never wait for each other), and those inserted counted in the
        tallies together, by one query each."""
        if not received:
            return []
        with self._transaction():
            ordered = sorted(received, key=lambda pair: pair[0].id)
            added = self._inserted("flows", FLOW_COLUMNS, [flow_row(flow, archive) for flow, archive in ordered],
                                   conflict="id", returning=("id",))
            inserted = [flow for flow, _ in ordered if (flow.id,) in added]
            if inserted:
                self._tally(FLOW_TALLIES, f"f.id IN ({_marks(inserted)})", tuple(flow.id for flow in inserted), 1)
            events = []
            for flow in inserted:
                if flow.replay_of:
                    events.append(_event_row(flow.replay_of, None, "replayed",
                                             say("event-replayed", flow=flow.id, attempt=flow.attempt), self._now()))
                    events.append(_event_row(flow.id, None, "replay",
                                             say("event-replay", attempt=flow.attempt, flow=flow.replay_of), self._now()))
                events.append(_event_row(flow.id, None, "received",
                                         say("event-received", sender=flow.sender, source=flow.source), flow.received_at))
            self._events(events)
            new = {flow.id for flow in inserted}
            return [
                FlowRecord(flow.id, flow.sender, flow.name, flow.received_at, PENDING, flow.replay_of, flow.attempt)
                if flow.id in new else self.find(flow.id)
                for flow, _ in received
            ]

    def _inserted(self, table: str, columns: tuple[str, ...], rows: list[tuple], conflict: str,
                  returning: tuple[str, ...]) -> set[tuple]:
        """`rows` inserted into `table` in their order, a row whose `conflict`
        is taken (by a row there, or one before it) left out; the `returning`
        columns of those this transaction inserted. A statement a row here, its
        row count telling whether it went in (PostgreSQL sends them together)."""
        statement = insert_rows(table, columns, 1, conflict)
        positions = [columns.index(column) for column in returning]
        return {tuple(row[i] for i in positions) for row in rows if self._execute(statement, row).rowcount}

    def group(self) -> AbstractContextManager:
        return self._transaction()

    def start_alone(self, flow_id: str, limit: int) -> int:
        with self._transaction():
            counted = self._execute(
                "UPDATE flows SET lone_runs = lone_runs + 1 WHERE id = ? AND lone_runs < ?", (flow_id, limit)
            ).rowcount
            row = self._execute("SELECT lone_runs FROM flows WHERE id = ?", (flow_id,)).fetchone()
        return row["lone_runs"] - counted

    def find(self, flow_id: str) -> FlowRecord | None:
        row = self._execute(
            "SELECT id, sender, name, received_at, status, replay_of, attempt FROM flows WHERE id = ?", (flow_id,)
        ).fetchone()
        return None if row is None else _record(row)

    def known_invoice(self, supplier: str, number: str, year: int) -> str | None:
        row = self._execute("SELECT flow_id FROM claims WHERE dup_key = ?", (_key((supplier, number, year)),)).fetchone()
        return row["flow_id"] if row else None

    def claim_all(self, wanted: list[tuple[str, list[tuple[str, str, int]]]]) -> list[str | None]:
        """Insert first, then read who holds each key: under PostgreSQL's read
        committed isolation, a concurrent claim of the same key waits for the
        first one to end, then sees its holder; reading first would let both
        pass. The keys of every flow are inserted in one order, sorted over
        them all, so that two workers claiming for groups of flows never
        deadlock; a flow that finds a key held by another gives back the keys
        it inserted here, the claims it made before (after a crash) kept."""
        pairs = sorted({(_key(key), flow_id) for flow_id, keys in wanted for key in keys})
        if not pairs:  # nothing to reserve: no transaction to wait for
            return [None] * len(wanted)
        with self._transaction():
            taken = self._inserted("claims", CLAIM_COLUMNS, pairs, conflict="dup_key", returning=CLAIM_COLUMNS)
            inserted = [pair for pair in pairs if pair in taken]
            holders = self._claimants(sorted({key for key, _ in pairs}))
            found = {flow_id: next((holders[_key(key)] for key in sorted(keys) if holders[_key(key)] != flow_id), None)
                     for flow_id, keys in wanted}
            given_back = [pair for pair in inserted if found[pair[1]] is not None]
            if given_back:
                self._executemany("DELETE FROM claims WHERE dup_key = ? AND flow_id = ?", given_back)
        return [found[flow_id] for flow_id, _ in wanted]

    def _claimants(self, keys: list[str]) -> dict[str, str]:
        """Who holds each of these keys."""
        return {row["dup_key"]: row["flow_id"]
                for row in self._rows_among("SELECT dup_key, flow_id FROM claims WHERE dup_key IN ({marks})", keys)}

    def _rows_among(self, sql: str, values: list) -> Iterator:
        """The rows `sql` selects among `values` (its `{marks}`), asked by
        slices of SLICE, so that no query passes a database's limit of parameters."""
        for start in range(0, len(values), SLICE):
            part = values[start:start + SLICE]
            yield from self._execute(sql.format(marks=_marks(part)), part).fetchall()

    def commit_all(self, finished: list[Finished], at: datetime) -> None:
        """The flows' rows are read pending, and held (`_LOCK`) in the order
        of their ids, first, which makes a concurrent commit of one of them
        wait for this one (and two such commits never wait for each other);
        it then finds the flow committed and records nothing more for it
        (both wrote the same outputs: same flow, same reception time). The
        tallies are read once for the flows together, before their rows
        change and after."""
        with self._transaction():
            ids = sorted({item.flow.id for item in finished})
            pending = {row["id"] for row in self._execute(
                f"SELECT id FROM flows WHERE id IN ({_marks(ids)}) AND status = 'pending' ORDER BY id{self._LOCK}", ids
            ).fetchall()}
            settling = [item for item in finished if item.flow.id in pending]
            if not settling:
                return
            ids = tuple(sorted(pending))
            flows, invoices = f"f.id IN ({_marks(ids)})", f"i.flow_id IN ({_marks(ids)})"
            self._tally(FLOW_TALLIES, flows, ids, -1)
            self._tally(INVOICE_TALLIES, invoices, ids, -1)
            for table in ("invoices", "findings", "outputs"):
                self._execute(f"DELETE FROM {table} WHERE flow_id IN ({_marks(ids)})", ids)
            self._settle([(item.flow, item.outcome) for item in settling], at)
            self._tally(FLOW_TALLIES, flows, ids, 1)
            self._tally(INVOICE_TALLIES, invoices, ids, 1)
            for item in settling:
                self._changes(item.outcome.changes, item.flow.id)
            self._outputs([(item.flow.id, output, path) for item in settling for output, path in item.written])
            self._queue([(item.flow.id, output) for item in settling for output in item.publish], at)
            events = []
            for item in settling:
                flow, outcome = item.flow, item.outcome
                events.append(_event_row(flow.id, None, outcome.status.value,
                                         say(FLOW_CODES[outcome.status.value].timeline), at))
                if outcome.same_as:
                    events.append(_event_row(flow.id, None, UNCHANGED, say("event-unchanged", flow=outcome.same_as), at))
            self._events(events)

    def _settle(self, settled: list[tuple[Flow, Outcome]], at: datetime) -> None:
        """The flows' rows settled, their invoices and findings written, and
        each accepted invoice's deposit and routing on its timeline: each kind
        of row for the whole group in one statement (on PostgreSQL, one round
        trip instead of one per row), in the order a flow at a time gave."""
        updates, invoices, findings, events = [], [], [], []
        for flow, outcome in settled:
            accepted = sum(1 for v in outcome.verdicts if v.accepted)
            updates.append((outcome.status.value, _iso(at), outcome.rules_version, len(outcome.verdicts), accepted,
                            flow.id))
            findings += [_finding(flow.id, None, flow.name, finding) for finding in outcome.findings]
            for index, verdict in enumerate(outcome.verdicts, start=1):
                invoices.append(_invoice_row(flow.id, index, verdict))
                findings += [_finding(flow.id, index, verdict.document, finding) for finding in verdict.findings]
                if verdict.accepted:
                    events.append(_event_row(flow.id, index, "01", say("event-deposited"), flow.received_at))
                    events.append(_event_row(flow.id, index, "02", say("event-routed", mailbox=verdict.recipient_mailbox),
                                             at))
        self._executemany(
            "UPDATE flows SET status = ?, processed_at = ?, rules_version = ?, documents = ?, accepted = ? WHERE id = ?",
            updates,
        )
        # an invoice that could not be read has fewer columns: runs of one shape, in their order
        for columns, rows in itertools.groupby(invoices, key=lambda row: tuple(row)):
            self._executemany(f"INSERT INTO invoices ({', '.join(columns)}) VALUES ({_marks(columns)})",
                              [tuple(row.values()) for row in rows])
        self._events(events)
        if findings:
            self._executemany(
                "INSERT INTO findings (flow_id, idx, document, code, severity, message, location, layer, said,"
                " read_values) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", findings,
            )

    def record(
        self, changes: list[StatusChange], written: list[tuple[Output, str]], origin: str, publish: list[Output] = ()
    ) -> None:
        with self._transaction():
            self._changes(changes, origin)
            self._outputs([(origin, output, path) for output, path in written])
            self._queue([(origin, output) for output in publish], self._now())

    def due(self, at: datetime) -> int:
        return self._execute(
            "SELECT COUNT(*) AS due FROM outbox WHERE published_at IS NULL AND retry_at <= ?", (_utc(at),)
        ).fetchone()["due"]

    def relay(self, publish: Callable[[Outgoing], None], at: datetime, limit: int) -> int:
        """The rows are held by the transaction while they are published
        (PostgreSQL skips rows another relay holds; SQLite has one writer at a
        time), and a relay that dies lets them go with its transaction: the
        next one publishes them again, under the same ids."""
        published, stopped = 0, None
        with self._transaction():
            rows = self._execute(
                "SELECT message_id, flow_id, mailbox, name, kind, content, attempts FROM outbox"
                f" WHERE published_at IS NULL AND retry_at <= ? ORDER BY rowid LIMIT ?{self._HOLD}",
                (_utc(at), limit),
            ).fetchall()
            for row in rows:
                outgoing = Outgoing(
                    row["message_id"], row["flow_id"],
                    Output(row["mailbox"], row["name"], bytes(row["content"]), row["kind"]), row["attempts"],
                )
                try:
                    publish(outgoing)
                except Refused as refused:
                    self._missed(outgoing, str(refused), at + refused.retry_in)
                    continue
                except Exception as error:  # the broker is away: this pass ends, what it confirmed is kept
                    self._missed(outgoing, str(error), at)
                    stopped = error
                    break
                self._execute(
                    "UPDATE outbox SET published_at = ?, attempts = attempts + 1, error = NULL, content = NULL"
                    " WHERE message_id = ?",
                    (_utc(self._now()), outgoing.message_id),
                )
                published += 1
        if stopped is not None:
            raise stopped
        return published

    def delivered(self, flow_id: str) -> list[DeliveredInvoice]:
        return self._delivered("i.flow_id = ?", (flow_id,))

    def invoices_numbered(self, supplier: str, number: str, year: int | None) -> list[DeliveredInvoice]:
        found = self._delivered("i.supplier = ? AND i.number = ?", (supplier, number))
        return [d for d in found if year is None or d.invoice.year == year]

    def waiting(self, mailbox: str) -> list[DeliveredInvoice]:
        return self._delivered("i.mailbox = ? AND i.state = '02'", (mailbox,))

    def invoices(self, mailbox: str = "") -> list[DeliveredInvoice]:
        return self._delivered("i.mailbox = ?", (mailbox,)) if mailbox else self._delivered("1 = 1", ())

    def archived(self, flow_id: str) -> tuple[FlowRecord, str, str] | None:
        row = self._execute(
            "SELECT id, sender, name, received_at, status, replay_of, attempt, archive, sha256 FROM flows WHERE id = ?",
            (flow_id,),
        ).fetchone()
        return None if row is None else (_record(row), row["archive"], row["sha256"])

    def attempts(self, flow_id: str) -> int:
        row = self._execute(
            "SELECT MAX(attempt) AS attempts FROM flows WHERE id = ? OR replay_of = ?", (flow_id, flow_id)
        ).fetchone()
        return row["attempts"] or 0

    def reports(self, flow_id: str) -> list[Output]:
        rows = self._execute(
            "SELECT mailbox, name, kind, report FROM outputs WHERE flow_id = ? AND kind != 'pivot' ORDER BY rowid",
            (flow_id,),
        ).fetchall()
        return [Output(r["mailbox"], r["name"], bytes(r["report"]), r["kind"]) for r in rows]

    def record_repeat(self, flow: Flow, at: datetime, publish: list[Output] = ()) -> None:
        with self._transaction():
            self._queue([(flow.id, output) for output in publish], at, again=True)
            self._event(flow.id, None, "repeat", say("event-repeat", name=flow.name), at)

    def flows(self, limit: int = 100, offset: int = 0, **filters: str) -> list[FlowSummary]:
        where, parameters = _flow_filters(filters)
        rows = self._execute(
            "SELECT id, sender, name, source, received_at, status, documents, accepted, replay_of, attempt FROM flows f"
            f" WHERE {where} ORDER BY received_at DESC, id LIMIT ? OFFSET ?",
            (*parameters, limit, offset),
        ).fetchall()
        found = self._findings_of([r["id"] for r in rows])
        return [FlowSummary(**dict(r), **found.get(r["id"], {})) for r in rows]

    def _findings_of(self, flow_ids: list[str]) -> dict[str, dict]:
        """Each flow's finding codes and first blocking message, for a listing."""
        found: dict[str, dict] = {}
        for row in self._rows_among("SELECT flow_id, code, severity, message, read_values FROM findings"
                                    " WHERE flow_id IN ({marks}) ORDER BY rowid", flow_ids):
            flow = found.setdefault(row["flow_id"], {"codes": (), "blocking": None})
            if row["code"] not in flow["codes"]:
                flow["codes"] += (row["code"],)
            if flow["blocking"] is None and row["severity"] == "blocking":
                flow["blocking"], flow["blocking_values"] = row["message"], _values(row["read_values"])
        return found

    def flow_detail(self, flow_id: str) -> FlowDetail | None:
        matches = self._execute("SELECT * FROM flows WHERE id = ?", (flow_id,)).fetchall() or self._execute(
            "SELECT * FROM flows WHERE id LIKE ? LIMIT 2", (flow_id + "%",)  # a prefix: no index serves LIKE, so second
        ).fetchall()
        if len(matches) != 1:
            return None
        flow = dict(matches[0])
        fid = flow["id"]
        flow["name_raw"] = None if flow["name_raw"] is None else bytes(flow["name_raw"]).hex()  # readable, and JSON

        def rows(record: type, sql: str) -> tuple:
            return tuple(record(**dict(r)) for r in self._execute(sql, (fid,)).fetchall())

        flow["timeline"] = rows(
            TimelineEvent, "SELECT idx, code, label, at, detail, said FROM events WHERE flow_id = ? ORDER BY id"
        )
        flow["invoices"] = rows(
            InvoiceLine,
            "SELECT idx, document, syntax, accepted, number, issue_date, supplier, supplier_name, buyer, buyer_name,"
            " mailbox, service_code, engagement, currency, total_without_vat, total_with_vat, amount_due, state,"
            " dgp_start, dgp_rule, rule_set, rule_set_version FROM invoices WHERE flow_id = ? ORDER BY idx",
        )
        flow["replays"] = rows(
            ReplayLine, "SELECT id, attempt, status, processed_at FROM flows WHERE replay_of = ? ORDER BY attempt"
        )
        flow["findings"] = tuple(
            FindingLine(**{k: r[k] for k in r.keys() if k != "read_values"}, values=_values(r["read_values"]))
            for r in self._execute(
                "SELECT idx, document, code, severity, message, location, layer, said, read_values FROM findings"
                " WHERE flow_id = ? ORDER BY rowid",
                (fid,),
            ).fetchall()
        )
        flow["outputs"] = rows(
            OutputLine,
            "SELECT o.mailbox, o.name, o.kind, o.path, o.sha256, x.message_id, x.published_at, x.attempts, x.error"
            " FROM outputs o LEFT JOIN outbox x ON x.flow_id = o.flow_id AND x.mailbox = o.mailbox AND x.name = o.name"
            " WHERE o.flow_id = ? ORDER BY o.rowid",
        )
        return FlowDetail(**flow)

    def flow_counts(self, since: str) -> list[FlowCount]:
        return [
            FlowCount(**dict(row)) for row in self._execute(
                "SELECT day, sender, status, flows AS count FROM tally_flows WHERE day >= ? AND flows > 0", (since[:10],),
            ).fetchall()
        ]

    def recent_counts(self, since: datetime) -> list[FlowCount]:
        return [
            FlowCount(**dict(row)) for row in self._execute(
                "SELECT substr(received_at, 1, 10) AS day, sender, status, COUNT(*) AS count FROM flows"
                " WHERE received_at >= ? GROUP BY substr(received_at, 1, 10), sender, status", (_iso(since),),
            ).fetchall()
        ]

    def blocking_codes(self, since: str) -> list[CodeCount]:
        return [
            CodeCount(**dict(row)) for row in self._execute(
                "SELECT code, SUM(flows) AS flows FROM tally_codes WHERE day >= ? AND flows > 0"
                " GROUP BY code ORDER BY flows DESC, code", (since[:10],),
            ).fetchall()
        ]

    def awaiting(self) -> list[Awaiting]:
        rows = self._execute(
            "SELECT mailbox, SUM(invoices) AS invoices, MIN(day) AS oldest FROM tally_awaiting WHERE invoices > 0"
            " GROUP BY mailbox ORDER BY invoices DESC, mailbox"
        ).fetchall()
        return [Awaiting(r["mailbox"], r["invoices"], date.fromisoformat(r["oldest"])) for r in rows]

    def started(self, before: str) -> list[Started]:
        return [
            Started(**dict(row)) for row in self._execute(
                "SELECT buyer, day AS start, invoices FROM tally_started WHERE day < ? AND invoices > 0", (before[:10],),
            ).fetchall()
        ]

    def backlog(self) -> Backlog:
        pending = self._execute(
            "SELECT COUNT(*) AS flows, MIN(received_at) AS oldest FROM flows WHERE status = 'pending'"
        ).fetchone()
        outbox = self._execute(
            "SELECT COUNT(*) AS messages, COALESCE(SUM(CASE WHEN attempts > 0 THEN 1 ELSE 0 END), 0) AS retried,"
            " MIN(queued_at) AS oldest FROM outbox WHERE published_at IS NULL"
        ).fetchone()
        latest = self._execute("SELECT MAX(received_at) AS latest FROM flows").fetchone()["latest"]
        return Backlog(pending["flows"], _moment(pending["oldest"]), outbox["messages"], outbox["retried"],
                       _moment(outbox["oldest"]), _moment(latest))

    def totals(self) -> Totals:
        flows = self._execute("SELECT status, flows FROM tally_statuses WHERE flows > 0").fetchall()
        invoices = self._execute("SELECT syntax, status, invoices FROM tally_invoices WHERE invoices > 0").fetchall()
        findings = self._execute("SELECT code, severity, findings FROM tally_findings WHERE findings > 0").fetchall()
        return Totals(
            {row["status"]: row["flows"] for row in flows},
            {(row["syntax"], row["status"]): row["invoices"] for row in invoices},
            {(row["code"], row["severity"]): row["findings"] for row in findings},
        )

    def episodes(self) -> dict[str, Episode]:
        return {
            row["condition"]: Episode(row["condition"], datetime.fromisoformat(row["since"]), row["detail"])
            for row in self._execute("SELECT condition, since, detail FROM alert_episodes").fetchall()
        }

    def keep_episodes(self, episodes: dict[str, Episode]) -> None:
        with self._transaction():
            self._execute("DELETE FROM alert_episodes")
            for episode in episodes.values():
                self._execute("INSERT INTO alert_episodes (condition, since, detail) VALUES (?, ?, ?)",
                              (episode.condition, _iso(episode.since), episode.detail))

    @staticmethod
    def _now() -> datetime:
        return datetime.now().astimezone()

    def _changes(self, changes: list[StatusChange], origin: str) -> None:
        """Lifecycle steps: an event each; an invoice status becomes the state; a
        DGP start is written only where none is (the trigger guards the rest)."""
        for change in changes:
            label = INVOICE_STATUS_LABELS.get(change.code, change.code)
            self._execute(
                "INSERT INTO events (flow_id, idx, code, label, at, detail) VALUES (?, ?, ?, ?, ?, ?)",
                (change.flow_id, change.index, change.code, label, _iso(change.at), f"{change.note}; recorded from {origin}"),
            )
            invoice = (change.flow_id, change.index)
            if change.code not in INVOICE_STATUS_LABELS and change.dgp_start is None:
                continue
            self._tally(INVOICE_TALLIES, "i.flow_id = ? AND i.idx = ?", invoice, -1)
            if change.code in INVOICE_STATUS_LABELS:
                self._execute("UPDATE invoices SET state = ? WHERE flow_id = ? AND idx = ?", (change.code, *invoice))
            if change.dgp_start is not None:
                self._execute(
                    "UPDATE invoices SET dgp_start = ?, dgp_rule = ? WHERE flow_id = ? AND idx = ? AND dgp_start IS NULL",
                    (_iso(change.dgp_start), change.dgp_rule, *invoice),
                )
            self._tally(INVOICE_TALLIES, "i.flow_id = ? AND i.idx = ?", invoice, 1)

    def _outputs(self, written: list[tuple[str, Output, str]]) -> None:
        """Each (flow id, output, path) written, in one statement."""
        if written:
            self._executemany(
                "INSERT INTO outputs (flow_id, mailbox, name, kind, path, sha256, report) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(flow_id, output.mailbox, output.name, output.kind, path, hashlib.sha256(output.content).hexdigest(),
                  None if output.kind == "pivot" else output.content) for flow_id, output, path in written],
            )

    def _queue(self, queued: list[tuple[str, Output]], at: datetime, again: bool = False) -> None:
        """Each (origin, output) queued to publish, in one statement. The same
        output queued again is the same message: it is kept as it stands (the
        same collection after a crash), or, `again`, published once more
        under its id (a report sent again for a sender's retry)."""
        on_conflict = (
            "DO UPDATE SET content = excluded.content, retry_at = excluded.retry_at, published_at = NULL"
            if again else "DO NOTHING"
        )
        if queued:
            self._executemany(
                "INSERT INTO outbox (message_id, flow_id, mailbox, name, kind, content, queued_at, retry_at)"
                f" VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (message_id) {on_conflict}",
                [(message_id(origin, output), origin, output.mailbox, output.name, output.kind, output.content,
                  _utc(at), _utc(at)) for origin, output in queued],
            )

    def _missed(self, outgoing: Outgoing, error: str, retry_at: datetime) -> None:
        self._execute(
            "UPDATE outbox SET attempts = attempts + 1, error = ?, retry_at = ? WHERE message_id = ?",
            (error, _utc(retry_at), outgoing.message_id),
        )

    def _delivered(self, where: str, parameters: tuple) -> list[DeliveredInvoice]:
        rows = self._execute(
            "SELECT i.*, f.sender AS depositor, f.received_at AS deposited_at FROM invoices i JOIN flows f"
            f" ON f.id = i.flow_id WHERE i.accepted = 1 AND {where} ORDER BY f.received_at, i.flow_id, i.idx",
            parameters,
        ).fetchall()
        return [_delivered_invoice(row) for row in rows]

    def _event(self, flow_id: str, idx: int | None, code: str, label: Message, at: datetime) -> None:
        self._events([_event_row(flow_id, idx, code, label, at)])

    def _events(self, rows: list[tuple]) -> None:
        """Events (`_event_row`), in one statement, in their order."""
        if rows:
            self._executemany("INSERT INTO events (flow_id, idx, code, label, at, said) VALUES (?, ?, ?, ?, ?, ?)", rows)


FLOW_COLUMNS = ("id", "sender", "name", "name_raw", "source", "size", "sha256", "archive", "received_at", "status",
                "replay_of", "attempt")
CLAIM_COLUMNS = ("dup_key", "flow_id")


def insert_rows(table: str, columns: tuple[str, ...], count: int, conflict: str) -> str:
    """The statement inserting `count` rows of `columns` into `table`, a row whose `conflict` is taken left out."""
    values = ", ".join([f"({_marks(columns)})"] * count)
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES {values} ON CONFLICT ({conflict}) DO NOTHING"


def flow_row(flow: Flow, archive: str) -> tuple:
    """A received flow's values (FLOW_COLUMNS), pending."""
    return (flow.id, flow.sender, flow.name, flow.name_raw or names.raw(flow.name), flow.source, len(flow.content),
            hashlib.sha256(flow.content).hexdigest(), archive, _iso(flow.received_at), PENDING, flow.replay_of or None,
            flow.attempt)


def _event_row(flow_id: str, idx: int | None, code: str, label: Message, at: datetime) -> tuple:
    """An event's row: what was said, in French, and its key and values (`said`), for the other language."""
    return flow_id, idx, code, str(label), _iso(at), json.dumps(label.data(), ensure_ascii=False)


def _invoice_row(flow_id: str, idx: int, verdict) -> dict:
    """An invoice's columns and values; one that could not be read has only those of its verdict."""
    values = {"flow_id": flow_id, "idx": idx, "document": verdict.document, "syntax": verdict.syntax.value,
              "accepted": int(verdict.accepted), "rule_set": verdict.rule_set or None,
              "rule_set_version": verdict.rule_set_version or None}
    invoice = verdict.invoice
    if invoice is not None:
        values |= {
            "number": invoice.number,
            "number_key": comparable(invoice.number),
            "issue_date": invoice.issue_date.isoformat() if invoice.issue_date else None,
            "supplier": invoice.supplier.identifier,
            "supplier_name": invoice.supplier.name,
            "supplier_type": invoice.supplier.identifier_type,
            "supplier_country": invoice.supplier.country,
            "buyer": invoice.buyer.identifier,
            "buyer_name": invoice.buyer.name,
            "mailbox": verdict.recipient_mailbox,
            "service_code": invoice.service_code,
            "engagement": invoice.engagement,
            "currency": invoice.currency,
            "total_without_vat": _text(invoice.total_without_vat),
            "total_with_vat": _text(invoice.total_with_vat),
            "amount_due": _text(invoice.amount_due),
            "dup_key": _key(duplicate_key(invoice)),
            "state": "02" if verdict.accepted else None,
        }
    return values


# Filters of `flows`, each a condition on the flows table (f).
_FILTERS = {
    "status": "f.status = ?",
    "sender": "f.sender = ?",
    "since": "f.received_at >= ?",
    "until": "f.received_at < ?",
    "recipient": "EXISTS (SELECT 1 FROM invoices i WHERE i.flow_id = f.id AND (i.mailbox = ? OR i.buyer = ?))",
    "syntax": "EXISTS (SELECT 1 FROM invoices i WHERE i.flow_id = f.id AND i.syntax = ?)",
    "code": "EXISTS (SELECT 1 FROM findings x WHERE x.flow_id = f.id AND x.code = ?)",
    # a number (as `comparable` gives it) or a supplier names few flows: they are
    # found through their index first, rather than by looking into every flow
    "number": "f.id IN (SELECT i.flow_id FROM invoices i WHERE i.number_key = ?)",
    "supplier": "f.id IN (SELECT i.flow_id FROM invoices i WHERE i.supplier = ?)",
    # a partner's flows: those it sent, and those holding an invoice for its mailbox
    "partner": "(f.sender = ? OR EXISTS (SELECT 1 FROM invoices i WHERE i.flow_id = f.id AND i.mailbox = ?))",
}


def _finding(flow_id: str, idx: int | None, document: str, finding) -> tuple:
    """A finding's row in `findings`."""
    return (flow_id, idx, document, finding.code, finding.severity.value, finding.message, finding.location,
            finding.layer, json.dumps(finding.said.data(), ensure_ascii=False) if finding.said else None,
            json.dumps([asdict(v) for v in finding.values], ensure_ascii=False) if finding.values else None)


def _flow_filters(filters: dict[str, str]) -> tuple[str, list[str]]:
    unknown = set(filters) - set(_FILTERS)
    if unknown:
        raise ValueError(f"unknown flow filter(s): {', '.join(sorted(unknown))}")
    conditions, parameters = ["1 = 1"], []
    for name, value in filters.items():
        if value:
            conditions.append(_FILTERS[name])
            parameters += [value] * _FILTERS[name].count("?")
    return " AND ".join(conditions), parameters


def _record(row) -> FlowRecord:
    return FlowRecord(
        row["id"], row["sender"], row["name"], datetime.fromisoformat(row["received_at"]), row["status"],
        row["replay_of"] or "", row["attempt"] or 0,
    )


def _delivered_invoice(row) -> DeliveredInvoice:
    invoice = Invoice(
        syntax=Syntax(row["syntax"]),
        number=row["number"],
        type_code="",
        issue_date=date.fromisoformat(row["issue_date"]) if row["issue_date"] else None,
        currency=row["currency"] or "",
        supplier=Party(row["supplier_name"] or "", row["supplier"] or "", row["supplier_type"] or "1",
                       row["supplier_country"] or "FR"),
        buyer=Party(row["buyer_name"] or "", row["buyer"] or "", "1", "FR"),
        total_without_vat=_amount(row["total_without_vat"]),
        total_with_vat=_amount(row["total_with_vat"]),
        amount_due=_amount(row["amount_due"]),
        service_code=row["service_code"] or "",
        engagement=row["engagement"] or "",
    )
    return DeliveredInvoice(
        flow_id=row["flow_id"],
        index=row["idx"],
        depositor=row["depositor"],
        mailbox=row["mailbox"] or "",
        deposited_at=datetime.fromisoformat(row["deposited_at"]),
        state=row["state"] or "02",
        dgp_start=datetime.fromisoformat(row["dgp_start"]) if row["dgp_start"] else None,
        dgp_rule=row["dgp_rule"] or "",
        invoice=invoice,
    )


def _moment(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def _amount(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def _text(amount) -> str | None:
    return None if amount is None else format(amount, "f")


