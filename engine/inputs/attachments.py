"""Supporting documents (PJ type 02): how a file becomes one, and the limits
Chorus Pro sets on them, checked as a hub control.

A supporting document arrives embedded in the invoice (UBL
AdditionalDocumentReference, CII AdditionalReferencedDocument), embedded in
its PDF, or beside it in a lot (`bundles.py`). Whatever the route, the same
limits apply, so that a recipient's system never receives what Chorus Pro
would not have forwarded: a name with an extension of the allow-list, no empty
file, at most 10 MB each and 120 MB for the whole invoice (its original
included). The name's 50-character limit is the pivot's own (`pivot_gaps`).
"""

from __future__ import annotations

import mimetypes
import posixpath

from facteur.engine.messages import Message, say
from facteur.engine.model import Attachment, Finding, Severity

MAX_BYTES = 10 * 1024 * 1024
MAX_TOTAL_BYTES = 120 * 1024 * 1024
# The file types Chorus Pro accepts as attachments.
EXTENSIONS = frozenset(
    "7z bmp bz2 csv doc docx fax gif gz gzip htm html jpeg jpg odp ods odt p7s pdf png ppt pptx rtf svg tgz "
    "tif tiff txt xhtml xls xlsx xml xps zip".split()
)


def supporting(name: str, content: bytes, declared_mime: str = "", description: str = "") -> Attachment:
    """A supporting document. Its MIME type comes from the name's extension when
    that is known: producers often declare a generic or misspelt one."""
    base = posixpath.basename(name.replace("\\", "/"))
    mime = mimetypes.guess_type(base)[0] or declared_mime or "application/octet-stream"
    return Attachment(name=base, mime_type=mime, content=content, kind="02", description=description)


def check(attachments: list[Attachment], original: Attachment) -> list[Finding]:
    """Blocking findings for every supporting document outside the limits."""
    findings = []
    for attachment in attachments:
        extension = attachment.name.rpartition(".")[2].lower() if "." in attachment.name else ""
        if extension not in EXTENSIONS:
            findings.append(
                _finding(
                    "FCT-ATTACHMENT-TYPE",
                    say("attachment-type" if extension else "attachment-no-extension", name=attachment.name,
                        extension=extension, known=", ".join(sorted(EXTENSIONS))),
                    attachment.name,
                )
            )
        if not attachment.content:
            findings.append(
                _finding("FCT-ATTACHMENT-EMPTY", say("attachment-empty", name=attachment.name), attachment.name)
            )
        elif len(attachment.content) > MAX_BYTES:
            findings.append(
                _finding(
                    "FCT-ATTACHMENT-TOO-BIG",
                    say("attachment-too-big", name=attachment.name, size=len(attachment.content), limit=MAX_BYTES),
                    attachment.name,
                )
            )
    total = len(original.content) + sum(len(a.content) for a in attachments)
    if total > MAX_TOTAL_BYTES:
        findings.append(
            _finding(
                "FCT-ATTACHMENTS-TOO-BIG",
                say("attachments-too-big", size=total, limit=MAX_TOTAL_BYTES),
                "BG-24",
            )
        )
    return findings


def _finding(code: str, message: Message, location: str) -> Finding:
    return Finding(code, Severity.BLOCKING, message, location, layer="hub")
