"""The XSD layer: the document against its official schema.

Schemas are compiled once per process (the UBL schema set takes about a second)
and kept; each error of the schema's log becomes one blocking finding with its
line (libxml2 gives schema errors no column) and the XPath of the element, up
to a bound, so that a badly broken file does not produce a report of thousands
of lines.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from lxml import etree

from facteur.engine import preparing
from facteur.engine.messages import DEFAULT, say, text
from facteur.engine.model import Finding, Severity

MAX_FINDINGS = 25
MAX_ERROR_CHARS = 500  # of libxml2's message, which quotes the value it refused, however long


@lru_cache(maxsize=None)
def load(path: Path) -> etree.XMLSchema:
    """The schema at `path`, read once per process (`facteur doctor` loads every one up front)."""
    with preparing.once():
        parser = etree.XMLParser(no_network=True, resolve_entities=False)
        return etree.XMLSchema(etree.parse(str(path), parser))


def check(root: etree._Element, xsd: Path) -> list[Finding]:
    schema = load(xsd)
    if schema.validate(root):
        return []
    findings = [
        Finding(
            "XSD",
            Severity.BLOCKING,
            say("xsd-invalid", schema=xsd.stem, error=_short(error.message)),
            text("xsd-position", DEFAULT, line=error.line) + (f", {error.path}" if error.path else ""),
            layer="xsd",
        )
        for error in list(schema.error_log)[:MAX_FINDINGS]
    ]
    return findings


def _short(message: str) -> str:
    return message if len(message) <= MAX_ERROR_CHARS else message[:MAX_ERROR_CHARS - 1] + "…"
