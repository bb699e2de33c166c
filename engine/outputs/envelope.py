"""The blocks that the two Chorus Pro schemas share word for word.

CPPFacturePivot V2_02 and CPPStatutPivot V1_19 open with the same envelope and
describe the supplier and the debtor with the same elements; writing them once
keeps the pivot and status writers from drifting apart. Everything here builds
lxml elements and never reads a clock: timestamps come from the caller, so the
same inputs give the same bytes on a replay.
"""

from __future__ import annotations

from datetime import datetime

from lxml import etree

from facteur.engine.model import Party

# Both schemas restrict Recepteur/Id and Emetteur/Id to 3..8 characters.
PARTNER_ID_LENGTHS = range(3, 9)


def child(parent: etree._Element, tag: str, text: str | None = None, **attrib: str) -> etree._Element:
    """SubElement with its text in one call, so that writers read like the schema."""
    element = etree.SubElement(parent, tag, attrib)
    if text is not None:
        element.text = text
    return element


def timestamp(moment: datetime) -> str:
    """An xs:dateTime with its offset.

    A naive datetime is refused rather than guessed: these timestamps start the
    legal payment delay, and an hour of doubt is a dispute.
    """
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"timestamp {moment.isoformat()} has no time zone; pass an aware datetime")
    return moment.isoformat(timespec="seconds")


def add_envelope(
    root: etree._Element, *, flow_id: str, produced_at: datetime, recipient: str, emitter: str
) -> None:
    """Enveloppe with the two parameters both schemas require (DtPrd, IdFlx) and the partners."""
    unit = child(child(root, "Enveloppe"), "EnveloppeUnitaire", NumOrdre="1")
    parameters = child(unit, "Parametres")
    for number, (code, value) in enumerate((("DtPrd", timestamp(produced_at)), ("IdFlx", flow_id)), 1):
        parameter = child(parameters, "ParametreIndiv", NumOrdre=f"{number:04d}")
        child(parameter, "Code", code)
        child(parameter, "Valeurparametre", value)
    partners = child(unit, "Partenaires")
    child(child(partners, "Recepteur"), "Id", _partner_id("recipient", recipient))
    child(child(partners, "Emetteur"), "Id", _partner_id("emitter", emitter))


def _partner_id(role: str, value: str) -> str:
    if len(value) not in PARTNER_ID_LENGTHS:
        raise ValueError(f"the {role} id {value!r} must be 3 to 8 characters long for a Chorus Pro envelope")
    return value


def add_supplier(parent: etree._Element, supplier: Party) -> etree._Element:
    """Fournisseur up to CodePays: the part both schemas have in common (the pivot adds more)."""
    element = child(parent, "Fournisseur")
    child(element, "TypeIdentifiant", supplier.identifier_type)
    child(element, "Identifiant", supplier.identifier)
    child(element, "RaisonSociale", supplier.name)
    child(element, "CodePays", supplier.country)
    return element


def add_debtor(parent: etree._Element, buyer: Party, service_code: str, service_name: str = "") -> None:
    """Debiteur: always a SIRET (TypeIdentifiant 1) in both schemas; optional parts only when known."""
    element = child(parent, "Debiteur")
    child(element, "TypeIdentifiant", "1")
    child(element, "Identifiant", buyer.identifier)
    for tag, value in (("Nom", buyer.name), ("CodeService", service_code), ("NomService", service_name)):
        if value:
            child(element, tag, value)


def serialise(root: etree._Element) -> bytes:
    """UTF-8 with the declaration in the double-quoted form partners' samples use (lxml writes single quotes)."""
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + etree.tostring(
        root, encoding="UTF-8", xml_declaration=False, pretty_print=True
    )
