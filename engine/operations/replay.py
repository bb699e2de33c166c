"""Replaying archived flows through the configuration of now, or saying what
a replay would do without doing it (a dry run): which flows, and what each
would give now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Sequence

from facteur.engine import pipeline
from facteur.engine.errors import InvalidRequest
from facteur.engine.hub import lifecycle
from facteur.engine.messages import say
from facteur.engine.model import Flow, Outcome
from facteur.engine.operations.flows import day_after, show_flow, status_code
from facteur.engine.operations.hub import Hub
from facteur.engine.runtime import attempts
from facteur.engine.runtime import replay as replaying
from facteur.engine.runtime.replay import Skipped
from facteur.engine.runtime.runner import Handled


@dataclass(frozen=True)
class Planned:
    """A flow a replay would run again, as its next attempt, and what that
    attempt would give under the configuration of now."""

    flow_id: str  # the flow as recorded, which the replay would run again
    name: str
    sender: str
    status: str  # where it stands now
    chain: str  # the first flow of its chain
    attempt: int  # the attempt the replay would be
    would_status: str  # the status the attempt would get now
    would_codes: tuple[str, ...]  # its findings' codes, sorted
    same_as: str  # the earlier attempt it would end as (same status and findings; "" if none): no report would go


@dataclass(frozen=True)
class Replayed:
    """What a replay did (`replayed`), or would do (`planned`, in a dry run),
    and the flows it leaves alone with why."""

    dry_run: bool
    replayed: tuple[Handled, ...]
    planned: tuple[Planned, ...]
    skipped: tuple[Skipped, ...]


def chosen(
    hub: Hub, flow_ids: Sequence[str] = (), status: str = "", since: date | None = None, until: date | None = None
) -> list[str]:
    """The flows to replay: those named (ids or unique prefixes), or the latest
    attempts of the flows in `status` received between `since` and `until`
    (both days included)."""
    if bool(flow_ids) == bool(status):
        raise InvalidRequest(say("ops-replay-ids-or-status"))
    if status:
        return replaying.latest_attempts(
            hub.ledger, status_code(status), since.isoformat() if since else "", day_after(until)
        )
    return [show_flow(hub.ledger, value).id for value in flow_ids]


def replay(hub: Hub, flow_ids: list[str], dry_run: bool = False) -> Replayed:
    """Each flow again as a new attempt, then the outbox published; in a dry
    run, each is judged as it would be now, and nothing is written or recorded."""
    if dry_run:
        found = [replaying.attempt(flow_id, hub.ledger, hub.read_archive, hub.clock().date()) for flow_id in flow_ids]
        planned = tuple(
            _planned(hub, original, flow) for original, flow in zip(flow_ids, found) if not isinstance(flow, Skipped)
        )
        return Replayed(True, (), planned, tuple(f for f in found if isinstance(f, Skipped)))
    results = replaying.replay(flow_ids, hub.ledger, hub.read_archive, hub.runner)
    hub.publish()
    return Replayed(
        False,
        tuple(r for r in results if isinstance(r, Handled)),
        (),
        tuple(r for r in results if isinstance(r, Skipped)),
    )


def _planned(hub: Hub, original: str, flow: Flow) -> Planned:
    outcome = _judged_now(hub, flow)
    return Planned(
        original, flow.name, flow.sender, hub.ledger.find(original).status, flow.replay_of, flow.attempt,
        outcome.status.value, tuple(attempts.codes(outcome)), attempts.same_as_before(hub.ledger, flow, outcome),
    )


def _judged_now(hub: Hub, flow: Flow) -> Outcome:
    """The pipeline's outcome for the attempt (a recipient's status file judged
    against the ledger as it stands), computed without writing anything."""
    outcome = pipeline.process(flow, hub.context)
    if outcome.statuses is not None:
        return lifecycle.settle(flow, outcome.statuses, hub.ledger, hub.hub_id, hub.clock(), hub.context.language)
    return outcome
