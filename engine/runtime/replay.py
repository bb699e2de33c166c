"""Replaying archived flows through the current configuration.

An operator fixes what made flows fail (a structure missing from the
directory, say) and replays them. Each replay is a new attempt with its own id,
linked to the first flow of its chain, judged by the configuration of now and
reported to the sender like any flow, unless it ends as the attempt before it
did (`attempts.py`): the sender has that report already. It never delivers an invoice twice:
integrated flows are not replayed at all, and an invoice already delivered by
any flow is a duplicate for the replay as for everyone.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from typing import Callable

from facteur.engine.messages import Message, say
from facteur.engine.model import Flow
from facteur.engine.runtime.ledger import Ledger
from facteur.engine.runtime.runner import Handled, Runner
from facteur.engine.statuses import REPLAYABLE, FlowStatus, flow_code


@dataclass(frozen=True)
class Skipped:
    flow_id: str
    reason: Message  # rendered by the face, in its language


def replay(
    flow_ids: list[str], ledger: Ledger, read_archive: Callable[[str], bytes], runner: Runner
) -> list[Handled | Skipped]:
    """One flow after the other: each attempt is numbered after those before it,
    and judged on the national directory as it stands on the day of the replay."""
    return [_handled(attempt(flow_id, ledger, read_archive, runner.clock().date()), runner) for flow_id in flow_ids]


def _handled(prepared: Flow | Skipped, runner: Runner) -> Handled | Skipped:
    return prepared if isinstance(prepared, Skipped) else runner.handle(prepared)


def latest_attempts(ledger: Ledger, status: str, since: str, until: str = "") -> list[str]:
    """Flows in `status` received since `since` and before `until` (ISO dates,
    "" for no bound) that no later attempt replaced."""
    code = flow_code(status)
    rows = ledger.flows(limit=1_000_000, status=code, since=since, until=until)
    chosen = []
    for row in reversed(rows):  # oldest first, as they came
        record = ledger.find(row.id)
        if record and ledger.attempts(record.replay_of or record.id) == record.attempt:
            chosen.append(record.id)
    return chosen


def attempt(flow_id: str, ledger: Ledger, read_archive: Callable[[str], bytes], today: date | None = None
            ) -> Flow | Skipped:
    """The flow's next attempt, ready to run, or why it is not replayed; found
    without changing anything, so a dry run stops here."""
    found = ledger.archived(flow_id)
    if found is None:
        return Skipped(flow_id, say("skip-unknown"))
    record, archive, digest = found
    if record.status == FlowStatus.INTEGRATED:
        return Skipped(flow_id, say("skip-integrated"))
    if record.status not in REPLAYABLE:
        return Skipped(flow_id, say("skip-status", status=record.status))
    try:
        content = read_archive(archive)
    except OSError as err:
        return Skipped(flow_id, say("skip-unreadable", archive=archive, reason=err.strerror))
    if hashlib.sha256(content).hexdigest() != digest:
        return Skipped(flow_id, say("skip-altered", archive=archive))
    chain = record.replay_of or record.id
    return Flow(content, record.sender, record.name, record.received_at, "replay", replay_of=chain,
                attempt=ledger.attempts(chain) + 1, directory_day=today)
