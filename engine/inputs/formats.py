"""The XML invoice formats facteur reads, each registered here once.

A format says how it is recognised (the root elements of its documents), how it
is read into the canonical `Invoice` (`read`), and which rule set judges a
document of it (`rules`: the XSD and schematron, whose id and version every
verdict records). Detection (`detect.classify`), validation (`validate`) and
extraction (`extraction.extract`) look formats up here and name none of them:
a new XML format is one more entry in `FORMATS`, with its reader and its rules.

The other kinds of input answer the same three questions, each in one place:

- a Factur-X / ZUGFeRD PDF is a container: its embedded data is one of the
  formats here, recognised, read and judged as such (`validate._check_pdf`),
  and the container itself, around CII data, by the Factur-X / PDF/A-3 rules
  of `validation/container.py` (rule set `rulesets.CONTAINER`);
- a plain PDF (no embedded data) is recognised by having none, read from its
  text with the label patterns of mappings/recognition.toml (`recognise.read`)
  and judged by those patterns, then the hub controls: `recognise.Patterns`
  carries its rule set (`recognise.RULE_SET`, versioned by the patterns);
- each proprietary format is one file of mappings/formats/: `mappings.Format`
  says how it is recognised (`recognises`), read (`read`), and is the rule set
  its invoices record (`rule_set`: the mapping's id and version).

Those two are data the operator keeps, loaded by the configuration adapter and
handed to the pipeline (`Context.recognition`, `Rules.formats`), not entries of
`FORMATS`; a lot (`lots`) is no format, only documents that each are one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree

from facteur.engine.extraction import cii, ubl, zugferd1
from facteur.engine.messages import say
from facteur.engine.model import Finding, Invoice, Severity, Syntax
from facteur.engine.validation import rulesets
from facteur.engine.validation.rulesets import RuleSet


@dataclass(frozen=True)
class Choice:
    """The rule set chosen for one document, and what choosing it noticed."""

    ruleset: RuleSet | None  # None: no rule set fits, `findings` say why
    findings: tuple[Finding, ...] = ()
    detail: str = ""  # added to what detection saw (the profile judged)


@dataclass(frozen=True)
class InputFormat:
    """One XML invoice format.

    `rules(root, where)` chooses the rule set (`where` names the document in
    messages); `review`, when given, adjusts each business-rule finding of that
    rule set. A format with `only_inside` set is not accepted as a file of its
    own, only as the data of a PDF; the text says what it is, for the refusal.
    """

    id: str
    name: str  # for messages
    roots: frozenset[str]  # root element tags, in Clark notation
    syntax: Syntax  # the Chorus Pro syntax of a flow that is one such document
    read: Callable[[etree._Element, Syntax], Invoice]
    rules: Callable[[etree._Element, str], Choice]
    review: Callable[[Finding, RuleSet], Finding] | None = None
    only_inside: str = ""


def of(root: etree._Element) -> InputFormat | None:
    """The registered format of a parsed document, by its root element."""
    tag = root.tag if isinstance(root.tag, str) else ""
    return next((fmt for fmt in FORMATS.values() if tag in fmt.roots), None)


def names() -> str:
    """The formats facteur reads, for messages."""
    return "; ".join(fmt.name for fmt in FORMATS.values())


def _ubl_rules(root: etree._Element, where: str) -> Choice:
    return Choice(rulesets.for_document(Syntax.UBL, root))


def _cii_rules(root: etree._Element, where: str) -> Choice:
    """CII is judged at the profile it declares (BT-24), EN 16931 when it names none facteur knows."""
    level, recognised = rulesets.cii_level(root)
    notes = () if recognised else (
        Finding(
            "FCT-PROFILE-UNKNOWN",
            Severity.WARNING,
            say("format-profile-unknown"),
            "BT-24",
            layer="detect",
        ),
    )
    return Choice(rulesets.for_document(Syntax.CII, root, level), notes, f" ({level})")


_PREDICATE = re.compile(r"\[[^\]]*\]")


def _specification_note(finding: Finding, ruleset: RuleSet) -> Finding:
    """The Factur-X schematrons check the value of BT-24 against their profile's
    own identifiers. facteur judges a CII document that declares another
    specification (an EN 16931 CIUS such as XRechnung, an extension, ZUGFeRD 1
    COMFORT) at the nearest Factur-X level (`rulesets.cii_level`), so for it that
    one check only says what the document declared: a warning, not a rejection.
    EN 16931 itself (BR-01) requires BT-24 to be present, not to take a value."""
    steps = [step.rpartition(":")[2] for step in _PREDICATE.sub("", finding.location).split("/")]
    if not finding.blocking or steps[-2:] != ["GuidelineSpecifiedDocumentContextParameter", "ID"]:
        return finding
    return Finding(
        finding.code,
        Severity.WARNING,
        say("format-specification-note", rule=finding.said or finding.message, rules=ruleset.name),
        finding.location,
        finding.layer,
        finding.values,
    )


def _zugferd1_rules(root: etree._Element, where: str) -> Choice:
    """ZUGFeRD 1.0: its schema, at a profile it declares; it has no business rules to run."""
    level = rulesets.zugferd1_level(root)
    if level is None:
        refusal = Finding(
            "FCT-PROFILE-UNKNOWN",
            Severity.BLOCKING,
            say("format-zugferd1-no-profile", document=where),
            layer="detect",
        )
        return Choice(None, (refusal,))
    ruleset = rulesets.for_zugferd1(level)
    note = Finding(
        "FCT-RULES-ZUGFERD1",
        Severity.WARNING,
        say("format-zugferd1-schema-only", document=where),
        layer="schematron",
    )
    return Choice(ruleset, (note,), f" ({ruleset.name})")


_UBL = "urn:oasis:names:specification:ubl:schema:xsd:"
_CII = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
_ZUGFERD1 = "urn:ferd:CrossIndustryDocument:invoice:1p0"

# Each: id, name, roots, syntax, reader, rules (then, by name, what only some have).
UBL = InputFormat("ubl", "a UBL 2.1 Invoice or CreditNote",
                  frozenset({f"{{{_UBL}Invoice-2}}Invoice", f"{{{_UBL}CreditNote-2}}CreditNote"}),
                  Syntax.UBL, ubl.read, _ubl_rules)
CII = InputFormat("cii", "a CII CrossIndustryInvoice", frozenset({f"{{{_CII}}}CrossIndustryInvoice"}),
                  Syntax.CII, cii.read, _cii_rules, review=_specification_note)
ZUGFERD1 = InputFormat("zugferd1", "a ZUGFeRD 1.0 CrossIndustryDocument",
                       frozenset({f"{{{_ZUGFERD1}}}CrossIndustryDocument"}), Syntax.FACTURX, zugferd1.read,
                       _zugferd1_rules,
                       only_inside="a ZUGFeRD 1.0 CrossIndustryDocument (superseded by Factur-X / ZUGFeRD 2)")

# The registry, by id.
FORMATS: dict[str, InputFormat] = {fmt.id: fmt for fmt in (UBL, CII, ZUGFERD1)}
