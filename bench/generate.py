"""Generator of realistic, EN 16931-valid UBL and CII invoices.

Used by the benchmark (many distinct invoices, 1 to 200 lines), by the tests
(invoices aimed at each case of the demo directory) and to make the demo
samples. Amounts are computed the way an invoicing system does (line = quantity
x price, VAT per rate rounded to the cent, totals summed), so the EN 16931
calculation rules hold. Output is deterministic for a given seed.

    python -m bench.generate OUT_DIR --count 20 [--syntax ubl|cii|mixed] [--lines 1-200]
"""

from __future__ import annotations

import argparse
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from xml.sax.saxutils import escape

CENT = Decimal("0.01")
RATES = (Decimal("20"), Decimal("10"), Decimal("5.5"))
ITEMS = ("Ramette papier A4", "Cartouche d'encre", "Prestation de maintenance", "Licence logicielle",
         "Mobilier de bureau", "Heure de conseil", "Câble réseau 5 m", "Écran 27 pouces", "Transport")

DEMO_SUPPLIER = ("35600000000048", "Fournitures Démo SARL", "FR32356000000")
DEMO_IBAN = "FR7630006000011234567890189"


@dataclass
class Spec:
    """What one generated invoice says."""

    number: str
    buyer_siret: str = "21750001600019"
    supplier_siret: str = DEMO_SUPPLIER[0]
    supplier_name: str = DEMO_SUPPLIER[1]
    supplier_vat: str = DEMO_SUPPLIER[2]
    service_code: str = ""
    engagement: str = ""
    issue_date: date = date(2026, 11, 2)
    type_code: str = "380"
    lines: int = 3
    seed: int = 0
    currency: str = "EUR"
    line_items: list = field(default_factory=list)


def _lines(spec: Spec) -> list[tuple[str, str, Decimal, Decimal, Decimal, Decimal]]:
    rng = random.Random(f"{spec.number}:{spec.seed}")
    rows = []
    for index in range(1, spec.lines + 1):
        quantity = Decimal(rng.randint(1, 12))
        price = (Decimal(rng.randint(100, 250000)) / 100).quantize(CENT)
        rate = rng.choice(RATES)
        rows.append((str(index), rng.choice(ITEMS), quantity, price, (quantity * price).quantize(CENT), rate))
    return rows


def _totals(rows):
    by_rate: dict[Decimal, Decimal] = {}
    for *_, net, rate in rows:
        by_rate[rate] = by_rate.get(rate, Decimal(0)) + net
    breakdown = [(rate, base, (base * rate / 100).quantize(CENT, ROUND_HALF_UP)) for rate, base in sorted(by_rate.items())]
    line_total = sum((row[4] for row in rows), Decimal(0))
    tax = sum((vat for *_, vat in breakdown), Decimal(0))
    return line_total, tax, line_total + tax, breakdown


def _rate(rate: Decimal) -> str:
    return format(rate.normalize(), "f")


def ubl(spec: Spec) -> bytes:
    rows = _lines(spec)
    line_total, tax, grand, breakdown = _totals(rows)
    cur = spec.currency
    root = "CreditNote" if spec.type_code == "381" else "Invoice"
    type_tag = "CreditNoteTypeCode" if root == "CreditNote" else "InvoiceTypeCode"
    qty_tag = "CreditedQuantity" if root == "CreditNote" else "InvoicedQuantity"
    line_tag = "CreditNoteLine" if root == "CreditNote" else "InvoiceLine"
    due = "" if root == "CreditNote" else f"<cbc:DueDate>{spec.issue_date + timedelta(days=30)}</cbc:DueDate>"
    parts = [
        f'<?xml version="1.0" encoding="UTF-8"?>\n<{root} xmlns="urn:oasis:names:specification:ubl:schema:xsd:{root}-2" '
        'xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2" '
        'xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">',
        "<cbc:CustomizationID>urn:cen.eu:en16931:2017</cbc:CustomizationID><cbc:ProfileID>A1</cbc:ProfileID>",
        f"<cbc:ID>{escape(spec.number)}</cbc:ID><cbc:IssueDate>{spec.issue_date}</cbc:IssueDate>{due}",
        f"<cbc:{type_tag}>{spec.type_code}</cbc:{type_tag}><cbc:DocumentCurrencyCode>{cur}</cbc:DocumentCurrencyCode>",
        f"<cbc:BuyerReference>{escape(spec.service_code)}</cbc:BuyerReference>" if spec.service_code else "",
        f"<cac:OrderReference><cbc:ID>{escape(spec.engagement)}</cbc:ID></cac:OrderReference>" if spec.engagement else "",
        _ubl_party("AccountingSupplierParty", spec.supplier_siret, spec.supplier_name, spec.supplier_vat, "Paris", "75001"),
        _ubl_party("AccountingCustomerParty", spec.buyer_siret, "Acheteur public de démonstration", "", "Lyon", "69001"),
        f"<cac:PaymentMeans><cbc:PaymentMeansCode>30</cbc:PaymentMeansCode><cac:PayeeFinancialAccount>"
        f"<cbc:ID>{DEMO_IBAN}</cbc:ID></cac:PayeeFinancialAccount></cac:PaymentMeans>",
        f'<cac:TaxTotal><cbc:TaxAmount currencyID="{cur}">{tax}</cbc:TaxAmount>',
    ]
    for rate, base, vat in breakdown:
        parts.append(
            f'<cac:TaxSubtotal><cbc:TaxableAmount currencyID="{cur}">{base}</cbc:TaxableAmount>'
            f'<cbc:TaxAmount currencyID="{cur}">{vat}</cbc:TaxAmount><cac:TaxCategory><cbc:ID>S</cbc:ID>'
            f"<cbc:Percent>{_rate(rate)}</cbc:Percent><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme>"
            "</cac:TaxCategory></cac:TaxSubtotal>"
        )
    parts.append(
        f'</cac:TaxTotal><cac:LegalMonetaryTotal><cbc:LineExtensionAmount currencyID="{cur}">{line_total}</cbc:LineExtensionAmount>'
        f'<cbc:TaxExclusiveAmount currencyID="{cur}">{line_total}</cbc:TaxExclusiveAmount>'
        f'<cbc:TaxInclusiveAmount currencyID="{cur}">{grand}</cbc:TaxInclusiveAmount>'
        f'<cbc:PayableAmount currencyID="{cur}">{grand}</cbc:PayableAmount></cac:LegalMonetaryTotal>'
    )
    for number, name, quantity, price, net, rate in rows:
        parts.append(
            f'<cac:{line_tag}><cbc:ID>{number}</cbc:ID><cbc:{qty_tag} unitCode="C62">{quantity}</cbc:{qty_tag}>'
            f'<cbc:LineExtensionAmount currencyID="{cur}">{net}</cbc:LineExtensionAmount><cac:Item>'
            f"<cbc:Name>{escape(name)}</cbc:Name><cac:SellersItemIdentification><cbc:ID>REF-{number}</cbc:ID>"
            f"</cac:SellersItemIdentification><cac:ClassifiedTaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>{_rate(rate)}</cbc:Percent>"
            "<cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:ClassifiedTaxCategory></cac:Item>"
            f'<cac:Price><cbc:PriceAmount currencyID="{cur}">{price}</cbc:PriceAmount></cac:Price></cac:{line_tag}>'
        )
    parts.append(f"</{root}>")
    return "".join(parts).encode("utf-8")


def _ubl_party(tag: str, siret: str, name: str, vat: str, city: str, postcode: str) -> str:
    tax = (
        f"<cac:PartyTaxScheme><cbc:CompanyID>{vat}</cbc:CompanyID><cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:PartyTaxScheme>"
        if vat
        else ""
    )
    return (
        f'<cac:{tag}><cac:Party><cbc:EndpointID schemeID="0009">{siret}</cbc:EndpointID>'
        f'<cac:PartyIdentification><cbc:ID schemeID="0009">{siret}</cbc:ID></cac:PartyIdentification>'
        f"<cac:PostalAddress><cbc:StreetName>1 rue de la Démo</cbc:StreetName><cbc:CityName>{city}</cbc:CityName>"
        f"<cbc:PostalZone>{postcode}</cbc:PostalZone><cac:Country><cbc:IdentificationCode>FR</cbc:IdentificationCode>"
        f"</cac:Country></cac:PostalAddress>{tax}<cac:PartyLegalEntity><cbc:RegistrationName>{escape(name)}</cbc:RegistrationName>"
        f'<cbc:CompanyID schemeID="0009">{siret}</cbc:CompanyID></cac:PartyLegalEntity></cac:Party></cac:{tag}>'
    )


def cii(spec: Spec) -> bytes:
    rows = _lines(spec)
    line_total, tax, grand, breakdown = _totals(rows)
    cur = spec.currency
    day = spec.issue_date.strftime("%Y%m%d")
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n<rsm:CrossIndustryInvoice '
        'xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100" '
        'xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100" '
        'xmlns:qdt="urn:un:unece:uncefact:data:standard:QualifiedDataType:100" '
        'xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100">',
        "<rsm:ExchangedDocumentContext><ram:BusinessProcessSpecifiedDocumentContextParameter><ram:ID>A1</ram:ID>"
        "</ram:BusinessProcessSpecifiedDocumentContextParameter><ram:GuidelineSpecifiedDocumentContextParameter>"
        "<ram:ID>urn:cen.eu:en16931:2017</ram:ID></ram:GuidelineSpecifiedDocumentContextParameter></rsm:ExchangedDocumentContext>",
        f"<rsm:ExchangedDocument><ram:ID>{escape(spec.number)}</ram:ID><ram:TypeCode>{spec.type_code}</ram:TypeCode>"
        f'<ram:IssueDateTime><udt:DateTimeString format="102">{day}</udt:DateTimeString></ram:IssueDateTime></rsm:ExchangedDocument>',
        "<rsm:SupplyChainTradeTransaction>",
    ]
    for number, name, quantity, price, net, rate in rows:
        parts.append(
            f"<ram:IncludedSupplyChainTradeLineItem><ram:AssociatedDocumentLineDocument><ram:LineID>{number}</ram:LineID>"
            f"</ram:AssociatedDocumentLineDocument><ram:SpecifiedTradeProduct><ram:SellerAssignedID>REF-{number}</ram:SellerAssignedID>"
            f"<ram:Name>{escape(name)}</ram:Name></ram:SpecifiedTradeProduct><ram:SpecifiedLineTradeAgreement>"
            f"<ram:NetPriceProductTradePrice><ram:ChargeAmount>{price}</ram:ChargeAmount></ram:NetPriceProductTradePrice>"
            f'</ram:SpecifiedLineTradeAgreement><ram:SpecifiedLineTradeDelivery><ram:BilledQuantity unitCode="C62">{quantity}'
            "</ram:BilledQuantity></ram:SpecifiedLineTradeDelivery><ram:SpecifiedLineTradeSettlement><ram:ApplicableTradeTax>"
            f"<ram:TypeCode>VAT</ram:TypeCode><ram:CategoryCode>S</ram:CategoryCode><ram:RateApplicablePercent>{_rate(rate)}"
            "</ram:RateApplicablePercent></ram:ApplicableTradeTax><ram:SpecifiedTradeSettlementLineMonetarySummation>"
            f"<ram:LineTotalAmount>{net}</ram:LineTotalAmount></ram:SpecifiedTradeSettlementLineMonetarySummation>"
            "</ram:SpecifiedLineTradeSettlement></ram:IncludedSupplyChainTradeLineItem>"
        )
    parts += [
        "<ram:ApplicableHeaderTradeAgreement>",
        f"<ram:BuyerReference>{escape(spec.service_code)}</ram:BuyerReference>" if spec.service_code else "",
        _cii_party("SellerTradeParty", spec.supplier_siret, spec.supplier_name, spec.supplier_vat, "Paris", "75001"),
        _cii_party("BuyerTradeParty", spec.buyer_siret, "Acheteur public de démonstration", "", "Lyon", "69001"),
        f"<ram:BuyerOrderReferencedDocument><ram:IssuerAssignedID>{escape(spec.engagement)}</ram:IssuerAssignedID>"
        "</ram:BuyerOrderReferencedDocument>" if spec.engagement else "",
        "</ram:ApplicableHeaderTradeAgreement><ram:ApplicableHeaderTradeDelivery><ram:ActualDeliverySupplyChainEvent>"
        f'<ram:OccurrenceDateTime><udt:DateTimeString format="102">{day}</udt:DateTimeString></ram:OccurrenceDateTime>'
        "</ram:ActualDeliverySupplyChainEvent></ram:ApplicableHeaderTradeDelivery>",
        f"<ram:ApplicableHeaderTradeSettlement><ram:InvoiceCurrencyCode>{cur}</ram:InvoiceCurrencyCode>"
        "<ram:SpecifiedTradeSettlementPaymentMeans><ram:TypeCode>30</ram:TypeCode><ram:PayeePartyCreditorFinancialAccount>"
        f"<ram:IBANID>{DEMO_IBAN}</ram:IBANID></ram:PayeePartyCreditorFinancialAccount></ram:SpecifiedTradeSettlementPaymentMeans>",
    ]
    for rate, base, vat in breakdown:
        parts.append(
            f"<ram:ApplicableTradeTax><ram:CalculatedAmount>{vat}</ram:CalculatedAmount><ram:TypeCode>VAT</ram:TypeCode>"
            f"<ram:BasisAmount>{base}</ram:BasisAmount><ram:CategoryCode>S</ram:CategoryCode>"
            f"<ram:RateApplicablePercent>{_rate(rate)}</ram:RateApplicablePercent></ram:ApplicableTradeTax>"
        )
    due = (spec.issue_date + timedelta(days=30)).strftime("%Y%m%d")
    parts += [
        f'<ram:SpecifiedTradePaymentTerms><ram:DueDateDateTime><udt:DateTimeString format="102">{due}</udt:DateTimeString>'
        "</ram:DueDateDateTime></ram:SpecifiedTradePaymentTerms>",
        f"<ram:SpecifiedTradeSettlementHeaderMonetarySummation><ram:LineTotalAmount>{line_total}</ram:LineTotalAmount>"
        f"<ram:TaxBasisTotalAmount>{line_total}</ram:TaxBasisTotalAmount>"
        f'<ram:TaxTotalAmount currencyID="{cur}">{tax}</ram:TaxTotalAmount><ram:GrandTotalAmount>{grand}</ram:GrandTotalAmount>'
        f"<ram:DuePayableAmount>{grand}</ram:DuePayableAmount></ram:SpecifiedTradeSettlementHeaderMonetarySummation>",
        "</ram:ApplicableHeaderTradeSettlement></rsm:SupplyChainTradeTransaction></rsm:CrossIndustryInvoice>",
    ]
    return "".join(parts).encode("utf-8")


def _cii_party(tag: str, siret: str, name: str, vat: str, city: str, postcode: str) -> str:
    tax = f'<ram:SpecifiedTaxRegistration><ram:ID schemeID="VA">{vat}</ram:ID></ram:SpecifiedTaxRegistration>' if vat else ""
    return (
        f'<ram:{tag}><ram:GlobalID schemeID="0009">{siret}</ram:GlobalID><ram:Name>{escape(name)}</ram:Name>'
        f'<ram:SpecifiedLegalOrganization><ram:ID schemeID="0009">{siret}</ram:ID></ram:SpecifiedLegalOrganization>'
        f"<ram:PostalTradeAddress><ram:PostcodeCode>{postcode}</ram:PostcodeCode><ram:LineOne>1 rue de la Démo</ram:LineOne>"
        f"<ram:CityName>{city}</ram:CityName><ram:CountryID>FR</ram:CountryID></ram:PostalTradeAddress>"
        f'<ram:URIUniversalCommunication><ram:URIID schemeID="0009">{siret}</ram:URIID></ram:URIUniversalCommunication>'
        f"{tax}</ram:{tag}>"
    )


def csv_export(spec: Spec) -> bytes:
    """The same invoice as the CSV export of mappings/formats/csv-export.toml
    (H and L records, semicolons, decimal comma, French dates)."""
    rows = _lines(spec)
    line_total, tax, grand, _ = _totals(rows)
    header = ["H", spec.number, spec.issue_date.strftime("%d/%m/%Y"), spec.currency, spec.supplier_siret,
              spec.supplier_name, spec.buyer_siret, spec.service_code, spec.engagement,
              *(french_amount(x) for x in (line_total, tax, grand, grand))]
    records = [header] + [["L", number, f"REF-{number}", name, str(quantity), french_amount(price), french_amount(net),
                           _rate(rate).replace(".", ",")] for number, name, quantity, price, net, rate in rows]
    title = "TYPE;NUMERO;DATE;DEVISE;SIRET_FOURNISSEUR;FOURNISSEUR;SIRET_DESTINATAIRE;CODE_SERVICE;ENGAGEMENT;" \
            "TOTAL_HT;TOTAL_TVA;TOTAL_TTC;NET_A_PAYER"
    return ("\n".join([title] + [";".join(record) for record in records]) + "\n").encode("utf-8")


def printed_totals(spec: Spec) -> tuple[Decimal, Decimal, Decimal]:
    """Total without VAT, VAT and total with VAT, as the invoice prints them."""
    line_total, tax, grand, _ = _totals(_lines(spec))
    return line_total, tax, grand


def french_amount(amount: Decimal) -> str:
    return f"{amount:,.2f}".replace(",", " ").replace(".", ",")


def make(syntax: str, spec: Spec) -> bytes:
    return ubl(spec) if syntax == "ubl" else cii(spec)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--syntax", choices=("ubl", "cii", "mixed"), default="mixed")
    parser.add_argument("--lines", default="1-200", help="line count range, e.g. 1-200")
    parser.add_argument("--buyer", default="21750001600019", help="recipient SIRET")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    low, high = (int(x) for x in args.lines.split("-"))
    rng = random.Random(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    for index in range(args.count):
        syntax = args.syntax if args.syntax != "mixed" else ("ubl", "cii")[index % 2]
        spec = Spec(number=f"GEN-{args.seed}-{index:06d}", buyer_siret=args.buyer, lines=rng.randint(low, high), seed=args.seed)
        (args.out / f"{spec.number}.{syntax}.xml").write_bytes(make(syntax, spec))


if __name__ == "__main__":
    main()
