"""Names as received: any bytes, kept, and shown only in a form that is safe
to write anywhere.

A file or message name comes from outside (an SFTP or SMB client, an AMQP
header) and may be any bytes: not UTF-8, control characters, NUL, bidi
overrides. It is data, never a path and never trusted as text: its bytes are
kept as they came (the ledger's `name_raw`), and everything a person or a
format reads (the ledger's `name`, logs, reports' XML, `flows list`) gets its
display form, in which every byte that is not UTF-8 and every character that
is not printable is written as a visible escape. The display form is valid
XML text and a valid SQL text value, so a name can never stop a stage.
"""

from __future__ import annotations

import codecs


def raw(name: str | bytes) -> bytes:
    """The bytes of a name: as given, or those of a text from the operating
    system (`os.fsdecode` keeps undecodable bytes as lone surrogates, which
    are turned back into those bytes here)."""
    if isinstance(name, bytes):
        return name
    try:
        return name.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a lone surrogate that is no escaped byte
        return name.encode("utf-8", "surrogatepass")


def shown(name: str | bytes) -> str:
    """The display form: printable characters as they are; an ASCII control
    as `\\x01`; any other character that is not printable (controls, format
    characters such as bidi overrides or zero-width spaces, surrogates,
    unassigned code points) as `\\u200b`; a byte that is not UTF-8 as `\\xff`,
    always 80 or above, so it is never taken for a character."""
    return "".join(map(_escape, codecs.decode(raw(name), "utf-8", _ESCAPE_UNDECODABLE)))


def received(name: str | bytes) -> tuple[str, bytes]:
    """(display form, bytes) of a name as it came in."""
    return shown(name), raw(name)


def _escape_undecodable(error: UnicodeDecodeError) -> tuple[str, int]:
    undecodable = error.object[error.start : error.end]
    return "".join(f"\\x{byte:02x}" for byte in undecodable), error.end


_ESCAPE_UNDECODABLE = "facteur.names.escape"
codecs.register_error(_ESCAPE_UNDECODABLE, _escape_undecodable)


def _escape(character: str) -> str:
    if character.isprintable():
        return character
    code = ord(character)
    if code < 0x80:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"
