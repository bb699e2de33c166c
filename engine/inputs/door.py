"""Files refused at the door, unread: what the sender is told, and the note
that stands for the file in the archive and the ledger.

An inbox refuses a hard link (its content belongs to a file outside the
inbox, which the partner may not be entitled to send) and a file that appears
in `.claimed/` without facteur putting it there (nothing says it is complete,
nor whose it is). Such a file is not read; it is still a flow, so that the
sender gets a rejection report and the ledger records it like any other.
"""

from __future__ import annotations

from facteur.engine.messages import say
from facteur.engine.model import Finding, Flow, Severity

HARDLINK = "FCT-INBOX-HARDLINK"
FOREIGN_CLAIM = "FCT-INBOX-FOREIGN-CLAIM"

_MESSAGES = {HARDLINK: "door-hardlink", FOREIGN_CLAIM: "door-foreign-claim"}  # catalogue keys
REFUSALS = frozenset(_MESSAGES)


def note(code: str, name: str, seen: dict[str, int]) -> bytes:
    """What stands for the unread file: the refusal, the name (display form)
    and what the file system said of it (`seen`: links, inode, size, mtime),
    so that the same file seen again after a crash is the same flow."""
    lines = [f"refus {code}", f"nom {name}", *(f"{key} {value}" for key, value in sorted(seen.items()))]
    return "\n".join(lines).encode() + b"\n"


def finding(flow: Flow) -> Finding:
    """The rejection of a flow refused at the door."""
    return Finding(flow.refused, Severity.BLOCKING, say(_MESSAGES[flow.refused], name=flow.name), flow.name, "inbox")
