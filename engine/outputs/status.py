"""Chorus Pro acknowledgments (CPPStatut V1_19) sent back to partners.

Two documents: the flow-level status that tells a sender what became of its
flow (with one error line per problem, because a rejection always says why),
and the invoice-level statuses that follow each invoice through its life.
Their Horodatage is the legal timestamp that can start the payment delay, so it
is always a parameter, never read from a clock here, and always carries its
time zone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from lxml import etree

from facteur.engine.messages import DEFAULT, text
from facteur.engine.model import Finding, Invoice
from facteur.engine.outputs.envelope import (
    add_debtor,
    add_envelope,
    add_supplier,
    child,
    serialise,
    timestamp,
)
from facteur.engine.outputs.fit import fit
from facteur.engine.outputs.pivot import party_gaps
from facteur.engine.statuses import (
    FLOW_REJECTIONS,
    FLOW_STATUS_LABELS,
    INVOICE_REJECTIONS,
    INVOICE_STATUS_LABELS,
)
from facteur.engine.terms import values_text

VERSION = "V1_19"

# Finding.layer -> NatureErreur, the family of the error as a partner reads it (a catalogue key).
ERROR_NATURES: Mapping[str, str] = {
    "parse": "nature-parse",
    "detect": "nature-detect",
    "lot": "nature-lot",
    "xsd": "nature-xsd",
    "schematron": "nature-schematron",
    "extract": "nature-extract",
    "hub": "nature-hub",
    "pivot": "nature-pivot",
    "lifecycle": "nature-lifecycle",
}
DEFAULT_NATURE = "nature-hub"
# LibelleErreur has no maxLength in the schema: this one is facteur's, so that a
# list of errors reads at a glance; DescriptionErreur (unbounded) has the whole text.
MAX_ERROR_LABEL = 100
# The one text field facteur writes that CPPStatutPivot_V1_19.xsd bounds
# (CPPFluxStatutUnitaire/DonneesStatut/ComplementStatut); Commentaire is unbounded.
MAX_FLOW_COMPLEMENT = 40


@dataclass(frozen=True)
class InvoiceStatusEntry:
    """One invoice's status; `complement` replaces the standard label of `code` when given."""

    invoice: Invoice
    code: str
    comment: str = ""
    complement: str = ""
    at: datetime | None = None  # when the status happened, if not when the document is produced


def flow_status_name(flow_id: str) -> str:
    return f"{flow_id}.flux.statut.xml"


def invoice_status_name(flow_id: str) -> str:
    return f"{flow_id}.factures.statut.xml"


def follow_up_name(origin: str) -> str:
    """Invoice statuses forwarded after delivery, named after what produced them
    (a recipient's status flow, a portal collection)."""
    return f"{origin}.suivi.statut.xml"


def flow_status_xml(
    *,
    flow_id: str,
    code: str,
    hub_id: str,
    recipient: str,
    produced_at: datetime,
    errors: list[tuple[str, Finding]],
    comment: str = "",
    lang: str = DEFAULT,
) -> bytes:
    """The flow-level status for `recipient`, one LigneErreurDetail per (document, finding),
    its texts in `lang` (the findings' messages are given in it already)."""
    _check_code(code, FLOW_STATUS_LABELS, "flow")
    if code in FLOW_REJECTIONS and not (errors or comment):
        raise ValueError(f"flow status {code} rejects the flow and must say why: give errors or a comment")
    root = _document(flow_id=flow_id, hub_id=hub_id, recipient=recipient, produced_at=produced_at)
    unit = child(child(root, "CPPFluxStatuts", compteur="1"), "CPPFluxStatutUnitaire", NumOrdre="1")
    data = child(unit, "DonneesStatut")
    child(data, "IdStatut", code)
    child(data, "ComplementStatut", fit(FLOW_STATUS_LABELS[code], MAX_FLOW_COMPLEMENT))
    if comment:
        child(data, "Commentaire", comment)
    child(data, "Horodatage", timestamp(produced_at))
    child(data, "IdFlux", flow_id)
    if errors:
        details = child(data, "Details", NbLignesErreur=str(len(errors)))
        for line_id, finding in errors:
            _add_error(details, line_id, finding, lang)
    return serialise(root)


def invoice_status_xml(
    *, flow_id: str, hub_id: str, recipient: str, produced_at: datetime, entries: list[InvoiceStatusEntry]
) -> bytes:
    """Invoice-level statuses of one flow for `recipient`, one CPPFactureStatutUnitaire per entry.

    Raises ValueError for an entry the schema cannot carry (the invoice must have
    passed `pivot.party_gaps`) or a rejection without a comment.
    """
    if not entries:
        raise ValueError("an invoice status document needs at least one entry")
    for entry in entries:
        _check_entry(entry)
    root = _document(flow_id=flow_id, hub_id=hub_id, recipient=recipient, produced_at=produced_at)
    statuses = child(root, "CPPFactureStatuts", compteur=str(len(entries)))
    for number, entry in enumerate(entries, 1):
        _add_invoice_status(statuses, number, entry, produced_at)
    return serialise(root)


def _document(*, flow_id: str, hub_id: str, recipient: str, produced_at: datetime) -> etree._Element:
    root = etree.Element("CPPStatut", Version=VERSION)
    add_envelope(root, flow_id=flow_id, produced_at=produced_at, recipient=recipient, emitter=hub_id)
    return root


def _check_code(code: str, labels: Mapping[str, str], level: str) -> None:
    if code not in labels:
        raise ValueError(f"{code!r} is not among the {level} statuses facteur emits ({', '.join(labels)})")


def _check_entry(entry: InvoiceStatusEntry) -> None:
    _check_code(entry.code, INVOICE_STATUS_LABELS, "invoice")
    if entry.code in INVOICE_REJECTIONS and not entry.comment:
        raise ValueError(f"invoice {entry.invoice.number!r}: status {entry.code} is a rejection and needs a comment")
    gaps = party_gaps(entry.invoice)
    if gaps:
        raise ValueError(f"invoice {entry.invoice.number!r}: " + "; ".join(gap.message for gap in gaps))


def _add_error(parent: etree._Element, line_id: str, finding: Finding, lang: str) -> None:
    line = child(parent, "LigneErreurDetail", IdLigne=line_id)
    child(line, "NatureErreur", text(ERROR_NATURES.get(finding.layer, DEFAULT_NATURE), lang))
    child(line, "CodeErreur", finding.code)
    child(line, "LibelleErreur", error_label(finding, lang))
    description = (text("report-location", lang, text=finding.message, location=finding.location)
                   if finding.location else finding.message)
    if finding.values:
        description += f". {values_text(finding.values, lang)}"
    child(line, "DescriptionErreur", description)


def error_label(finding: Finding, lang: str = DEFAULT) -> str:
    """The first clause of the message, so that a list of errors reads at a glance,
    cut on a word boundary; a warning says so, since it shares the list with the
    errors that rejected."""
    clause = finding.message.split("; ")[0].split(". ")[0]
    return fit(clause if finding.blocking else text("report-warning", lang, text=clause), MAX_ERROR_LABEL)


def _add_invoice_status(parent: etree._Element, number: int, entry: InvoiceStatusEntry, produced_at: datetime) -> None:
    invoice = entry.invoice
    unit = child(parent, "CPPFactureStatutUnitaire", NumOrdre=str(number))
    add_supplier(unit, invoice.supplier)
    add_debtor(unit, invoice.buyer, invoice.service_code)
    data = child(unit, "DonneesStatut")
    child(data, "IdStatut", entry.code)
    child(data, "ComplementStatut", entry.complement or INVOICE_STATUS_LABELS[entry.code])
    if entry.comment:
        child(data, "Commentaire", entry.comment)
    child(data, "Horodatage", timestamp(entry.at or produced_at))
    child(data, "IdFacture", invoice.number)
    if invoice.issue_date is not None:
        child(data, "DateFacture", invoice.issue_date.isoformat())
