"""A flow's documents as a console hands them out: the original, its pivots
and reports, a delivered pivot sent again to its recipient, and each invoice
read back from its pivot (what the recipient was given, not what the sender
wrote)."""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from facteur.engine.errors import InvalidRequest, NotAllowed
from facteur.engine.model import Output, StatusChange
from facteur.engine.operations.flows import show_flow
from facteur.engine.operations.hub import Hub
from facteur.engine.outputs.pivot import pivot_name
from facteur.engine.runtime.records import FlowDetail, OutputLine

RESENT = "resent"  # the timeline's code for a pivot sent again
PIVOT_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


@dataclass(frozen=True)
class Document:
    """A file the console hands out, with the name it is saved under."""

    name: str
    media_type: str
    content: bytes


@dataclass(frozen=True)
class Resent:
    """A pivot written again for its recipient."""

    flow_id: str
    index: int
    mailbox: str  # the recipient it went to again
    name: str
    place: str  # where it was written


@dataclass(frozen=True)
class Party:
    """A supplier or a debtor as the pivot names it."""

    identifier: str
    name: str


@dataclass(frozen=True)
class VatLine:
    """One rate of the VAT breakdown."""

    rate: str
    base: str
    amount: str


@dataclass(frozen=True)
class ItemLine:
    """One line of the invoice, as the pivot keeps it."""

    number: str
    reference: str
    unit_price: str
    quantity: str
    net_amount: str
    vat_rate: str


@dataclass(frozen=True)
class InvoiceView:
    """An invoice as its pivot gave it to the recipient."""

    flow_id: str
    index: int
    number: str
    type_code: str  # 380 invoice, 381 credit note
    frame: str  # the Chorus Pro cadre (A1...)
    issue_date: str
    currency: str
    payment_mode: str
    supplier: Party
    debtor: Party
    service_code: str
    engagement: str
    total_without_vat: str
    total_with_vat: str
    amount_due: str
    vat: tuple[VatLine, ...]
    lines: tuple[ItemLine, ...]
    attachments: tuple[str, ...]  # the names of the documents the pivot carries


def original(hub: Hub, reference: str, partner: str = "") -> Document:
    """The flow's bytes as received, from the archive."""
    detail = show_flow(hub.ledger, reference, partner)
    return Document(detail.name, "application/octet-stream", _read(hub, detail.archive, f"l'original du flux {detail.id}"))


def output(hub: Hub, reference: str, name: str, partner: str = "") -> Document:
    """A pivot or report written for the flow, by its name."""
    detail = show_flow(hub.ledger, reference, partner)
    return Document(name, "application/xml", _output_bytes(hub, detail, _output_line(detail, name)))


def resend(hub: Hub, reference: str, index: int) -> Resent:
    """The pivot of a delivered invoice written again for its recipient, as it
    was (the same name, so a recipient that keeps names sees it once), and
    noted in the flow's timeline."""
    detail = show_flow(hub.ledger, reference)
    name = pivot_name(detail.id, index)
    line = _output_line(detail, name)
    content = _output_bytes(hub, detail, line)
    again = Output(line.mailbox, name, content, "pivot")
    [place] = hub.deliveries.write_all([again])
    note = StatusChange(detail.id, index, RESENT, hub.clock(), f"pivot {name} renvoyé à {line.mailbox}")
    hub.ledger.record([note], [(again, place)], detail.id, hub.deliveries.to_publish([again]))
    hub.publish()
    return Resent(detail.id, index, line.mailbox, name, place)


def invoice_view(hub: Hub, reference: str, index: int, partner: str = "") -> InvoiceView:
    """The invoice at `index` of the flow, read back from its pivot."""
    detail = show_flow(hub.ledger, reference, partner)
    content = _output_bytes(hub, detail, _output_line(detail, pivot_name(detail.id, index)))
    return read_pivot(detail.id, index, content)


def read_pivot(flow_id: str, index: int, content: bytes) -> InvoiceView:
    """The parts of a CPPFacturePivot a person reads, as texts."""
    root = etree.fromstring(content, PIVOT_PARSER)
    unit = root.find("CPPFactures/CPPFacturePivotUnitaire")
    data = unit.find("DonneesFacture")

    def text(element, path: str) -> str:
        found = element.find(path) if element is not None else None
        return (found.text or "").strip() if found is not None else ""

    return InvoiceView(
        flow_id=flow_id,
        index=index,
        number=text(data, "Id"),
        type_code=text(data, "Type"),
        frame=text(data, "Cadre"),
        issue_date=text(data, "DateEmissionFacture"),
        currency=text(data, "Devise"),
        payment_mode=text(data, "ModePaiement/Libelle") or text(data, "ModePaiement/Code"),
        supplier=Party(text(unit, "Fournisseur/Identifiant"), text(unit, "Fournisseur/RaisonSociale")),
        debtor=Party(text(unit, "Debiteur/Identifiant"), text(unit, "Debiteur/Nom")),
        service_code=text(unit, "Debiteur/CodeService"),
        engagement=text(data, "Engagement/NumeroEngagement"),
        total_without_vat=text(data, "Montants/MontantHT"),
        total_with_vat=text(data, "Montants/MontantTTC"),
        amount_due=text(data, "Montants/MontantNetAPayer"),
        vat=tuple(VatLine(text(v, "Taux"), text(v, "BaseHt"), text(v, "MontantTVA")) for v in data.iterfind("TVAs/TVA")),
        lines=tuple(
            ItemLine(line.get("NumOrdre", ""), text(line, "ReferenceProduit"), text(line, "PrixUnitaire"),
                     text(line, "Quantite"), text(line, "MontantHT"), text(line, "TauxTVA"))
            for line in data.iterfind("Lignes/Ligne")
        ),
        attachments=tuple(text(pj, "NomPJ") for pj in unit.iterfind("PJ")),
    )


def _output_line(detail: FlowDetail, name: str) -> OutputLine:
    for line in detail.outputs:
        if line.name == name:
            return line
    known = ", ".join(line.name for line in detail.outputs) or "aucune"
    raise InvalidRequest(f"le flux {detail.id} n'a pas de sortie « {name} » ; ses sorties : {known}")


def _output_bytes(hub: Hub, detail: FlowDetail, line: OutputLine) -> bytes:
    """A report from the ledger, which keeps them; a pivot from where it was written."""
    if line.kind != "pivot":
        for report in hub.ledger.reports(detail.id):
            if report.name == line.name:
                return report.content
    return _read(hub, line.path, f"le pivot {line.name}")


def _read(hub: Hub, place: str, what: str) -> bytes:
    try:
        return hub.read_archive(place)
    except OSError as err:
        raise NotAllowed(
            f"{what} n'est plus à {place} ({err.strerror or err}) : le destinataire l'a peut-être déjà pris ; "
            "rejouez le flux pour l'écrire de nouveau"
        ) from None

