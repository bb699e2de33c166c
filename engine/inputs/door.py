"""Files refused at the door, unread: what the sender is told, and the note
that stands for the file in the archive and the ledger.

An inbox refuses a hard link (its content belongs to a file outside the
inbox, which the partner may not be entitled to send) and a file that appears
in `.claimed/` without facteur putting it there (nothing says it is complete,
nor whose it is). Such a file is not read; it is still a flow, so that the
sender gets a rejection report and the ledger records it like any other.
"""

from __future__ import annotations

from facteur.engine.model import Finding, Flow, Severity

HARDLINK = "FCT-INBOX-HARDLINK"
FOREIGN_CLAIM = "FCT-INBOX-FOREIGN-CLAIM"

_MESSAGES = {
    HARDLINK: "le fichier « {name} » est un lien physique (son contenu a plusieurs noms) : facteur ne l'a pas lu et "
    "l'a mis de côté dans .refused/ ; déposez une copie du fichier, pas un lien",
    FOREIGN_CLAIM: "le fichier « {name} » est apparu dans .claimed/ sans que facteur l'y ait placé : facteur ne l'a "
    "pas traité et l'a mis de côté dans .refused/ ; déposez vos fichiers dans le dossier de réception, jamais "
    "dans .claimed/",
}
REFUSALS = frozenset(_MESSAGES)


def note(code: str, name: str, seen: dict[str, int]) -> bytes:
    """What stands for the unread file: the refusal, the name (display form)
    and what the file system said of it (`seen`: links, inode, size, mtime),
    so that the same file seen again after a crash is the same flow."""
    lines = [f"refus {code}", f"nom {name}", *(f"{key} {value}" for key, value in sorted(seen.items()))]
    return "\n".join(lines).encode() + b"\n"


def finding(flow: Flow) -> Finding:
    """The rejection of a flow refused at the door."""
    message = _MESSAGES[flow.refused].format(name=flow.name)
    return Finding(flow.refused, Severity.BLOCKING, message, flow.name, "inbox")
