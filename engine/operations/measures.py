"""What the metrics show, measured at once: the ledger's counts, what waits,
the payment delays overdue, and the broker's queue.

Every process that serves `/metrics` (a `facteur run`, each `facteur
worker`, the console) measures the same ledger, the single source of truth,
when it is scraped: so the counts agree whichever process answers, and none
is lost when a worker process restarts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from facteur.engine.errors import Unavailable
from facteur.engine.operations.dashboard import Overdue, overdue
from facteur.engine.operations.hub import Hub, QueueState
from facteur.engine.runtime.tallies import Backlog, Totals


@dataclass(frozen=True)
class Measures:
    at: datetime
    totals: Totals
    backlog: Backlog
    overdue: Overdue
    queue: QueueState | None  # None: no broker configured, or it cannot be reached
    broker_error: str = ""  # why the broker could not be reached


def measure(hub: Hub) -> Measures:
    """The hub's counts now; a ledger that cannot be reached raises (`Unavailable`)."""
    at = hub.clock()
    try:
        queue, error = hub.queue(), ""
    except Unavailable as err:
        queue, error = None, str(err)
    return Measures(at, hub.ledger.totals(), hub.ledger.backlog(), overdue(hub.ledger, hub.directory, at.date()),
                    queue, error)
