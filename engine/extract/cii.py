"""UN/CEFACT Cross Industry Invoice (D16B, and the D22B superset) into the
canonical invoice.

Paths follow the EN 16931 CII binding, which every Factur-X / ZUGFeRD 2 profile
and XRechnung CII share: a MINIMUM or BASIC WL document simply has fewer of
them, so it reads with fewer fields and no lines rather than failing. EXTENDED
sub-lines (ParentLineID) are ordinary line items in CII, listed flat in
document order.
"""

from __future__ import annotations

from functools import partial

from lxml import etree

from ..model import Invoice, Syntax
from . import parties
from .common import (
    AccountPaths,
    AttachmentPaths,
    BreakdownPaths,
    LinePaths,
    PartyPaths,
    amount,
    cii_date,
    decimal,
    first,
    in_currency,
    read_account,
    read_attachments,
    read_breakdown,
    read_line,
    read_party,
    value,
)

NAMESPACES = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
}
_xpath = partial(etree.XPath, namespaces=NAMESPACES)

_CONTEXT = "rsm:ExchangedDocumentContext/"
_DOCUMENT = "rsm:ExchangedDocument/"
_TRANSACTION = "rsm:SupplyChainTradeTransaction/"
_AGREEMENT = _TRANSACTION + "ram:ApplicableHeaderTradeAgreement/"
_DELIVERY = _TRANSACTION + "ram:ApplicableHeaderTradeDelivery/"
_SETTLEMENT = _TRANSACTION + "ram:ApplicableHeaderTradeSettlement/"
_SUMMATION = _SETTLEMENT + "ram:SpecifiedTradeSettlementHeaderMonetarySummation/"

_PROFILE = _xpath(_CONTEXT + "ram:GuidelineSpecifiedDocumentContextParameter/ram:ID")
_PROCESS = _xpath(_CONTEXT + "ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID")
_NUMBER = _xpath(_DOCUMENT + "ram:ID")
_TYPE_CODE = _xpath(_DOCUMENT + "ram:TypeCode")
_ISSUE_DATE = _xpath(_DOCUMENT + "ram:IssueDateTime/udt:DateTimeString")
_BUYER_REFERENCE = _xpath(_AGREEMENT + "ram:BuyerReference")
_ORDER = _xpath(_AGREEMENT + "ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID")
_CONTRACT = _xpath(_AGREEMENT + "ram:ContractReferencedDocument/ram:IssuerAssignedID")
_DELIVERY_DATE = _xpath(_DELIVERY + "ram:ActualDeliverySupplyChainEvent/ram:OccurrenceDateTime/udt:DateTimeString")
_CURRENCY = _xpath(_SETTLEMENT + "ram:InvoiceCurrencyCode")
_PRECEDING = _xpath(_SETTLEMENT + "ram:InvoiceReferencedDocument/ram:IssuerAssignedID")
_DUE_DATE = _xpath(_SETTLEMENT + "ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/udt:DateTimeString")
_PAYMENT_MEANS_CODE = _xpath(_SETTLEMENT + "ram:SpecifiedTradeSettlementPaymentMeans/ram:TypeCode")
# BT-84 is the IBAN or, outside SEPA, a proprietary account id.
_ACCOUNT = AccountPaths(
    credit_transfer=_xpath(
        _SETTLEMENT + "ram:SpecifiedTradeSettlementPaymentMeans[ram:PayeePartyCreditorFinancialAccount]"
    ),
    iban=_xpath(
        "ram:PayeePartyCreditorFinancialAccount/ram:IBANID | ram:PayeePartyCreditorFinancialAccount/ram:ProprietaryID"
    ),
    bank_id=_xpath("ram:PayeeSpecifiedCreditorFinancialInstitution/ram:BICID"),
)

_TAX_BASIS_TOTAL = _xpath(_SUMMATION + "ram:TaxBasisTotalAmount")
_TAX_TOTALS = _xpath(_SUMMATION + "ram:TaxTotalAmount")
_GRAND_TOTAL = _xpath(_SUMMATION + "ram:GrandTotalAmount")
_DUE_PAYABLE = _xpath(_SUMMATION + "ram:DuePayableAmount")

_BREAKDOWNS = _xpath(_SETTLEMENT + "ram:ApplicableTradeTax")
_BREAKDOWN = BreakdownPaths(
    category=_xpath("ram:CategoryCode"),
    rate=_xpath("ram:RateApplicablePercent"),
    taxable_amount=_xpath("ram:BasisAmount"),
    tax_amount=_xpath("ram:CalculatedAmount"),
)

_SELLER = _xpath(_AGREEMENT + "ram:SellerTradeParty")
_BUYER = _xpath(_AGREEMENT + "ram:BuyerTradeParty")
_PARTY = PartyPaths(
    registration_name=_xpath("ram:Name"),
    trading_name=_xpath("ram:SpecifiedLegalOrganization/ram:TradingBusinessName"),
    country=_xpath("ram:PostalTradeAddress/ram:CountryID"),
    vat_id=_xpath("ram:SpecifiedTaxRegistration/ram:ID[normalize-space(@schemeID)='VA']"),
    party_ids=_xpath("ram:ID | ram:GlobalID"),
    legal_ids=_xpath("ram:SpecifiedLegalOrganization/ram:ID"),
    electronic_address=_xpath("ram:URIUniversalCommunication/ram:URIID"),
)

_LINES = _xpath(_TRANSACTION + "ram:IncludedSupplyChainTradeLineItem")
_LINE = LinePaths(
    number=_xpath("ram:AssociatedDocumentLineDocument/ram:LineID"),
    name=_xpath("ram:SpecifiedTradeProduct/ram:Name"),
    seller_id=_xpath("ram:SpecifiedTradeProduct/ram:SellerAssignedID"),
    standard_id=_xpath("ram:SpecifiedTradeProduct/ram:GlobalID"),
    quantity=_xpath("ram:SpecifiedLineTradeDelivery/ram:BilledQuantity"),
    price=_xpath("ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice/ram:ChargeAmount"),
    net_amount=_xpath(
        "ram:SpecifiedLineTradeSettlement/ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount"
    ),
    category=_xpath("ram:SpecifiedLineTradeSettlement/ram:ApplicableTradeTax/ram:CategoryCode"),
    rate=_xpath("ram:SpecifiedLineTradeSettlement/ram:ApplicableTradeTax/ram:RateApplicablePercent"),
)

_DOCUMENT_REFERENCES = _xpath(_AGREEMENT + "ram:AdditionalReferencedDocument")
_ATTACHMENT = AttachmentPaths(
    content=_xpath("ram:AttachmentBinaryObject"),
    reference=_xpath("ram:IssuerAssignedID"),
    description=_xpath("ram:Name"),
)


def read(root: etree._Element, syntax: Syntax) -> Invoice:
    """The canonical invoice of a CII CrossIndustryInvoice root element."""
    currency = value(_CURRENCY, root)
    return Invoice(
        syntax=syntax,
        number=value(_NUMBER, root),
        type_code=value(_TYPE_CODE, root),
        issue_date=cii_date(first(_ISSUE_DATE(root))),
        currency=currency,
        supplier=parties.seller(read_party(first(_SELLER(root)), _PARTY), *read_account(root, _ACCOUNT)),
        buyer=parties.buyer(read_party(first(_BUYER(root)), _PARTY)),
        total_without_vat=amount(_TAX_BASIS_TOTAL, root),
        total_with_vat=amount(_GRAND_TOTAL, root),
        amount_due=amount(_DUE_PAYABLE, root),
        total_vat=decimal(in_currency(_TAX_TOTALS(root), currency)),
        profile=value(_PROFILE, root),
        process=value(_PROCESS, root),
        service_code=value(_BUYER_REFERENCE, root),
        engagement=value(_ORDER, root),
        contract=value(_CONTRACT, root),
        preceding_invoice=value(_PRECEDING, root),
        delivery_date=cii_date(first(_DELIVERY_DATE(root))),
        due_date=cii_date(first(_DUE_DATE(root))),
        payment_means=value(_PAYMENT_MEANS_CODE, root),
        vat_breakdown=[read_breakdown(node, _BREAKDOWN) for node in _BREAKDOWNS(root)],
        lines=[read_line(node, _LINE) for node in _LINES(root)],
        attachments=read_attachments(_DOCUMENT_REFERENCES(root), _ATTACHMENT),
    )

