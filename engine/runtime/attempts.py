"""Whether a replay ends as the attempt before it did.

A replay judged as its previous attempt was (same status, same findings: codes,
messages and locations) would send the sender the report it already has, under a new flow id: the
sender would read it as a new problem. The runner sends it only when something
changed; the ledger records the attempt all the same, and says why no report
went. The comparison reads the ledger, which is the authority on what the
sender was told: only committed attempts count.
"""

from __future__ import annotations

from facteur.engine.model import Flow, Outcome
from facteur.engine.runtime.ledger import Ledger
from facteur.engine.statuses import PENDING


def same_as_before(ledger: Ledger, flow: Flow, outcome: Outcome) -> str:
    """The id of the latest committed attempt of the flow's chain before this
    one when it had this outcome's status and findings; "" otherwise (and for a
    flow that is no replay)."""
    if not flow.replay_of:
        return ""
    chain = ledger.flow_detail(flow.replay_of)
    if chain is None:
        return ""
    earlier = [(chain.attempt, chain.id, chain.status)] + [(r.attempt, r.id, r.status) for r in chain.replays]
    committed = [(attempt, flow_id, status) for attempt, flow_id, status in earlier
                 if attempt < flow.attempt and status != PENDING]
    if not committed:
        return ""
    _, previous_id, status = max(committed)
    previous = ledger.flow_detail(previous_id)
    if status != outcome.status.value or previous is None:
        return ""
    said = sorted((f.code, f.message, f.location or "", f.values) for f in previous.findings)
    return previous_id if said == _said(outcome) else ""


def codes(outcome: Outcome) -> list[str]:
    """Every finding code of the outcome, the flow's and its invoices', sorted."""
    return [said[0] for said in _said(outcome)]


def _said(outcome: Outcome) -> list[tuple[str, str, str]]:
    """What the outcome's report tells of each finding (code, message, location, values),
    sorted: an attempt whose findings read differently (a message that names a
    value, worded anew) sends its report, even under the same codes."""
    findings = outcome.findings + [f for v in outcome.verdicts for f in v.findings]
    return sorted((f.code, f.message, f.location or "", f.values) for f in findings)
