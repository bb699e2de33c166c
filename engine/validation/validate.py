"""Validation of one document, in the layers of the design: safe parsing, then
the official XSD, then the EN 16931 business rules (and, when configured, the
French CTC rules). Hub controls come later (`controls.py`), once the data has
been extracted.

Layers stop at the first one that blocks: a document that is not valid against
its schema is not fed to the schematron, whose rules assume the structure.

A PDF is first opened safely (`pdf.py`); when it embeds Factur-X / ZUGFeRD data
(`embedded.py`), that XML goes through the same layers at the level of the
profile it declares, and the flow's syntax is IN_DP_E2_CII_FACTURX.

Which rule set judges a document is its format's choice (`inputs.formats`); the
chosen rule set is kept with the result, for the verdict to record.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from facteur.engine.errors import PdfRefused, UnsafeXml
from facteur.engine.inputs import detect, embedded, formats, pdf
from facteur.engine.inputs.mappings import Format
from facteur.engine.inputs.parse import parse_xml
from facteur.engine.messages import Message, say
from facteur.engine.model import Attachment, Finding, Severity, Syntax
from facteur.engine.validation import rulesets, schematron, xsd


@dataclass(frozen=True)
class Rules:
    """Which layers run (from the configuration)."""

    schematron: bool = True
    french_ctc: bool = False
    max_document_bytes: int = 20_000_000
    max_pdf_seconds: float = 1.0
    formats: tuple[Format, ...] = ()  # proprietary formats (mappings/formats/)


@dataclass
class Checked:
    syntax: Syntax
    root: etree._Element | None = None
    findings: list[Finding] = field(default_factory=list)
    detail: str | Message = ""  # a message when it says why a document is of no known kind
    attachments: list[Attachment] = field(default_factory=list)  # embedded in a PDF beside its data
    text: str = ""  # of a plain PDF, for recognition
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
    """A PDF: its embedded Factur-X / ZUGFeRD data judged at its profile's level."""
    try:
        contents = pdf.read(content, name, rules.max_pdf_seconds)
    except PdfRefused as refused:
        return Checked(Syntax.PDF, findings=[refused.finding])
    data = embedded.data_file(contents.files)
    if data is None:
        return _plain_pdf(name, contents)
    where = f"{data.name} embedded in {name}"
    try:
        root = parse_xml(data.content, where, rules.max_document_bytes)
    except UnsafeXml as refused:
        return Checked(Syntax.FACTURX, findings=[refused.finding])
    detail = detect.classify(root)[1]
    checked = Checked(Syntax.FACTURX, root, [], f"PDF with {data.name}: {detail}")
    checked.attachments = embedded.supporting(contents.files, data)
    checked.findings += _xmp_findings(name, contents.xmp, root)
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
    return _judge(checked, rules, fmt, where)


def _xmp_findings(name: str, xmp: bytes, root: etree._Element) -> list[Finding]:
    """A warning when the PDF's XMP metadata declares no profile, or another one
    than its XML (BT-24): the XML's own declaration is what it is judged by."""
    declared = embedded.xmp_level(xmp)
    fmt = formats.of(root)
    if fmt is formats.ZUGFERD1:
        data_level, expected = rulesets.zugferd1_level(root), declared and declared.lower()
    elif fmt is formats.CII:
        data_level, expected = rulesets.cii_level(root)[0], embedded.XMP_LEVELS.get(declared or "")
    else:
        return []
    if data_level is None:
        return []  # a ZUGFeRD 1.0 profile that is not one: reported by the profile check
    if declared is None:
        message = say("detect-xmp-no-level", name=name)
    elif expected != data_level:
        message = say("detect-xmp-mismatch", name=name, declared=declared, level=data_level)
    else:
        return []
    return [Finding("FCT-FACTURX-XMP", Severity.WARNING, message, "XMP ConformanceLevel", "detect")]


def _plain_pdf(name: str, contents: pdf.PdfContents) -> Checked:
    """A PDF without data: its header and footer are recognised from its text,
    which a scan without a text layer does not have."""
    checked = Checked(Syntax.PDF, detail="plain PDF", text=contents.text)
    checked.attachments = embedded.supporting(contents.files, None)
    if not contents.text.strip():
        checked.findings.append(
            _blocking(
                "FCT-PDF-NO-TEXT",
                say("detect-pdf-no-text", name=name),
                "detect",
            )
        )
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
    findings = schematron.run(root, ruleset.schematron, ruleset.codedb)
    if fmt.review is not None:
        findings = [fmt.review(f, ruleset) for f in findings]
    checked.findings += findings
    if rules.french_ctc and ruleset.french_ctc is not None:
        checked.findings += schematron.run(root, ruleset.french_ctc)
    return checked
