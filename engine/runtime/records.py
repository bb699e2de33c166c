"""What the ledger tells about flows, as typed records: the listing of flows
and everything about one of them.

The ledger used to hand these out as rows shaped for the screen; records let
any face (the CLI, a web console) render them its own way, and `asdict` gives
back the same keys in the same order for --json.
"""

from __future__ import annotations

from dataclasses import dataclass

from facteur.engine.model import Value


@dataclass(frozen=True)
class FlowSummary:
    """One flow in a listing."""

    id: str
    sender: str
    name: str
    source: str
    received_at: str
    status: str  # pending, 90, 93, 96, held
    documents: int | None  # None while pending
    accepted: int | None
    replay_of: str | None  # the first flow of the chain, for a replay
    attempt: int
    codes: tuple[str, ...] = ()  # its findings' codes, each once, in the order found
    blocking: str | None = None  # the message of its first blocking finding: why it was rejected
    blocking_values: tuple[Value, ...] = ()  # the values that finding's rule compared


@dataclass(frozen=True)
class TimelineEvent:
    idx: int | None  # the invoice's place in the flow, None for the flow itself
    code: str
    label: str  # as written, in French
    at: str
    detail: str | None
    said: str | None = None  # the label's catalogue key and arguments (JSON), None for what has none


@dataclass(frozen=True)
class InvoiceLine:
    idx: int
    document: str
    syntax: str
    accepted: int
    number: str | None
    issue_date: str | None
    supplier: str | None
    supplier_name: str | None
    buyer: str | None
    buyer_name: str | None
    mailbox: str | None
    service_code: str | None
    engagement: str | None
    currency: str | None
    total_without_vat: str | None
    total_with_vat: str | None
    amount_due: str | None
    state: str | None
    dgp_start: str | None
    dgp_rule: str | None
    rule_set: str | None  # the rule set that judged it, and its version (None: judged before they were recorded)
    rule_set_version: str | None


@dataclass(frozen=True)
class ReplayLine:
    """A later attempt of the flow."""

    id: str
    attempt: int
    status: str
    processed_at: str | None


@dataclass(frozen=True)
class FindingLine:
    idx: int | None
    document: str | None
    code: str
    severity: str
    message: str  # as reported to the sender, in the language of the hub then
    location: str | None
    layer: str | None
    said: str | None = None  # the message's catalogue key and arguments (JSON), None for an official rule's text
    values: tuple[Value, ...] = ()  # those its rule compared, read in the document


@dataclass(frozen=True)
class OutputLine:
    """An output written for the flow and, for a partner served over AMQP,
    where its message stands in the outbox (no message id otherwise)."""

    mailbox: str
    name: str
    kind: str
    path: str
    sha256: str
    message_id: str | None
    published_at: str | None
    attempts: int | None
    error: str | None


@dataclass(frozen=True)
class FlowDetail:
    """Everything about one flow: its record, timeline, invoices, findings,
    outputs, and the replays that followed it."""

    id: str
    sender: str
    name: str
    name_raw: str | None  # the name's bytes as received, in hex
    source: str
    size: int
    sha256: str
    archive: str
    received_at: str
    status: str
    processed_at: str | None
    rules_version: str | None
    documents: int | None
    accepted: int | None
    replay_of: str | None
    attempt: int
    lone_runs: int
    timeline: tuple[TimelineEvent, ...]
    invoices: tuple[InvoiceLine, ...]
    replays: tuple[ReplayLine, ...]
    findings: tuple[FindingLine, ...]
    outputs: tuple[OutputLine, ...]
