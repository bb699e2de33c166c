"""Reading the CPPStatut files that recipients send back.

A recipient's system acknowledges each delivery (flow level: 92 received, 94 and
95 errors) and reports what becomes of each invoice (invoice level: 04 to 12).
The file is first held to the official `CPPStatutPivot` V1_19 schema, shipped
in `schemas/chorus-pro/`, so a malformed status is refused with the schema's
own words; then it becomes a `StatusMessage` of plain entries. Whether each
entry may be applied is the lifecycle's question (`lifecycle.py`), not this one.
"""

from __future__ import annotations

from datetime import date, datetime
from importlib.resources import files
from pathlib import Path

from lxml import etree

from facteur.engine.errors import StatusRefused
from facteur.engine.messages import say
from facteur.engine.model import Finding, Severity, StatusEntry, StatusMessage
from facteur.engine.validation import xsd

SCHEMA = Path(str(files("facteur.schemas") / "chorus-pro" / "CPPStatutPivot_V1_19.xsd"))


def read(root: etree._Element) -> StatusMessage:
    """The status file's entries, or StatusRefused with the findings that say why not."""
    findings = xsd.check(root, SCHEMA)
    if findings:
        raise StatusRefused(findings)
    emitter = root.findtext("Enveloppe/EnveloppeUnitaire/Partenaires/Emetteur/Id", "").strip()
    entries = [_flow_entry(unit) for unit in root.iterfind("CPPFluxStatuts/CPPFluxStatutUnitaire")]
    entries += [_invoice_entry(unit) for unit in root.iterfind("CPPFactureStatuts/CPPFactureStatutUnitaire")]
    naive = [e.position for e in entries if e.at.tzinfo is None]
    if naive:
        raise StatusRefused(
            [
                Finding(
                    "FCT-STATUS-TIMEZONE",
                    Severity.BLOCKING,
                    say("statusfile-no-timezone", positions=", ".join(naive)),
                    naive[0],
                    layer="lifecycle",
                )
            ]
        )
    return StatusMessage(emitter, entries)


def _flow_entry(unit: etree._Element) -> StatusEntry:
    data = unit.find("DonneesStatut")
    return _entry(unit, data, flow_ref=data.findtext("IdFlux", "").strip())


def _invoice_entry(unit: etree._Element) -> StatusEntry:
    data = unit.find("DonneesStatut")
    issued = data.findtext("DateFacture")
    return _entry(
        unit,
        data,
        supplier=unit.findtext("Fournisseur/Identifiant", "").strip(),
        number=data.findtext("IdFacture", "").strip(),
        issue_date=_read(date.fromisoformat, issued.strip()[:10], unit, "DateFacture") if issued else None,
    )


def _entry(unit: etree._Element, data: etree._Element, **reference) -> StatusEntry:
    return StatusEntry(
        position=f"{unit.tag} {unit.get('NumOrdre', '?')}",
        code=data.findtext("IdStatut", "").strip(),
        at=_read(_moment, data.findtext("Horodatage"), unit, "Horodatage"),
        comment=" ".join((data.findtext("Commentaire") or "").split()),
        **reference,
    )


def _read(reader, text: str, unit: etree._Element, field: str):
    """A date the schema admits but Python cannot hold (a year beyond 9999) is
    refused with the field named, like any other unreadable status."""
    try:
        return reader(text)
    except ValueError:
        position = f"{unit.tag} {unit.get('NumOrdre', '?')}"
        raise StatusRefused(
            [Finding("FCT-STATUS-TIME", Severity.BLOCKING, say("statusfile-bad-time", field=field, value=text),
                     position, layer="lifecycle")]
        ) from None


def _moment(text: str) -> datetime:
    """xs:dateTime as the schema admits it (validated above), Z included."""
    value = text.strip()
    return datetime.fromisoformat(value[:-1] + "+00:00" if value.endswith("Z") else value)
