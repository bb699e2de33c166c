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
Copies of one flow may be in flight at once (two names in an inbox, the folder
and the queue, two workers): each flow is leased in the ledger before any work,
and a copy that finds it leased by another process is `Busy`: it waits its
turn, then finds the flow committed, a repeat. A recipient's status file is
judged under leases on the invoices it changes, so that two processes never
judge statuses of one invoice at once. Leases are released with the commit.
The archive, mailboxes and ledger are handed in, so the engine does no I/O of
its own choosing.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timezone
from typing import Callable, Protocol, TypeVar

from facteur.engine import pipeline
from facteur.engine.errors import Busy
from facteur.engine.hub import controls, lifecycle
from facteur.engine.model import Flow, Outcome, Output, StatusMessage
from facteur.engine.runtime import attempts, logs
from facteur.engine.runtime.ledger import Finished, FlowRecord, Ledger
from facteur.engine.statuses import DELIVERY_ERRORS

LEASE_SECONDS = 60.0  # a lease lasts this long unless renewed: how long a crashed holder stops a flow, at most
WAIT_SECONDS = 0.2  # how soon a flow that waits its turn looks again


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
    same_as: str = ""  # a replay judged as this earlier attempt was: no report sent again to the sender


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
        lease_seconds: float = LEASE_SECONDS,
        on_commit: Callable[[], None] = lambda: None,
    ):
        self.context = context
        self.ledger = ledger
        self.archive = archive
        self.mailboxes = mailboxes
        self.clock = clock
        self.lease_seconds = lease_seconds
        self.leased: dict[str, list[str]] = {}  # flow id -> the keys this runner holds for it
        self.on_commit = on_commit  # wakes the outbox's relay
        self.log = logs.get("facteur.runner")

    def handle(self, flow: Flow) -> Handled:
        """The whole sequence in this process, waiting its turn behind another
        process that works on the same flow or on the invoices it changes."""
        prepared = _in_turn(lambda: self.prepare(flow))
        if isinstance(prepared, Handled):
            return prepared
        outcome = pipeline.process(prepared, self.context)
        self.renew()
        return _in_turn(lambda: self.finish(prepared, outcome))

    def handle_all(self, flows: list[Flow]) -> list[Handled]:
        """`handle` for many flows of one process (`facteur process` on a
        folder), grouped as the service groups them: their originals synced and
        their records begun together, their outputs synced and their outcomes
        committed together, a status file alone after what came before it
        (`finishing_groups`). What cannot go in the group is handled as
        `handle` does, each in turn: a second copy of a flow (a repeat, once
        the first is committed), a flow another process holds, and the flows
        of a group whose leases another process took over. A pipeline that
        raises leaves what was computed before it committed."""
        firsts = {flow.id: flow for flow in reversed(flows)}
        grouped = [flow for flow in flows if firsts[flow.id] is flow]
        prepared = list(zip(grouped, self.prepare_all(grouped)))
        results = {id(flow): ready for flow, ready in prepared if isinstance(ready, Handled)}
        todo = [(flow, ready) for flow, ready in prepared if not isinstance(ready, (Handled, Busy))]
        settled: list[tuple[Flow, Flow, Outcome]] = []
        try:
            for flow, ready in todo:
                settled.append((flow, ready, pipeline.process(ready, self.context)))
        finally:
            for _, ready in todo[len(settled):]:
                self.release(ready)
            self.renew()
            for group in finishing_groups(settled, lambda item: item[2]):
                finished = self._finish_group([(ready, outcome) for _, ready, outcome in group])
                results.update((id(flow), handled) for (flow, _, _), handled in zip(group, finished))
        return [results[id(flow)] if id(flow) in results else self.handle(flow) for flow in flows]

    def _finish_group(self, group: list[tuple[Flow, Outcome]]) -> list[Handled]:
        try:
            return self.finish_all(group)
        except Busy:
            return [_in_turn(lambda: self.finish(flow, outcome)) for flow, outcome in group]

    def prepare(self, flow: Flow) -> Flow | Handled:
        """Steps 1 and 2: the flow with its first reception time, ready for the
        pipeline, or what was done for a flow already committed (a repeat).
        Raises Busy while another process works on the flow."""
        prepared = self.prepare_all([flow])[0]
        if isinstance(prepared, Busy):
            raise prepared
        return prepared

    def prepare_all(self, flows: list[Flow]) -> list[Flow | Handled | Busy]:
        """Steps 1 and 2 for many flows at once: their leases taken, their
        originals synced as one group, their records begun in one ledger
        transaction. Whether a flow is done is read once it is leased, so that
        a copy committed meanwhile by another process is seen: a repeat."""
        busy = self._lease_flows(flows)
        leased = [flow for flow in flows if flow.id not in busy]
        known = {flow.id: self.ledger.find(flow.id) for flow in leased}
        fresh = [flow for flow in leased if not _done(known[flow.id])]
        archived = self.archive.keep_all(fresh)
        begun = {record.id: record for record in self.ledger.begin_all(list(zip(fresh, archived)))}
        return [
            busy[flow.id] if flow.id in busy
            else self._repeat(flow, known[flow.id].status) if _done(known[flow.id])
            else replace(flow, received_at=begun[flow.id].received_at)
            for flow in flows
        ]

    def renew(self) -> None:
        """Lengthen the leases of what this runner works on (the service calls it
        while it works): only a holder that stopped, having crashed, loses them."""
        self.ledger.renew(sorted({key for keys in self.leased.values() for key in keys}), self.lease_seconds)

    def release(self, flow: Flow) -> None:
        """Give up a flow left unfinished (abandoned to quarantine): a copy of it
        may be taken at once."""
        self.ledger.release(self.leased.pop(flow.id, []))

    def _lease_flows(self, flows: list[Flow]) -> dict[str, Busy]:
        """Each flow leased, in one ledger transaction; those another process holds."""
        held = self.ledger.lease_each([_flow_key(flow.id) for flow in flows], self.lease_seconds)
        busy = {}
        for flow_id in {flow.id for flow in flows}:
            if _flow_key(flow_id) in held:
                busy[flow_id] = Busy(flow_id, held[_flow_key(flow_id)])
            else:
                self._hold(flow_id, [_flow_key(flow_id)])
        return busy

    def _hold(self, flow_id: str, keys: list[str]) -> None:
        held = self.leased.setdefault(flow_id, [])
        held += [key for key in keys if key not in held]

    def finish(self, flow: Flow, outcome: Outcome) -> Handled:
        """Steps 4 and 5, for an outcome computed here, in a worker process, or
        in another `facteur worker`. Raises Busy while another process judges
        statuses of an invoice that a recipient's status file changes."""
        return self.finish_all([(flow, outcome)])[0]

    def finish_all(self, settled: list[tuple[Flow, Outcome]]) -> list[Handled]:
        """Steps 4 and 5 for many flows at once, in the order that keeps every
        promise: the flows' invoices claimed (one transaction for the group,
        committed, so a claim is seen by other workers before any pivot of it
        exists), then every output written and synced as one group, then
        every outcome committed in one ledger transaction, which also
        releases their leases. That
        transaction first takes their leases again: a holder that stalled past
        its lease (a frozen process, a lost network) and whose work another one
        took over commits nothing, and is judged again (Busy). A recipient's
        status file is judged against the ledger as it stands: it comes in a
        group of its own, after what came before it is committed (the service
        sees to it)."""
        judged = self._judged(settled)
        places = iter(self.mailboxes.write_all([output for _, outcome in judged for output in outcome.outputs]))
        written = [[(output, next(places)) for output in outcome.outputs] for _, outcome in judged]
        at = self.clock()
        with self.ledger.group():
            self._still_held([flow for flow, _ in judged])
            self.ledger.commit_all([Finished(flow, outcome, outputs, self.mailboxes.to_publish(outcome.outputs))
                                    for (flow, outcome), outputs in zip(judged, written)], at)
            self.ledger.release([key for flow, _ in judged for key in self.leased.get(flow.id, [])])
        for flow, _ in judged:
            self.leased.pop(flow.id, None)
        self.on_commit()
        return [self._processed(flow, outcome, outputs) for (flow, outcome), outputs in zip(judged, written)]

    def _judged(self, settled: list[tuple[Flow, Outcome]]) -> list[tuple[Flow, Outcome]]:
        """The outcomes as they will be committed: a recipient's statuses
        applied to the lifecycle, or the accepted invoices claimed."""
        claimed = iter(self._claimed([(flow, outcome) for flow, outcome in settled if outcome.statuses is None]))
        return [
            (flow, self._unrepeated(flow, self._settled(flow, outcome.statuses) if outcome.statuses is not None
                                    else next(claimed)))
            for flow, outcome in settled
        ]

    def _unrepeated(self, flow: Flow, outcome: Outcome) -> Outcome:
        """A replay that ends as its previous attempt did keeps its report to
        the sender unsent (`attempts.py`); every other output goes, and the
        ledger records the attempt with the earlier one whose report stands."""
        same = attempts.same_as_before(self.ledger, flow, outcome)
        if not same:
            return outcome
        kept = [output for output in outcome.outputs if not _to_sender(flow, output)]
        return replace(outcome, outputs=kept, same_as=same)

    def _settled(self, flow: Flow, statuses: StatusMessage) -> Outcome:
        """A recipient's statuses judged under leases on the invoices they change,
        so that no other process judges statuses of those invoices meanwhile:
        judged once to learn which they are, then again once they are leased,
        until every invoice they change is leased (a status file that changes
        nothing only reads what is committed). A status file that must wait
        keeps none of them meanwhile, so two that wait for each other cannot be."""
        leased: set[str] = set()
        while True:
            outcome = lifecycle.settle(flow, statuses, self.ledger, self.context.hub_id, self.clock(),
                                       self.context.language)
            keys = {_invoice_key(change.flow_id, change.index) for change in outcome.changes}
            if keys <= leased:
                return outcome
            leased |= keys
            holder = self.ledger.lease(sorted(leased), self.lease_seconds)
            if holder is not None:
                held = self.leased.pop(flow.id, [])
                self.ledger.release([key for key in held if key != _flow_key(flow.id)])
                self._hold(flow.id, [key for key in held if key == _flow_key(flow.id)])
                raise Busy(flow.id, holder)
            self._hold(flow.id, sorted(leased))

    def _still_held(self, flows: list[Flow]) -> None:
        """The flows' leases taken again inside the commit's transaction, which
        keeps them until it ends: Busy if another process took one over. They
        stay asked for, so the flow is finished only once they are back: found
        committed by the other process, or judged again."""
        owners = {key: flow for flow in flows for key in self.leased.get(flow.id, [])}
        held = self.ledger.lease_each(list(owners), self.lease_seconds)
        if held:
            key, holder = min(held.items())
            raise Busy(owners[key].id, holder)

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
            if change.code in DELIVERY_ERRORS:
                self.log.error(
                    "a recipient reports that a delivery failed; see the flow's timeline and deliver again",
                    flow_id=change.flow_id, invoice=change.index, status=change.code, recipient=flow.sender,
                    detail=change.note,
                )
        return handled

    def _claimed(self, settled: list[tuple[Flow, Outcome]]) -> list[Outcome]:
        """The outcomes whose accepted invoices their flows have claimed, in
        one ledger transaction for them all, then again for those judged again.

        The pipeline judged duplicates against the ledger as it was then;
        another flow may have claimed one of its invoices since (another worker,
        a pool process judging in parallel, a flow of the same group). The flow
        is then judged again, and that invoice is now a duplicate: rejected,
        never delivered twice. Each round turns at least one more invoice into
        a duplicate, so it ends.
        """
        outcomes = [outcome for _, outcome in settled]
        todo = list(range(len(settled)))
        while todo:
            holders = self.ledger.claim_all([(settled[i][0].id, accepted_keys(outcomes[i])) for i in todo])
            held = [(i, holder) for i, holder in zip(todo, holders) if holder is not None]
            for i, holder in held:
                flow = settled[i][0]
                self.log.info("an invoice of this flow was claimed by another flow; judged again", flow_id=flow.id,
                              other_flow=holder)
                outcomes[i] = pipeline.process(flow, self.context)
            todo = [i for i, _ in held]
        return outcomes

    def _repeat(self, flow: Flow, status: str) -> Handled:
        """The sender's own reports sent again (not the statuses a status file
        forwarded to the suppliers' partners: those went once)."""
        reports = [report for report in self.ledger.reports(flow.id) if _to_sender(flow, report)]
        paths = [self.mailboxes.write(report) for report in reports]
        self.ledger.record_repeat(flow, self.clock(), self.mailboxes.to_publish(reports))
        self.release(flow)
        self.on_commit()
        self.log.info(
            "flow received again; original report sent again", flow_id=flow.id, flow_name=flow.name, status=status
        )
        return Handled(flow.id, flow.name, status, repeated=True, outputs=paths)


Item = TypeVar("Item")


def finishing_groups(settled: list[Item], outcome_of: Callable[[Item], Outcome]) -> list[list[Item]]:
    """Invoice flows finish together; a recipient's status file finishes alone,
    after what came before it, because its statuses are judged against the
    ledger as those commits left it."""
    groups: list[list[Item]] = []
    invoices: list[Item] = []
    for item in settled:
        if outcome_of(item).statuses is None:
            invoices.append(item)
            continue
        if invoices:
            groups.append(invoices)
            invoices = []
        groups.append([item])
    return groups + ([invoices] if invoices else [])


def _in_turn(step: Callable[[], Handled | Flow]) -> Handled | Flow:
    """The step, done once no other process works on what it needs."""
    while True:
        try:
            return step()
        except Busy:
            time.sleep(WAIT_SECONDS)


def accepted_keys(outcome: Outcome) -> list[tuple[str, str, int]]:
    """The duplicate keys of the outcome's accepted invoices, to be claimed."""
    keys = [controls.duplicate_key(verdict.invoice) for verdict in outcome.verdicts if verdict.accepted]
    return [key for key in keys if key]


def _to_sender(flow: Flow, output: Output) -> bool:
    """A report for the sender of the flow (not a pivot, even one it receives)."""
    return output.mailbox == flow.sender and output.kind != "pivot"


def _done(record: FlowRecord | None) -> bool:
    return record is not None and record.done


def _flow_key(flow_id: str) -> str:
    return f"flow:{flow_id}"


def _invoice_key(flow_id: str, index: int) -> str:
    return f"invoice:{flow_id}:{index}"


def _summary(flow: Flow, outcome: Outcome, paths: list[str]) -> Handled:
    findings = [_finding(flow.name, f) for f in outcome.findings]
    findings += [_finding(v.document, f) for v in outcome.verdicts for f in v.findings]
    if outcome.statuses is not None:
        entries = len(outcome.statuses.entries)
        refused = sum(1 for f in outcome.findings if f.blocking)
        return Handled(flow.id, flow.name, outcome.status.value, entries, entries - refused, findings=findings,
                       outputs=paths, kind="statuses", same_as=outcome.same_as)
    return Handled(
        flow.id,
        flow.name,
        outcome.status.value,
        documents=len(outcome.verdicts),
        accepted=sum(1 for v in outcome.verdicts if v.accepted),
        findings=findings,
        outputs=paths,
        same_as=outcome.same_as,
    )


def _finding(document: str, finding) -> dict:
    return {
        "document": document,
        "code": finding.code,
        "severity": finding.severity.value,
        "message": finding.message,
        "location": finding.location,
        "values": [asdict(value) for value in finding.values],
    }
