"""Alerts: what `facteur run` tells its operators when something goes wrong,
once when it starts and once when it ends.

Each condition (`[alerts]` of the configuration) is judged on an
`Observation` of the hub, taken at intervals: the share of flows rejected
over a window, a flow waiting (retried) too long, dead letters in the
broker's dead-letter queue, the ledger or the broker unreachable. An episode
opens when its condition becomes true and closes when it becomes false:
`step`, a pure function of the episodes open and the new observation, returns
the episodes then open and the alerts to send, so one episode sends exactly
two alerts however many observations it lasts. A condition that cannot be
judged (the ledger away: no counts) keeps its episode as it stands.
The episodes open are kept in the ledger (`Ledger.keep_episodes`), so that a
restarted engine does not alert again for an episode that goes on.
Sending is the adapters' (`adapters/alerts.py`: webhooks, e-mail).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Mapping

from facteur.engine.config import AlertSettings
from facteur.engine.errors import Unavailable
from facteur.engine.operations.hub import Hub
from facteur.engine.runtime.ledger import Episode
from facteur.engine.statuses import FlowStatus

REJECTIONS, RETRYING, DEAD_LETTERS, LEDGER, BROKER = "rejets", "flux-en-attente", "lettres-mortes", "registre", "courtier"
TITLES = {
    REJECTIONS: "taux de rejet élevé",
    RETRYING: "flux réessayé trop longtemps",
    DEAD_LETTERS: "lettres mortes dans le courtier",
    LEDGER: "registre injoignable",
    BROKER: "courtier AMQP injoignable",
}
JUDGED = (FlowStatus.INTEGRATED.value, FlowStatus.REJECTED.value, FlowStatus.PARTLY_INTEGRATED.value)


@dataclass(frozen=True)
class Observation:
    """The hub as seen at `at`; None where it could not be seen."""

    at: datetime
    ledger_error: str = ""  # why the ledger could not be read; then the counts are None
    broker_error: str = ""  # why the broker could not be reached
    window_flows: int | None = None  # flows judged (90, 93, 96) received within the window
    window_rejected: int | None = None  # among them, rejected (93)
    pending: int | None = None  # flows begun and not committed: being retried
    oldest_pending: datetime | None = None
    dead_letters: int | None = None  # None: no broker configured, or not reached


@dataclass(frozen=True)
class Alert:
    condition: str
    opened: bool  # True: the episode starts; False: it ends
    at: datetime
    subject: str  # French, one line
    text: str  # French, with the values


def observe(hub: Hub, window_minutes: int) -> Observation:
    """The hub now, by its clock: what the conditions are judged on."""
    at = hub.clock()
    try:
        queue, broker_error = hub.queue(), ""
    except Unavailable as err:
        queue, broker_error = None, str(err)
    dead_letters = queue.dead_letters if queue else None
    try:
        counts = hub.ledger.recent_counts(at - timedelta(minutes=window_minutes))
        backlog = hub.ledger.backlog()
    except Unavailable as err:
        return Observation(at, ledger_error=str(err), broker_error=broker_error, dead_letters=dead_letters)
    judged = [c for c in counts if c.status in JUDGED]
    return Observation(
        at, broker_error=broker_error,
        window_flows=sum(c.count for c in judged),
        window_rejected=sum(c.count for c in judged if c.status == FlowStatus.REJECTED.value),
        pending=backlog.pending, oldest_pending=backlog.oldest_pending, dead_letters=dead_letters,
    )


def conditions(seen: Observation, rules: AlertSettings) -> dict[str, str | None]:
    """Each condition watched: what makes it true now (French, with the
    values), "" when it is false, None when it cannot be judged."""
    judged: dict[str, str | None] = {}
    if rules.unreachable:
        judged[LEDGER] = seen.ledger_error and f"le registre ne répond pas : {seen.ledger_error}"
        judged[BROKER] = seen.broker_error and f"le courtier AMQP ne répond pas : {seen.broker_error}"
    judged[REJECTIONS] = _rejections(seen, rules)
    judged[RETRYING] = _retrying(seen, rules)
    if rules.dead_letters:
        judged[DEAD_LETTERS] = None if seen.dead_letters is None else (
            seen.dead_letters and f"{seen.dead_letters} message(s) dans la file des lettres mortes du courtier : "
                                  "le courtier les a abandonnés, examinez-les puis renvoyez-les ou supprimez-les")
    return judged


def _rejections(seen: Observation, rules: AlertSettings) -> str | None:
    if seen.window_flows is None or seen.window_rejected is None:
        return None
    if seen.window_flows < rules.rejection_min_flows:
        return ""
    rate = seen.window_rejected / seen.window_flows
    if rate <= rules.rejection_rate:
        return ""
    return (f"{rate:.0%} des flux reçus ces {rules.rejection_window_minutes} dernières minutes sont rejetés "
            f"({seen.window_rejected} sur {seen.window_flows}), au-delà du seuil de {rules.rejection_rate:.0%}")


def _retrying(seen: Observation, rules: AlertSettings) -> str | None:
    if seen.pending is None:
        return None
    if not seen.oldest_pending or seen.at - seen.oldest_pending <= timedelta(minutes=rules.retrying_minutes):
        return ""
    minutes = int((seen.at - seen.oldest_pending).total_seconds() // 60)
    return (f"{seen.pending} flux en attente, le plus ancien reçu il y a {minutes} min (seuil : "
            f"{rules.retrying_minutes} min) : il est réessayé sans aboutir, voyez les journaux de facteur")


def step(episodes: Mapping[str, Episode], seen: Observation, rules: AlertSettings
         ) -> tuple[dict[str, Episode], list[Alert]]:
    """The episodes open after this observation, and the alerts it calls for:
    one for each condition that became true, one for each that became false."""
    now_open, alerts = dict(episodes), []
    for condition, detail in conditions(seen, rules).items():
        if detail is None:
            continue
        episode = now_open.get(condition)
        if detail and episode is None:
            now_open[condition] = Episode(condition, seen.at, detail)
            alerts.append(Alert(condition, True, seen.at, f"[facteur] alerte : {TITLES[condition]}",
                                f"{detail}.\nDepuis le {_when(seen.at)}."))
        elif not detail and episode is not None:
            del now_open[condition]
            lasted = int((seen.at - episode.since).total_seconds() // 60)
            alerts.append(Alert(condition, False, seen.at, f"[facteur] fin d'alerte : {TITLES[condition]}",
                                f"Terminé le {_when(seen.at)}, après {lasted} min (depuis le {_when(episode.since)}).\n"
                                f"À l'ouverture : {episode.detail}."))
    return now_open, alerts


def _when(moment: datetime) -> str:
    return f"{moment:%d/%m/%Y à %H:%M:%S} {moment.tzname() or ''}".rstrip()
