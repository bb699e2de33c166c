"""Safe XML parsing: the first validation layer.

Invoices arrive from outside, so the parser is closed to everything XML can be
made to do beyond describing data: no DTD (an invoice syntax never needs one, and
DTDs carry entity bombs and external entities), no network, no XInclude, the
libxml2 default depth limit (no `huge_tree`), and a size bound checked before a
single byte is parsed. Every refusal is a blocking finding with its own code.
"""

from __future__ import annotations

from lxml import etree

from facteur.engine.errors import UnsafeXml

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


def _refuse(code: str, message: str, location: str = "") -> UnsafeXml:
    return UnsafeXml(code, message, location, layer="parse")


def parse_xml(content: bytes, name: str, max_bytes: int) -> etree._Element:
    """Parse untrusted bytes into a tree, or raise UnsafeXml."""
    if len(content) > max_bytes:
        raise _refuse(
            "FCT-SIZE",
            f"{name} is {len(content):,} bytes, above the {max_bytes:,}-byte limit for one XML "
            "document; split the lot or send the invoice on its own",
        )
    _check_markup(content, name)
    parser = etree.XMLParser(**_PARSER_OPTIONS)
    try:
        root = etree.fromstring(content, parser)
    except etree.XMLSyntaxError as err:
        if _declares_dtd(content):
            raise _dtd_refusal(name) from None
        raise _syntax_refusal(name, err, _truncated(content)) from None
    if root is None:
        raise _refuse("FCT-XML-SYNTAX", f"{name} holds no XML element")
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise _dtd_refusal(name)
    return root


def _check_markup(content: bytes, name: str) -> None:
    tags, attributes = content.count(b"<"), content.count(b"=")
    if tags > MAX_TAGS or attributes > MAX_ATTRIBUTES:
        raise _refuse(
            "FCT-XML-LIMIT",
            f"{name} has {tags:,} tags and up to {attributes:,} attributes, above the {MAX_TAGS:,} and "
            f"{MAX_ATTRIBUTES:,} an invoice may have (its tree would not fit in memory safely); split it",
        )


def _declares_dtd(content: bytes) -> bool:
    """Whether the bytes hold a document type declaration, for documents the
    parser gave up on (entity amplification, an external DTD it would not
    load): outside CDATA and comments, `<!DOCTYPE` can only be one."""
    return b"<!DOCTYPE" in content[:65536]


def _dtd_refusal(name: str) -> UnsafeXml:
    return _refuse(
        "FCT-XML-DTD",
        f"{name} declares a DTD; invoice syntaxes never need one and DTDs are refused "
        "(they carry entity expansion and external entities)",
    )


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


def _syntax_refusal(name: str, err: etree.XMLSyntaxError, truncated: bool) -> UnsafeXml:
    line, column = err.position if err.position else (0, 0)
    where = f"line {line}, column {column}"
    text = str(err.msg or err)
    lowered = text.lower()
    if "encoding" in lowered or "utf-8" in lowered or "char 0x" in lowered or "bytes:" in lowered:
        return _refuse(
            "FCT-XML-ENCODING",
            f"{name} is not in the encoding it declares ({text}); save it as UTF-8 or declare "
            "its real encoding in the XML declaration",
            where,
        )
    if "depth" in lowered or "huge" in lowered:
        return _refuse("FCT-XML-LIMIT", f"{name} exceeds the parser's safety limits ({text})", where)
    if truncated:
        return _refuse(
            "FCT-XML-TRUNCATED", f"{name} ends before its XML is complete ({text}); send the whole file", where
        )
    return _refuse("FCT-XML-SYNTAX", f"{name} is not well-formed XML ({text})", where)
