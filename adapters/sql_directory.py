"""The national directory kept in the ledger's database (SQLite or
PostgreSQL), on the ledger's own connection: every version of every line
(`directory_lines`, never deleted) and one row per import that changed
something (`directory_imports`), whose number is the directory's generation.

An import is one transaction per file: its records are merged in batches
(the versions they touch read with one query, the merge judged by
`engine/hub/annuaire.merged`, the versions written with one statement or, on
PostgreSQL, one COPY), so memory stays bounded; a file that fails midway
leaves nothing behind. Into an empty directory (a first national extract,
2.35 million records for a million addressing lines) only the lines met again
are read back (`_Seen`), and SQLite builds its index by parent once at the end.

`Cached` is what the pipeline reads: each look-up kept in memory, all of them
forgotten as soon as the generation moves on, which is checked at most every
few seconds. A worker thus sees an import within seconds, with no restart.
"""

from __future__ import annotations

import json
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Callable, Iterable, Iterator

from facteur.engine.hub import annuaire
from facteur.engine.hub.annuaire import (
    ADDED,
    MODIFIED,
    UNCHANGED,
    DirectoryFile,
    Refused,
    Version,
    merged,
)
from facteur.engine.messages import say

PARENT_INDEX = "CREATE INDEX IF NOT EXISTS directory_by_parent ON directory_lines (parent, kind)"
# The tables, in the SQL both databases speak; `serial` is each one's auto-numbered key.
DIRECTORY_TABLES = """
CREATE TABLE IF NOT EXISTS directory_lines (
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_to TEXT NOT NULL,
    active INTEGER NOT NULL,
    name TEXT NOT NULL,
    parent TEXT NOT NULL,
    data TEXT NOT NULL,
    source TEXT NOT NULL,
    line INTEGER NOT NULL,
    generation INTEGER NOT NULL,
    PRIMARY KEY (key, kind, valid_from)
);
""" + PARENT_INDEX + """;
CREATE TABLE IF NOT EXISTS directory_imports (
    generation {serial} PRIMARY KEY,
    source TEXT NOT NULL,
    kind TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    added INTEGER NOT NULL,
    modified INTEGER NOT NULL,
    unchanged INTEGER NOT NULL,
    refused INTEGER NOT NULL
);
"""

COLUMNS = "kind, key, valid_from, valid_to, active, name, parent, data, source, line, generation"
UPSERT = (
    f"INSERT INTO directory_lines ({COLUMNS}) {{rows}} ON CONFLICT (key, kind, valid_from) DO UPDATE SET "
    "valid_to = excluded.valid_to, active = excluded.active, name = excluded.name, parent = excluded.parent, "
    "data = excluded.data, source = excluded.source, line = excluded.line, generation = excluded.generation"
)
BATCH = 2000  # records merged together: one read of the versions they touch, one write
IMPORT_CACHE_KB = 64 * 1024  # SQLite's page cache while importing (its default, 2 MB, rereads the indexes' pages)
_json = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode  # built once, not per row


@dataclass(frozen=True)
class Applied:
    """What an import did: counts of records added, modified, unchanged, and
    the records refused alone; `generation` is None when nothing changed."""

    added: int
    modified: int
    unchanged: int
    refused: tuple[Refused, ...]
    generation: int | None


class _NothingChanged(Exception):
    """Rolls back the import's own row when the file changed nothing."""


class SqlDirectory:
    """The directory's store over a ledger (`sql_ledger.SqlLedger`): its
    look-ups (`engine.hub.annuaire.Annuaire`), imports, search and counts."""

    def __init__(self, ledger):
        self.ledger = ledger

    def history(self, kind: str, key: str) -> tuple[Version, ...]:
        rows = self.ledger._execute(
            f"SELECT {COLUMNS} FROM directory_lines WHERE kind = ? AND key = ? ORDER BY valid_from", (kind, key)
        ).fetchall()
        return tuple(_version(row) for row in rows)

    def routing_codes(self, siret: str) -> tuple[str, ...]:
        rows = self.ledger._execute(
            "SELECT DISTINCT key FROM directory_lines WHERE parent = ? AND kind = ? ORDER BY key",
            (siret, annuaire.ROUTING),
        ).fetchall()
        return tuple(row["key"].split("/", 1)[1] for row in rows)

    def children(self, parent: str) -> tuple[Version, ...]:
        """The latest version of each line under `parent` (a SIREN's establishments
        and addressing lines, a SIRET's routing codes)."""
        rows = self.ledger._execute(
            f"SELECT {COLUMNS} FROM directory_lines WHERE parent = ? ORDER BY kind, key, valid_from", (parent,)
        ).fetchall()
        return _latest(rows)

    def generation(self) -> int:
        row = self.ledger._execute("SELECT max(generation) AS g FROM directory_imports").fetchone()
        return row["g"] or 0

    def search(self, text: str, limit: int) -> tuple[Version, ...]:
        """Lines whose name holds `text` (case aside) or whose key starts with it."""
        rows = self.ledger._execute(
            f"SELECT {COLUMNS} FROM directory_lines WHERE lower(name) LIKE ? OR key LIKE ? "
            "ORDER BY kind, key, valid_from LIMIT ?",
            (f"%{text.lower()}%", f"{text}%", limit * 4),
        ).fetchall()
        return _latest(rows)[:limit]

    def counts(self, on: date) -> dict[str, dict[str, int]]:
        """Per kind of line: its lines, their versions, and how many are Enabled,
        Upcoming or Disabled on `on` (judged on each line's latest version)."""
        day = on.isoformat()
        rows = self.ledger._execute(
            "SELECT kind, count(*) AS versions, count(DISTINCT key) AS lines,"
            " sum(CASE WHEN valid_from <= ? AND valid_to > ? AND active = 1 THEN 1 ELSE 0 END) AS enabled,"
            " sum(CASE WHEN valid_from > ? THEN 1 ELSE 0 END) AS upcoming"
            " FROM directory_lines GROUP BY kind",
            (day, day, day),
        ).fetchall()
        return {row["kind"]: {"lines": row["lines"], "versions": row["versions"], "enabled": row["enabled"] or 0,
                              "upcoming": row["upcoming"] or 0} for row in rows}

    def imports(self, limit: int) -> list[dict]:
        rows = self.ledger._execute(
            "SELECT generation, source, kind, imported_at, added, modified, unchanged, refused"
            " FROM directory_imports ORDER BY generation DESC LIMIT ?", (limit,)
        ).fetchall()
        return [dict(row) for row in rows]

    def apply(self, found: DirectoryFile, records: Iterable[Version | Refused]) -> Applied:
        """The records of one file merged in one transaction: a failure (the
        schema's refusal midway, a database error) leaves nothing of it."""
        counts = {ADDED: 0, MODIFIED: 0, UNCHANGED: 0}
        refused: list[Refused] = []
        try:
            with self._importing(), self.ledger._transaction():
                generation = self._open_import(found)
                first = not self.ledger._execute("SELECT 1 FROM directory_lines LIMIT 1").fetchone()
                if first:
                    self._before_first_load()
                seen = _Seen() if first else None
                batch: list[Version] = []
                for record in records:
                    if isinstance(record, Refused):
                        refused.append(record)
                        continue
                    batch.append(record)
                    if len(batch) >= BATCH:
                        self._merge(batch, found.day, generation, counts, refused, seen)
                        batch = []
                self._merge(batch, found.day, generation, counts, refused, seen)
                if not counts[ADDED] and not counts[MODIFIED]:
                    raise _NothingChanged
                if first:
                    self._after_first_load()
                self.ledger._execute(
                    "UPDATE directory_imports SET kind = ?, added = ?, modified = ?, unchanged = ?, refused = ?"
                    " WHERE generation = ?",
                    (found.kind, counts[ADDED], counts[MODIFIED], counts[UNCHANGED], len(refused), generation),
                )
        except _NothingChanged:
            generation = None
        return Applied(counts[ADDED], counts[MODIFIED], counts[UNCHANGED], tuple(refused), generation)

    @contextmanager
    def _importing(self) -> Iterator[None]:
        """SQLite: a page cache large enough for the indexes an import writes
        into, for the import only (the connection's own setting is put back)."""
        db = self.ledger.db
        before = db.execute("PRAGMA cache_size").fetchone()[0]
        db.execute(f"PRAGMA cache_size = -{IMPORT_CACHE_KB}")
        try:
            yield
        finally:
            db.execute(f"PRAGMA cache_size = {before}")

    def _before_first_load(self) -> None:
        """Into an empty directory (a first extract), the index by parent is
        dropped and built once at the end, in the same transaction: sorting
        the lines once costs a fraction of keeping the index up to date row by
        row. SQLite only: readers of a WAL database are not blocked by it."""
        self.ledger._execute("DROP INDEX directory_by_parent")

    def _after_first_load(self) -> None:
        """The index by parent, built once over the lines loaded."""
        self.ledger._execute(PARENT_INDEX)

    def _open_import(self, found: DirectoryFile) -> int:
        row = self.ledger._execute(
            "INSERT INTO directory_imports (source, kind, imported_at, added, modified, unchanged, refused)"
            " VALUES (?, ?, ?, 0, 0, 0, 0) RETURNING generation",
            (found.path, found.kind, datetime.now(timezone.utc).isoformat()),
        ).fetchone()
        return row["generation"]

    def _merge(self, batch: list[Version], day: date, generation: int, counts: dict, refused: list,
               seen: _Seen | None) -> None:
        if not batch:
            return
        histories = self._histories([r for r in batch if seen.again((r.kind, r.key))] if seen else batch)
        stored = {(v.kind, v.key, v.valid_from) for versions in histories.values() for v in versions}
        writes: dict[tuple, Version] = {}
        for record in batch:
            identity = (record.kind, record.key)
            history = histories.get(identity, ())
            outcome, versions = merged(history, record, day)
            if outcome not in counts:
                refused.append(Refused(record.line, say("directory-change-refused", kind=say("directory-kind",
                                                                                           kind=record.kind),
                                                        key=record.key, reason=outcome)))
                continue
            counts[outcome] += 1
            if not versions:
                continue
            if history:
                kept = {v.valid_from: v for v in history}
                kept.update({v.valid_from: v for v in versions})
                histories[identity] = tuple(kept[k] for k in sorted(kept))
            else:
                histories[identity] = versions
            for version in versions:
                writes[(version.kind, version.key, version.valid_from)] = version
        if writes:
            self._write([_row(v, generation) for identity, v in writes.items() if identity not in stored],
                        [_row(v, generation) for identity, v in writes.items() if identity in stored])

    def _histories(self, batch: list[Version]) -> dict[tuple, tuple[Version, ...]]:
        """The versions of every line the batch touches, in one query on the
        key alone, the first column of the primary key (a condition on the kind
        too lets PostgreSQL's planner prefer scanning the whole kind)."""
        if not batch:
            return {}
        keys = sorted({record.key for record in batch})
        rows = self.ledger._execute(
            f"SELECT {COLUMNS} FROM directory_lines WHERE key IN ({', '.join('?' * len(keys))}) ORDER BY key, valid_from",
            keys,
        ).fetchall()
        wanted = {(record.kind, record.key) for record in batch}
        found: dict[tuple, list[Version]] = {}
        for row in rows:
            if (row["kind"], row["key"]) in wanted:
                found.setdefault((row["kind"], row["key"]), []).append(_version(row))
        return {identity: tuple(versions) for identity, versions in found.items()}

    def _write(self, new: list[tuple], replacing: list[tuple]) -> None:
        """Versions not stored yet, and versions replacing those of the same
        first day; SQLite: one prepared statement for the batch."""
        self.ledger.db.executemany(UPSERT.format(rows=f"VALUES ({', '.join('?' * 11)})"), new + replacing)


class PgDirectory(SqlDirectory):
    """PostgreSQL: the new versions of a batch copied in (row by row, a
    server's round trips would cost minutes for a national extract), the few
    that replace a stored one upserted."""

    @contextmanager
    def _importing(self) -> Iterator[None]:
        yield

    def _before_first_load(self) -> None:
        """PostgreSQL: dropping the index would lock the table against every
        reader (the workers' look-ups) until the import commits."""

    def _after_first_load(self) -> None:
        """Nothing was dropped, nothing is built again."""

    def _open_import(self, found: DirectoryFile) -> int:
        """Within the import, the versions a batch touches are always read by
        the primary key: the planner's statistics, taken before the import,
        would have it scan the whole table it is filling, batch after batch."""
        self.ledger._execute("SET LOCAL enable_seqscan = off")
        return super()._open_import(found)

    def _write(self, new: list[tuple], replacing: list[tuple]) -> None:
        connection = self.ledger._connection()
        with connection.cursor() as cursor:
            if new:
                with cursor.copy(f"COPY directory_lines ({COLUMNS}) FROM STDIN") as copy:
                    for row in new:
                        copy.write_row(row)
            if replacing:
                cursor.executemany(UPSERT.format(rows=f"VALUES ({', '.join(['%s'] * 11)})"), replacing)


class Cached:
    """The look-ups the pipeline makes, kept in memory (at most `size` of them)
    and all forgotten when the directory's generation moves on; the generation
    is read at most every `every` seconds."""

    def __init__(self, store: SqlDirectory, every: float = 5.0, size: int = 200_000,
                 clock: Callable[[], float] = time.monotonic):
        self.store = store
        self.every = every
        self.size = size
        self.clock = clock
        self.known: dict[tuple, tuple] = {}
        self.seen_generation: int | None = None
        self.checked_at = float("-inf")

    def history(self, kind: str, key: str) -> tuple[Version, ...]:
        return self._kept(("h", kind, key), lambda: self.store.history(kind, key))

    def routing_codes(self, siret: str) -> tuple[str, ...]:
        return self._kept(("r", siret), lambda: self.store.routing_codes(siret))

    def _kept(self, question: tuple, answer: Callable[[], tuple]) -> tuple:
        self._fresh()
        found = self.known.get(question)
        if found is None:
            if len(self.known) >= self.size:
                self.known.clear()
            found = self.known[question] = answer()
        return found

    def _fresh(self) -> None:
        now = self.clock()
        if now - self.checked_at < self.every:
            return
        self.checked_at = now
        generation = self.store.generation()
        if generation != self.seen_generation:
            self.known.clear()
            self.seen_generation = generation


class _Seen:
    """The lines an import into an empty directory has met, as a Bloom filter
    (4 MB, two probes): a line never met has no history to read back, so
    only a line met again, or taken for one (under 2 % of the lines of a
    national extract), is looked up in the database."""

    BITS = 1 << 25

    def __init__(self):
        self.bits = bytearray(self.BITS // 8)

    def again(self, identity: tuple) -> bool:
        """Whether `identity` may have been met before; it is met now."""
        found = hash(identity)
        first, second = found & (self.BITS - 1), (found >> 32) & (self.BITS - 1)
        met = self.bits[first >> 3] >> (first & 7) & 1 and self.bits[second >> 3] >> (second & 7) & 1
        self.bits[first >> 3] |= 1 << (first & 7)
        self.bits[second >> 3] |= 1 << (second & 7)
        return bool(met)


def _row(version: Version, generation: int) -> tuple:
    return (version.kind, version.key, version.valid_from.isoformat(), version.valid_to.isoformat(),
            int(version.active), version.name, version.parent, _json(version.data),
            version.source, version.line, generation)


def _version(row) -> Version:
    return Version(row["kind"], row["key"], date.fromisoformat(row["valid_from"]),
                   date.fromisoformat(row["valid_to"]), bool(row["active"]), row["name"], row["parent"],
                   json.loads(row["data"]), row["source"], row["line"])


def _latest(rows) -> tuple[Version, ...]:
    latest: dict[tuple, Version] = {}
    for row in rows:
        version = _version(row)
        latest[(version.kind, version.key)] = version
    return tuple(latest.values())
