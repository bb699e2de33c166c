"""UN/CEFACT Cross Industry Invoice (D16B, and the D22B superset) into the
canonical invoice.

Paths follow the EN 16931 CII binding, which every Factur-X / ZUGFeRD 2 profile
and XRechnung CII share: a MINIMUM or BASIC WL document simply has fewer of
them, so it reads with fewer fields and no lines rather than failing. EXTENDED
sub-lines (ParentLineID) are ordinary line items in CII, listed flat in
document order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
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
from facteur.engine.model import Invoice, Syntax

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
NOTHING = "self::node()[false()]"  # a path for what a dialect does not have: it finds nothing


@dataclass(frozen=True)
class Layout:
    """Where one CII dialect keeps each piece of the canonical invoice, as
    compiled XPaths from the root (or from the group named in the comment).

    D16B and its Factur-X / ZUGFeRD 2 profiles use `D16B`; ZUGFeRD 1.0, built on
    an earlier CII draft with other element names, has its own in `zugferd1.py`.
    """

    profile: etree.XPath
    process: etree.XPath
    number: etree.XPath
    type_code: etree.XPath
    issue_date: etree.XPath
    buyer_reference: etree.XPath
    order: etree.XPath
    contract: etree.XPath
    delivery_date: etree.XPath
    currency: etree.XPath
    preceding: etree.XPath
    due_date: etree.XPath
    payment_means: etree.XPath
    account: AccountPaths
    tax_basis_total: etree.XPath
    tax_totals: etree.XPath
    grand_total: etree.XPath
    due_payable: etree.XPath
    breakdowns: etree.XPath
    breakdown: BreakdownPaths  # from each breakdown
    seller: etree.XPath
    buyer: etree.XPath
    party: PartyPaths  # from each party
    lines: etree.XPath
    line: LinePaths  # from each line
    document_references: etree.XPath
    attachment: AttachmentPaths  # from each document reference


def settlement_paths(xpath: Callable[[str], etree.XPath], settlement: str, summation: str) -> dict:
    """The `Layout` paths of the settlement group (currency, payment, VAT and
    totals), whose element names D16B and ZUGFeRD 1.0 share below the group's
    own name (`settlement`, and `summation` for the totals)."""
    return dict(
        currency=xpath(settlement + "ram:InvoiceCurrencyCode"),
        due_date=xpath(settlement + "ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/udt:DateTimeString"),
        payment_means=xpath(settlement + "ram:SpecifiedTradeSettlementPaymentMeans/ram:TypeCode"),
        # BT-84 is the IBAN or, outside SEPA, a proprietary account id.
        account=AccountPaths(
            credit_transfer=xpath(
                settlement + "ram:SpecifiedTradeSettlementPaymentMeans[ram:PayeePartyCreditorFinancialAccount]"
            ),
            iban=xpath(
                "ram:PayeePartyCreditorFinancialAccount/ram:IBANID"
                " | ram:PayeePartyCreditorFinancialAccount/ram:ProprietaryID"
            ),
            bank_id=xpath("ram:PayeeSpecifiedCreditorFinancialInstitution/ram:BICID"),
        ),
        tax_basis_total=xpath(summation + "ram:TaxBasisTotalAmount"),
        tax_totals=xpath(summation + "ram:TaxTotalAmount"),
        grand_total=xpath(summation + "ram:GrandTotalAmount"),
        due_payable=xpath(summation + "ram:DuePayableAmount"),
        breakdowns=xpath(settlement + "ram:ApplicableTradeTax"),
    )


def party_paths(xpath: Callable[[str], etree.XPath], organisation: bool) -> PartyPaths:
    """The trade party paths, the same in D16B and ZUGFeRD 1.0, except that a
    ZUGFeRD 1.0 party has no legal organisation and no electronic address
    (`organisation` False: those paths find nothing)."""

    def when_organised(path: str) -> etree.XPath:
        return xpath(path if organisation else NOTHING)

    return PartyPaths(
        registration_name=xpath("ram:Name"),
        trading_name=when_organised("ram:SpecifiedLegalOrganization/ram:TradingBusinessName"),
        country=xpath("ram:PostalTradeAddress/ram:CountryID"),
        vat_id=xpath("ram:SpecifiedTaxRegistration/ram:ID[normalize-space(@schemeID)='VA']"),
        party_ids=xpath("ram:ID | ram:GlobalID"),
        legal_ids=when_organised("ram:SpecifiedLegalOrganization/ram:ID"),
        electronic_address=when_organised("ram:URIUniversalCommunication/ram:URIID"),
    )


D16B = Layout(
    profile=_xpath(_CONTEXT + "ram:GuidelineSpecifiedDocumentContextParameter/ram:ID"),
    process=_xpath(_CONTEXT + "ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID"),
    number=_xpath(_DOCUMENT + "ram:ID"),
    type_code=_xpath(_DOCUMENT + "ram:TypeCode"),
    issue_date=_xpath(_DOCUMENT + "ram:IssueDateTime/udt:DateTimeString"),
    buyer_reference=_xpath(_AGREEMENT + "ram:BuyerReference"),
    order=_xpath(_AGREEMENT + "ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID"),
    contract=_xpath(_AGREEMENT + "ram:ContractReferencedDocument/ram:IssuerAssignedID"),
    delivery_date=_xpath(_DELIVERY + "ram:ActualDeliverySupplyChainEvent/ram:OccurrenceDateTime/udt:DateTimeString"),
    preceding=_xpath(_SETTLEMENT + "ram:InvoiceReferencedDocument/ram:IssuerAssignedID"),
    **settlement_paths(_xpath, _SETTLEMENT, _SUMMATION),
    breakdown=BreakdownPaths(
        category=_xpath("ram:CategoryCode"),
        rate=_xpath("ram:RateApplicablePercent"),
        taxable_amount=_xpath("ram:BasisAmount"),
        tax_amount=_xpath("ram:CalculatedAmount"),
    ),
    seller=_xpath(_AGREEMENT + "ram:SellerTradeParty"),
    buyer=_xpath(_AGREEMENT + "ram:BuyerTradeParty"),
    party=party_paths(_xpath, organisation=True),
    lines=_xpath(_TRANSACTION + "ram:IncludedSupplyChainTradeLineItem"),
    line=LinePaths(
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
    ),
    document_references=_xpath(_AGREEMENT + "ram:AdditionalReferencedDocument"),
    attachment=AttachmentPaths(
        content=_xpath("ram:AttachmentBinaryObject"),
        reference=_xpath("ram:IssuerAssignedID"),
        description=_xpath("ram:Name"),
    ),
)


def read(root: etree._Element, syntax: Syntax) -> Invoice:
    """The canonical invoice of a CII CrossIndustryInvoice root element."""
    return read_layout(root, syntax, D16B)


def read_layout(root: etree._Element, syntax: Syntax, layout: Layout) -> Invoice:
    """The canonical invoice of a CII-family root element whose paths `layout` gives."""
    currency = value(layout.currency, root)
    return Invoice(
        syntax=syntax,
        number=value(layout.number, root),
        type_code=value(layout.type_code, root),
        issue_date=cii_date(first(layout.issue_date(root))),
        currency=currency,
        supplier=parties.seller(
            read_party(first(layout.seller(root)), layout.party), *read_account(root, layout.account)
        ),
        buyer=parties.buyer(read_party(first(layout.buyer(root)), layout.party)),
        total_without_vat=amount(layout.tax_basis_total, root),
        total_with_vat=amount(layout.grand_total, root),
        amount_due=amount(layout.due_payable, root),
        total_vat=decimal(in_currency(layout.tax_totals(root), currency)),
        profile=value(layout.profile, root),
        process=value(layout.process, root),
        service_code=value(layout.buyer_reference, root),
        engagement=value(layout.order, root),
        contract=value(layout.contract, root),
        preceding_invoice=value(layout.preceding, root),
        delivery_date=cii_date(first(layout.delivery_date(root))),
        due_date=cii_date(first(layout.due_date(root))),
        payment_means=value(layout.payment_means, root),
        vat_breakdown=[read_breakdown(node, layout.breakdown) for node in layout.breakdowns(root)],
        lines=[read_line(node, layout.line) for node in layout.lines(root)],
        attachments=read_attachments(layout.document_references(root), layout.attachment),
    )
