"""UBL 2.1 Invoice and CreditNote into the canonical invoice.

Paths follow the EN 16931 UBL binding. Invoice and CreditNote differ only in a
few element names (type code, line, quantity), which the paths below take as
unions so that one reader serves both.
"""

from __future__ import annotations

from functools import partial

from lxml import etree

from facteur.engine.extraction import parties
from facteur.engine.extraction.common import (
    AccountPaths,
    AttachmentPaths,
    BreakdownPaths,
    LinePaths,
    PartyPaths,
    amount,
    first,
    in_currency,
    iso_date,
    read_account,
    read_attachments,
    read_breakdown,
    read_line,
    read_party,
    value,
)
from facteur.engine.model import Invoice, Syntax, VatBreakdown

NAMESPACES = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
_xpath = partial(etree.XPath, namespaces=NAMESPACES)

_NUMBER = _xpath("cbc:ID")
_TYPE_CODE = _xpath("cbc:InvoiceTypeCode | cbc:CreditNoteTypeCode")
_ISSUE_DATE = _xpath("cbc:IssueDate")
_CURRENCY = _xpath("cbc:DocumentCurrencyCode")
_PROFILE = _xpath("cbc:CustomizationID")
_PROCESS = _xpath("cbc:ProfileID")
_BUYER_REFERENCE = _xpath("cbc:BuyerReference")
_ORDER = _xpath("cac:OrderReference/cbc:ID")
_CONTRACT = _xpath("cac:ContractDocumentReference/cbc:ID")
_PRECEDING = _xpath("cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID")
_DELIVERY_DATE = _xpath("cac:Delivery/cbc:ActualDeliveryDate")
# A CreditNote has no cbc:DueDate: EN 16931 puts its BT-9 in the payment means.
# cbc:DueDate precedes cac:PaymentMeans in the Invoice schema, so it wins when both exist.
_DUE_DATE = _xpath("cbc:DueDate | cac:PaymentMeans/cbc:PaymentDueDate")
_PAYMENT_MEANS_CODE = _xpath("cac:PaymentMeans/cbc:PaymentMeansCode")
_ACCOUNT = AccountPaths(
    credit_transfer=_xpath("cac:PaymentMeans[cac:PayeeFinancialAccount]"),
    iban=_xpath("cac:PayeeFinancialAccount/cbc:ID"),
    bank_id=_xpath("cac:PayeeFinancialAccount/cac:FinancialInstitutionBranch/cbc:ID"),
)

_TAX_TOTAL_AMOUNT = _xpath("cac:TaxTotal/cbc:TaxAmount")
_TAX_AMOUNT = _xpath("cbc:TaxAmount")
_TAX_SUBTOTAL = _xpath("cac:TaxSubtotal")
_TAX_EXCLUSIVE = _xpath("cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount")
_TAX_INCLUSIVE = _xpath("cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount")
_PAYABLE = _xpath("cac:LegalMonetaryTotal/cbc:PayableAmount")

_SUPPLIER = _xpath("cac:AccountingSupplierParty/cac:Party")
_CUSTOMER = _xpath("cac:AccountingCustomerParty/cac:Party")
_PARTY = PartyPaths(
    registration_name=_xpath("cac:PartyLegalEntity/cbc:RegistrationName"),
    trading_name=_xpath("cac:PartyName/cbc:Name"),
    country=_xpath("cac:PostalAddress/cac:Country/cbc:IdentificationCode"),
    vat_id=_xpath("cac:PartyTaxScheme[normalize-space(cac:TaxScheme/cbc:ID)='VAT']/cbc:CompanyID"),
    # The seller's SEPA creditor id (BT-90) sits among the party ids but names no party.
    party_ids=_xpath("cac:PartyIdentification/cbc:ID[not(@schemeID='SEPA')]"),
    legal_ids=_xpath("cac:PartyLegalEntity/cbc:CompanyID"),
    electronic_address=_xpath("cbc:EndpointID"),
)

_LINES = _xpath("cac:InvoiceLine | cac:CreditNoteLine")
_LINE = LinePaths(
    number=_xpath("cbc:ID"),
    name=_xpath("cac:Item/cbc:Name"),
    seller_id=_xpath("cac:Item/cac:SellersItemIdentification/cbc:ID"),
    standard_id=_xpath("cac:Item/cac:StandardItemIdentification/cbc:ID"),
    quantity=_xpath("cbc:InvoicedQuantity | cbc:CreditedQuantity"),
    price=_xpath("cac:Price/cbc:PriceAmount"),
    net_amount=_xpath("cbc:LineExtensionAmount"),
    category=_xpath("cac:Item/cac:ClassifiedTaxCategory/cbc:ID"),
    rate=_xpath("cac:Item/cac:ClassifiedTaxCategory/cbc:Percent"),
)
_BREAKDOWN = BreakdownPaths(
    category=_xpath("cac:TaxCategory/cbc:ID"),
    rate=_xpath("cac:TaxCategory/cbc:Percent"),
    taxable_amount=_xpath("cbc:TaxableAmount"),
    tax_amount=_xpath("cbc:TaxAmount"),
)
_DOCUMENT_REFERENCES = _xpath("cac:AdditionalDocumentReference")
_ATTACHMENT = AttachmentPaths(
    content=_xpath("cac:Attachment/cbc:EmbeddedDocumentBinaryObject"),
    reference=_xpath("cbc:ID"),
    description=_xpath("cbc:DocumentDescription"),
)


def read(root: etree._Element, syntax: Syntax) -> Invoice:
    """The canonical invoice of a UBL Invoice or CreditNote root element."""
    currency = value(_CURRENCY, root)
    tax_total = _tax_total(root, currency)
    return Invoice(
        syntax=syntax,
        number=value(_NUMBER, root),
        type_code=value(_TYPE_CODE, root),
        issue_date=iso_date(first(_ISSUE_DATE(root))),
        currency=currency,
        supplier=parties.seller(read_party(first(_SUPPLIER(root)), _PARTY), *read_account(root, _ACCOUNT)),
        buyer=parties.buyer(read_party(first(_CUSTOMER(root)), _PARTY)),
        total_without_vat=amount(_TAX_EXCLUSIVE, root),
        total_with_vat=amount(_TAX_INCLUSIVE, root),
        amount_due=amount(_PAYABLE, root),
        total_vat=None if tax_total is None else amount(_TAX_AMOUNT, tax_total),
        profile=value(_PROFILE, root),
        process=value(_PROCESS, root),
        service_code=value(_BUYER_REFERENCE, root),
        engagement=value(_ORDER, root),
        contract=value(_CONTRACT, root),
        preceding_invoice=value(_PRECEDING, root),
        delivery_date=iso_date(first(_DELIVERY_DATE(root))),
        due_date=iso_date(first(_DUE_DATE(root))),
        payment_means=value(_PAYMENT_MEANS_CODE, root),
        vat_breakdown=_vat_breakdown(tax_total),
        lines=[read_line(line, _LINE) for line in _LINES(root)],
        attachments=read_attachments(_DOCUMENT_REFERENCES(root), _ATTACHMENT),
    )


def _tax_total(root: etree._Element, currency: str) -> etree._Element | None:
    """The cac:TaxTotal in the document currency: a second one may restate the
    VAT in the accounting currency (BT-111) and carries no breakdown."""
    amount_node = in_currency(_TAX_TOTAL_AMOUNT(root), currency)
    return None if amount_node is None else amount_node.getparent()


def _vat_breakdown(tax_total: etree._Element | None) -> list[VatBreakdown]:
    if tax_total is None:
        return []
    return [read_breakdown(subtotal, _BREAKDOWN) for subtotal in _TAX_SUBTOTAL(tax_total)]

