"""Validation of one document, in the layers of the design: safe parsing, then
the official XSD, then the EN 16931 business rules (and, when configured, the
French CTC rules). Hub controls come later (`controls.py`), once the data has
been extracted.

Layers stop at the first one that blocks: a document that is not valid against
its schema is not fed to the schematron, whose rules assume the structure.

A PDF is first opened safely (`pdf.py`); when it embeds invoice data
(`embedded.py`: by its standard name or by its content), that XML goes through
the same layers at the level of the profile it declares, and the flow's syntax
is IN_DP_E2_CII_FACTURX. CII data makes it a Factur-X / ZUGFeRD 2 PDF, whose
container is judged too (`container.py`: file name, AFRelationship, /AF, XMP,
PDF/A-3), its verdict recording both rule sets.

Which rule set judges a document is its format's choice (`inputs.formats`); the
chosen rule set is kept with the result, for the verdict to record.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from lxml import etree

from facteur.engine.errors import PdfRefused, UnsafeXml
from facteur.engine.inputs import detect, embedded, formats, pdf
from facteur.engine.inputs.layout import EMPTY, Layout
from facteur.engine.inputs.mappings import Format
from facteur.engine.inputs.parse import parse_xml
from facteur.engine.messages import Message, say
from facteur.engine.model import Attachment, Finding, Severity, Syntax
from facteur.engine.validation import container, rulesets, schematron, xsd


@dataclass(frozen=True)
class Rules:
    """Which layers run (from the configuration)."""

    schematron: bool = True
    french_ctc: bool = False
    max_document_bytes: int = 20_000_000
    max_pdf_seconds: float = 1.0
    formats: tuple[Format, ...] = ()  # proprietary formats (mappings/formats/)
    runner: str = "fast"  # "fast" or "reference" (the stylesheets as shipped): `schematron.py`


@dataclass
class Checked:
    syntax: Syntax
    root: etree._Element | None = None
    findings: list[Finding] = field(default_factory=list)
    detail: str | Message = ""  # a message when it says why a document is of no known kind
    attachments: list[Attachment] = field(default_factory=list)  # embedded in a PDF beside its data
    text: str = ""  # of a plain PDF, for recognition
    layout: Layout = EMPTY  # its positioned text, for recognition
    format: Format | None = None  # of a proprietary file
    # What judges it: its format's official rule set, the mapping of a proprietary
    # file, the patterns of a plain PDF (`pipeline`, which holds them); None
    # when it was refused before one was chosen.
    ruleset: rulesets.RuleSet | rulesets.Declared | None = None

    @property
    def blocked(self) -> bool:
        return any(f.blocking for f in self.findings)


def _blocking(code: str, message: Message, layer: str) -> Finding:
    return Finding(code, Severity.BLOCKING, message, layer=layer)


def check_document(name: str, content: bytes, rules: Rules) -> Checked:
    """Detect and validate one document (not a lot)."""
    kind = detect.sniff(content)
    if kind is detect.Kind.EMPTY:
        return Checked(Syntax.UNKNOWN, findings=[_blocking("FCT-EMPTY", say("detect-empty", name=name), "detect")])
    if kind is detect.Kind.PDF:
        return _check_pdf(name, content, rules)
    if kind is not detect.Kind.XML:
        return _proprietary(content, None, rules) or Checked(
            Syntax.UNKNOWN, findings=[_unknown(name, say("detect-not-xml", kind=kind.value))]
        )
    try:
        root = parse_xml(content, name, rules.max_document_bytes)
    except UnsafeXml as refused:
        return Checked(Syntax.UNKNOWN, findings=[refused.finding])
    syntax, detail = detect.classify(root)
    if syntax is Syntax.UNKNOWN:
        return _proprietary(content, root, rules) or Checked(syntax, root, [_unknown(name, detail)], detail)
    if syntax is Syntax.STATUS:
        return Checked(syntax, root, [], detail)
    return _judge(Checked(syntax, root, [], detail), rules, formats.of(root), name)


def _proprietary(content: bytes, root: etree._Element | None, rules: Rules) -> Checked | None:
    """A file of one of the proprietary formats the mappings describe, or None.
    It has no schema: its mapping says how to read it, and is the rule set
    recorded for it; what it yields is judged by the hub controls and the
    pivot's own checks."""
    for fmt in rules.formats:
        if fmt.recognises(content, root):
            return Checked(Syntax.PROPRIETARY, root, [], f"{fmt.name} ({fmt.source})", format=fmt,
                           ruleset=fmt.rule_set)
    return None


def _check_pdf(name: str, content: bytes, rules: Rules) -> Checked:
    """A PDF: its embedded invoice data (found by its name or its content)
    judged at its profile's level; without data, a plain PDF read from its text.
    Reading it, its positioned text included, takes `max_pdf_seconds` at most."""
    started = time.monotonic()
    try:
        contents = pdf.read(content, name, rules.max_pdf_seconds, finds_data=embedded.data_file)
    except PdfRefused as refused:
        return Checked(Syntax.PDF, findings=[refused.finding])
    data = embedded.data_file(contents.files)
    if data is None:
        left = rules.max_pdf_seconds - (time.monotonic() - started)
        return _plain_pdf(name, contents, _positioned(name, content, contents, left))
    where = f"{data.name} embedded in {name}"
    try:
        root = parse_xml(data.content, where, rules.max_document_bytes)
    except UnsafeXml as refused:
        return Checked(Syntax.FACTURX, findings=[refused.finding])
    detail = detect.classify(root)[1]
    checked = Checked(Syntax.FACTURX, root, [], f"PDF with {data.name}: {detail}")
    checked.attachments = embedded.supporting(contents.files, data)
    fmt = formats.of(root)
    if fmt is None:
        checked.findings.append(
            _blocking(
                "FCT-FACTURX-DATA-UNKNOWN",
                say("detect-facturx-data-unknown", document=where, detail=detail),
                "detect",
            )
        )
        return checked
    if fmt is formats.CII:
        return _facturx(checked, rules, name, contents, data, where)
    if fmt is formats.ZUGFERD1:
        checked.findings += _zugferd1_xmp(name, contents.xmp, root)
    return _judge(checked, rules, fmt, where)


def _facturx(checked: Checked, rules: Rules, name: str, contents: pdf.PdfContents, data: pdf.EmbeddedFile,
             where: str) -> Checked:
    """CII in a PDF is Factur-X / ZUGFeRD 2: the container judged by its rules
    (`container`), the data by its profile's rule set, and the verdict records
    both. The PDF and its XML are separate objects, neither's rules assuming
    the other's, so both are judged and reported at once; only a profile
    facteur does not know stops it, as there is no rule set to judge the data by."""
    profile = container.profile_of(checked.root)
    refusal = [] if profile else [container.unknown_profile(name, data, checked.root)]
    checked.findings += [*refusal, *container.check(name, contents, data, profile)]
    if profile is None:
        checked.ruleset = rulesets.CONTAINER
        return checked
    _judge(checked, rules, formats.CII, where)
    checked.ruleset = rulesets.Combined(rulesets.CONTAINER, checked.ruleset)
    return checked


def _zugferd1_xmp(name: str, xmp: bytes, root: etree._Element) -> list[Finding]:
    """A warning when a ZUGFeRD 1.0 PDF's XMP metadata declares no profile, or
    another one than its XML: the XML's own declaration is what it is judged by.
    (ZUGFeRD 1.0 predates the Factur-X container rules, `container`.)"""
    declared = embedded.xmp_level(xmp)
    data_level = rulesets.zugferd1_level(root)
    if data_level is None or (declared is not None and declared.lower() == data_level):
        return []  # a ZUGFeRD 1.0 profile that is not one is reported by the profile check
    if declared is None:
        message = say("detect-zugferd1-xmp-absent", name=name, level=data_level.upper())
    else:
        message = say("detect-xmp-mismatch", name=name, declared=declared, level=data_level.upper())
    return [Finding("FCT-FACTURX-XMP", Severity.WARNING, message, "XMP ConformanceLevel", "detect")]


def _positioned(name: str, content: bytes, contents: pdf.PdfContents, seconds: float) -> Layout:
    """The positioned text of a plain PDF that has text, read within the
    `seconds` its reading has left: it helps recognition (blocks,
    confidences), which reads the text alone when it cannot be had. (With a
    time of its own, a page flooded with text took the limit twice.)"""
    if not contents.text.strip() or seconds <= 0:
        return EMPTY
    try:
        return pdf.layout_of(content, name, seconds)
    except PdfRefused:
        return EMPTY


def _plain_pdf(name: str, contents: pdf.PdfContents, layout: Layout) -> Checked:
    """A PDF without invoice data: its header and footer are recognised from its
    text and its positioned text, which a scan without a text layer does not
    have. An XML it embeds that is no invoice is named, so that a sender who
    meant it as the data learns what facteur saw."""
    checked = Checked(Syntax.PDF, detail="plain PDF", text=contents.text, layout=layout)
    checked.attachments = embedded.supporting(contents.files, None)
    others = embedded.not_invoices(contents.files)
    if not contents.text.strip():
        named = [say("detect-pdf-attached-xml", file=f.name, what=what) for f, what in others]
        message = say("detect-pdf-no-text-xml", name=name, attached=named) if named else say("detect-pdf-no-text", name=name)
        checked.findings.append(_blocking("FCT-PDF-NO-TEXT", message, "detect"))
        return checked
    for f, what in others:
        message = say("detect-pdf-xml-not-invoice", name=name, file=f.name, what=what)
        checked.findings.append(Finding("FCT-PDF-XML-NOT-INVOICE", Severity.WARNING, message, f.name, "detect"))
    return checked


def _unknown(name: str, seen: str | Message) -> Finding:
    return _blocking(
        "FCT-FORMAT-UNKNOWN",
        say("detect-format-unknown", name=name, seen=seen),
        "detect",
    )


def _judge(checked: Checked, rules: Rules, fmt: formats.InputFormat, where: str) -> Checked:
    """The rule set the document's format chooses: its XSD, then, when the XSD
    passes, its business rules (and the French CTC rules when configured)."""
    root = checked.root
    choice = fmt.rules(root, where)
    checked.detail += choice.detail
    checked.findings += choice.findings
    ruleset = checked.ruleset = choice.ruleset
    if ruleset is None:
        return checked
    checked.findings += xsd.check(root, ruleset.xsd)
    if checked.blocked or not rules.schematron or ruleset.schematron is None:
        return checked
    findings = schematron.run(root, ruleset.schematron, ruleset.codedb, rules.runner)
    if fmt.review is not None:
        findings = [fmt.review(f, ruleset) for f in findings]
    checked.findings += findings
    if rules.french_ctc and ruleset.french_ctc is not None:
        checked.findings += schematron.run(root, ruleset.french_ctc, rules=rules.runner)
    return checked
