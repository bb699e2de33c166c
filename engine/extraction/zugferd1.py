"""ZUGFeRD 1.0 (`CrossIndustryDocument`, 2014) into the canonical invoice.

ZUGFeRD 1.0 predates EN 16931 and Factur-X: it is built on an earlier CII draft
whose groups have other names (`HeaderExchangedDocument`,
`ApplicableSupplyChainTradeSettlement`...) but the same structure, so it reads
through the CII reader with its own `Layout`. German suppliers still send such
PDFs; the data they carry is what the pivot needs. It has no legal organisation,
no electronic address and no embedded attachments: those paths find nothing.
"""

from __future__ import annotations

from functools import partial

from lxml import etree

from facteur.engine.extraction.cii import (
    NOTHING,
    Layout,
    party_paths,
    read_layout,
    settlement_paths,
)
from facteur.engine.extraction.common import (
    AttachmentPaths,
    BreakdownPaths,
    LinePaths,
    amount,
)
from facteur.engine.model import Invoice, Syntax

NAMESPACES = {
    "rsm": "urn:ferd:CrossIndustryDocument:invoice:1p0",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:12",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:15",
}
_xpath = partial(etree.XPath, namespaces=NAMESPACES)
_NOTHING = _xpath(NOTHING)

_CONTEXT = "rsm:SpecifiedExchangedDocumentContext/"
_DOCUMENT = "rsm:HeaderExchangedDocument/"
_TRANSACTION = "rsm:SpecifiedSupplyChainTradeTransaction/"
_AGREEMENT = _TRANSACTION + "ram:ApplicableSupplyChainTradeAgreement/"
_DELIVERY = _TRANSACTION + "ram:ApplicableSupplyChainTradeDelivery/"
_SETTLEMENT = _TRANSACTION + "ram:ApplicableSupplyChainTradeSettlement/"
_SUMMATION = _SETTLEMENT + "ram:SpecifiedTradeSettlementMonetarySummation/"
_LINE_SETTLEMENT = "ram:SpecifiedSupplyChainTradeSettlement/"
_PREPAID = _xpath(_SUMMATION + "ram:TotalPrepaidAmount")

LAYOUT = Layout(
    profile=_xpath(_CONTEXT + "ram:GuidelineSpecifiedDocumentContextParameter/ram:ID"),
    process=_NOTHING,
    number=_xpath(_DOCUMENT + "ram:ID"),
    type_code=_xpath(_DOCUMENT + "ram:TypeCode"),
    issue_date=_xpath(_DOCUMENT + "ram:IssueDateTime/udt:DateTimeString"),
    buyer_reference=_xpath(_AGREEMENT + "ram:BuyerReference"),
    order=_xpath(_AGREEMENT + "ram:BuyerOrderReferencedDocument/ram:ID"),
    contract=_xpath(_AGREEMENT + "ram:ContractReferencedDocument/ram:ID"),
    delivery_date=_xpath(_DELIVERY + "ram:ActualDeliverySupplyChainEvent/ram:OccurrenceDateTime/udt:DateTimeString"),
    preceding=_NOTHING,
    **settlement_paths(_xpath, _SETTLEMENT, _SUMMATION),
    breakdown=BreakdownPaths(
        category=_xpath("ram:CategoryCode"),
        rate=_xpath("ram:ApplicablePercent"),
        taxable_amount=_xpath("ram:BasisAmount"),
        tax_amount=_xpath("ram:CalculatedAmount"),
    ),
    seller=_xpath(_AGREEMENT + "ram:SellerTradeParty"),
    buyer=_xpath(_AGREEMENT + "ram:BuyerTradeParty"),
    party=party_paths(_xpath, organisation=False),
    lines=_xpath(_TRANSACTION + "ram:IncludedSupplyChainTradeLineItem"),
    line=LinePaths(
        number=_xpath("ram:AssociatedDocumentLineDocument/ram:LineID"),
        name=_xpath("ram:SpecifiedTradeProduct/ram:Name"),
        seller_id=_xpath("ram:SpecifiedTradeProduct/ram:SellerAssignedID"),
        standard_id=_xpath("ram:SpecifiedTradeProduct/ram:GlobalID"),
        quantity=_xpath("ram:SpecifiedSupplyChainTradeDelivery/ram:BilledQuantity"),
        price=_xpath("ram:SpecifiedSupplyChainTradeAgreement/ram:NetPriceProductTradePrice/ram:ChargeAmount"),
        net_amount=_xpath(_LINE_SETTLEMENT + "ram:SpecifiedTradeSettlementMonetarySummation/ram:LineTotalAmount"),
        category=_xpath(_LINE_SETTLEMENT + "ram:ApplicableTradeTax/ram:CategoryCode"),
        rate=_xpath(_LINE_SETTLEMENT + "ram:ApplicableTradeTax/ram:ApplicablePercent"),
    ),
    document_references=_NOTHING,
    attachment=AttachmentPaths(content=_NOTHING, reference=_NOTHING, description=_NOTHING),
)


def read(root: etree._Element, syntax: Syntax) -> Invoice:
    """The canonical invoice of a ZUGFeRD 1.0 CrossIndustryDocument root element.

    The BASIC profile has no amount due (DuePayableAmount): it is then the grand
    total less what the document says was prepaid, the EN 16931 definition of BT-115.
    """
    invoice = read_layout(root, syntax, LAYOUT)
    if invoice.amount_due is None and invoice.total_with_vat is not None:
        invoice.amount_due = invoice.total_with_vat - (amount(_PREPAID, root) or 0)
    return invoice
