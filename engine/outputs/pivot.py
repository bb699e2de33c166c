"""The Chorus Pro pivot (CPPFacturePivot V2_02) written for the recipient.

Systems that already read Chorus Pro pivots must read facteur's unchanged, so
the pivot follows the official schema to the letter: its lengths, its
enumerations, its element order. What the schema cannot carry is not trimmed or
guessed: `pivot_gaps` reports it as blocking findings before anything is
written, and `pivot_notes` reports, as warnings, every place where a source
value had to be mapped by default.

Amounts are written from the Decimals the readers built from the source text,
with format(d, "f"): never floats (which round) and never str() (which can
give exponent notation the schema refuses), so the recipient reads exactly
what the supplier wrote.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal

from lxml import etree

from facteur.engine.messages import Message, say
from facteur.engine.model import (
    Attachment,
    Finding,
    Invoice,
    Line,
    Severity,
    Syntax,
    VatBreakdown,
)
from facteur.engine.outputs.envelope import (
    add_debtor,
    add_envelope,
    add_supplier,
    child,
    serialise,
)

LAYER = "pivot"

# UNCL 1001 codes that are credit notes: the list PEPPOL BIS Billing 3.0 allows
# for a UBL CreditNote (and EN 16931 for CII). The pivot only knows 380 and 381.
CREDIT_NOTE_TYPES = frozenset({"81", "83", "261", "262", "296", "308", "381", "396", "420", "458", "532"})

# The Cadre enumeration of CPPFacturePivot_V2_02.xsd (there is no A11).
CADRES = frozenset(f"A{n}" for n in range(1, 26) if n != 11)
DEFAULT_CADRE = "A1"
# The French reform's billing frames (PPF external specifications, annex 7, rule
# G1.02) whose meaning is word for word a Chorus Pro cadre of the XSD annotation:
# an invoice (A1), an invoice already paid (A2), a subcontractor's (A9) or a
# co-contractor's (A12) invoice. Other reform codes (B4/S4/M4 final invoice after
# a deposit, B7/S7 already e-reported) have no such twin and fall back to A1 with a note.
REFORM_CADRES = {
    "B1": "A1", "S1": "A1", "M1": "A1",
    "B2": "A2", "S2": "A2", "M2": "A2",
    "S5": "A9",
    "S6": "A12",
}

# UNCL 4461 payment means -> ModePaiement/Code, whose enumeration in
# CPPFacturePivot_V2_02.xsd is 10 cash, 20 cheque, 30 credit transfer,
# 31 debit transfer, 42 payment to bank account, 48 bank card, 49 direct debit,
# 97 clearing between partners. Variants fold onto their family (23 bank cheque,
# 58 SEPA credit transfer, 54/55 credit/debit card, 59 SEPA direct debit);
# the label keeps the source's own meaning.
PAYMENT_MODES: dict[str, tuple[str, str]] = {
    "10": ("10", "Espèces"),
    "20": ("20", "Chèque"),
    "23": ("20", "Chèque de banque"),
    "30": ("30", "Virement"),
    "58": ("30", "Virement SEPA"),
    "31": ("31", "Transfert de débit"),
    "42": ("42", "Paiement sur compte bancaire"),
    "48": ("48", "Carte bancaire"),
    "54": ("48", "Carte de crédit"),
    "55": ("48", "Carte de débit"),
    "49": ("49", "Prélèvement"),
    "59": ("49", "Prélèvement SEPA"),
    "97": ("97", "Compensation entre partenaires"),
}
DEFAULT_PAYMENT_MODE = "30"

# Lengths and patterns of CPPFacturePivot_V2_02.xsd.
MAX_NUMBER = 20  # DonneesFacture/Id, IdFactureOrigine
MAX_REFERENCE = 50  # Engagement/NumeroMarche, NumeroEngagement
MAX_SERVICE_CODE = 100  # Debiteur/CodeService
MAX_ATTACHMENT_NAME = 50  # PJ/NomPJ, NomPJOrigine
BUYER_ID_LENGTH = 14  # Debiteur/Identifiant
SUPPLIER_ID_TYPES = frozenset("1234567")  # Fournisseur/TypeIdentifiant
_CURRENCY = re.compile(r"[A-Z]{3}")
_COUNTRY = re.compile(r"[A-Z]{2}")
_CADRE_LIKE = re.compile(r"[A-Z][0-9]{1,2}")
# Characters XML 1.0 cannot hold at all (text extracted from a PDF can contain them).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def pivot_name(flow_id: str, index: int) -> str:
    """One name per invoice of a flow, the same on every replay."""
    return f"{flow_id}-{index:03d}.pivot.xml"


def pivot_type(type_code: str) -> str:
    return "381" if type_code.strip() in CREDIT_NOTE_TYPES else "380"


def pivot_cadre(process: str) -> str:
    """The billing frame carried in BT-23, when BT-23 holds one (else it is a process URN)."""
    candidate = process.strip().upper()
    if candidate in CADRES:
        return candidate
    return REFORM_CADRES.get(candidate, DEFAULT_CADRE)


def payment_mode(means: str) -> tuple[str, str]:
    """(ModePaiement/Code, Libelle); the label of a default says which source code it replaces."""
    means = means.strip()
    if means in PAYMENT_MODES:
        return PAYMENT_MODES[means]
    if not means:
        return DEFAULT_PAYMENT_MODE, "Virement par défaut : moyen de paiement (BT-81) non renseigné"
    return DEFAULT_PAYMENT_MODE, f"Virement par défaut : code UNCL 4461 {means} absent de la liste Chorus Pro"


def amount(value: Decimal) -> str:
    """The Decimal as the source wrote it, without the exponent str() may use ("1E+3")."""
    return format(value, "f")


# --- what the pivot cannot carry ------------------------------------------------


def pivot_gaps(invoice: Invoice, original: Attachment) -> list[Finding]:
    """Blocking findings for everything the pivot schema cannot carry as it stands."""
    return [
        *_identity_gaps(invoice),
        *_total_gaps(invoice),
        *party_gaps(invoice),
        *_reference_gaps(invoice),
        *_attachment_gaps(invoice, original),
        *_character_gaps(invoice, original),
    ]


def party_gaps(invoice: Invoice) -> list[Finding]:
    """The supplier and debtor checks, shared with the status writer whose blocks are the same."""
    return list(_party_gaps(invoice))


def _party_gaps(invoice: Invoice) -> Iterator[Finding]:
    supplier, buyer = invoice.supplier, invoice.buyer
    if supplier.identifier_type not in SUPPLIER_ID_TYPES:
        yield _gap(
            "FCT-PIVOT-SUPPLIER-ID-TYPE",
            say("pivot-supplier-id-type", value=supplier.identifier_type),
            "BG-4 seller identifier type",
        )
    if not _COUNTRY.fullmatch(supplier.country):
        yield _gap(
            "FCT-PIVOT-SUPPLIER-COUNTRY",
            say("pivot-supplier-country", value=supplier.country),
            "BT-40 seller country code",
        )
    if len(buyer.identifier) != BUYER_ID_LENGTH:
        yield _gap(
            "FCT-PIVOT-BUYER-ID",
            say("pivot-buyer-id", value=buyer.identifier, length=len(buyer.identifier), expected=BUYER_ID_LENGTH),
            "BT-47 buyer legal registration identifier (SIRET)",
        )


def _gap(code: str, message: Message, location: str) -> Finding:
    return Finding(code, Severity.BLOCKING, message, location, layer=LAYER)


def _note(code: str, message: Message, location: str) -> Finding:
    return Finding(code, Severity.WARNING, message, location, layer=LAYER)


def _identity_gaps(invoice: Invoice) -> Iterator[Finding]:
    if not invoice.number:
        yield _gap("FCT-PIVOT-NUMBER-MISSING", say("pivot-number-missing"), "BT-1 invoice number")
    elif len(invoice.number) > MAX_NUMBER:
        yield _gap(
            "FCT-PIVOT-NUMBER-TOO-LONG",
            say("pivot-too-long", what=say("pivot-what-number"), value=invoice.number, length=len(invoice.number),
                limit=MAX_NUMBER),
            "BT-1 invoice number",
        )
    if invoice.issue_date is None:
        yield _gap("FCT-PIVOT-ISSUE-DATE-MISSING", say("pivot-issue-date-missing"), "BT-2 invoice issue date")
    if not _CURRENCY.fullmatch(invoice.currency):
        yield _gap(
            "FCT-PIVOT-CURRENCY",
            say("pivot-currency", value=invoice.currency),
            "BT-5 invoice currency code",
        )


def _totals(invoice: Invoice) -> tuple[tuple[str, str, str, Decimal | None], ...]:
    """(pivot element, business term, what it is, value) of the three totals the pivot requires."""
    return (
        ("MontantHT", "BT-109", "total amount without VAT", invoice.total_without_vat),
        ("MontantTTC", "BT-112", "total amount with VAT", invoice.total_with_vat),
        ("MontantNetAPayer", "BT-115", "amount due for payment", invoice.amount_due),
    )


def _total_gaps(invoice: Invoice) -> Iterator[Finding]:
    for _, term, what, value in _totals(invoice):
        if value is None:
            yield _gap("FCT-PIVOT-TOTAL-MISSING", say("pivot-total-missing", term=term), f"{term} {what}")
    for location, value in _amounts(invoice):
        if value is not None and not value.is_finite():
            yield _gap("FCT-PIVOT-AMOUNT-INVALID", say("pivot-amount-invalid", value=value), location)


def _amounts(invoice: Invoice) -> Iterator[tuple[str, Decimal | None]]:
    for _, term, what, value in _totals(invoice):
        yield f"{term} {what}", value
    for n, vat in enumerate(invoice.vat_breakdown, 1):
        for term, value in (("BT-119", vat.rate), ("BT-116", vat.taxable_amount), ("BT-117", vat.tax_amount)):
            yield f"{term} of VAT breakdown {n}", value
    for line in invoice.lines:
        line_amounts = (
            ("BT-146", line.unit_price),
            ("BT-129", line.quantity),
            ("BT-131", line.net_amount),
            ("BT-152", line.vat_rate),
        )
        for term, value in line_amounts:
            yield f"{term} of line {line.number}", value


def _reference_gaps(invoice: Invoice) -> Iterator[Finding]:
    references = (
        ("FCT-PIVOT-CONTRACT-TOO-LONG", "BT-12", "contract reference", "pivot-what-contract", invoice.contract,
         MAX_REFERENCE),
        ("FCT-PIVOT-ENGAGEMENT-TOO-LONG", "BT-13", "engagement number", "pivot-what-engagement", invoice.engagement,
         MAX_REFERENCE),
        ("FCT-PIVOT-SERVICE-CODE-TOO-LONG", "BT-10", "service code", "pivot-what-service", invoice.service_code,
         MAX_SERVICE_CODE),
    )
    for code, term, what, key, value, limit in references:
        if len(value) > limit:
            yield _gap(code, say("pivot-too-long", what=say(key), value=value, length=len(value), limit=limit),
                       f"{term} {what}")


def _attachment_gaps(invoice: Invoice, original: Attachment) -> Iterator[Finding]:
    for location, attachment in _attachments(invoice, original):
        if len(attachment.name) > MAX_ATTACHMENT_NAME:
            yield _gap(
                "FCT-PIVOT-ATTACHMENT-NAME-TOO-LONG",
                say("pivot-too-long", what=say("pivot-what-attachment"), value=attachment.name,
                    length=len(attachment.name), limit=MAX_ATTACHMENT_NAME),
                location,
            )


def _attachments(invoice: Invoice, original: Attachment) -> Iterator[tuple[str, Attachment]]:
    yield "original document (PJ type 01)", original
    for n, attachment in enumerate(invoice.attachments, 1):
        yield f"BT-125 attached document {n} (BG-24)", attachment


def _character_gaps(invoice: Invoice, original: Attachment) -> Iterator[Finding]:
    for location, value in _texts(invoice, original):
        if _NOT_XML.search(value):
            yield _gap(
                "FCT-PIVOT-INVALID-CHARACTER",
                say("pivot-invalid-character", value=repr(value)),
                location,
            )


def _texts(invoice: Invoice, original: Attachment) -> Iterator[tuple[str, str]]:
    supplier, buyer = invoice.supplier, invoice.buyer
    yield "BT-1 invoice number", invoice.number
    yield "BT-27 seller name", supplier.name
    yield "BT-29 seller identifier", supplier.identifier
    yield "BT-84 payment account identifier", supplier.iban
    yield "BT-86 payment service provider identifier", supplier.bank_id
    yield "BT-44 buyer name", buyer.name
    yield "BT-10 buyer reference", invoice.service_code
    yield "BT-12 contract reference", invoice.contract
    yield "BT-13 purchase order reference", invoice.engagement
    yield "BT-25 preceding invoice reference", invoice.preceding_invoice
    for line in invoice.lines:
        yield f"BT-155 item identifier of line {line.number}", line.product_ref
    for location, attachment in _attachments(invoice, original):
        yield location, attachment.name
        yield f"{location} MIME type", attachment.mime_type


# --- what was mapped by default -------------------------------------------------


def pivot_notes(invoice: Invoice) -> list[Finding]:
    """Warnings: the pivot is written, but a person should know what was mapped or left out."""
    return [*_type_notes(invoice), *_cadre_notes(invoice), *_payment_notes(invoice), *_preceding_notes(invoice)]


def _type_notes(invoice: Invoice) -> Iterator[Finding]:
    source, carried = invoice.type_code.strip(), pivot_type(invoice.type_code)
    if source != carried:
        yield _note(
            "FCT-PIVOT-TYPE-MAPPED",
            say("pivot-type-mapped-credit" if carried == "381" else "pivot-type-mapped-invoice", source=source,
                carried=carried),
            "BT-3 invoice type code",
        )


def _cadre_notes(invoice: Invoice) -> Iterator[Finding]:
    """Only a BT-23 that looks like a billing frame is worth a warning: a process URN is normal."""
    process = invoice.process.strip().upper()
    if _CADRE_LIKE.fullmatch(process) and process not in CADRES and process not in REFORM_CADRES:
        yield _note(
            "FCT-PIVOT-CADRE-DEFAULT",
            say("pivot-cadre-default", value=invoice.process, cadre=DEFAULT_CADRE),
            "BT-23 business process type",
        )


def _payment_notes(invoice: Invoice) -> Iterator[Finding]:
    means = invoice.payment_means.strip()
    if not means:
        yield _note(
            "FCT-PIVOT-PAYMENT-MEANS-ABSENT",
            say("pivot-payment-means-absent"),
            "BT-81 payment means type code",
        )
    elif means not in PAYMENT_MODES:
        yield _note(
            "FCT-PIVOT-PAYMENT-MEANS-UNMAPPED",
            say("pivot-payment-means-unmapped", value=means),
            "BT-81 payment means type code",
        )


def _preceding_notes(invoice: Invoice) -> Iterator[Finding]:
    preceding = invoice.preceding_invoice
    if pivot_type(invoice.type_code) == "381" and len(preceding) > MAX_NUMBER:
        yield _note(
            "FCT-PIVOT-PRECEDING-INVOICE-TOO-LONG",
            say("pivot-preceding-too-long", value=preceding, length=len(preceding), limit=MAX_NUMBER),
            "BT-25 preceding invoice reference",
        )


# --- the pivot ------------------------------------------------------------------


def pivot_xml(
    invoice: Invoice,
    *,
    original: Attachment,
    flow_id: str,
    hub_id: str,
    recipient_mailbox: str,
    received_at: datetime,
    service_name: str = "",
) -> bytes:
    """One CPPFacturePivot for one invoice.

    The production date is `received_at`: the pivot depends on the flow only, so a
    replay after a crash writes the same bytes. Raises ValueError when `pivot_gaps`
    is not empty (the caller should have rejected the invoice) or when an id does
    not fit the envelope.
    """
    gaps = [gap for gap in pivot_gaps(invoice, original) if gap.blocking]
    if gaps:
        raise ValueError("the invoice cannot be carried by a pivot: " + "; ".join(g.message for g in gaps))
    root = etree.Element("CPPFacturePivot", Version="V2_02")
    add_envelope(root, flow_id=flow_id, produced_at=received_at, recipient=recipient_mailbox, emitter=hub_id)
    unit = child(child(root, "CPPFactures", Compteur="1"), "CPPFacturePivotUnitaire", NumOrdre="1")
    _add_supplier(unit, invoice)
    add_debtor(unit, invoice.buyer, invoice.service_code, service_name)
    _add_invoice_data(unit, invoice, received_at.date())
    _add_documents(unit, invoice, original)
    return serialise(root)


def _add_supplier(parent: etree._Element, invoice: Invoice) -> None:
    supplier = add_supplier(parent, invoice.supplier)
    if invoice.supplier.iban:
        bank = child(supplier, "ReferenceBancaire", Type="IBAN")
        child(bank, "Compte", invoice.supplier.iban)
        if invoice.supplier.bank_id:
            child(bank, "Etablissement", invoice.supplier.bank_id)
    child(supplier, "ModeEmission", "PDF" if invoice.syntax is Syntax.PDF else "flux")


def _add_invoice_data(parent: etree._Element, invoice: Invoice, received_on: date) -> None:
    data = child(parent, "DonneesFacture")
    child(data, "Id", invoice.number)
    kind = pivot_type(invoice.type_code)
    if kind == "381" and 0 < len(invoice.preceding_invoice) <= MAX_NUMBER:
        child(data, "IdFactureOrigine", invoice.preceding_invoice)
    child(data, "Type", kind)
    child(data, "Cadre", pivot_cadre(invoice.process))
    assert invoice.issue_date is not None  # pivot_gaps guarantees it
    child(data, "DateEmissionFacture", invoice.issue_date.isoformat())
    if invoice.delivery_date is not None:
        child(data, "DateLivraison", invoice.delivery_date.isoformat())
    mode = child(data, "ModePaiement")
    for tag, value in zip(("Code", "Libelle"), payment_mode(invoice.payment_means)):
        child(mode, tag, value)
    child(data, "DateReception", received_on.isoformat())
    child(data, "Devise", invoice.currency)
    _add_totals(data, invoice)
    _add_vat(data, invoice.vat_breakdown)
    _add_engagement(data, invoice)
    _add_lines(data, invoice.lines)


def _add_totals(parent: etree._Element, invoice: Invoice) -> None:
    totals = child(parent, "Montants")
    for tag, _, _, value in _totals(invoice):
        assert value is not None  # pivot_gaps guarantees it
        child(totals, tag, amount(value))


def _add_vat(parent: etree._Element, breakdown: list[VatBreakdown]) -> None:
    """One TVA per breakdown; an exempt category without a rate (BT-119) is carried at 0."""
    if not breakdown:
        return
    vats = child(parent, "TVAs")
    for vat in breakdown:
        element = child(vats, "TVA")
        child(element, "Taux", amount(vat.rate) if vat.rate is not None else "0")
        child(element, "BaseHt", amount(vat.taxable_amount))
        child(element, "MontantTVA", amount(vat.tax_amount))


def _add_engagement(parent: etree._Element, invoice: Invoice) -> None:
    if not (invoice.contract or invoice.engagement):
        return
    element = child(parent, "Engagement")
    if invoice.contract:
        child(element, "NumeroMarche", invoice.contract)
    if invoice.engagement:
        child(element, "NumeroEngagement", invoice.engagement)


def _add_lines(parent: etree._Element, lines: list[Line]) -> None:
    if not lines:
        return
    element = child(parent, "Lignes")
    for n, line in enumerate(lines, 1):
        row = child(element, "Ligne", NumOrdre=str(n))
        if line.product_ref:
            child(row, "ReferenceProduit", line.product_ref)
        child(row, "PrixUnitaire", amount(line.unit_price))
        child(row, "Quantite", amount(line.quantity))
        child(row, "MontantHT", amount(line.net_amount))
        if line.vat_rate is not None:
            child(row, "TauxTVA", amount(line.vat_rate))


def _add_documents(parent: etree._Element, invoice: Invoice, original: Attachment) -> None:
    """The original first (type 01, no NomPJOrigine: the schema reserves it for the others), then BG-24."""
    _add_document(parent, 1, original, "01")
    for n, attachment in enumerate(invoice.attachments, 2):
        _add_document(parent, n, attachment, "02")


def _add_document(parent: etree._Element, number: int, attachment: Attachment, kind: str) -> None:
    element = child(parent, "PJ", NumOrdre=str(number))
    child(element, "Contenu", base64.b64encode(attachment.content).decode("ascii"))
    child(element, "NomPJ", attachment.name)
    if kind == "02":
        child(element, "NomPJOrigine", attachment.name)
    child(element, "TypePJ", kind)
    child(element, "MimeTypePJ", attachment.mime_type)
