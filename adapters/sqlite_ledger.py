"""The embedded ledger: one SQLite file in WAL mode, synchronous=FULL.

WAL lets readers (`facteur flows list` while a run goes on) work beside the one
writer; FULL makes a commit survive a power cut, which is what lets the runner
release an inbox file or an AMQP message once `commit` has returned.
The queries are those of `sql_ledger.py`; the schema version is SQLite's own
`user_version`, and an older ledger is migrated in place when opened.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from facteur.adapters.sql_directory import DIRECTORY_TABLES
from facteur.adapters.sql_ledger import (
    ALERT_EPISODES,
    CONSOLE,
    FILL_NUMBER_KEYS,
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
    renormalised,
)
from facteur.engine.errors import LedgerReplaced, LedgerTooNew, LedgerUnavailable
from facteur.engine.hub.controls import comparable
from facteur.engine.messages import say

SCHEMA_VERSION = 16

SQLITE_OUTBOX = OUTBOX.format(binary="BLOB", insertion_order="")
SQLITE_DIRECTORY = DIRECTORY_TABLES.format(serial="INTEGER")

SQLITE_CONSOLE = CONSOLE.format(serial="INTEGER")

SCHEMA = TABLES.format(serial="INTEGER", binary="BLOB", insertion_order="") + SQLITE_OUTBOX + SQLITE_CONSOLE + SQLITE_DIRECTORY + """
CREATE TRIGGER IF NOT EXISTS dgp_start_never_changes BEFORE UPDATE OF dgp_start, dgp_rule ON invoices
WHEN OLD.dgp_start IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'a payment delay start, once written, never changes');
END;
"""

# From each schema version to the next, for ledgers written by an older facteur.
MIGRATIONS = {
    1: """
ALTER TABLE flows ADD COLUMN replay_of TEXT;
ALTER TABLE flows ADD COLUMN attempt INTEGER NOT NULL DEFAULT 0;
ALTER TABLE invoices ADD COLUMN supplier_type TEXT;
ALTER TABLE invoices ADD COLUMN supplier_country TEXT;
ALTER TABLE invoices ADD COLUMN state TEXT;
ALTER TABLE invoices ADD COLUMN dgp_start TEXT;
ALTER TABLE invoices ADD COLUMN dgp_rule TEXT;
UPDATE invoices SET state = '02' WHERE accepted = 1;
""",
    2: "CREATE TABLE claims (dup_key TEXT PRIMARY KEY, flow_id TEXT NOT NULL);"
    "INSERT INTO claims (dup_key, flow_id) SELECT dup_key, flow_id FROM invoices WHERE accepted = 1;",
    3: f"CREATE TEMP TABLE key_map AS SELECT dup_key AS old, renormalised(dup_key) AS new FROM ({WRITTEN_KEYS});"
    + RENORMALISE_KEYS.format(now="strftime('%Y-%m-%dT%H:%M:%f000+00:00', 'now')"),
    4: LEASES,
    5: "ALTER TABLE flows ADD COLUMN name_raw BLOB;",  # a name's bytes as received (engine/names.py)
    6: SQLITE_OUTBOX,
    7: LONE_RUNS.format(if_not_exists=""),
    8: RULE_SETS.format(if_not_exists=""),
    9: SAID.format(if_not_exists=""),
    10: "ALTER TABLE findings ADD COLUMN read_values TEXT;",  # the values a rule compared (engine/model.Value)
    11: NUMBER_KEYS.format(if_not_exists="") + FILL_NUMBER_KEYS + TALLY_INDEXES,
    12: SQLITE_CONSOLE,
    13: SQLITE_DIRECTORY,  # the national directory (sql_directory.py)
    14: FILL_TALLIES + UNREAD_INDEXES,  # the tallies, counted from the rows written before
    15: ALERT_EPISODES,  # the alert episodes open, across restarts
}


class SqliteLedger(SqlLedger):
    def __init__(self, path: Path, readonly: bool = False):
        """`readonly` is for worker processes, which only look duplicates up:
        the coordinator is the single writer, and alone watches the file."""
        self.path = path
        try:
            self._open(path, readonly)
        except sqlite3.OperationalError as err:  # locked, disk full, unreadable folder
            raise LedgerUnavailable(say("ledger-cannot-open", path=path, reason=err)) from err
        self.identity = None if readonly else _identity(path)

    def _open(self, path: Path, readonly: bool) -> None:
        if readonly:
            self.db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30, check_same_thread=False)
            self.db.row_factory = sqlite3.Row
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(path), timeout=30, isolation_level=None, check_same_thread=False)
        self.db.row_factory = sqlite3.Row
        self.db.create_function("renormalised", 1, renormalised, deterministic=True)
        self.db.create_function("comparable", 1, comparable, deterministic=True)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.execute("PRAGMA foreign_keys=ON")
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise LedgerTooNew(say("ledger-too-new", ledger=path, version=version))
        if version == SCHEMA_VERSION:  # nothing to make: no write lock, which each console request would wait on
            return
        steps = "".join(MIGRATIONS[step] for step in range(version or SCHEMA_VERSION, SCHEMA_VERSION))
        try:
            self.db.executescript(f"BEGIN IMMEDIATE;{steps}{SCHEMA}PRAGMA user_version={SCHEMA_VERSION};COMMIT;")
        except sqlite3.Error:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            raise

    def close(self) -> None:
        self.db.close()

    def _execute(self, sql: str, parameters: tuple | list = ()) -> sqlite3.Cursor:
        return self.db.execute(sql, parameters)

    def _executemany(self, sql: str, rows: list[tuple]) -> None:
        self.db.executemany(sql, rows)

    def _atomic(self) -> "_Transaction":
        return _Transaction(self.db, self._watch)

    def _watch(self) -> None:
        """The file opened is still the one at the ledger's path. Deleted or
        replaced (an operator's `rm`, a backup restored over it), SQLite would
        go on committing into the file it holds open, which no later start
        reads: every delivered invoice would be forgotten. One stat per
        transaction is the price."""
        if self.identity is None or _identity(self.path) == self.identity:
            return
        raise LedgerReplaced(say("ledger-replaced" if self.path.exists() else "ledger-deleted", path=self.path))


def _identity(path: Path) -> tuple[int, int] | None:
    """Which file is at `path` (device, inode), or None if none is."""
    try:
        found = os.stat(path)
    except FileNotFoundError:
        return None
    return found.st_dev, found.st_ino


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, so a writer takes the lock before reading;
    inside a transaction already open (a group), a savepoint. `watch` runs
    before each outermost one: it raises if the ledger file was replaced."""

    def __init__(self, db: sqlite3.Connection, watch):
        self.db = db
        self.watch = watch
        self.nested = False

    def __enter__(self):
        self.nested = self.db.in_transaction
        if not self.nested:
            self.watch()
        try:
            self.db.execute("SAVEPOINT inner" if self.nested else "BEGIN IMMEDIATE")
        except sqlite3.OperationalError as err:
            raise LedgerUnavailable(say("ledger-cannot-write", reason=err)) from err
        return self.db

    def __exit__(self, exc_type, exc, tb):
        if exc_type:
            self._rollback()
            if issubclass(exc_type, sqlite3.OperationalError):
                raise LedgerUnavailable(say("ledger-cannot-write", reason=exc)) from exc
            return False
        try:
            self.db.execute("RELEASE inner" if self.nested else "COMMIT")
        except sqlite3.OperationalError as err:
            self._rollback()
            raise LedgerUnavailable(say("ledger-cannot-write", reason=err)) from err
        return False

    def _rollback(self) -> None:
        """SQLite rolls back by itself on some errors (a full disk, SQLITE_FULL);
        a second rollback would raise and hide the error that matters."""
        if not self.db.in_transaction:
            return
        self.db.execute("ROLLBACK TO inner" if self.nested else "ROLLBACK")
        if self.nested:
            self.db.execute("RELEASE inner")
