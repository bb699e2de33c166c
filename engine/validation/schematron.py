"""The business-rule layer: the official schematrons, compiled to XSLT 2.0 and
run in-process with Saxon (saxonche), each stylesheet compiled once per process.

With `[validation] rules = "fast"` (the default), three adjustments are made to
the stylesheets as they are loaded, none of which changes what a rule decides:
- each pattern selects its rules' contexts instead of walking the whole
  document, and code lists are looked up in maps instead of scanned as strings
  (`validation/rewrite.py`);
- the SVRL bookkeeping (`svrl:fired-rule`, `svrl:active-pattern`) is dropped:
  facteur reads only failed asserts and successful reports, and building then
  serialising the rest was half the cost of a run;
- the Factur-X code-list file that rules read with `document()`, where a rule
  still reads it once the code lists are maps, is parsed once and passed as a
  parameter, instead of being re-read for every document.

Each failed assert carries the values its rule compared, read in the
document at the rule's location by following the rule's test
(`validation/values.py`), and that location as a person reads it
(`/Invoice/cac:LegalMonetaryTotal`, not the stylesheet's namespace-qualified
steps); a code-list rule's finding says which code is not in which list.

Validation fails closed: a stylesheet that cannot be compiled or raises while
running (the official XSLT does on some documents) is a blocking finding.
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
from functools import lru_cache
from pathlib import Path

from lxml import etree

from facteur.engine import preparing, terms
from facteur.engine.errors import RulesUnavailable
from facteur.engine.messages import Message, say
from facteur.engine.model import Finding, Severity, Value
from facteur.engine.validation import rewrite, values

SVRL = "http://purl.oclc.org/dsdl/svrl"
XSL = "http://www.w3.org/1999/XSL/Transform"
_CODEDB_PARAM = "facteur-codedb"
_RULE_ID = re.compile(r"^\s*\[([A-Za-z0-9_.-]+)\]")
# A Factur-X code-list assert: "Value of '@mimeCode' is not allowed."
_POSITION = re.compile(r"\[\d+\]$")
_CODE_LIST = re.compile(r"^Value of '([^']+)' is not allowed")
_local = threading.local()


def _processor():
    """One Saxon processor per thread: saxonche objects are not shared."""
    proc = getattr(_local, "processor", None)
    if proc is None:
        from saxonche import PySaxonProcessor

        proc = _local.processor = PySaxonProcessor(license=False)
    return proc


@lru_cache(maxsize=None)  # text, which every thread may compile
def _slim(xslt: Path, codedb: Path | None) -> tuple[str, bool]:
    """The stylesheet's text as the module says, and whether it still reads
    the code database (once its code lists are maps, the shipped Factur-X
    stylesheets no longer do, and the database need not be parsed)."""
    tree = etree.parse(str(xslt), etree.XMLParser(no_network=True, resolve_entities=False))
    rewrite.direct(tree.getroot())
    rewrite.code_lists(tree.getroot(), codedb)
    for element in list(tree.iter(f"{{{SVRL}}}fired-rule", f"{{{SVRL}}}active-pattern")):
        element.getparent().remove(element)
    reads = codedb is not None and _reads(tree.getroot(), f"document('{codedb.name}')")
    if reads:
        param = etree.Element(f"{{{XSL}}}param", name=_CODEDB_PARAM, **{"as": "document-node()"})
        tree.getroot().insert(0, param)
    text = etree.tostring(tree, encoding="unicode")
    if codedb is not None:  # the reports' copies of the tests say it as before
        text = text.replace(f"document('{codedb.name}')", f"${_CODEDB_PARAM}")
    return text, reads


def _reads(stylesheet: etree._Element, expression: str) -> bool:
    """Whether an instruction of the stylesheet evaluates `expression` (the
    reports' literal copies of the tests do not count)."""
    return any(expression in value for element in stylesheet.iter(f"{{{XSL}}}*") for value in element.attrib.values())


def compiled(xslt: Path, codedb: Path | None, rules: str = "fast"):
    """The schematron, compiled once per thread (`facteur doctor` compiles every
    one up front): an executable belongs to the Saxon processor of the thread
    that compiled it, and fails when run with another thread's (the console
    serves requests from several threads). `rules` is "fast" (adjusted as the
    module says) or "reference" (as shipped)."""
    cache = _local.__dict__.setdefault("compiled", {})
    if (xslt, codedb, rules) not in cache:
        with preparing.once():
            cache[xslt, codedb, rules] = _compile(xslt, codedb, rules)
    return cache[xslt, codedb, rules]


def _compile(xslt: Path, codedb: Path | None, rules: str):
    proc = _processor()
    compiler = proc.new_xslt30_processor()
    compiler.set_cwd(str(xslt.parent))
    try:
        if rules == "reference":
            return compiler.compile_stylesheet(stylesheet_file=str(xslt))
        text, reads_codedb = _slim(xslt, codedb)
        executable = compiler.compile_stylesheet(stylesheet_text=text)
        if reads_codedb:
            executable.set_parameter(_CODEDB_PARAM, proc.parse_xml(xml_file_name=str(codedb)))
    except Exception as err:  # saxonche raises its own PySaxonApiError, or lxml errors
        raise RulesUnavailable(f"the rule set {xslt.name} could not be compiled: {err}") from err
    return executable


def run(root: etree._Element, xslt: Path, codedb: Path | None = None, rules: str = "fast") -> list[Finding]:
    """Run one schematron on a parsed document and return its findings."""
    try:
        executable = compiled(xslt, codedb, rules)
        node = _saxon_document(root)
        with _native_stderr_silenced():
            report = executable.transform_to_string(xdm_node=node)
    except Exception as err:
        return [_failed_closed(xslt, err)]
    if not report:
        return [_failed_closed(xslt, RulesUnavailable("the stylesheet produced no report"))]
    return _findings(etree.fromstring(report.encode("utf-8")), xslt, root)


def _saxon_document(root: etree._Element):
    """The document as Saxon holds it, made once for the rule sets that judge
    it in turn (EN 16931, then the French CTC rules): lxml's tree serialised
    and parsed again costs as much as a small rule set. The last one is kept
    per thread, with its lxml root, so the identity cannot be another's."""
    last = getattr(_local, "document", None)
    if last is not None and last[0] is root:
        return last[1]
    builder = getattr(_local, "builder", None)
    if builder is None:
        builder = _local.builder = _processor().new_document_builder()
    node = builder.parse_xml(xml_text=etree.tostring(root, encoding="unicode"))
    _local.document = (root, node)
    return node


@contextlib.contextmanager
def _native_stderr_silenced():
    """Saxon's native code prints a dynamic error's stack to file descriptor 2
    before raising it; the error itself reaches us as the exception (and becomes
    a finding), so the dump is kept out of the structured logs on stderr."""
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def _failed_closed(xslt: Path, err: Exception) -> Finding:
    detail = " ".join(str(err).split())[:500]
    return Finding("FCT-RULES-ERROR", Severity.BLOCKING, say("rules-error", rules=xslt.name, detail=detail),
                   layer="schematron")


def _findings(svrl: etree._Element, xslt: Path, root: etree._Element) -> list[Finding]:
    namespaces = {ns.get("prefix"): ns.get("uri") for ns in svrl.iter(f"{{{SVRL}}}ns-prefix-in-attribute-values")}
    reader = values.Reader(root, namespaces)
    findings = []
    for item in svrl.iter(f"{{{SVRL}}}failed-assert", f"{{{SVRL}}}successful-report"):
        text = " ".join("".join(item.itertext()).split())
        flag = item.get("flag", "")
        is_assert = item.tag.endswith("failed-assert")
        blocking = flag in ("fatal", "error") or (is_assert and not flag)
        code = item.get("id") or _code_from_text(text) or ("SCHEMATRON" if is_assert else "SCHEMATRON-REPORT")
        message, location = _strip_code(text), item.get("location", "")
        code_list = _CODE_LIST.match(message)
        test = code_list.group(1) if code_list else item.get("test", "")
        context = reader.context(location)
        read = () if context is None else reader.read(context, test)
        if code_list and context is not None and not read:  # the rule's context is the coded element itself
            read = reader.read(context, ".")
        if read and (code_list or code.startswith("BR-CL-")):
            message = _not_in_list(read[0], code_list.group(1) if code_list else "")
        findings.append(
            Finding(
                code,
                Severity.BLOCKING if blocking else Severity.WARNING,
                message,
                location if context is None else reader.where(context),
                layer="schematron",
                values=read,
            )
        )
    return findings


def _not_in_list(value: Value, field: str) -> Message:
    """A code-list finding in words: the code, the field it is in (an
    attribute with its element, `cbc:EndpointID/@schemeID`), the list it is not in."""
    steps = value.location.rsplit("/", 2)
    field = field or steps[-1]
    if field.startswith("@") and len(steps) == 3:
        field = f"{_POSITION.sub('', steps[-2])}/{field}"
    shown = f"{field} ({value.term})" if value.term.startswith("BT-") else field
    listed = terms.list_key(field)
    if listed:
        return say("codelist-value", value=value.value, field=shown, list=say(listed))
    return say("codelist-value-unnamed", value=value.value, field=shown)


def _code_from_text(text: str) -> str:
    match = _RULE_ID.match(text)
    return match.group(1) if match else ""


def _strip_code(text: str) -> str:
    return re.sub(r"^\s*\[[^\]]+\]\s*-?\s*", "", text)
