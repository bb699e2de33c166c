"""The acknowledgment writers against the official CPPStatutPivot V1_19 schema."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from conftest import assert_valid
from lxml import etree

from facteur.engine.model import Finding, Invoice, Party, Severity, Syntax
from facteur.engine.outputs.status import (
    InvoiceStatusEntry,
    error_label,
    flow_status_name,
    flow_status_xml,
    invoice_status_name,
    invoice_status_xml,
)
from facteur.engine.statuses import FLOW_STATUS_LABELS, INVOICE_STATUS_LABELS

FLOW = "3f2a9c0d81b7e4a5c6d7e8f9"
PRODUCED = datetime(2024, 5, 17, 9, 30, 12, 250000, tzinfo=timezone(timedelta(hours=2)))
BUYER = Party(name="Mairie de Saint-Étienne", identifier="21420218600015", identifier_type="1", country="FR")

ERRORS = [
    ("lot.zip/facture-1.xml", Finding("XSD", Severity.BLOCKING, "the element 'cbc:ID' is missing", "line 12",
                                      layer="xsd")),
    ("lot.zip/facture-1.xml", Finding("BR-CO-10", Severity.BLOCKING, "Sum of line net amounts must equal BT-106",
                                      "/Invoice/cac:LegalMonetaryTotal", layer="schematron")),
    ("2", Finding("FCT-RECIPIENT-UNKNOWN", Severity.BLOCKING, "the recipient SIRET 21420218600099 is not in the "
                  "directory; check BT-47", layer="directory")),
    ("3", Finding("FCT-PIVOT-PAYMENT-MEANS-ABSENT", Severity.WARNING, "no payment means; credit transfer assumed",
                  "BT-81", layer="pivot")),
]


def invoice(number: str, supplier: Party, issue_date: date | None = date(2024, 5, 15)) -> Invoice:
    return Invoice(Syntax.UBL, number, "380", issue_date, "EUR", supplier, BUYER, Decimal("10.00"),
                   Decimal("12.00"), Decimal("12.00"), service_code="SERV-FIN-01")


FRENCH = invoice("FA-2024-0001", Party(name="Société Œuvres & Cie", identifier="35600000000048",
                                       identifier_type="1", country="FR"))
FOREIGN = invoice("RE-2024/ß-17", Party(name="Müller Straßenbau GmbH", identifier="DE123456789",
                                        identifier_type="2", country="DE"), issue_date=None)


def flow_status(code: str, errors: list[tuple[str, Finding]] = ERRORS, **changes: object) -> bytes:
    arguments: dict = dict(flow_id=FLOW, code=code, hub_id="FACTEUR", recipient="OPDEMAT1", produced_at=PRODUCED,
                           errors=errors)
    return flow_status_xml(**{**arguments, **changes})


def invoice_status(entries: list[InvoiceStatusEntry], **changes: object) -> bytes:
    arguments: dict = dict(flow_id=FLOW, hub_id="FACTEUR", recipient="OPDEMAT1", produced_at=PRODUCED,
                           entries=entries)
    return invoice_status_xml(**{**arguments, **changes})


def test_received_flow_without_errors(status_schema) -> None:
    root = assert_valid(status_schema, flow_status("90", errors=[]))
    assert root.get("Version") == "V1_19"
    assert root.find("CPPFluxStatuts").get("compteur") == "1"
    data = root.find("CPPFluxStatuts/CPPFluxStatutUnitaire/DonneesStatut")
    assert [(child.tag, child.text) for child in data] == [
        ("IdStatut", "90"),
        ("ComplementStatut", "Reçu"),
        ("Horodatage", "2024-05-17T09:30:12+02:00"),
        ("IdFlux", FLOW),
    ]


def test_rejected_flow_lists_every_error(status_schema) -> None:
    root = assert_valid(status_schema, flow_status("93", comment="Flux rejeté : 2 factures en erreur"))
    data = root.find("CPPFluxStatuts/CPPFluxStatutUnitaire/DonneesStatut")
    assert data.findtext("ComplementStatut") == "Erreur réception"
    assert data.findtext("Commentaire") == "Flux rejeté : 2 factures en erreur"
    details = data.find("Details")
    assert details.get("NbLignesErreur") == "4"
    lines = details.findall("LigneErreurDetail")
    assert [line.get("IdLigne") for line in lines] == ["lot.zip/facture-1.xml", "lot.zip/facture-1.xml", "2", "3"]
    assert [line.findtext("NatureErreur") for line in lines] == [
        "Schéma XSD", "Règle de gestion EN 16931", "Contrôle plateforme", "Pivot Chorus Pro"
    ]
    assert [line.findtext("CodeErreur") for line in lines] == [finding.code for _, finding in ERRORS]
    assert lines[0].findtext("DescriptionErreur") == "the element 'cbc:ID' is missing (emplacement : line 12)"
    assert lines[2].findtext("LibelleErreur") == "the recipient SIRET 21420218600099 is not in the directory"
    assert lines[2].findtext("DescriptionErreur") == ERRORS[2][1].message
    assert lines[3].findtext("LibelleErreur").startswith("Avertissement : ")


@pytest.mark.parametrize("code", sorted(FLOW_STATUS_LABELS))
def test_every_flow_code_is_valid(status_schema, code: str) -> None:
    assert len(FLOW_STATUS_LABELS[code]) <= 40
    assert_valid(status_schema, flow_status(code))


def test_partly_integrated_flow(status_schema) -> None:
    root = assert_valid(status_schema, flow_status("96", errors=ERRORS[2:3]))
    assert root.findtext(".//ComplementStatut") == "Reçu - intégration partielle"


def test_envelope_names_the_partner_and_the_hub() -> None:
    root = etree.fromstring(flow_status("90", errors=[]))
    assert root.findtext("Enveloppe/EnveloppeUnitaire/Partenaires/Recepteur/Id") == "OPDEMAT1"
    assert root.findtext("Enveloppe/EnveloppeUnitaire/Partenaires/Emetteur/Id") == "FACTEUR"
    codes = root.xpath("Enveloppe/EnveloppeUnitaire/Parametres/ParametreIndiv/Code/text()")
    assert codes == ["DtPrd", "IdFlx"]


def test_rejection_without_a_reason_is_refused() -> None:
    with pytest.raises(ValueError, match="must say why"):
        flow_status("93", errors=[])
    assert flow_status("93", errors=[], comment="archive illisible")


@pytest.mark.parametrize("code", ["91 ", "01", "97", ""])
def test_unknown_flow_code_is_refused(code: str) -> None:
    with pytest.raises(ValueError, match="not among the flow statuses"):
        flow_status(code)


def test_naive_timestamp_is_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        flow_status("90", produced_at=PRODUCED.replace(tzinfo=None))


def test_long_messages_give_a_short_label() -> None:
    finding = Finding("X", Severity.BLOCKING, "word " * 60)
    label = error_label(finding)
    assert len(label) <= 100 and label.endswith("…")


def test_invoice_statuses_for_every_documented_code(status_schema) -> None:
    entries = [InvoiceStatusEntry(FRENCH, code, comment="motif" if code in ("04", "05") else "")
               for code in INVOICE_STATUS_LABELS]
    root = assert_valid(status_schema, invoice_status(entries))
    assert root.find("CPPFactureStatuts").get("compteur") == str(len(entries))
    units = root.findall("CPPFactureStatuts/CPPFactureStatutUnitaire")
    assert [unit.get("NumOrdre") for unit in units] == [str(n) for n in range(1, len(entries) + 1)]
    assert [unit.findtext("DonneesStatut/IdStatut") for unit in units] == list(INVOICE_STATUS_LABELS)


def test_invoice_status_content(status_schema) -> None:
    entries = [
        InvoiceStatusEntry(FRENCH, "03"),
        InvoiceStatusEntry(FOREIGN, "01", comment="Dépôt reçu par facteur", complement="Déposée (flux EDI)"),
    ]
    root = assert_valid(status_schema, invoice_status(entries))
    french, foreign = root.findall("CPPFactureStatuts/CPPFactureStatutUnitaire")
    assert [(child.tag, child.text) for child in french.find("Fournisseur")] == [
        ("TypeIdentifiant", "1"), ("Identifiant", "35600000000048"), ("RaisonSociale", "Société Œuvres & Cie"),
        ("CodePays", "FR"),
    ]
    assert [(child.tag, child.text) for child in french.find("Debiteur")] == [
        ("TypeIdentifiant", "1"), ("Identifiant", "21420218600015"), ("Nom", "Mairie de Saint-Étienne"),
        ("CodeService", "SERV-FIN-01"),
    ]
    assert [(child.tag, child.text) for child in french.find("DonneesStatut")] == [
        ("IdStatut", "03"),
        ("ComplementStatut", "Mise à disposition du destinataire"),
        ("Horodatage", "2024-05-17T09:30:12+02:00"),
        ("IdFacture", "FA-2024-0001"),
        ("DateFacture", "2024-05-15"),
    ]
    assert foreign.findtext("Fournisseur/TypeIdentifiant") == "2"
    data = foreign.find("DonneesStatut")
    assert data.findtext("ComplementStatut") == "Déposée (flux EDI)"
    assert data.findtext("Commentaire") == "Dépôt reçu par facteur"
    assert data.findtext("IdFacture") == "RE-2024/ß-17"
    assert data.find("DateFacture") is None


@pytest.mark.parametrize("code", ["04", "05"])
def test_invoice_rejection_needs_a_comment(code: str) -> None:
    with pytest.raises(ValueError, match="needs a comment"):
        invoice_status([InvoiceStatusEntry(FRENCH, code)])


@pytest.mark.parametrize("code", ["1", "13", "90", ""])
def test_unknown_invoice_code_is_refused(code: str) -> None:
    with pytest.raises(ValueError, match="not among the invoice statuses"):
        invoice_status([InvoiceStatusEntry(FRENCH, code)])


def test_invoice_the_schema_cannot_carry_is_refused() -> None:
    bad = invoice("FA-1", Party(name="X", identifier="1", identifier_type="1", country="FR"))
    bad.buyer = Party(identifier="2142021860001")
    with pytest.raises(ValueError, match="a 13 caractères"):
        invoice_status([InvoiceStatusEntry(bad, "01")])
    with pytest.raises(ValueError, match="at least one"):
        invoice_status([])


def test_same_inputs_same_bytes_and_names() -> None:
    assert flow_status("93") == flow_status("93")
    entries = [InvoiceStatusEntry(FRENCH, "01"), InvoiceStatusEntry(FOREIGN, "01")]
    assert invoice_status(entries) == invoice_status(entries)
    assert flow_status_name(FLOW) == f"{FLOW}.flux.statut.xml"
    assert invoice_status_name(FLOW) == f"{FLOW}.factures.statut.xml"
    assert flow_status_name(FLOW) != invoice_status_name(FLOW)
