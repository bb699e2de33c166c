"""The shared ledger: PostgreSQL, for many workers on many machines.

Same tables and queries as the SQLite ledger (`sql_ledger.py`), so duplicate
detection, the claims that keep two workers from delivering one invoice, and
the payment-delay trigger mean the same thing. Timestamps stay ISO texts, as in
SQLite, so that both ledgers sort, filter and print them alike.

The schema version lives in `schema_version`; opening the ledger applies the
migrations it has not seen, under an advisory lock so that workers starting
together do not race to create the tables. A server that cannot be reached, or
a connection lost mid-transaction, is `LedgerUnavailable`: the flow waits and is
retried, and the next use reconnects.
"""

from __future__ import annotations

from contextlib import contextmanager

import psycopg
from psycopg.rows import dict_row

from facteur.adapters.sql_directory import DIRECTORY_TABLES
from facteur.adapters.sql_ledger import (
    ALERT_EPISODES,
    CONSOLE,
    FILL_TALLIES,
    LEASES,
    NUMBER_KEYS,
    LONE_RUNS,
    OUTBOX,
    RENORMALISE_KEYS,
    RULE_SETS,
    SAID,
    TABLES,
    TALLY_INDEXES,
    UNREAD_INDEXES,
    WRITTEN_KEYS,
    SqlLedger,
    insert_rows,
    renormalised,
)
from facteur.engine.config import redact
from facteur.engine.errors import LedgerTooNew, LedgerUnavailable
from facteur.engine.hub.controls import comparable
from facteur.engine.messages import say

CONNECT_TIMEOUT = 5  # seconds: a server away is reported, not waited for


def _renormalise_keys(ledger: "PgLedger") -> None:
    """Keys compared as a person reads them (`sql_ledger.RENORMALISE_KEYS`):
    PostgreSQL cannot run the Python that computes them, so the map is filled here."""
    ledger._execute("CREATE TEMP TABLE key_map (old TEXT PRIMARY KEY, new TEXT NOT NULL)")
    written = [row["dup_key"] for row in ledger._execute(WRITTEN_KEYS).fetchall()]
    with ledger._connection().cursor() as cursor:
        cursor.executemany("INSERT INTO key_map (old, new) VALUES (%s, %s)", [(key, renormalised(key)) for key in written])
    ledger._connection().execute(
        RENORMALISE_KEYS.format(now="to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"+00:00\"')")
    )


def _number_keys(ledger: "PgLedger") -> None:
    """Each invoice's number as read (`sql_ledger.NUMBER_KEYS`), computed here
    for the invoices written before, then the indexes of the counts."""
    ledger._connection().execute(NUMBER_KEYS.format(if_not_exists="IF NOT EXISTS "))
    numbered = ledger._execute(
        "SELECT flow_id, idx, number FROM invoices WHERE number IS NOT NULL AND number_key IS NULL"
    )
    with ledger._connection().cursor() as cursor:
        cursor.executemany("UPDATE invoices SET number_key = %s WHERE flow_id = %s AND idx = %s",
                           [(comparable(row["number"]), row["flow_id"], row["idx"]) for row in numbered.fetchall()])
    ledger._connection().execute(TALLY_INDEXES)


# Each schema version's statements (or a function of the ledger, for a step
# that needs Python), in order; a ledger at version n runs those after n.
MIGRATIONS = [
    TABLES.format(
        serial="BIGINT GENERATED ALWAYS AS IDENTITY",
        binary="BYTEA",
        insertion_order="rowid BIGINT GENERATED ALWAYS AS IDENTITY,",
    )
    + """
CREATE FUNCTION dgp_start_never_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'a payment delay start, once written, never changes';
END $$;
CREATE TRIGGER dgp_start_never_changes BEFORE UPDATE OF dgp_start, dgp_rule ON invoices
FOR EACH ROW WHEN (OLD.dgp_start IS NOT NULL) EXECUTE FUNCTION dgp_start_never_changes();
""",
    _renormalise_keys,
    LEASES,
    # A name's bytes as received (engine/names.py); the tables above have it already.
    "ALTER TABLE flows ADD COLUMN IF NOT EXISTS name_raw BYTEA;",
    OUTBOX.format(binary="BYTEA", insertion_order="rowid BIGINT GENERATED ALWAYS AS IDENTITY,"),
    LONE_RUNS.format(if_not_exists="IF NOT EXISTS "),  # the tables above have it already
    RULE_SETS.format(if_not_exists="IF NOT EXISTS "),  # so have they these
    SAID.format(if_not_exists="IF NOT EXISTS "),  # and this one
    "ALTER TABLE findings ADD COLUMN IF NOT EXISTS read_values TEXT;",  # the values a rule compared
    _number_keys,  # and the indexes of the dashboard's counts and of the searches
    CONSOLE.format(serial="BIGINT GENERATED ALWAYS AS IDENTITY"),
    DIRECTORY_TABLES.format(serial="BIGINT GENERATED ALWAYS AS IDENTITY"),  # the national directory (sql_directory.py)
    FILL_TALLIES + UNREAD_INDEXES,  # the tallies, counted from the rows written before
    ALERT_EPISODES,  # the alert episodes open, across restarts
]
SCHEMA_VERSION = len(MIGRATIONS)
ROWS_PER_INSERT = 1000  # rows inserted by one statement: at most 12 000 parameters, of the 65 535 allowed
SCHEMA_LOCK = 0x66616374  # "fact": the advisory lock held while migrating


class PgLedger(SqlLedger):
    _HOLD = " FOR UPDATE SKIP LOCKED"
    _LOCK = " FOR UPDATE"

    def __init__(self, url: str):
        self.url = url
        self._db: psycopg.Connection | None = None
        if self._version() == SCHEMA_VERSION:  # nothing to make: no lock, no write, for a console's every request
            return
        with self._transaction():
            self._execute("SELECT pg_advisory_xact_lock(?)", (SCHEMA_LOCK,))
            self._execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            row = self._execute("SELECT max(version) AS version FROM schema_version").fetchone()
            version = row["version"] or 0
            if version > SCHEMA_VERSION:
                raise LedgerTooNew(say("ledger-too-new", ledger=redact(url), version=version))
            for step in MIGRATIONS[version:]:
                step(self) if callable(step) else self._connection().execute(step)
            self._execute("DELETE FROM schema_version")
            self._execute("INSERT INTO schema_version (version) VALUES (?)", (SCHEMA_VERSION,))

    def _inserted(self, table: str, columns: tuple[str, ...], rows: list[tuple], conflict: str,
                  returning: tuple[str, ...]) -> set[tuple]:
        """One statement for many rows, not a round trip each: they go in in
        the order given (two workers inserting the same keys in one order
        never wait for each other), and RETURNING names only those this
        transaction inserted. At most ROWS_PER_INSERT rows a statement."""
        inserted: set[tuple] = set()
        for start in range(0, len(rows), ROWS_PER_INSERT):
            chunk = rows[start:start + ROWS_PER_INSERT]
            statement = f"{insert_rows(table, columns, len(chunk), conflict)} RETURNING {', '.join(returning)}"
            found = self._execute(statement, [value for row in chunk for value in row]).fetchall()
            inserted |= {tuple(row[column] for column in returning) for row in found}
        return inserted

    def _version(self) -> int:
        """The schema's version, read without a lock (0 for an empty database)."""
        if self._execute("SELECT to_regclass('schema_version') AS found").fetchone()["found"] is None:
            return 0
        return self._execute("SELECT max(version) AS version FROM schema_version").fetchone()["version"] or 0

    def close(self) -> None:
        if self._db is not None:
            self._db.close()

    def _connection(self) -> psycopg.Connection:
        if self._db is None or self._db.closed or self._db.broken:
            try:
                self._db = psycopg.connect(self.url, autocommit=True, row_factory=dict_row, connect_timeout=CONNECT_TIMEOUT)
            except psycopg.OperationalError as err:
                raise self._unavailable(err) from err
        return self._db

    def _execute(self, sql: str, parameters: tuple | list = ()) -> psycopg.Cursor:
        try:
            return self._connection().execute(sql.replace("?", "%s"), parameters)
        except psycopg.OperationalError as err:
            raise self._unavailable(err) from err

    def _executemany(self, sql: str, rows: list[tuple]) -> None:
        try:
            with self._connection().cursor() as cursor:
                cursor.executemany(sql.replace("?", "%s"), rows)
        except psycopg.OperationalError as err:
            raise self._unavailable(err) from err

    @contextmanager
    def _atomic(self):
        try:
            with self._connection().transaction():
                yield
        except psycopg.OperationalError as err:
            raise self._unavailable(err) from err

    def _clock(self) -> float:
        """The server's clock: workers on several machines judge the expiry of
        one another's leases by the same clock, whatever their own say."""
        return float(self._execute("SELECT extract(epoch FROM clock_timestamp()) AS now").fetchone()["now"])

    def _unavailable(self, err: Exception) -> LedgerUnavailable:
        first_line = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        return LedgerUnavailable(say("ledger-pg-away", url=redact(self.url), reason=first_line))
