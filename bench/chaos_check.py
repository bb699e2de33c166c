"""What a chaos run must leave behind, checked flow by flow from the outside:
the mailboxes, the outbound queue and the ledger, read after the engine stopped.

For every distinct flow sent (a flow is its sender and its bytes: copies under
other names, or through another door, are the same flow):
- lost: no flow-level report to its sender, or a valid invoice without a pivot,
  or a recipient's pair of conflicting statuses of which none was applied;
- duplicated: a pivot committed or published more than once, a pivot for a
  flow that had to be refused;
- contradictions: the ledger and what partners were told disagree (a report
  whose status is not the ledger's, a report overwritten by another, a
  recorded output missing or different, a flow left pending, an invoice with
  two conflicting final statuses applied or forwarded).

Each problem is named with its flow, so a failing run says what went wrong.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from lxml import etree

from facteur.adapters.watch import JOURNALS
from facteur.engine.model import Flow

FINAL = ("04", "05", "11")  # invoice statuses after which nothing may follow
SHOWN_PROBLEMS = 12


@dataclass(frozen=True)
class Sent:
    """One file or message as a sender handed it in."""

    sender: str
    name: str | bytes
    content: bytes
    pivot: bool  # a valid invoice for a known recipient: exactly one pivot is due

    @property
    def flow_id(self) -> str:
        return Flow(self.content, self.sender, "", datetime.now(timezone.utc)).id


@dataclass(frozen=True)
class Conflict:
    """Two final statuses for one invoice, sent at once: exactly one may be applied."""

    invoice: str
    codes: tuple[str, str]


@dataclass
class Tally:
    """Flows (or invoices, or outputs) lost, duplicated or contradicted: each
    counted once per kind, however many of its checks fail."""

    half_written: int = 0
    left_in_inbox: int = 0
    problems: list[str] = field(default_factory=list)
    found: dict[str, set] = field(default_factory=lambda: {"lost": set(), "duplicated": set(), "contradictions": set()})

    def add(self, kind: str, about: str, problem: str) -> None:
        self.found[kind].add(about)
        if len(self.problems) < SHOWN_PROBLEMS:
            self.problems.append(f"{kind}: {about}: {problem}")

    @property
    def lost(self) -> int:
        return len(self.found["lost"])

    @property
    def duplicated(self) -> int:
        return len(self.found["duplicated"])

    @property
    def contradictions(self) -> int:
        return len(self.found["contradictions"])


class LedgerView:
    """Read-only queries on the run's ledger: its SQLite file, or its PostgreSQL schema."""

    def __init__(self, root: Path, url: str | None = None):
        self.root, self.url = root, url

    def rows(self, sql: str) -> list[tuple]:
        if self.url:
            import psycopg

            with psycopg.connect(self.url, autocommit=True) as connection:
                return connection.execute(sql).fetchall()
        connection = sqlite3.connect(self.root / "var" / "ledger.sqlite")
        try:
            return connection.execute(sql).fetchall()
        finally:
            connection.close()


def check(root: Path, sent: list[Sent], ledger: LedgerView, published: Counter | None = None,
          conflicts: list[Conflict] = ()) -> Tally:
    """`published`: pivots seen on the partner's outbound queue, by message name
    (None when no partner takes them over AMQP)."""
    tally = Tally()
    flows = {s.flow_id: s for s in sent}
    status_of = dict(ledger.rows("SELECT id, status FROM flows"))
    outputs = defaultdict(list)
    for flow_id, name, kind, path, digest in ledger.rows("SELECT flow_id, name, kind, path, sha256 FROM outputs"):
        outputs[flow_id].append((name, kind, path, digest))
    for flow_id, one in flows.items():
        _check_flow(root, flow_id, one, status_of.get(flow_id), outputs[flow_id], published, tally)
    for flow_id in set(status_of) - set(flows):
        tally.add("contradictions", f"flow {flow_id}", "in the ledger, yet nobody sent it")
    for flow_id, rows in outputs.items():
        for name, _, path, digest in rows:
            place = Path(path.split(" + ")[0])
            if not path.startswith("amqp://") and (not place.is_file() or _sha(place) != digest):
                tally.add("contradictions", f"flow {flow_id}", f"recorded output {name} missing or different at {place}")
    _check_conflicts(root, ledger, conflicts, tally)
    tally.half_written = sum(1 for p in root.rglob(".*.tmp") if p.is_file())
    tally.left_in_inbox = len(left_in_inbox(root))
    return tally


def left_in_inbox(root: Path) -> list[Path]:
    """Files still in an inbox or claimed: not released (the watcher's
    journals of its claims are its own, not files left)."""
    inbox = root / "inbox"
    return [p for p in inbox.rglob("*") if p.is_file() and JOURNALS not in p.parts] if inbox.exists() else []


def _check_flow(root: Path, flow_id: str, sent: Sent, status: str | None, outputs: list, published: Counter | None,
                tally: Tally) -> None:
    about, who = f"flow {flow_id}", f"{sent.name!r} from {sent.sender}"
    reports = sorted((root / "outbox" / sent.sender).glob(f"{flow_id}*.flux.statut.xml"))
    pivots = list((root / "outbox").glob(f"*/{flow_id}-*.pivot.xml"))
    if not reports:
        tally.add("lost", about, f"{who}: no flow-level report to its sender")
    if len(reports) > 1:
        tally.add("duplicated", about, f"{who}: {len(reports)} flow-level reports ({', '.join(r.name for r in reports)})")
    if sent.pivot and not pivots:
        tally.add("lost", about, f"{who}: a valid invoice, no pivot delivered")
    if pivots and not sent.pivot:
        tally.add("duplicated", about, f"{who}: must be refused, yet {len(pivots)} pivot(s) delivered")
    committed = Counter(name for name, kind, *_ in outputs if kind == "pivot")
    for name, times in committed.items():
        if times > 1:
            tally.add("duplicated", about, f"{who}: pivot {name} written and committed {times} times")
    for name, times in (published or {}).items():
        if name.startswith(flow_id) and times > 1:
            tally.add("duplicated", about, f"{who}: pivot {name} published {times} times on the outbound exchange")
    if status is None:
        tally.add("contradictions", about, f"{who}: not in the ledger")
        return
    if status == "pending":
        tally.add("contradictions", about, f"{who}: still pending in the ledger")
    for report in reports:
        told = etree.parse(str(report)).getroot().findtext(".//IdStatut")
        recorded = {digest for name, _, _, digest in outputs if name == report.name}
        if status in ("90", "93", "96") and told != status:
            tally.add("contradictions", about, f"{who}: report {report.name} says {told}, the ledger {status}")
        if len(recorded) > 1:
            tally.add("contradictions", about, f"{who}: {len(recorded)} different reports recorded under {report.name}")
        elif recorded and _sha(report) not in recorded:
            tally.add("contradictions", about, f"{who}: report {report.name} overwritten by one the ledger does not know")


def _check_conflicts(root: Path, ledger: LedgerView, conflicts: list[Conflict], tally: Tally) -> None:
    if not conflicts:
        return
    finals = ", ".join(f"'{code}'" for code in FINAL)
    applied = defaultdict(list)
    for number, code in ledger.rows(
        "SELECT i.number, e.code FROM events e JOIN invoices i ON i.flow_id = e.flow_id AND i.idx = e.idx"
        f" WHERE e.code IN ({finals})"
    ):
        applied[number].append(code)
    state = dict(ledger.rows("SELECT number, state FROM invoices WHERE accepted = 1"))
    forwarded = defaultdict(list)
    for path in (root / "outbox").glob("*/*.suivi.statut.xml"):
        for data in etree.parse(str(path)).getroot().iter("DonneesStatut"):
            if data.findtext("IdStatut") in FINAL:
                forwarded[data.findtext("IdFacture")].append(data.findtext("IdStatut"))
    for conflict in conflicts:
        about = f"invoice {conflict.invoice} ({' vs '.join(conflict.codes)} sent at once)"
        done, told = applied[conflict.invoice], forwarded[conflict.invoice]
        if not done:
            tally.add("lost", about, "neither status applied")
        if len(done) > 1:
            tally.add("contradictions", about, f"{' then '.join(done)} both applied in the ledger")
        if len(told) > 1:
            tally.add("contradictions", about, f"{' and '.join(told)} both forwarded to the supplier")
        if done and (state.get(conflict.invoice) != done[-1] or told[-1:] != done[-1:]):
            tally.add("contradictions", about, f"ledger state {state.get(conflict.invoice)}, applied {done}, "
                                        f"forwarded {told}")


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
