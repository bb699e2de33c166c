"""Replaying archived flows through the configuration of now, or saying what
a replay would do without doing it (a dry run)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Sequence

from facteur.engine.errors import InvalidRequest
from facteur.engine.operations.flows import show_flow
from facteur.engine.operations.hub import Hub
from facteur.engine.runtime import replay as replaying
from facteur.engine.runtime.replay import Skipped
from facteur.engine.runtime.runner import Handled


@dataclass(frozen=True)
class Planned:
    """A flow a replay would run again, as its next attempt."""

    flow_id: str  # the flow as recorded, which the replay would run again
    name: str
    sender: str
    status: str  # where it stands now
    chain: str  # the first flow of its chain
    attempt: int  # the attempt the replay would be


@dataclass(frozen=True)
class Replayed:
    """What a replay did (`replayed`), or would do (`planned`, in a dry run),
    and the flows it leaves alone with why."""

    dry_run: bool
    replayed: tuple[Handled, ...]
    planned: tuple[Planned, ...]
    skipped: tuple[Skipped, ...]


def chosen(hub: Hub, flow_ids: Sequence[str] = (), status: str = "", since: date | None = None) -> list[str]:
    """The flows to replay: those named (ids or unique prefixes), or the latest
    attempts of the flows in `status` received since `since`."""
    if bool(flow_ids) == bool(status):
        raise InvalidRequest("give flow ids, or --status (with --since) to choose them, not both")
    if status:
        return replaying.latest_attempts(hub.ledger, status, since.isoformat() if since else "")
    return [show_flow(hub.ledger, value).id for value in flow_ids]


def replay(hub: Hub, flow_ids: list[str], dry_run: bool = False) -> Replayed:
    """Each flow again as a new attempt, then the outbox published; in a dry
    run, nothing is run, written or recorded."""
    if dry_run:
        found = [replaying.attempt(flow_id, hub.ledger, hub.read_archive) for flow_id in flow_ids]
        planned = tuple(
            Planned(original, flow.name, flow.sender, hub.ledger.find(original).status, flow.replay_of, flow.attempt)
            for original, flow in zip(flow_ids, found)
            if not isinstance(flow, Skipped)
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
