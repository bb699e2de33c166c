"""The dashboard: the hub at a glance, as an operator opens the console on it.

Flows by status and partner for today and the last seven days, the codes
that rejected them, the invoices waiting for their recipient's acknowledgment,
the payment delays overdue, the broker's queue and its dead letters, and the
engine's health. Every figure is read from the ledger's tallies, kept by day
as flows are written (`Ledger.flow_counts` and the others of
`runtime/tallies.py`), never a walk over flows, so the page answers as fast
with a million flows as with ten.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from facteur.engine.errors import Unavailable
from facteur.engine.hub import dgp
from facteur.engine.hub.annuaire import Annuaire, Remembered
from facteur.engine.hub.directory import Directory
from facteur.engine.operations.doctor import FAILED, OK, WARNING, Check
from facteur.engine.operations.hub import Hub, QueueState
from facteur.engine.runtime.ledger import Ledger
from facteur.engine.runtime.tallies import Awaiting, Backlog, CodeCount, FlowCount

WEEK_DAYS = 7  # the longer period: today and the six days before
STUCK_MINUTES = 15  # a flow pending longer than this is being retried: the health says so


@dataclass(frozen=True)
class PartnerFlows:
    """One sender's flows in a period, by status."""

    sender: str
    flows: int
    by_status: dict[str, int]


@dataclass(frozen=True)
class Period:
    since: date  # the first day counted; the period runs to now
    flows: int
    by_status: dict[str, int]
    partners: tuple[PartnerFlows, ...]  # busiest first


@dataclass(frozen=True)
class Overdue:
    """Invoices past their payment delay and not settled (`hub/dgp.py`)."""

    invoices: int
    by_buyer: dict[str, int]


@dataclass(frozen=True)
class Dashboard:
    at: datetime
    today: Period
    week: Period
    rejections: tuple[CodeCount, ...]  # over the week, most frequent first
    awaiting: tuple[Awaiting, ...]  # per recipient
    overdue: Overdue
    queue: QueueState | None  # None: no broker configured, or it cannot be reached (see health)
    backlog: Backlog
    health: tuple[Check, ...]

    @property
    def awaiting_invoices(self) -> int:
        return sum(entry.invoices for entry in self.awaiting)

    @property
    def healthy(self) -> bool:
        return all(check.state != FAILED for check in self.health)


def dashboard(hub: Hub, stuck_minutes: int = STUCK_MINUTES) -> Dashboard:
    """The hub as it stands now, by its clock."""
    at = hub.clock()
    today = at.date()
    week_start = today - timedelta(days=WEEK_DAYS - 1)
    counts = hub.ledger.flow_counts(week_start.isoformat())
    queue, broker = _queue(hub)
    backlog = hub.ledger.backlog()
    return Dashboard(
        at=at,
        today=period(today, [c for c in counts if c.day >= today.isoformat()]),
        week=period(week_start, counts),
        rejections=tuple(hub.ledger.blocking_codes(week_start.isoformat())),
        awaiting=tuple(hub.ledger.awaiting()),
        overdue=overdue(hub.ledger, hub.directory, today, hub.directory_store),
        queue=queue,
        backlog=backlog,
        health=health(backlog, queue, broker, at, stuck_minutes),
    )


def period(since: date, counts: list[FlowCount]) -> Period:
    """The counts of a period gathered by status, and by sender then status."""
    by_status: dict[str, int] = {}
    partners: dict[str, dict[str, int]] = {}
    for count in counts:
        by_status[count.status] = by_status.get(count.status, 0) + count.count
        sender = partners.setdefault(count.sender, {})
        sender[count.status] = sender.get(count.status, 0) + count.count
    ranked = sorted(((sum(s.values()), name, s) for name, s in partners.items()), key=lambda p: (-p[0], p[1]))
    return Period(since, sum(by_status.values()), by_status,
                  tuple(PartnerFlows(name, flows, statuses) for flows, name, statuses in ranked))


def overdue(ledger: Ledger, directory: Directory, today: date, annuaire: Annuaire | None = None) -> Overdue:
    """The invoices whose delay (the buyer's, as `dgp.delay_days` says: the
    TOML directory's, else the ledger's directory's on the day it started)
    ran out before `today`. The ledger hands only starts older than the
    shortest delay of the TOML directory and the default, counted by buyer and
    day; each is then held to its buyer's own delay, as `dgp.clocks` would."""
    shortest = min([s.payment_delay_days for s in directory.structures.values()] + [dgp.DEFAULT_DELAY_DAYS])
    by_buyer: dict[str, int] = {}
    annuaire = Remembered(annuaire) if annuaire is not None else None  # a buyer has a row per day of start
    for started in ledger.started((today - timedelta(days=shortest)).isoformat()):
        days = dgp.delay_days(directory, started.buyer, annuaire, date.fromisoformat(started.start))
        if started.start < (today - timedelta(days=days)).isoformat():  # start + delay < today
            by_buyer[started.buyer] = by_buyer.get(started.buyer, 0) + started.invoices
    return Overdue(sum(by_buyer.values()), by_buyer)


def _queue(hub: Hub) -> tuple[QueueState | None, Check]:
    try:
        queue = hub.queue()
    except Unavailable as err:
        return None, Check("courtier AMQP", FAILED, str(err))
    if queue is None:
        return None, Check("courtier AMQP", OK, "aucun configuré")
    return queue, Check("courtier AMQP", OK, f"joint : {queue.depth} message(s) en file")


def health(backlog: Backlog, queue: QueueState | None, broker: Check, at: datetime, stuck_minutes: int
           ) -> tuple[Check, ...]:
    """The engine's health as the ledger and the broker show it: flows stuck
    in retries, messages the outbox cannot publish, dead letters."""
    checks = [Check("registre", OK, _latest(backlog.latest_flow))]
    if backlog.pending and backlog.oldest_pending and at - backlog.oldest_pending > timedelta(minutes=stuck_minutes):
        minutes = int((at - backlog.oldest_pending).total_seconds() // 60)
        checks.append(Check("flux en cours", WARNING, f"{backlog.pending} flux en attente, le plus ancien reçu il y a "
                                                      f"{minutes} min : il est réessayé, voyez les journaux"))
    else:
        checks.append(Check("flux en cours", OK, f"{backlog.pending} flux en cours de traitement"))
    if backlog.messages_retried:
        checks.append(Check("file sortante", WARNING, f"{backlog.messages} message(s) à publier, dont "
                                                      f"{backlog.messages_retried} réessayé(s) : le courtier les refuse "
                                                      "ou ne répond pas"))
    else:
        checks.append(Check("file sortante", OK, f"{backlog.messages} message(s) à publier"))
    checks.append(broker)
    if queue is not None and queue.dead_letters:
        checks.append(Check("lettres mortes", WARNING, f"{queue.dead_letters} message(s) abandonné(s) par le courtier "
                                                       "dans la file des lettres mortes : examinez-les"))
    return tuple(checks)


def _latest(latest: datetime | None) -> str:
    return f"joint ; dernier flux reçu le {latest:%d/%m/%Y à %H:%M:%S}" if latest else "joint ; aucun flux reçu"
