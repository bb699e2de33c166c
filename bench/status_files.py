"""CPPStatut V1_19 files as a recipient's system writes them, for the tests
and the chaos runs that send statuses back to the engine."""

from __future__ import annotations

from datetime import datetime

from lxml import etree

from bench.generate import DEMO_SUPPLIER


def recipient_status(emitter: str, flows=(), invoices=()) -> bytes:
    """A CPPStatut V1_19 file as a recipient's system writes it.

    flows: (code, at, flow id, comment); invoices: (code, at, invoice number,
    issue date or None, comment)."""
    root = etree.Element("CPPStatut", Version="V1_19")
    unit = etree.SubElement(etree.SubElement(root, "Enveloppe"), "EnveloppeUnitaire", NumOrdre="1")
    parameters = etree.SubElement(unit, "Parametres")
    for number, (code, value) in enumerate((("DtPrd", "2026-11-23T10:00:00+01:00"), ("IdFlx", "ACK-1")), 1):
        parameter = etree.SubElement(parameters, "ParametreIndiv", NumOrdre=f"{number:04d}")
        etree.SubElement(parameter, "Code").text = code
        etree.SubElement(parameter, "Valeurparametre").text = value
    partners = etree.SubElement(unit, "Partenaires")
    etree.SubElement(etree.SubElement(partners, "Recepteur"), "Id").text = "FACTEUR"
    etree.SubElement(etree.SubElement(partners, "Emetteur"), "Id").text = emitter
    if flows:
        container = etree.SubElement(root, "CPPFluxStatuts", compteur=str(len(flows)))
        for number, (code, at, flow_id, comment) in enumerate(flows, 1):
            data = etree.SubElement(etree.SubElement(container, "CPPFluxStatutUnitaire", NumOrdre=str(number)), "DonneesStatut")
            _text(data, ("IdStatut", code), ("Commentaire", comment), ("Horodatage", _moment(at)), ("IdFlux", flow_id))
    if invoices:
        container = etree.SubElement(root, "CPPFactureStatuts", compteur=str(len(invoices)))
        for number, (code, at, invoice, issued, comment) in enumerate(invoices, 1):
            entry = etree.SubElement(container, "CPPFactureStatutUnitaire", NumOrdre=str(number))
            _text(etree.SubElement(entry, "Fournisseur"), ("TypeIdentifiant", "1"), ("Identifiant", DEMO_SUPPLIER[0]),
                  ("RaisonSociale", DEMO_SUPPLIER[1]))
            _text(etree.SubElement(entry, "Debiteur"), ("TypeIdentifiant", "1"), ("Identifiant", "21750001600019"))
            _text(etree.SubElement(entry, "DonneesStatut"), ("IdStatut", code), ("Commentaire", comment),
                  ("Horodatage", _moment(at)), ("IdFacture", invoice), ("DateFacture", issued))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _text(parent, *pairs) -> None:
    for tag, value in pairs:
        if value:
            etree.SubElement(parent, tag).text = value


def _moment(at: datetime | str) -> str:
    return at if isinstance(at, str) else at.isoformat(timespec="seconds")

