"""The durable sequence around the pipeline, in the order that makes a flow
impossible to lose or to deliver twice:

1. archive the original bytes (synced) — before anything else;
2. record the flow as received in the ledger, or find it there: a flow seen
   before keeps its first reception time, so its outputs come out identical;
3. run the pipeline (pure); a recipient's status file is then applied to the
   ledger's lifecycle here, by the single writer;
4. write every folder output atomically;
5. commit the outcome to the ledger, with the outputs for AMQP partners in
   its outbox, published after the commit (by the relay `on_commit` wakes);
6. only then may the caller release the input (inbox file, AMQP message).

Under load, the service hands the runner many flows at once: their files are
synced as one group and their ledger records begun and committed in one
transaction each, in the same order of steps, so the disk and the database
wait once for many flows. A group either commits whole or not at all; its
flows are then retried, which the steps above make harmless.

A flow already committed is not processed again: its original reports are sent
again to the sender (senders retry after timeouts) and nothing else happens.
The archive, mailboxes and ledger are handed in, so the engine does no I/O of
its own choosing.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Callable, Protocol

from . import controls, lifecycle, logs, pipeline
from .ledger import Ledger
from .model import Flow, Outcome, Output


class ArchiveStore(Protocol):
    def keep_all(self, flows: list[Flow]) -> list[str]: ...


class MailboxWriter(Protocol):
    def write(self, output: Output) -> str: ...

    def write_all(self, outputs: list[Output]) -> list[str]: ...

    def to_publish(self, outputs: list[Output]) -> list[Output]:
        """Those of the outputs that go to the broker, through the outbox."""


@dataclass
class Handled:
    """What happened to one flow, for summaries and --json."""

    flow_id: str
    name: str
    status: str
    documents: int = 0  # invoices, or status entries for a recipient's status file
    accepted: int = 0  # invoices accepted, or status entries applied
    repeated: bool = False
    kind: str = "invoices"  # or "statuses"
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
        on_commit: Callable[[], None] = lambda: None,
    ):
        self.context = context
        self.ledger = ledger
        self.archive = archive
        self.mailboxes = mailboxes
        self.clock = clock
        self.on_commit = on_commit  # wakes the outbox's relay
        self.log = logs.get("facteur.runner")

    def handle(self, flow: Flow) -> Handled:
        """The whole sequence in this process."""
        prepared = self.prepare(flow)
        if isinstance(prepared, Handled):
            return prepared
        return self.finish(prepared, pipeline.process(prepared, self.context))

    def prepare(self, flow: Flow) -> Flow | Handled:
        """Steps 1 and 2: the flow with its first reception time, ready for the
        pipeline, or what was done for a flow already committed (a repeat)."""
        return self.prepare_all([flow])[0]

    def prepare_all(self, flows: list[Flow]) -> list[Flow | Handled]:
        """Steps 1 and 2 for many flows at once: their originals synced as one
        group, their records begun in one ledger transaction."""
        known = [self.ledger.find(flow.id) for flow in flows]
        fresh = [flow for flow, record in zip(flows, known) if record is None or not record.done]
        archived = self.archive.keep_all(fresh)
        with self.ledger.group():
            begun = {flow.id: self.ledger.begin(flow, path) for flow, path in zip(fresh, archived)}
        return [
            self._repeat(flow, record.status) if record is not None and record.done
            else replace(flow, received_at=begun[flow.id].received_at)
            for flow, record in zip(flows, known)
        ]

    def finish(self, flow: Flow, outcome: Outcome) -> Handled:
        """Steps 4 and 5, for an outcome computed here, in a worker process, or
        in another `facteur worker`."""
        return self.finish_all([(flow, outcome)])[0]

    def finish_all(self, settled: list[tuple[Flow, Outcome]]) -> list[Handled]:
        """Steps 4 and 5 for many flows at once, in the order that keeps every
        promise: each flow's invoices claimed (its own transaction, so a claim
        is seen by other workers before any pivot of it exists), then every
        output written and synced as one group, then every outcome committed in
        one ledger transaction. A recipient's status file is judged against the
        ledger as it stands: it comes in a group of its own, after what came
        before it is committed (the service sees to it)."""
        judged = [(flow, self._judged(flow, outcome)) for flow, outcome in settled]
        places = iter(self.mailboxes.write_all([output for _, outcome in judged for output in outcome.outputs]))
        written = [[(output, next(places)) for output in outcome.outputs] for _, outcome in judged]
        at = self.clock()
        with self.ledger.group():
            for (flow, outcome), outputs in zip(judged, written):
                self.ledger.commit(flow, outcome, outputs, at, self.mailboxes.to_publish(outcome.outputs))
        self.on_commit()
        return [self._processed(flow, outcome, outputs) for (flow, outcome), outputs in zip(judged, written)]

    def _judged(self, flow: Flow, outcome: Outcome) -> Outcome:
        """The outcome as it will be committed: a recipient's statuses applied
        to the lifecycle, or the accepted invoices claimed."""
        if outcome.statuses is not None:
            return lifecycle.settle(flow, outcome.statuses, self.ledger, self.context.hub_id, self.clock())
        return self._claimed(flow, outcome)

    def _processed(self, flow: Flow, outcome: Outcome, written: list[tuple[Output, str]]) -> Handled:
        handled = _summary(flow, outcome, [path for _, path in written])
        self.log.info(
            "flow processed",
            flow_id=flow.id,
            flow_name=flow.name,
            sender=flow.sender,
            status=handled.status,
            documents=handled.documents,
            accepted=handled.accepted,
            codes=sorted({f["code"] for f in handled.findings if f["severity"] == "blocking"}),
        )
        for change in outcome.changes:
            if change.code in lifecycle.DELIVERY_ERRORS:
                self.log.error(
                    "a recipient reports that a delivery failed; see the flow's timeline and deliver again",
                    flow_id=change.flow_id, invoice=change.index, status=change.code, recipient=flow.sender,
                    detail=change.note,
                )
        return handled

    def _claimed(self, flow: Flow, outcome: Outcome) -> Outcome:
        """The outcome whose accepted invoices this flow has claimed.

        The pipeline judged duplicates against the ledger as it was then;
        another flow may have claimed one of its invoices since (another worker,
        a pool process judging in parallel). The flow is then judged again, and
        that invoice is now a duplicate: rejected, never delivered twice. Each
        round turns at least one more invoice into a duplicate, so it ends.
        """
        while True:
            keys = [controls.duplicate_key(v.invoice) for v in outcome.verdicts if v.accepted]
            holder = self.ledger.claim(flow.id, [key for key in keys if key])
            if holder is None:
                return outcome
            self.log.info("an invoice of this flow was claimed by another flow; judged again", flow_id=flow.id,
                          other_flow=holder)
            outcome = pipeline.process(flow, self.context)

    def _repeat(self, flow: Flow, status: str) -> Handled:
        reports = self.ledger.reports(flow.id)
        paths = [self.mailboxes.write(report) for report in reports]
        self.ledger.record_repeat(flow, self.clock(), self.mailboxes.to_publish(reports))
        self.on_commit()
        self.log.info(
            "flow received again; original report sent again", flow_id=flow.id, flow_name=flow.name, status=status
        )
        return Handled(flow.id, flow.name, status, repeated=True, outputs=paths)


def _summary(flow: Flow, outcome: Outcome, paths: list[str]) -> Handled:
    findings = [_finding(flow.name, f) for f in outcome.findings]
    findings += [_finding(v.document, f) for v in outcome.verdicts for f in v.findings]
    if outcome.statuses is not None:
        entries = len(outcome.statuses.entries)
        refused = sum(1 for f in outcome.findings if f.blocking)
        return Handled(flow.id, flow.name, outcome.status.value, entries, entries - refused, findings=findings,
                       outputs=paths, kind="statuses")
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
