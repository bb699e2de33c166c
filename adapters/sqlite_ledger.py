"""The embedded ledger: one SQLite file in WAL mode, synchronous=FULL.

WAL lets readers (`facteur flows list` while a run goes on) work beside the one
writer; FULL makes a commit survive a power cut, which is what lets the runner
release an inbox file or an AMQP message once `commit` has returned.
An accepted invoice's (supplier, number, year) key is unique in the database
itself, so a duplicate cannot be recorded twice even if two processes race.
"""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import datetime
from pathlib import Path

from facteur.engine.ledger import FlowRecord, LedgerUnavailable
from facteur.engine.controls import duplicate_key
from facteur.engine.model import Flow, Outcome, Output

SCHEMA_VERSION = 1

SCHEMA = """
CREATE TABLE IF NOT EXISTS flows (
    id TEXT PRIMARY KEY,
    sender TEXT NOT NULL,
    name TEXT NOT NULL,
    source TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    archive TEXT NOT NULL,
    received_at TEXT NOT NULL,
    status TEXT NOT NULL,
    processed_at TEXT,
    rules_version TEXT,
    documents INTEGER,
    accepted INTEGER
);
CREATE INDEX IF NOT EXISTS flows_by_status ON flows(status, received_at);
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
    PRIMARY KEY (flow_id, idx)
);
CREATE UNIQUE INDEX IF NOT EXISTS invoices_once ON invoices(dup_key) WHERE accepted = 1;
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY,
    flow_id TEXT NOT NULL,
    idx INTEGER,
    code TEXT NOT NULL,
    label TEXT NOT NULL,
    at TEXT NOT NULL,
    detail TEXT
);
CREATE INDEX IF NOT EXISTS events_by_flow ON events(flow_id, id);
CREATE TABLE IF NOT EXISTS findings (
    flow_id TEXT NOT NULL,
    idx INTEGER,
    document TEXT,
    code TEXT NOT NULL,
    severity TEXT NOT NULL,
    message TEXT NOT NULL,
    location TEXT,
    layer TEXT
);
CREATE INDEX IF NOT EXISTS findings_by_flow ON findings(flow_id);
CREATE TABLE IF NOT EXISTS outputs (
    flow_id TEXT NOT NULL,
    mailbox TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    report BLOB
);
CREATE INDEX IF NOT EXISTS outputs_by_flow ON outputs(flow_id);
"""

FLOW_LABELS = {
    "90": "received, all invoices integrated",
    "93": "reception error, flow rejected",
    "96": "received, partly integrated",
    "held": "held for the lifecycle stage",
}


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="microseconds")


def _key(parts: tuple[str, str, int] | None) -> str | None:
    return None if parts is None else "\x1f".join(map(str, parts))


class SqliteLedger:
    def __init__(self, path: Path, readonly: bool = False):
        """`readonly` is for worker processes, which only look duplicates up:
        the coordinator is the single writer."""
        self.path = path
        if readonly:
            self.db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30, check_same_thread=False)
            self.db.row_factory = sqlite3.Row
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(path), timeout=30, isolation_level=None, check_same_thread=False)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.execute("PRAGMA foreign_keys=ON")
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise RuntimeError(
                f"ledger {path} was written by a newer facteur (schema {version}); upgrade facteur"
            )
        self.db.executescript(SCHEMA)
        self.db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    def close(self) -> None:
        self.db.close()

    def begin(self, flow: Flow, archive: str) -> FlowRecord:
        with self._transaction():
            known = self.find(flow.id)
            if known is not None:
                return known
            self.db.execute(
                "INSERT INTO flows (id, sender, name, source, size, sha256, archive, received_at, status)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending')",
                (
                    flow.id,
                    flow.sender,
                    flow.name,
                    flow.source,
                    len(flow.content),
                    hashlib.sha256(flow.content).hexdigest(),
                    archive,
                    _iso(flow.received_at),
                ),
            )
            self._event(flow.id, None, "received", f"received from {flow.sender} via {flow.source}", flow.received_at)
        return FlowRecord(flow.id, flow.sender, flow.name, flow.received_at, "pending")

    def find(self, flow_id: str) -> FlowRecord | None:
        row = self.db.execute(
            "SELECT id, sender, name, received_at, status FROM flows WHERE id = ?", (flow_id,)
        ).fetchone()
        if row is None:
            return None
        return FlowRecord(row["id"], row["sender"], row["name"], datetime.fromisoformat(row["received_at"]), row["status"])

    def known_invoice(self, supplier: str, number: str, year: int) -> str | None:
        row = self.db.execute(
            "SELECT flow_id FROM invoices WHERE dup_key = ? AND accepted = 1", (_key((supplier, number, year)),)
        ).fetchone()
        return row[0] if row else None

    def commit(self, flow: Flow, outcome: Outcome, written: list[tuple[Output, str]], at: datetime) -> None:
        with self._transaction():
            accepted = sum(1 for v in outcome.verdicts if v.accepted)
            self.db.execute(
                "UPDATE flows SET status = ?, processed_at = ?, rules_version = ?, documents = ?, accepted = ?"
                " WHERE id = ?",
                (outcome.status.value, _iso(at), outcome.rules_version, len(outcome.verdicts), accepted, flow.id),
            )
            self.db.execute("DELETE FROM invoices WHERE flow_id = ?", (flow.id,))
            self.db.execute("DELETE FROM findings WHERE flow_id = ?", (flow.id,))
            self.db.execute("DELETE FROM outputs WHERE flow_id = ?", (flow.id,))
            for finding in outcome.findings:
                self._finding(flow.id, None, flow.name, finding)
            for index, verdict in enumerate(outcome.verdicts, start=1):
                self._invoice(flow.id, index, verdict)
                for finding in verdict.findings:
                    self._finding(flow.id, index, verdict.document, finding)
                if verdict.accepted:
                    self._event(flow.id, index, "01", "deposited", flow.received_at)
                    self._event(flow.id, index, "02", f"routed to {verdict.recipient_mailbox}", at)
            for output, path in written:
                self.db.execute(
                    "INSERT INTO outputs (flow_id, mailbox, name, kind, path, sha256, report) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        flow.id,
                        output.mailbox,
                        output.name,
                        output.kind,
                        path,
                        hashlib.sha256(output.content).hexdigest(),
                        None if output.kind == "pivot" else output.content,
                    ),
                )
            self._event(flow.id, None, outcome.status.value, FLOW_LABELS[outcome.status.value], at)

    def reports(self, flow_id: str) -> list[Output]:
        rows = self.db.execute(
            "SELECT mailbox, name, kind, report FROM outputs WHERE flow_id = ? AND kind != 'pivot' ORDER BY rowid",
            (flow_id,),
        ).fetchall()
        return [Output(r["mailbox"], r["name"], bytes(r["report"]), r["kind"]) for r in rows]

    def record_repeat(self, flow: Flow, at: datetime) -> None:
        with self._transaction():
            self._event(flow.id, None, "repeat", f"same flow received again as {flow.name}; original report sent again", at)

    def flows(self, limit: int = 100) -> list[dict]:
        rows = self.db.execute(
            "SELECT id, sender, name, received_at, status, documents, accepted FROM flows"
            " ORDER BY received_at DESC, id LIMIT ?",
            (limit,),
        ).fetchall()
        return [dict(r) for r in rows]

    def flow_detail(self, flow_id: str) -> dict | None:
        matches = self.db.execute("SELECT * FROM flows WHERE id LIKE ? LIMIT 2", (flow_id + "%",)).fetchall()
        if len(matches) != 1:
            return None
        flow = dict(matches[0])
        fid = flow["id"]

        def rows(sql: str) -> list[dict]:
            return [dict(r) for r in self.db.execute(sql, (fid,)).fetchall()]

        flow["timeline"] = rows("SELECT idx, code, label, at, detail FROM events WHERE flow_id = ? ORDER BY id")
        flow["invoices"] = rows(
            "SELECT idx, document, syntax, accepted, number, issue_date, supplier, supplier_name, buyer, buyer_name,"
            " mailbox, service_code, engagement, currency, total_without_vat, total_with_vat, amount_due"
            " FROM invoices WHERE flow_id = ? ORDER BY idx"
        )
        flow["findings"] = rows(
            "SELECT idx, document, code, severity, message, location, layer FROM findings WHERE flow_id = ? ORDER BY rowid"
        )
        flow["outputs"] = rows("SELECT mailbox, name, kind, path, sha256 FROM outputs WHERE flow_id = ? ORDER BY rowid")
        return flow

    def _transaction(self):
        return _Transaction(self.db)

    def _event(self, flow_id: str, idx: int | None, code: str, label: str, at: datetime) -> None:
        self.db.execute(
            "INSERT INTO events (flow_id, idx, code, label, at) VALUES (?, ?, ?, ?, ?)", (flow_id, idx, code, label, _iso(at))
        )

    def _finding(self, flow_id: str, idx: int | None, document: str, finding) -> None:
        self.db.execute(
            "INSERT INTO findings (flow_id, idx, document, code, severity, message, location, layer)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (flow_id, idx, document, finding.code, finding.severity.value, finding.message, finding.location, finding.layer),
        )

    def _invoice(self, flow_id: str, idx: int, verdict) -> None:
        invoice = verdict.invoice
        values = (flow_id, idx, verdict.document, verdict.syntax.value, int(verdict.accepted))
        if invoice is None:
            self.db.execute(
                "INSERT INTO invoices (flow_id, idx, document, syntax, accepted) VALUES (?, ?, ?, ?, ?)", values
            )
            return
        self.db.execute(
            "INSERT INTO invoices VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            values
            + (
                invoice.number,
                invoice.issue_date.isoformat() if invoice.issue_date else None,
                invoice.supplier.identifier,
                invoice.supplier.name,
                invoice.buyer.identifier,
                invoice.buyer.name,
                verdict.recipient_mailbox,
                invoice.service_code,
                invoice.engagement,
                invoice.currency,
                _text(invoice.total_without_vat),
                _text(invoice.total_with_vat),
                _text(invoice.amount_due),
                _key(duplicate_key(invoice)),
            ),
        )


def _text(amount) -> str | None:
    return None if amount is None else format(amount, "f")


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, so a writer takes the lock before reading."""

    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def __enter__(self):
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as err:
            raise LedgerUnavailable(f"the ledger cannot be written now: {err}") from err
        return self.db

    def __exit__(self, exc_type, exc, tb):
        if exc_type:
            self.db.execute("ROLLBACK")
            if issubclass(exc_type, sqlite3.OperationalError):
                raise LedgerUnavailable(f"the ledger cannot be written now: {exc}") from exc
            return False
        try:
            self.db.execute("COMMIT")
        except sqlite3.OperationalError as err:
            self.db.execute("ROLLBACK")
            raise LedgerUnavailable(f"the ledger cannot be written now: {err}") from err
        return False
