"""What the metrics show, measured at once: the ledger's counts, what waits,
the payment delays overdue, and the broker's queue.

Every process that serves `/metrics` (a `facteur run`, each `facteur
worker`, the console) measures the same ledger, the single source of truth,
when it is scraped: so the counts agree whichever process answers, and none
is lost when a worker process restarts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from facteur.engine.errors import InvalidRequest, Unavailable
from facteur.engine.operations.dashboard import Overdue, overdue
from facteur.engine.operations.hub import Hub, QueueState
from facteur.engine.runtime.tallies import Backlog, Totals


@dataclass(frozen=True)
class Measures:
    at: datetime
    queue: QueueState | None  # None: no broker configured, or it cannot be reached
    broker_error: str = ""  # why the broker could not be reached
    ledger_error: str = ""  # why the ledger could not be read: then the three below are None
    totals: Totals | None = None
    backlog: Backlog | None = None
    overdue: Overdue | None = None


def measure(hub: Hub) -> Measures:
    """The hub's counts now, the ledger's and the broker's each measured
    whether or not the other answers."""
    at = hub.clock()
    try:
        queue, broker_error = hub.queue(), ""
    except Unavailable as err:
        queue, broker_error = None, str(err)
    try:
        return Measures(at, queue, broker_error, totals=hub.ledger.totals(), backlog=hub.ledger.backlog(),
                        overdue=overdue(hub.ledger, hub.directory, at.date()))
    except (Unavailable, InvalidRequest) as err:  # away, or not written yet
        return Measures(at, queue, broker_error, ledger_error=str(err))
