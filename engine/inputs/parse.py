"""Safe XML parsing: the first validation layer.

Invoices arrive from outside, so the parser is closed to everything XML can be
made to do beyond describing data: no DTD (an invoice syntax never needs one, and
DTDs carry entity bombs and external entities), no network, no XInclude, the
libxml2 default depth limit (no `huge_tree`), and a size bound checked before a
single byte is parsed. Every refusal is a blocking finding with its own code,
saying what is wrong and where: an unescaped `&` or an entity XML does not
know at its line and column, the first byte that is not in the encoding the
document declares, the element left open where a cut-off file stops.
"""

from __future__ import annotations

import re

from lxml import etree

from facteur.engine.errors import UnsafeXml
from facteur.engine.messages import DEFAULT, Message, say, text

_PARSER_OPTIONS = dict(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    dtd_validation=False,
    huge_tree=False,
    remove_comments=False,
    collect_ids=False,
)


# A parsed tree costs far more than its bytes: about 100 bytes per element and
# 250 per attribute in libxml2, so 20 MB of `<x a="1" b="1"/>` would take close
# to a gigabyte. These bounds on markup, counted in the bytes before parsing,
# keep a tree within about 200 MB while leaving room for the largest real
# invoices (a 10 000-line UBL invoice has about 700 000 tags and 40 000
# attributes).
MAX_TAGS = 800_000  # '<' characters: start and end tags, comments, instructions
MAX_ATTRIBUTES = 200_000  # '=' characters: every attribute has one


def _refuse(code: str, message: Message, location: str = "") -> UnsafeXml:
    return UnsafeXml(code, message, location, layer="parse")


def parse_xml(content: bytes, name: str, max_bytes: int) -> etree._Element:
    """Parse untrusted bytes into a tree, or raise UnsafeXml."""
    if len(content) > max_bytes:
        raise _refuse("FCT-SIZE", say("xml-size", document=name, size=len(content), limit=max_bytes))
    _check_markup(content, name)
    parser = etree.XMLParser(**_PARSER_OPTIONS)
    try:
        root = etree.fromstring(content, parser)
    except etree.XMLSyntaxError as err:
        if _declares_dtd(content):
            raise _dtd_refusal(name) from None
        raise _syntax_refusal(name, err, content) from None
    if root is None:
        raise _refuse("FCT-XML-SYNTAX", say("xml-empty", document=name))
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise _dtd_refusal(name)
    return root


def _check_markup(content: bytes, name: str) -> None:
    tags, attributes = content.count(b"<"), content.count(b"=")
    if tags > MAX_TAGS or attributes > MAX_ATTRIBUTES:
        raise _refuse("FCT-XML-LIMIT", say("xml-markup", document=name, tags=tags, attributes=attributes,
                                           max_tags=MAX_TAGS, max_attributes=MAX_ATTRIBUTES))


def _declares_dtd(content: bytes) -> bool:
    """Whether the bytes hold a document type declaration, for documents the
    parser gave up on (entity amplification, an external DTD it would not
    load): outside CDATA and comments, `<!DOCTYPE` can only be one."""
    return b"<!DOCTYPE" in content[:65536]


def _dtd_refusal(name: str) -> UnsafeXml:
    return _refuse("FCT-XML-DTD", say("xml-dtd", document=name))


def _truncated(content: bytes) -> bool:
    """Whether the bytes are a well-formed start of a document that stops early:
    fed to an incremental parser, they raise nothing until the end is announced."""
    parser = etree.XMLParser(**_PARSER_OPTIONS)
    try:
        parser.feed(content)
    except etree.XMLSyntaxError:
        return False
    try:
        parser.close()
    except etree.XMLSyntaxError:
        return True
    return False


def _syntax_refusal(name: str, err: etree.XMLSyntaxError, content: bytes) -> UnsafeXml:
    """What is wrong, and where, in words: the parser's own message is kept
    only as the detail of a fault it names no better."""
    line, column = err.position if err.position else (0, 0)
    detail = _short(_LINE_SUFFIX.sub("", str(err.msg or err)))
    lowered = detail.lower()
    if err.code in _ENCODING_ERRORS or "encoding" in lowered or "utf-8" in lowered or "bytes:" in lowered:
        return _encoding_refusal(name, content, detail, line, column)
    where = text("xml-position", DEFAULT, line=line, column=column)
    if "depth" in lowered or "huge" in lowered:
        return _refuse("FCT-XML-LIMIT", say("xml-depth", document=name, detail=detail), where)
    ampersand = _ampersand_at(content, line, column) if err.code == etree.ErrorTypes.ERR_NAME_REQUIRED else 0
    if ampersand:
        return _refuse("FCT-XML-SYNTAX", say("xml-ampersand", document=name, line=line, column=ampersand),
                       text("xml-position", DEFAULT, line=line, column=ampersand))
    entity = _UNDEFINED_ENTITY.search(detail)
    if err.code == etree.ErrorTypes.ERR_UNDECLARED_ENTITY and entity:
        return _refuse("FCT-XML-SYNTAX", say("xml-entity", document=name, entity=entity.group(1), line=line,
                                             column=column), where)
    if err.code == etree.ErrorTypes.ERR_TAG_NOT_FINISHED or (_at_end(content, line) and _truncated(content)):
        opened = _OPEN_TAG.search(detail)
        if opened:
            return _refuse("FCT-XML-TRUNCATED", say("xml-truncated", document=name, line=line, column=column,
                                                    element=opened.group(1)), where)
        return _refuse("FCT-XML-TRUNCATED", say("xml-cut", document=name, line=line, column=column), where)
    mismatch = _MISMATCH.search(detail)
    if err.code == etree.ErrorTypes.ERR_TAG_NAME_MISMATCH and mismatch:
        opened, opened_line, closing = mismatch.groups()
        return _refuse("FCT-XML-SYNTAX", say("xml-mismatch", document=name, line=line, column=column, opened=opened,
                                             opened_line=int(opened_line), closing=closing), where)
    return _refuse("FCT-XML-SYNTAX", say("xml-syntax", document=name, line=line, column=column, detail=detail), where)


MAX_DETAIL_CHARS = 300  # of the parser's message, which may quote a name of any length


def _short(message: str) -> str:
    return message if len(message) <= MAX_DETAIL_CHARS else message[:MAX_DETAIL_CHARS - 1] + "…"


_LINE_SUFFIX = re.compile(r",? line \d+, column \d+$")
_OPEN_TAG = re.compile(r"in tag (\S+) line")
_UNDEFINED_ENTITY = re.compile(r"Entity '([^']+)' not defined")
_MISMATCH = re.compile(r"tag mismatch: (\S+) line (\d+) and (\S+)")
_DECLARED = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
_ENCODING_ERRORS = {etree.ErrorTypes.ERR_INVALID_ENCODING, etree.ErrorTypes.ERR_UNKNOWN_ENCODING,
                    etree.ErrorTypes.ERR_UNSUPPORTED_ENCODING}


def _at_end(content: bytes, line: int) -> bool:
    """Whether the parser stopped on the document's last line, where a cut-off
    file stops it (an error earlier in the file is not a truncation)."""
    return line >= content.rstrip().count(b"\n") + 1


def _ampersand_at(content: bytes, line: int, column: int) -> int:
    """The column of the `&` just before where the parser stopped (libxml2
    counts columns in characters and stops a character or two after it), or 0."""
    lines = content.split(b"\n")
    if not 0 < line <= len(lines):
        return 0
    text_line = lines[line - 1].decode("utf-8", errors="replace")
    start = max(0, column - 4)
    found = text_line.rfind("&", start, column)
    return found + 1 if found >= 0 else 0


def _encoding_refusal(name: str, content: bytes, detail: str, line: int, column: int) -> UnsafeXml:
    """The declared encoding (UTF-8 when none is), and the line and column of
    the first byte that is not of it; bytes that read as Latin-1 or
    Windows-1252 (an "é" saved by an old tool) are named so."""
    declared_match = _DECLARED.match(content[:512])
    declared = declared_match.group(1).decode("ascii") if declared_match else "UTF-8"
    named = declared if declared_match else say("xml-encoding-default")
    try:
        content.decode(declared)
    except LookupError:
        return _refuse("FCT-XML-ENCODING", say("xml-encoding-unknown", document=name, declared=declared),
                       text("xml-position", DEFAULT, line=1, column=1))
    except UnicodeDecodeError as bad:
        before = content[:bad.start]
        line = before.count(b"\n") + 1
        column = len(before[before.rfind(b"\n") + 1:].decode(declared, errors="replace")) + 1
        byte = content[bad.start]
        where = text("xml-position", DEFAULT, line=line, column=column)
        if byte >= 0x80 and declared.upper().replace("_", "-") in ("UTF-8", "UTF8"):
            return _refuse("FCT-XML-ENCODING", say("xml-encoding-latin", document=name, declared=named,
                                                   byte=f"{byte:02X}", char=bytes([byte]).decode("cp1252", "replace"),
                                                   line=line, column=column), where)
        return _refuse("FCT-XML-ENCODING", say("xml-encoding", document=name, declared=named,
                                               byte=f"{byte:02X}", line=line, column=column), where)
    return _refuse("FCT-XML-ENCODING", say("xml-encoding-detail", document=name, declared=named, detail=detail,
                                           line=line, column=column),
                   text("xml-position", DEFAULT, line=line, column=column))
