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

from facteur.engine.errors import ExtractionError, LotRefused, Refusal, StatusRefused
from facteur.engine.extraction import extract
from facteur.engine.hub import controls
from facteur.engine.hub.annuaire import Annuaire
from facteur.engine.hub.controls import KnownInvoice
from facteur.engine.hub.directory import Directory
from facteur.engine.inputs import (
    attachments,
    bundles,
    detect,
    door,
    lots,
    recognise,
    status_reader,
)
from facteur.engine.inputs.bundles import Bundle
from facteur.engine.messages import DEFAULT, say, text
from facteur.engine.model import (
    Attachment,
    Finding,
    Flow,
    Outcome,
    Output,
    Severity,
    Syntax,
    Verdict,
)
from facteur.engine.outputs import pivot, status
from facteur.engine.statuses import FlowStatus
from facteur.engine.validation.rulesets import RULES_VERSION
from facteur.engine.validation.validate import Checked, Rules, check_document


@dataclass(frozen=True)
class Context:
    """Everything the pipeline may consult: configuration, directory, ledger lookup."""

    hub_id: str
    directory: Directory
    known_invoice: KnownInvoice
    rules: Rules
    lot_limits: lots.LotLimits
    recognition: recognise.Patterns  # label patterns for plain PDFs (mappings/recognition.toml)
    check_sender: bool = True  # off for `facteur validate`, which has no sender
    language: str = DEFAULT  # of the findings and the reports to senders ([ui] language)
    annuaire: Annuaire | None = None  # the national directory, in the ledger's database


ORIGINAL_NAME_MAX = 50


def process(flow: Flow, ctx: Context) -> Outcome:
    if flow.refused:
        return _outcome(flow, ctx, [], [door.finding(flow)])
    kind = detect.sniff(flow.content)
    if kind not in LOT_KINDS:
        checked = check_document(flow.name, flow.content, ctx.rules)
        if checked.syntax is Syntax.STATUS:
            return _status_file(flow, checked.root, ctx)
        return _outcome(flow, ctx, _verdicts(flow, Bundle(flow.name, flow.content), checked, ctx, set()), [])
    try:
        members = lots.unpack(flow.content, kind, ctx.lot_limits, flow.name)
    except LotRefused as refused:
        return _outcome(flow, ctx, [], [refused.finding])
    seen: set = set()
    verdicts = []
    for bundle in bundles.group(members):
        verdicts += _lot_member(flow, bundle, ctx, seen)
    return _outcome(flow, ctx, verdicts, [])


LOT_KINDS = (detect.Kind.ZIP, detect.Kind.GZIP, detect.Kind.TAR)
# A PDF beside minimal XML data: the Chorus Pro syntax of the mixed flow.
_MIXED = {Syntax.UBL: Syntax.UBL_MIN, Syntax.CII: Syntax.CII_MIN}


def _lot_member(flow: Flow, bundle: Bundle, ctx: Context, seen: set) -> list[Verdict]:
    name, content = bundle.name, bundle.content
    if detect.sniff(content) in LOT_KINDS:
        finding = Finding("FCT-LOT-NESTED", Severity.BLOCKING, say("lot-nested", document=name), name, "lot")
        return [Verdict(name, Syntax.LOT, [finding])]
    checked = check_document(name, content, ctx.rules)
    if checked.syntax is Syntax.STATUS:
        finding = Finding("FCT-LOT-STATUS", Severity.BLOCKING, say("lot-status-file", document=name), name, "lot")
        return [Verdict(name, Syntax.STATUS, [finding])]
    if bundle.pdf is not None:
        checked.syntax = _MIXED.get(checked.syntax, checked.syntax)
    return _verdicts(flow, bundle, checked, ctx, seen)


def _verdicts(flow: Flow, bundle: Bundle, checked, ctx: Context, seen: set) -> list[Verdict]:
    """One verdict per invoice the document carries: one, except for a
    proprietary file with several header records."""
    name = bundle.name
    if checked.blocked:
        return [_judged(name, checked)]
    if checked.syntax is Syntax.PDF:  # a plain PDF with its text: the recognition patterns judge it
        checked.ruleset = ctx.recognition.rule_set
    try:
        invoices = _invoices(name, bundle.content, checked, ctx)
    except ExtractionError as err:
        finding = Finding("FCT-EXTRACT", Severity.BLOCKING, say("extract-failed", document=name, reason=err.message,
                                                                location=err.location), err.location, "extract")
        return [_judged(name, checked, finding)]
    except Refusal as refused:
        return [_judged(name, checked, refused.finding)]
    if not invoices:
        finding = Finding("FCT-MAPPING-EMPTY", Severity.BLOCKING, say("mapping-empty", document=name, format=checked.detail),
                          layer="mapping")
        return [_judged(name, checked, finding)]
    verdicts = []
    for n, invoice in enumerate(invoices, 1):
        document = f"{name} #{n}" if len(invoices) > 1 else name
        if isinstance(invoice, Refusal):  # one invoice of a proprietary file that could not be read
            verdicts.append(_judged(document, checked, invoice.finding))
        else:
            verdicts.append(_verdict(flow, bundle, checked, invoice, ctx, seen, document))
    return verdicts


def _judged(document: str, checked: Checked, *more: Finding) -> Verdict:
    """A verdict on a document with what validation found, and the rule set that judged it."""
    ruleset = checked.ruleset
    return Verdict(
        document, checked.syntax, [*checked.findings, *more],
        rule_set=ruleset.id if ruleset else "", rule_set_version=ruleset.version if ruleset else "",
    )


def _verdict(flow: Flow, bundle: Bundle, checked, invoice, ctx: Context, seen: set, document: str) -> Verdict:
    verdict = _judged(document, checked)
    invoice.attachments += checked.attachments
    invoice.attachments += [attachments.supporting(m.name, m.content) for m in bundle.supporting]
    hub_findings, routing = controls.check(
        invoice, ctx.directory, flow.sender if ctx.check_sender else None, _held_elsewhere(ctx.known_invoice, flow), seen,
        ctx.annuaire, flow.directory_day or flow.received_at.date(),
    )
    original = _original(bundle.pdf.name, bundle.pdf.content) if bundle.pdf else _original(bundle.name, bundle.content)
    verdict.findings += hub_findings
    verdict.findings += attachments.check(invoice.attachments, original)
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


def _invoices(name: str, content: bytes, checked, ctx: Context) -> list:
    """The canonical invoices of a document: read from its XML data, recognised
    from a plain PDF's text, or read through a proprietary format's mapping."""
    if checked.syntax is Syntax.PDF:
        return [recognise.read(name, checked.text, ctx.recognition, checked.layout, ctx.directory.structures)]
    if checked.syntax is Syntax.PROPRIETARY:
        return checked.format.read(name, content, checked.root)
    return [extract(checked.root, checked.syntax)]


def _held_elsewhere(known_invoice: KnownInvoice, flow: Flow) -> KnownInvoice:
    """The ledger's lookup, blind to this flow's own claims: a flow that
    claimed its invoices, then crashed before its commit, comes back as the same
    flow and is no duplicate of itself."""

    def lookup(supplier: str, number: str, year: int) -> str | None:
        holder = known_invoice(supplier, number, year)
        return None if holder == flow.id else holder

    return lookup


def _original(name: str, content: bytes) -> Attachment:
    """The original document as the pivot attaches it (PJ type 01): the XML, or
    the PDF that is the invoice; its name is the file's base name, control and
    formatting characters replaced, shortened to the 50 characters the pivot allows."""
    base = posixpath.basename(name.replace("\\", "/")) or "facture.xml"
    base = "".join(c if c.isprintable() else "_" for c in base)  # newlines, bidi overrides: names from outside
    if len(base) > ORIGINAL_NAME_MAX:
        stem, dot, extension = base.rpartition(".")
        keep = ORIGINAL_NAME_MAX - len(extension) - 1 if dot and len(extension) < 10 else ORIGINAL_NAME_MAX
        base = (stem[:keep] + "." + extension) if dot and len(extension) < 10 else base[:ORIGINAL_NAME_MAX]
    mime_type = "application/pdf" if detect.sniff(content) is detect.Kind.PDF else "application/xml"
    return Attachment(name=base, mime_type=mime_type, content=content, kind="01")


def _status_file(flow: Flow, root, ctx: Context) -> Outcome:
    """A recipient's status file, read and checked against its schema here;
    the runner applies it to the ledger (`lifecycle.settle`), which only the
    single writer may do."""
    try:
        message = status_reader.read(root)
    except StatusRefused as refused:
        outcome = Outcome(flow.id, flow.sender, FlowStatus.REJECTED, findings=refused.findings, rules_version=RULES_VERSION)
        localise(outcome, ctx.language)
        outcome.outputs = _reports(flow, ctx, outcome)
        return outcome
    return Outcome(flow.id, flow.sender, FlowStatus.HELD, rules_version=RULES_VERSION, statuses=message)


PROCESSING_FAILED = "FCT-TRAITEMENT-ECHEC"


def failed(flow: Flow, ctx: Context, attempts: int, cause: str) -> Outcome:
    """The outcome of a flow that could not be processed at all (the pipeline
    raised, or the process running it alone died, on every attempt): rejected,
    with a finding that says so, and reported to its sender like any rejection,
    so that the flow ends instead of waiting in a quarantine nobody reads. Its
    original stays archived, for `facteur replay` once the cause is fixed."""
    finding = Finding(
        PROCESSING_FAILED, Severity.BLOCKING,
        say("processing-failed", name=flow.name, flow=flow.id, attempts=attempts, cause=cause), layer="engine",
    )
    return _outcome(flow, ctx, [], [finding])


def _outcome(flow: Flow, ctx: Context, verdicts: list[Verdict], flow_findings: list[Finding]) -> Outcome:
    accepted = [v for v in verdicts if v.accepted]
    if accepted and len(accepted) == len(verdicts) and not flow_findings:
        state = FlowStatus.INTEGRATED
    elif accepted:
        state = FlowStatus.PARTLY_INTEGRATED
    else:
        state = FlowStatus.REJECTED
    outcome = Outcome(flow.id, flow.sender, state, verdicts, flow_findings, rules_version=RULES_VERSION)
    localise(outcome, ctx.language)
    for index, verdict in enumerate(verdicts, start=1):
        if verdict.accepted:
            outcome.outputs.append(_pivot_output(flow, ctx, verdict, index))
    outcome.outputs += _reports(flow, ctx, outcome)
    return outcome


def localise(outcome: Outcome, lang: str) -> None:
    """The findings of `outcome` with their messages in `lang` (they are made in French)."""
    outcome.findings = [finding.in_language(lang) for finding in outcome.findings]
    for verdict in outcome.verdicts:
        verdict.findings = [finding.in_language(lang) for finding in verdict.findings]


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
    comment = text("report-comment", ctx.language, n=len(accepted), total=len(outcome.verdicts),
                   name=flow.name) if outcome.verdicts else ""
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
                lang=ctx.language,
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
