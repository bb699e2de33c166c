"""The embedded ledger: one SQLite file in WAL mode, synchronous=FULL.

WAL lets readers (`facteur flows list` while a run goes on) work beside the one
writer; FULL makes a commit survive a power cut, which is what lets the runner
release an inbox file or an AMQP message once `commit` has returned.
An accepted invoice's (supplier, number, year) key is unique in the database
itself, so a duplicate cannot be recorded twice even if two processes race;
and a trigger refuses any change to a payment-delay start once written.
"""

from __future__ import annotations

import hashlib
import sqlite3
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from facteur.engine.controls import duplicate_key
from facteur.engine.ledger import DeliveredInvoice, FlowRecord, LedgerUnavailable
from facteur.engine.model import Flow, Invoice, Outcome, Output, Party, StatusChange, Syntax
from facteur.engine.status import INVOICE_STATUS_LABELS

SCHEMA_VERSION = 2

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
    accepted INTEGER,
    replay_of TEXT,
    attempt INTEGER NOT NULL DEFAULT 0
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
    PRIMARY KEY (flow_id, idx)
);
CREATE UNIQUE INDEX IF NOT EXISTS invoices_once ON invoices(dup_key) WHERE accepted = 1;
CREATE INDEX IF NOT EXISTS invoices_by_mailbox ON invoices(mailbox, state);
CREATE INDEX IF NOT EXISTS invoices_by_number ON invoices(supplier, number);
CREATE TRIGGER IF NOT EXISTS dgp_start_never_changes BEFORE UPDATE OF dgp_start, dgp_rule ON invoices
WHEN OLD.dgp_start IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'a payment delay start, once written, never changes');
END;
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
}

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
        steps = "".join(MIGRATIONS[step] for step in range(version or SCHEMA_VERSION, SCHEMA_VERSION))
        try:
            self.db.executescript(f"BEGIN IMMEDIATE;{steps}{SCHEMA}PRAGMA user_version={SCHEMA_VERSION};COMMIT;")
        except sqlite3.Error:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            raise

    def close(self) -> None:
        self.db.close()

    def begin(self, flow: Flow, archive: str) -> FlowRecord:
        with self._transaction():
            known = self.find(flow.id)
            if known is not None:
                return known
            self.db.execute(
                "INSERT INTO flows (id, sender, name, source, size, sha256, archive, received_at, status, replay_of,"
                " attempt) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)",
                (
                    flow.id,
                    flow.sender,
                    flow.name,
                    flow.source,
                    len(flow.content),
                    hashlib.sha256(flow.content).hexdigest(),
                    archive,
                    _iso(flow.received_at),
                    flow.replay_of or None,
                    flow.attempt,
                ),
            )
            if flow.replay_of:
                self._event(flow.replay_of, None, "replayed", f"replayed as flow {flow.id} (attempt {flow.attempt})", self._now())
                self._event(flow.id, None, "replay", f"attempt {flow.attempt} of flow {flow.replay_of}", self._now())
            self._event(flow.id, None, "received", f"received from {flow.sender} via {flow.source}", flow.received_at)
        return FlowRecord(flow.id, flow.sender, flow.name, flow.received_at, "pending", flow.replay_of, flow.attempt)

    def find(self, flow_id: str) -> FlowRecord | None:
        row = self.db.execute(
            "SELECT id, sender, name, received_at, status, replay_of, attempt FROM flows WHERE id = ?", (flow_id,)
        ).fetchone()
        return None if row is None else _record(row)

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
            self._changes(outcome.changes, flow.id)
            self._outputs(flow.id, written)
            self._event(flow.id, None, outcome.status.value, FLOW_LABELS[outcome.status.value], at)

    def record(self, changes: list[StatusChange], written: list[tuple[Output, str]], origin: str) -> None:
        with self._transaction():
            self._changes(changes, origin)
            self._outputs(origin, written)

    def delivered(self, flow_id: str) -> list[DeliveredInvoice]:
        return self._delivered("i.flow_id = ?", (flow_id,))

    def invoices_numbered(self, supplier: str, number: str, year: int | None) -> list[DeliveredInvoice]:
        found = self._delivered("i.supplier = ? AND i.number = ?", (supplier, number))
        return [d for d in found if year is None or d.invoice.year == year]

    def waiting(self, mailbox: str) -> list[DeliveredInvoice]:
        return self._delivered("i.mailbox = ? AND i.state = '02'", (mailbox,))

    def invoices(self, mailbox: str = "") -> list[DeliveredInvoice]:
        return self._delivered("i.mailbox = ?", (mailbox,)) if mailbox else self._delivered("1", ())

    def archived(self, flow_id: str) -> tuple[FlowRecord, str, str] | None:
        row = self.db.execute(
            "SELECT id, sender, name, received_at, status, replay_of, attempt, archive, sha256 FROM flows WHERE id = ?",
            (flow_id,),
        ).fetchone()
        return None if row is None else (_record(row), row["archive"], row["sha256"])

    def attempts(self, flow_id: str) -> int:
        row = self.db.execute("SELECT MAX(attempt) FROM flows WHERE id = ? OR replay_of = ?", (flow_id, flow_id)).fetchone()
        return row[0] or 0

    def reports(self, flow_id: str) -> list[Output]:
        rows = self.db.execute(
            "SELECT mailbox, name, kind, report FROM outputs WHERE flow_id = ? AND kind != 'pivot' ORDER BY rowid",
            (flow_id,),
        ).fetchall()
        return [Output(r["mailbox"], r["name"], bytes(r["report"]), r["kind"]) for r in rows]

    def record_repeat(self, flow: Flow, at: datetime) -> None:
        with self._transaction():
            self._event(flow.id, None, "repeat", f"same flow received again as {flow.name}; original report sent again", at)

    def flows(self, limit: int = 100, **filters: str) -> list[dict]:
        where, parameters = _flow_filters(filters)
        rows = self.db.execute(
            "SELECT id, sender, name, source, received_at, status, documents, accepted, replay_of, attempt FROM flows f"
            f" WHERE {where} ORDER BY received_at DESC, id LIMIT ?",
            (*parameters, limit),
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
            " mailbox, service_code, engagement, currency, total_without_vat, total_with_vat, amount_due, state,"
            " dgp_start, dgp_rule FROM invoices WHERE flow_id = ? ORDER BY idx"
        )
        flow["replays"] = rows("SELECT id, attempt, status, processed_at FROM flows WHERE replay_of = ? ORDER BY attempt")
        flow["findings"] = rows(
            "SELECT idx, document, code, severity, message, location, layer FROM findings WHERE flow_id = ? ORDER BY rowid"
        )
        flow["outputs"] = rows("SELECT mailbox, name, kind, path, sha256 FROM outputs WHERE flow_id = ? ORDER BY rowid")
        return flow

    def _transaction(self):
        return _Transaction(self.db)

    @staticmethod
    def _now() -> datetime:
        return datetime.now().astimezone()

    def _changes(self, changes: list[StatusChange], origin: str) -> None:
        """Lifecycle steps: an event each; an invoice status becomes the state; a
        DGP start is written only where none is (the trigger guards the rest)."""
        for change in changes:
            label = INVOICE_STATUS_LABELS.get(change.code, change.code)
            self.db.execute(
                "INSERT INTO events (flow_id, idx, code, label, at, detail) VALUES (?, ?, ?, ?, ?, ?)",
                (change.flow_id, change.index, change.code, label, _iso(change.at), f"{change.note}; recorded from {origin}"),
            )
            if change.code in INVOICE_STATUS_LABELS:
                self.db.execute(
                    "UPDATE invoices SET state = ? WHERE flow_id = ? AND idx = ?", (change.code, change.flow_id, change.index)
                )
            if change.dgp_start is not None:
                self.db.execute(
                    "UPDATE invoices SET dgp_start = ?, dgp_rule = ? WHERE flow_id = ? AND idx = ? AND dgp_start IS NULL",
                    (_iso(change.dgp_start), change.dgp_rule, change.flow_id, change.index),
                )

    def _outputs(self, flow_id: str, written: list[tuple[Output, str]]) -> None:
        for output, path in written:
            self.db.execute(
                "INSERT INTO outputs (flow_id, mailbox, name, kind, path, sha256, report) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    flow_id,
                    output.mailbox,
                    output.name,
                    output.kind,
                    path,
                    hashlib.sha256(output.content).hexdigest(),
                    None if output.kind == "pivot" else output.content,
                ),
            )

    def _delivered(self, where: str, parameters: tuple) -> list[DeliveredInvoice]:
        rows = self.db.execute(
            "SELECT i.*, f.sender AS depositor, f.received_at AS deposited_at FROM invoices i JOIN flows f"
            f" ON f.id = i.flow_id WHERE i.accepted = 1 AND {where} ORDER BY f.received_at, i.flow_id, i.idx",
            parameters,
        ).fetchall()
        return [_delivered_invoice(row) for row in rows]

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
        values = {"flow_id": flow_id, "idx": idx, "document": verdict.document, "syntax": verdict.syntax.value,
                  "accepted": int(verdict.accepted)}
        invoice = verdict.invoice
        if invoice is not None:
            values |= {
                "number": invoice.number,
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
        columns = ", ".join(values)
        self.db.execute(
            f"INSERT INTO invoices ({columns}) VALUES ({', '.join('?' * len(values))})", tuple(values.values())
        )


# Filters of `flows`, each a condition on the flows table (f).
_FILTERS = {
    "status": "f.status = ?",
    "sender": "f.sender = ?",
    "since": "f.received_at >= ?",
    "until": "f.received_at < ?",
    "recipient": "EXISTS (SELECT 1 FROM invoices i WHERE i.flow_id = f.id AND (i.mailbox = ? OR i.buyer = ?))",
    "syntax": "EXISTS (SELECT 1 FROM invoices i WHERE i.flow_id = f.id AND i.syntax = ?)",
    "code": "EXISTS (SELECT 1 FROM findings x WHERE x.flow_id = f.id AND x.code = ?)",
}


def _flow_filters(filters: dict[str, str]) -> tuple[str, list[str]]:
    unknown = set(filters) - set(_FILTERS)
    if unknown:
        raise ValueError(f"unknown flow filter(s): {', '.join(sorted(unknown))}")
    conditions, parameters = ["1"], []
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


def _amount(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


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
