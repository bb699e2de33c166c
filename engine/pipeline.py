"""The pipeline: one `Flow` in, one `Outcome` out, no I/O.

detect -> validate -> extract -> hub controls -> pivot, for each document of the
flow (the flow itself, or each member of a lot), then one report for the sender.
The directory and the ledger's duplicate lookup are handed in through
`Context`; the outputs are returned as bytes for the runner to write. That is
what lets the same function run in one process, in a pool, or behind a broker.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from . import controls, detect, lots, pivot, status, status_reader
from .config import Config
from .controls import KnownInvoice
from .directory import Directory
from .extract import ExtractionError, extract
from .model import (
    Attachment,
    Finding,
    Flow,
    FlowStatus,
    Outcome,
    Output,
    Severity,
    Syntax,
    Verdict,
)
from .rulesets import RULES_VERSION
from .validate import Rules, check_document


@dataclass(frozen=True)
class Context:
    """Everything the pipeline may consult: configuration, directory, ledger lookup."""

    hub_id: str
    directory: Directory
    known_invoice: KnownInvoice
    rules: Rules
    lot_limits: lots.LotLimits
    check_sender: bool = True  # off for `facteur validate`, which has no sender

    @classmethod
    def from_config(cls, config: Config, known_invoice: KnownInvoice, check_sender: bool = True) -> "Context":
        return cls(
            hub_id=config.hub_id,
            directory=config.load_directory(),
            known_invoice=known_invoice,
            rules=Rules(config.schematron, config.french_ctc, config.limits.max_document_bytes),
            lot_limits=config.limits.lot,
            check_sender=check_sender,
        )


ORIGINAL_NAME_MAX = 50


def process(flow: Flow, ctx: Context) -> Outcome:
    kind = detect.sniff(flow.content)
    if kind not in LOT_KINDS:
        checked = check_document(flow.name, flow.content, ctx.rules)
        if checked.syntax is Syntax.STATUS:
            return _status_file(flow, checked.root, ctx)
        return _outcome(flow, ctx, [_verdict(flow, flow.name, flow.content, checked, ctx, set())], [])
    try:
        members = lots.unpack(flow.content, kind, ctx.lot_limits, flow.name)
    except lots.LotRefused as refused:
        return _outcome(flow, ctx, [], [refused.finding])
    seen: set = set()
    return _outcome(flow, ctx, [_lot_member(flow, m.name, m.content, ctx, seen) for m in members], [])


LOT_KINDS = (detect.Kind.ZIP, detect.Kind.GZIP, detect.Kind.TAR)


def _lot_member(flow: Flow, name: str, content: bytes, ctx: Context, seen: set) -> Verdict:
    if detect.sniff(content) in LOT_KINDS:
        finding = Finding(
            "FCT-LOT-NESTED", Severity.BLOCKING, f"{name} is a lot inside a lot; send lots of documents only", name, "lot"
        )
        return Verdict(name, Syntax.LOT, [finding])
    checked = check_document(name, content, ctx.rules)
    if checked.syntax is Syntax.STATUS:
        finding = Finding(
            "FCT-LOT-STATUS",
            Severity.BLOCKING,
            f"{name} is a status file; send status files on their own, not inside a lot of invoices",
            name,
            "lot",
        )
        return Verdict(name, Syntax.STATUS, [finding])
    return _verdict(flow, name, content, checked, ctx, seen)


def _verdict(flow: Flow, name: str, content: bytes, checked, ctx: Context, seen: set) -> Verdict:
    verdict = Verdict(name, checked.syntax, list(checked.findings))
    if checked.blocked:
        return verdict
    try:
        invoice = extract(checked.root, checked.syntax)
    except ExtractionError as err:
        verdict.findings.append(
            Finding("FCT-EXTRACT", Severity.BLOCKING, f"{name}: {err}", getattr(err, "location", ""), "extract")
        )
        return verdict
    hub_findings, routing = controls.check(
        invoice, ctx.directory, flow.sender if ctx.check_sender else None, ctx.known_invoice, seen
    )
    original = _original(name, content)
    verdict.findings += hub_findings
    verdict.findings += pivot.pivot_gaps(routing.invoice, original)
    verdict.findings += pivot.pivot_notes(routing.invoice)
    verdict.invoice = routing.invoice
    verdict.original = original
    verdict.recipient_mailbox = routing.mailbox
    verdict.service_name = routing.service_name
    if verdict.accepted:
        key = controls.duplicate_key(invoice)
        if key:
            seen.add(key)
    return verdict


def _original(name: str, content: bytes) -> Attachment:
    """The original document as the pivot attaches it (PJ type 01); its name is
    the file's base name, control and formatting characters replaced, shortened
    to the 50 characters the pivot allows."""
    base = posixpath.basename(name.replace("\\", "/")) or "facture.xml"
    base = "".join(c if c.isprintable() else "_" for c in base)  # newlines, bidi overrides: names from outside
    if len(base) > ORIGINAL_NAME_MAX:
        stem, dot, extension = base.rpartition(".")
        keep = ORIGINAL_NAME_MAX - len(extension) - 1 if dot and len(extension) < 10 else ORIGINAL_NAME_MAX
        base = (stem[:keep] + "." + extension) if dot and len(extension) < 10 else base[:ORIGINAL_NAME_MAX]
    return Attachment(name=base, mime_type="application/xml", content=content, kind="01")


def _status_file(flow: Flow, root, ctx: Context) -> Outcome:
    """A recipient's status file, read and checked against its schema here;
    the runner applies it to the ledger (`lifecycle.settle`), which only the
    single writer may do."""
    try:
        message = status_reader.read(root)
    except status_reader.StatusRefused as refused:
        outcome = Outcome(flow.id, flow.sender, FlowStatus.REJECTED, findings=refused.findings, rules_version=RULES_VERSION)
        outcome.outputs = _reports(flow, ctx, outcome)
        return outcome
    return Outcome(flow.id, flow.sender, FlowStatus.HELD, rules_version=RULES_VERSION, statuses=message)


def _outcome(flow: Flow, ctx: Context, verdicts: list[Verdict], flow_findings: list[Finding]) -> Outcome:
    accepted = [v for v in verdicts if v.accepted]
    if accepted and len(accepted) == len(verdicts) and not flow_findings:
        state = FlowStatus.INTEGRATED
    elif accepted:
        state = FlowStatus.PARTLY_INTEGRATED
    else:
        state = FlowStatus.REJECTED
    outcome = Outcome(flow.id, flow.sender, state, verdicts, flow_findings, rules_version=RULES_VERSION)
    for index, verdict in enumerate(verdicts, start=1):
        if verdict.accepted:
            outcome.outputs.append(_pivot_output(flow, ctx, verdict, index))
    outcome.outputs += _reports(flow, ctx, outcome)
    return outcome


def _pivot_output(flow: Flow, ctx: Context, verdict: Verdict, index: int) -> Output:
    content = pivot.pivot_xml(
        verdict.invoice,
        original=verdict.original,
        flow_id=flow.id,
        hub_id=ctx.hub_id,
        recipient_mailbox=verdict.recipient_mailbox,
        received_at=flow.received_at,
        service_name=verdict.service_name,
    )
    return Output(verdict.recipient_mailbox, pivot.pivot_name(flow.id, index), content, "pivot")


def _reports(flow: Flow, ctx: Context, outcome: Outcome) -> list[Output]:
    """The sender's acknowledgments: the flow-level status with one error line
    per blocking finding, and status 01 (deposited) for each accepted invoice."""
    errors = [(flow.name, f) for f in outcome.findings if f.blocking]
    errors += [(v.document, f) for v in outcome.verdicts for f in v.findings if f.blocking]
    accepted = [v for v in outcome.verdicts if v.accepted]
    comment = f"{len(accepted)} invoice(s) integrated out of {len(outcome.verdicts)} in {flow.name}" if outcome.verdicts else ""
    reports = [
        Output(
            flow.sender,
            status.flow_status_name(flow.id),
            status.flow_status_xml(
                flow_id=flow.id,
                code=outcome.status.value,
                hub_id=ctx.hub_id,
                recipient=flow.sender,
                produced_at=flow.received_at,
                errors=errors,
                comment=comment,
            ),
            "flow-status",
        )
    ]
    if accepted:
        entries = [status.InvoiceStatusEntry(v.invoice, "01") for v in accepted]
        reports.append(
            Output(
                flow.sender,
                status.invoice_status_name(flow.id),
                status.invoice_status_xml(
                    flow_id=flow.id, hub_id=ctx.hub_id, recipient=flow.sender, produced_at=flow.received_at, entries=entries
                ),
                "invoice-status",
            )
        )
    return reports
