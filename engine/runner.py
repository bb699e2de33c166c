"""The durable sequence around the pipeline, in the order that makes a flow
impossible to lose or to deliver twice:

1. archive the original bytes (synced) — before anything else;
2. record the flow as received in the ledger, or find it there: a flow seen
   before keeps its first reception time, so its outputs come out identical;
3. run the pipeline (pure);
4. write every output atomically;
5. commit the outcome to the ledger;
6. only then may the caller release the input (inbox file, AMQP message).

A flow already committed is not processed again: its original reports are sent
again to the sender (senders retry after timeouts) and nothing else happens.
The archive, mailboxes and ledger are handed in, so the engine does no I/O of
its own choosing.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Callable, Protocol

from . import logs, pipeline
from .ledger import Ledger
from .model import Flow, Outcome, Output


class ArchiveStore(Protocol):
    def keep(self, flow: Flow) -> str: ...


class MailboxWriter(Protocol):
    def write(self, output: Output) -> str: ...


@dataclass
class Handled:
    """What happened to one flow, for summaries and --json."""

    flow_id: str
    name: str
    status: str
    documents: int = 0
    accepted: int = 0
    repeated: bool = False
    findings: list[dict] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class Runner:
    def __init__(
        self,
        context: pipeline.Context,
        ledger: Ledger,
        archive: ArchiveStore,
        mailboxes: MailboxWriter,
        clock: Callable[[], datetime] = utc_now,
    ):
        self.context = context
        self.ledger = ledger
        self.archive = archive
        self.mailboxes = mailboxes
        self.clock = clock
        self.log = logs.get("facteur.runner")

    def handle(self, flow: Flow) -> Handled:
        log = self.log.bind(flow_id=flow.id, flow_name=flow.name, sender=flow.sender)
        known = self.ledger.find(flow.id)
        if known is not None and known.done:
            return self._repeat(flow, known.status, log)
        archived = self.archive.keep(flow)
        record = self.ledger.begin(flow, archived)
        flow = replace(flow, received_at=record.received_at)
        outcome = pipeline.process(flow, self.context)
        written = [(output, self.mailboxes.write(output)) for output in outcome.outputs]
        self.ledger.commit(flow, outcome, written, self.clock())
        handled = _summary(flow, outcome, [path for _, path in written])
        log.info(
            "flow processed",
            status=handled.status,
            documents=handled.documents,
            accepted=handled.accepted,
            codes=sorted({f["code"] for f in handled.findings if f["severity"] == "blocking"}),
        )
        return handled

    def _repeat(self, flow: Flow, status: str, log) -> Handled:
        paths = [self.mailboxes.write(report) for report in self.ledger.reports(flow.id)]
        self.ledger.record_repeat(flow, self.clock())
        log.info("flow received again; original report sent again", status=status)
        return Handled(flow.id, flow.name, status, repeated=True, outputs=paths)


def _summary(flow: Flow, outcome: Outcome, paths: list[str]) -> Handled:
    findings = [_finding(flow.name, f) for f in outcome.findings]
    findings += [_finding(v.document, f) for v in outcome.verdicts for f in v.findings]
    return Handled(
        flow.id,
        flow.name,
        outcome.status.value,
        documents=len(outcome.verdicts),
        accepted=sum(1 for v in outcome.verdicts if v.accepted),
        findings=findings,
        outputs=paths,
    )


def _finding(document: str, finding) -> dict:
    return {
        "document": document,
        "code": finding.code,
        "severity": finding.severity.value,
        "message": finding.message,
        "location": finding.location,
    }
