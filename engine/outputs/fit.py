"""Free text cut to the length a field allows, on a word boundary.

A partner reads a report's short fields at a glance, and a program may match on
the codes they name: a label cut inside "BT-12" reads "BT-1", another business
term, and one cut inside FCT-RECIPIENT-UNKNOWN names no code at all. So text is
cut only where the original has a space, an ellipsis says that something was
left out, and the writer puts the whole text where there is room (the
CPPStatut DescriptionErreur has no length limit). Lengths count characters, as
xs:maxLength does, not bytes.
"""

from __future__ import annotations

ELLIPSIS = "…"
# Trailing punctuation that would read oddly before the ellipsis ("amount,…").
_DANGLING = ",;:"


def fit(text: str, limit: int) -> str:
    """`text` if it fits in `limit` characters; else its longest run of whole
    words that fits with the ellipsis, followed by it. A first word longer than
    the limit leaves the ellipsis alone: a code is never shown cut."""
    if limit < len(ELLIPSIS):
        raise ValueError(f"a field of {limit} character(s) cannot hold a shortened text")
    if len(text) <= limit:
        return text
    room = limit - len(ELLIPSIS)
    cut = max((k for k in range(room + 1) if text[k].isspace()), default=0)
    head = text[:cut].rstrip().rstrip(_DANGLING).rstrip()
    return head + ELLIPSIS
