"""The business-rule layer: the official schematrons, compiled to XSLT 2.0 and
run in-process with Saxon (saxonche), each stylesheet compiled once per process.

Two adjustments are made to the stylesheets as they are loaded, neither of which
changes what a rule decides:
- the SVRL bookkeeping (`svrl:fired-rule`, `svrl:active-pattern`) is dropped:
  facteur reads only failed asserts and successful reports, and building then
  serialising the rest was half the cost of a run;
- the Factur-X code-list file that rules read with `document()` is parsed once
  and passed as a parameter, instead of being re-read for every document.

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

from facteur.engine.errors import RulesUnavailable
from facteur.engine.model import Finding, Severity

SVRL = "http://purl.oclc.org/dsdl/svrl"
XSL = "http://www.w3.org/1999/XSL/Transform"
_CODEDB_PARAM = "facteur-codedb"
_RULE_ID = re.compile(r"^\s*\[([A-Za-z0-9_.-]+)\]")
_local = threading.local()


def _processor():
    """One Saxon processor per thread: saxonche objects are not shared."""
    proc = getattr(_local, "processor", None)
    if proc is None:
        from saxonche import PySaxonProcessor

        proc = _local.processor = PySaxonProcessor(license=False)
    return proc


@lru_cache(maxsize=None)  # text, which every thread may compile
def _slim(xslt: Path, codedb: Path | None) -> str:
    tree = etree.parse(str(xslt), etree.XMLParser(no_network=True, resolve_entities=False))
    for element in list(tree.iter(f"{{{SVRL}}}fired-rule", f"{{{SVRL}}}active-pattern")):
        element.getparent().remove(element)
    if codedb is not None:
        param = etree.Element(f"{{{XSL}}}param", name=_CODEDB_PARAM, **{"as": "document-node()"})
        tree.getroot().insert(0, param)
    text = etree.tostring(tree, encoding="unicode")
    if codedb is not None:
        text = text.replace(f"document('{codedb.name}')", f"${_CODEDB_PARAM}")
    return text


def compiled(xslt: Path, codedb: Path | None):
    """The schematron, compiled once per process and thread (`facteur doctor` compiles every one up front):
    an executable belongs to the processor of the thread that compiled it, and fails in any other
    ("Externally supplied NodeInfo belongs to the wrong Configuration")."""
    executables = _local.__dict__.setdefault("executables", {})
    if (xslt, codedb) not in executables:
        executables[xslt, codedb] = _compiled(xslt, codedb)
    return executables[xslt, codedb]


def _compiled(xslt: Path, codedb: Path | None):
    proc = _processor()
    compiler = proc.new_xslt30_processor()
    compiler.set_cwd(str(xslt.parent))
    try:
        executable = compiler.compile_stylesheet(stylesheet_text=_slim(xslt, codedb))
        if codedb is not None:
            executable.set_parameter(_CODEDB_PARAM, proc.parse_xml(xml_file_name=str(codedb)))
    except Exception as err:  # saxonche raises its own PySaxonApiError, or lxml errors
        raise RulesUnavailable(f"the rule set {xslt.name} could not be compiled: {err}") from err
    return executable


def run(root: etree._Element, xslt: Path, codedb: Path | None = None) -> list[Finding]:
    """Run one schematron on a parsed document and return its findings."""
    try:
        executable = compiled(xslt, codedb)
        node = _processor().parse_xml(xml_text=etree.tostring(root, encoding="unicode"))
        with _native_stderr_silenced():
            report = executable.transform_to_string(xdm_node=node)
    except Exception as err:
        return [_failed_closed(xslt, err)]
    if not report:
        return [_failed_closed(xslt, RulesUnavailable("the stylesheet produced no report"))]
    return _findings(etree.fromstring(report.encode("utf-8")), xslt)


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
    return Finding(
        "FCT-RULES-ERROR",
        Severity.BLOCKING,
        f"the business rules ({xslt.name}) could not be applied to this document, so it cannot be "
        f"accepted: {detail}",
        layer="schematron",
    )


def _findings(svrl: etree._Element, xslt: Path) -> list[Finding]:
    findings = []
    for item in svrl.iter(f"{{{SVRL}}}failed-assert", f"{{{SVRL}}}successful-report"):
        text = " ".join("".join(item.itertext()).split())
        flag = item.get("flag", "")
        is_assert = item.tag.endswith("failed-assert")
        blocking = flag in ("fatal", "error") or (is_assert and not flag)
        code = item.get("id") or _code_from_text(text) or ("SCHEMATRON" if is_assert else "SCHEMATRON-REPORT")
        findings.append(
            Finding(
                code,
                Severity.BLOCKING if blocking else Severity.WARNING,
                _strip_code(text),
                item.get("location", ""),
                layer="schematron",
            )
        )
    return findings


def _code_from_text(text: str) -> str:
    match = _RULE_ID.match(text)
    return match.group(1) if match else ""


def _strip_code(text: str) -> str:
    return re.sub(r"^\s*\[[^\]]+\]\s*-?\s*", "", text)
