"""Which members of a lot travel together as one invoice.

A lot may carry, beside each invoice, its PDF (a mixed flow: the data in a
minimal UBL or CII, the PDF as the invoice) and its supporting documents. They
are tied together by name, the rule documented in the README:

- members of one folder whose base names share the part before the first dot
  form a group: `F-2026-17.xml`, `F-2026-17.pdf`, `F-2026-17.bon-livraison.pdf`;
- the group's invoice is `NAME.xml` when there is one, else `NAME.pdf`;
- `NAME.pdf` beside `NAME.xml` is the invoice's PDF: the data comes from the
  XML, the PDF is attached as the invoice itself (PJ type 01);
- every other member of the group is a supporting document (PJ type 02).

A member whose group has neither `NAME.xml` nor `NAME.pdf` is a document of its
own, judged as such (an unknown file is rejected as an unknown format), so a lot
of invoices with unrelated names keeps one invoice per member.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from facteur.engine.inputs.lots import Member


@dataclass(frozen=True)
class Bundle:
    """One invoice document, with what travels with it."""

    name: str
    content: bytes
    pdf: Member | None = None  # the invoice's PDF beside its XML data (mixed flow)
    supporting: tuple[Member, ...] = ()

    @property
    def alone(self) -> bool:
        """Nothing travels with the document: it is judged as a flow of its own would be."""
        return self.pdf is None and not self.supporting


def group(members: list[Member]) -> list[Bundle]:
    """The lot's members as bundles, in the order of their invoice documents."""
    groups: dict[tuple[str, str], list[Member]] = {}
    for member in members:
        groups.setdefault(_key(member.name), []).append(member)
    bundles = []
    for member in members:
        folder, stem = _key(member.name)
        together = groups[(folder, stem)]
        names = {posixpath.basename(m.name).lower(): m for m in together}
        xml, pdf = names.get(f"{stem.lower()}.xml"), names.get(f"{stem.lower()}.pdf")
        head = xml or pdf
        if head is None:
            bundles.append(Bundle(member.name, member.content))
        elif member is head:
            tied = pdf if xml is not None else None
            others = tuple(m for m in together if m is not head and m is not tied)
            bundles.append(Bundle(member.name, member.content, tied, others))
    return bundles


def _key(name: str) -> tuple[str, str]:
    folder, base = posixpath.split(name.replace("\\", "/"))
    return folder, base.split(".", 1)[0]
