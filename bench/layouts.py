"""Plain PDF invoices in many layouts, with the values they print: the
measuring set of bench/recognition.py and the tests of layout recognition.

Each layout draws one invoice the way a family of invoicing systems does:
French, English (British and American) and German labels; the buyer's block
left or right, under "Facturé à", "Vos identifiants", "Bill to" or
"Rechnungsempfänger"; references beside their labels or in a table header;
totals in a label column and a value column, or in a table; letterheads with
the name printed large, a sender line over the address window, or the seller's
identifiers in the footer; two-page invoices. And what trips a reader: a due
date beside the invoice date, a customer number beside the invoice number, a
column of line totals headed like a total, a deposit that makes the amount due
less than the total. The truth is the `Invoice`'s values; nothing is read back
to make it.

PDFs are written object by object (`pdfs.assemble`), in the standard fonts
Helvetica and Helvetica-Bold, with amounts right-aligned by Helvetica's widths.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from bench.pdfs import PAGE_HEIGHT, PAGE_WIDTH, _escape, assemble

# Helvetica's widths (thousandths of the font size, from its AFM); an accented letter is its base letter's.
_WIDTHS = {" ": 278, ",": 278, ".": 278, "-": 333, "%": 889, "€": 556, "$": 556, "£": 556, ":": 278, "/": 278,
           "'": 191, "°": 400, "(": 333, ")": 333, "@": 1015, "&": 667, "#": 556, "·": 278,
           **dict(zip("abcdefghijklmnopqrstuvwxyz", (556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833,
                                                      556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500))),
           **dict(zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ", (667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833,
                                                      722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611)))}
_PUBLIC = ("21750001600019", "11000201100044", "20005372300017")  # active structures of config/directory.toml
_MONTHS_FR = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
              "novembre", "décembre")


@dataclass
class Invoice:
    """The values an invoice prints (the truth), and what it needs to print them."""

    number: str
    issue_date: date
    supplier_name: str
    supplier_siret: str
    supplier_street: str
    supplier_city: str
    buyer_name: str
    recipient_siret: str
    lines: list[tuple[str, int, Decimal]]  # label, quantity, unit price
    rates: list[Decimal]  # the VAT rate of each line
    currency: str = "EUR"
    engagement: str = ""
    service_code: str = ""
    deposit: Decimal = Decimal(0)  # paid in advance: the amount due is the total less it
    customer: str = ""  # the buyer's account number with the seller, a reference that is not the invoice's

    @property
    def due_date(self) -> date:
        return self.issue_date + timedelta(days=30)

    @property
    def amount_due(self) -> Decimal:
        return self.total_with_vat - self.deposit

    def bases(self) -> dict[Decimal, Decimal]:
        bases: dict[Decimal, Decimal] = {}
        for (_, quantity, price), rate in zip(self.lines, self.rates):
            bases[rate] = bases.get(rate, Decimal(0)) + quantity * price
        return bases

    def vats(self) -> dict[Decimal, Decimal]:
        return {rate: (base * rate / 100).quantize(Decimal("0.01")) for rate, base in self.bases().items()}

    @property
    def total_without_vat(self) -> Decimal:
        return sum(self.bases().values(), Decimal(0))

    @property
    def total_vat(self) -> Decimal:
        return sum(self.vats().values(), Decimal(0))

    @property
    def total_with_vat(self) -> Decimal:
        return self.total_without_vat + self.total_vat

    def truth(self) -> dict[str, object]:
        """The fields as bench/recognition.py compares them."""
        return {
            "number": self.number, "issue_date": self.issue_date, "supplier_siret": self.supplier_siret,
            "supplier_name": self.supplier_name, "recipient_siret": self.recipient_siret,
            "service_code": self.service_code, "engagement": self.engagement,
            "total_without_vat": self.total_without_vat, "total_vat": self.total_vat,
            "total_with_vat": self.total_with_vat, "amount_due": self.amount_due, "currency": self.currency,
        }


def _width(char: str) -> int:
    return _WIDTHS.get(char) or _WIDTHS.get(unicodedata.normalize("NFKD", char)[:1], 556)


@dataclass
class Canvas:
    """Pages of text placed at (x, y from the top), in points; `glyphs`: each
    character placed on its own, as some producers write them."""

    pages: list[list[tuple[float, float, float, bool, str]]] = field(default_factory=lambda: [[]])
    glyphs: bool = False

    def text(self, x: float, y: float, text: str, size: float = 9, bold: bool = False) -> None:
        if not self.glyphs:
            self.pages[-1].append((x, y, size, bold, text))
            return
        for char in text:
            if char != " ":
                self.pages[-1].append((x, y, size, bold, char))
            x += _width(char) * size / 1000

    def right(self, x: float, y: float, text: str, size: float = 9, bold: bool = False) -> None:
        """Text ending at x (amounts in a column)."""
        self.text(x - sum(_width(c) for c in text) * size / 1000, y, text, size, bold)

    def page(self) -> None:
        self.pages.append([])

    def pdf(self) -> bytes:
        count = len(self.pages)
        objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
                   b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
                       b" ".join(b"%d 0 R" % (5 + 2 * i) for i in range(count)), count),
                   b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
                   b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>"]
        for items in self.pages:
            stream = b"\n".join(
                b"BT /F%d %g Tf %.2f %.2f Td (%s) Tj ET" % (2 if bold else 1, size, x, PAGE_HEIGHT - y, _escape(text))
                for x, y, size, bold, text in items
            )
            objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Contents %d 0 R "
                           b"/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> >>"
                           % (PAGE_WIDTH, PAGE_HEIGHT, len(objects) + 2))
            objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        return assemble(objects)


# --- values as each language prints them ----------------------------------------------


def fr_amount(value: Decimal, sign: str = " €") -> str:
    whole, cents = f"{value:.2f}".split(".")
    return f"{int(whole):,}".replace(",", " ") + "," + cents + sign


def de_amount(value: Decimal, sign: str = " €") -> str:
    whole, cents = f"{value:.2f}".split(".")
    return f"{int(whole):,}".replace(",", ".") + "," + cents + sign


def en_amount(value: Decimal, sign: str = "") -> str:
    return sign + f"{value:,.2f}"


def spaced(siret: str) -> str:
    return f"{siret[:3]} {siret[3:6]} {siret[6:9]} {siret[9:]}"


def siret(rng: random.Random) -> str:
    """A SIRET with a right check digit (Luhn)."""
    digits = [rng.randint(0, 9) for _ in range(13)]
    for last in range(10):
        candidate = "".join(map(str, digits)) + str(last)
        total = sum(d * 2 - 9 if d * 2 > 9 and i % 2 else d * 2 if i % 2 else d
                    for i, d in enumerate(map(int, reversed(candidate))))
        if total % 10 == 0:
            return candidate
    raise AssertionError("a check digit always exists")


# --- the invoices ------------------------------------------------------------------------

_NAMES = ("Papeterie Martin", "Fournitures Dupont", "Atelier Lefèvre", "Bureau Plus", "Informatique Moreau",
          "Nettoyage Girard", "Imprimerie Roux", "Transports Blanc")
_FORMS = {"fr": ("SARL", "SAS", "SA", "EURL"), "en": ("Ltd", "Ltd", "Inc."), "de": ("GmbH", "GmbH", "AG")}
_BUYERS = ("Ville de Démo", "Ministère de la Démonstration", "Communauté de communes de Démo", "Mairie de Lyon",
           "Département du Rhône", "Université de Démo")
_ITEMS = ("Ramette papier A4", "Maintenance annuelle", "Cartouches d'encre", "Prestation de conseil",
          "Location de matériel", "Formation sur site", "Mobilier de bureau", "Licence logicielle")


def invoice(rng: random.Random, language: str, currency: str = "EUR", rates: tuple = (Decimal(20),)) -> Invoice:
    """A random invoice of `language`'s supplier to a French public buyer."""
    count = rng.randint(2, 6)
    lines = [(rng.choice(_ITEMS), rng.randint(1, 20), Decimal(rng.randint(150, 250_000)) / 100) for _ in range(count)]
    name = f"{rng.choice(_NAMES)} {rng.choice(_FORMS[language])}"
    public = rng.random() < 0.5
    return Invoice(
        number=rng.choice(("FA-{y}-{n:04d}", "{y}/{n:05d}", "INV-{n:06d}", "F{y}{n:04d}", "RE-{y}-{n}")).format(
            y=2026, n=rng.randint(1, 9999)),
        issue_date=date(2026, 1, 1) + timedelta(days=rng.randint(0, 330)),
        supplier_name=name,
        supplier_siret=siret(rng) if language == "fr" else "",
        supplier_street=f"{rng.randint(1, 120)} rue des {rng.choice(('Lilas', 'Forges', 'Ormes', 'Tanneurs'))}",
        supplier_city=rng.choice(("69001 Lyon", "75011 Paris", "33000 Bordeaux", "59000 Lille")) if language == "fr"
        else rng.choice(("10115 Berlin", "80331 München")) if language == "de" else "London EC1A 1BB",
        buyer_name=rng.choice(_BUYERS),
        recipient_siret=rng.choice(_PUBLIC) if public else siret(rng),
        lines=lines,
        rates=[rng.choice(rates) for _ in lines],
        currency=currency,
        engagement=f"EJ-{rng.randint(1000, 99999)}" if rng.random() < 0.5 else "",
        customer=f"C{rng.randint(100, 99999)}",
    )


def _lines_table(canvas: Canvas, inv: Invoice, y: float, headers: tuple[str, ...], amount, rows: int | None = None,
                 with_vat: bool = False):
    """The lines' table (label, quantity, unit price, line total without VAT, or
    with it when `with_vat`: a column whose heading is a total's label); returns where it ends."""
    canvas.text(50, y, headers[0], bold=True)
    canvas.right(380, y, headers[1], bold=True)
    canvas.right(460, y, headers[2], bold=True)
    canvas.right(545, y, headers[3], bold=True)
    for (label, quantity, price), rate in list(zip(inv.lines, inv.rates))[:rows]:
        y += 14
        canvas.text(50, y, label)
        canvas.right(380, y, str(quantity))
        canvas.right(460, y, amount(price))
        total = quantity * price * (1 + rate / 100) if with_vat else quantity * price
        canvas.right(545, y, amount(total.quantize(Decimal("0.01"))))
    return y + 24


def _totals_column(canvas: Canvas, y: float, rows: list[tuple[str, str]], label_x: float = 360, bold_last=True):
    """Totals as a column of labels and a column of amounts, right-aligned."""
    for index, (label, value) in enumerate(rows):
        last = bold_last and index == len(rows) - 1
        canvas.text(label_x, y, label, bold=last)
        canvas.right(545, y, value, bold=last)
        y += 14
    return y


def _letterhead_fr(canvas: Canvas, inv: Invoice, x: float = 50, with_siret: bool = True) -> None:
    canvas.text(x, 50, inv.supplier_name, size=16, bold=True)
    canvas.text(x, 70, inv.supplier_street)
    canvas.text(x, 82, inv.supplier_city)
    if with_siret:
        canvas.text(x, 94, f"SIRET : {spaced(inv.supplier_siret)}")


def _buyer(canvas: Canvas, y: float, heading: str, inv: Invoice) -> None:
    """The buyer's block on the right: its heading, name and SIRET."""
    canvas.text(330, y, heading, bold=True)
    canvas.text(330, y + 14, inv.buyer_name)
    canvas.text(330, y + 26, f"SIRET {inv.recipient_siret}")


def _vat_rows_fr(inv: Invoice) -> list[tuple[str, str]]:
    return [(f"TVA {rate:g} %", fr_amount(vat)) for rate, vat in sorted(inv.vats().items())]


def fr_classic(inv: Invoice, glyphs: bool = False) -> bytes:
    """Letterhead left, buyer's block right under "Facturé à", references under
    the title, totals in two columns."""
    c = Canvas(glyphs=glyphs)
    _letterhead_fr(c, inv)
    c.text(330, 120, "Facturé à :", bold=True)
    c.text(330, 134, inv.buyer_name)
    c.text(330, 146, "Place de la Mairie")
    c.text(330, 158, f"SIRET : {inv.recipient_siret}")
    c.text(330, 170, f"N° client : {inv.customer}")
    c.text(50, 190, f"FACTURE N° {inv.number}", size=13, bold=True)
    c.text(50, 208, f"Date de facture : {inv.issue_date:%d/%m/%Y}")
    c.text(250, 208, f"Échéance : {inv.due_date:%d/%m/%Y}")
    if inv.engagement:
        c.text(50, 220, f"N° d'engagement : {inv.engagement}")
    y = _lines_table(c, inv, 250, ("Désignation", "Qté", "P.U. HT", "Total HT"), fr_amount)
    deposit = [("Acompte versé", fr_amount(inv.deposit))] if inv.deposit else []
    _totals_column(c, y, [("Total HT", fr_amount(inv.total_without_vat)), *_vat_rows_fr(inv),
                          ("Total TTC", fr_amount(inv.total_with_vat)), *deposit,
                          ("Net à payer", fr_amount(inv.amount_due))])
    return c.pdf()


def fr_buyer_left(inv: Invoice) -> bytes:
    """Seller's letterhead on the right, buyer's block left under "Adresse de
    facturation", references in a table header, totals in a table."""
    c = Canvas()
    _letterhead_fr(c, inv, x=330)
    c.text(50, 130, "Adresse de facturation", bold=True)
    c.text(50, 144, inv.buyer_name)
    c.text(50, 156, "1 place de l'Hôtel de Ville")
    c.text(50, 168, f"SIRET {spaced(inv.recipient_siret)}")
    c.text(50, 205, "FACTURE", size=14, bold=True)
    for x, header, value in ((50, "N° de facture", inv.number), (200, "Date", f"{inv.issue_date:%d/%m/%Y}"),
                             (330, "Engagement", inv.engagement or "-")):
        c.text(x, 225, header, bold=True)
        c.text(x, 239, value)
    y = _lines_table(c, inv, 270, ("Désignation", "Quantité", "Prix HT", "Total TTC"), fr_amount, with_vat=True)
    headers = ("Total HT", "Total TVA", "Total TTC")
    values = (inv.total_without_vat, inv.total_vat, inv.total_with_vat)
    for x, header, value in zip((380, 460, 545), headers, values):
        c.right(x, y, header, bold=True)
        c.right(x, y + 14, fr_amount(value))
    return c.pdf()


def fr_identifiants(inv: Invoice) -> bytes:
    """As the French reform's examples print: "Nos références" and "Vos
    identifiants" side by side, the buyer's SIRET under the latter, the seller's
    SIREN and VAT number in its block, its SIRET in the footer."""
    c = Canvas()
    c.text(50, 45, "LOGO", size=9)
    c.text(50, 62, inv.supplier_name, size=14, bold=True)
    c.text(50, 78, inv.supplier_street)
    c.text(50, 90, inv.supplier_city)
    c.text(50, 102, f"SIREN : {spaced(inv.supplier_siret)[:11]}")
    c.text(50, 114, f"N° TVA intra : FR 12 {spaced(inv.supplier_siret)[:11]}")
    c.text(300, 45, f"FACTURE N° : {inv.number}", bold=True)
    c.text(300, 57, f"Date : {inv.issue_date:%d/%m/%Y}")
    c.text(300, 78, "CLIENT :", bold=True)
    c.text(300, 90, inv.buyer_name)
    c.text(300, 102, "2 avenue de la République")
    c.text(50, 150, "Nos références", bold=True)
    c.text(50, 162, "Commercial : M. Durand")
    c.text(300, 150, "Vos identifiants", bold=True)
    c.text(300, 162, f"SIRET : {inv.recipient_siret}")
    if inv.engagement:
        c.text(300, 174, f"Engagement juridique : {inv.engagement}")
    y = _lines_table(c, inv, 210, ("Désignation", "Qté", "PU HT", "Montant HT"), fr_amount)
    _totals_column(c, y, [("TOTAL HT", fr_amount(inv.total_without_vat)), ("TOTAL TVA", fr_amount(inv.total_vat)),
                          ("TOTAL TTC", fr_amount(inv.total_with_vat))])
    c.text(50, 800, f"{inv.supplier_name} - SIRET {inv.supplier_siret} - RCS Lyon", size=7)
    return c.pdf()


def fr_two_pages(inv: Invoice) -> bytes:
    """Header and first lines on page 1, the rest and the totals on page 2."""
    c = Canvas()
    _letterhead_fr(c, inv)
    _buyer(c, 60, "Destinataire", inv)
    c.text(50, 140, f"Facture n° {inv.number} du {inv.issue_date:%d/%m/%Y}", size=12, bold=True)
    if inv.engagement:
        c.text(50, 156, f"Bon de commande : {inv.engagement}")
    _lines_table(c, inv, 190, ("Désignation", "Qté", "P.U. HT", "Total HT"), fr_amount, rows=2)
    c.text(50, 800, "Page 1/2", size=7)
    c.page()
    c.text(50, 50, f"Facture n° {inv.number} (suite)", size=9)
    y = 80
    for label, quantity, price in inv.lines[2:]:
        c.text(50, y, label)
        c.right(545, y, fr_amount(quantity * price))
        y += 14
    _totals_column(c, y + 20, [("Montant HT", fr_amount(inv.total_without_vat)), *_vat_rows_fr(inv),
                               ("Montant TTC", fr_amount(inv.total_with_vat))])
    c.text(50, 800, "Page 2/2", size=7)
    return c.pdf()


def fr_words_and_footer(inv: Invoice) -> bytes:
    """A date in words, the buyer's block under "Client" on the left, the
    seller's SIRET only in the legal footer, a VAT breakdown table."""
    c = Canvas()
    c.text(330, 50, inv.supplier_name, size=18, bold=True)
    c.text(330, 72, f"{inv.supplier_street}, {inv.supplier_city}")
    c.text(50, 120, "Client", bold=True)
    c.text(50, 134, inv.buyer_name)
    c.text(50, 146, f"SIRET : {spaced(inv.recipient_siret)}")
    day = inv.issue_date
    c.text(330, 120, f"Facture {inv.number}", size=12, bold=True)
    c.text(330, 136, f"Émise le {day.day} {_MONTHS_FR[day.month - 1]} {day.year}")
    if inv.engagement:
        c.text(330, 148, f"Bon de commande n° {inv.engagement}")
    y = _lines_table(c, inv, 190, ("Désignation", "Qté", "P.U. HT", "Total HT"), fr_amount)
    c.text(50, y, "Taux", bold=True)
    c.right(200, y, "Base HT", bold=True)
    c.right(300, y, "Montant TVA", bold=True)
    for rate, vat in sorted(inv.vats().items()):
        y += 14
        c.text(50, y, f"{rate:g} %")
        c.right(200, y, fr_amount(inv.bases()[rate]))
        c.right(300, y, fr_amount(vat))
    _totals_column(c, y + 24, [("Total HT", fr_amount(inv.total_without_vat)),
                               ("Total TVA", fr_amount(inv.total_vat)), ("Total TTC", fr_amount(inv.total_with_vat))])
    c.text(50, 790, f"{inv.supplier_name}, société au capital de 10 000 €", size=7)
    c.text(50, 800, f"SIRET {spaced(inv.supplier_siret)} - TVA FR 12 {inv.supplier_siret[:9]}", size=7)
    return c.pdf()


def en_uk(inv: Invoice) -> bytes:
    """A British layout: "INVOICE", "Invoice to" block right, references as a
    label column and a value column, VAT, amounts with a pound sign."""
    c = Canvas()
    c.text(50, 50, inv.supplier_name, size=16, bold=True)
    c.text(50, 70, f"{inv.supplier_street}, {inv.supplier_city}")
    c.text(50, 82, "VAT Reg. No: GB 123 4567 89")
    c.text(330, 110, "Invoice to", bold=True)
    c.text(330, 124, inv.buyer_name)
    c.text(330, 136, "Place de la Mairie, 69001 Lyon, France")
    c.text(330, 148, f"SIRET: {inv.recipient_siret}")
    c.text(50, 110, "INVOICE", size=16, bold=True)
    rows = [("Invoice number", inv.number), ("Invoice date", f"{inv.issue_date:%d/%m/%Y}"),
            ("Due date", f"{inv.due_date:%d/%m/%Y}"), ("Account no.", inv.customer)]
    if inv.engagement:
        rows.append(("Purchase order", inv.engagement))
    for index, (label, value) in enumerate(rows):
        c.text(50, 135 + 13 * index, label)
        c.text(150, 135 + 13 * index, value)
    amount = lambda value: en_amount(value, "£")  # noqa: E731
    y = _lines_table(c, inv, 200, ("Description", "Qty", "Unit price", "Amount"), amount)
    deposit = [("Less deposit paid", amount(inv.deposit))] if inv.deposit else []
    _totals_column(c, y, [("Subtotal", amount(inv.total_without_vat)), ("VAT 20%", amount(inv.total_vat)),
                          ("Total", amount(inv.total_with_vat)), *deposit, ("Amount due", amount(inv.amount_due))])
    return c.pdf()


def en_us(inv: Invoice) -> bytes:
    """An American layout: "Bill to" left, the date month first, sales tax, dollars."""
    c = Canvas()
    c.text(50, 50, inv.supplier_name, size=16, bold=True)
    c.text(50, 70, "500 Market Street, San Francisco, CA 94105")
    c.text(400, 50, "INVOICE", size=18, bold=True)
    c.text(400, 75, f"Invoice # {inv.number}")
    c.text(400, 87, f"Date: {inv.issue_date:%m/%d/%Y}")
    if inv.engagement:
        c.text(400, 99, f"PO number: {inv.engagement}")
    c.text(50, 120, "Bill to:", bold=True)
    c.text(50, 134, inv.buyer_name)
    c.text(50, 146, f"SIRET {inv.recipient_siret}")
    c.text(300, 120, "Ship to:", bold=True)
    c.text(300, 134, "Same as billing, zip code 69001")
    amount = lambda value: en_amount(value, "$")  # noqa: E731
    y = _lines_table(c, inv, 190, ("Item", "Qty", "Rate", "Amount"), amount)
    _totals_column(c, y, [("Subtotal", amount(inv.total_without_vat)), ("Sales tax", amount(inv.total_vat)),
                          ("Total", amount(inv.total_with_vat)), ("Balance due", amount(inv.total_with_vat))])
    return c.pdf()


def en_reference_table(inv: Invoice) -> bytes:
    """References in a boxed table header with their values under, the buyer's
    block right under "Billed to", totals labelled "Total excl. VAT"."""
    c = Canvas()
    c.text(50, 50, inv.supplier_name, size=15, bold=True)
    c.text(50, 68, f"{inv.supplier_street} - {inv.supplier_city}")
    c.text(330, 100, "Billed to", bold=True)
    c.text(330, 114, inv.buyer_name)
    c.text(330, 126, f"SIRET: {spaced(inv.recipient_siret)}")
    c.text(50, 100, "Tax invoice", size=13, bold=True)
    for x, header, value in ((50, "Invoice No.", inv.number), (170, "Issue date", f"{inv.issue_date:%d %B %Y}"),
                             (300, "Your reference", inv.engagement or "n/a"), (410, "Customer No.", inv.customer),
                             (500, "Currency", inv.currency)):
        c.text(x, 160, header, bold=True)
        c.text(x, 174, value)
    y = _lines_table(c, inv, 210, ("Description", "Qty", "Unit price", "Net"), en_amount)
    _totals_column(c, y, [("Total excl. VAT", en_amount(inv.total_without_vat)),
                          ("VAT amount", en_amount(inv.total_vat)), ("Total incl. VAT", en_amount(inv.total_with_vat))])
    return c.pdf()


def de_classic(inv: Invoice) -> bytes:
    """A German layout (DIN 5008): a sender line over the address window, the
    buyer under "Rechnungsempfänger", an information block on the right."""
    c = Canvas()
    c.text(330, 40, inv.supplier_name, size=15, bold=True)
    c.text(50, 120, f"{inv.supplier_name} · {inv.supplier_street} · {inv.supplier_city}", size=6)
    c.text(50, 135, "Rechnungsempfänger", size=8)
    c.text(50, 148, inv.buyer_name)
    c.text(50, 160, "Place de la Mairie, F-69001 Lyon")
    c.text(50, 172, f"SIRET {inv.recipient_siret}")
    rows = [("Kundennummer", inv.customer), ("Rechnungsnummer", inv.number),
            ("Rechnungsdatum", f"{inv.issue_date:%d.%m.%Y}"), ("Fällig am", f"{inv.due_date:%d.%m.%Y}")]
    if inv.engagement:
        rows.append(("Bestellnummer", inv.engagement))
    for index, (label, value) in enumerate(rows):
        c.text(350, 135 + 13 * index, label)
        c.text(450, 135 + 13 * index, value)
    c.text(50, 220, "Rechnung", size=14, bold=True)
    y = _lines_table(c, inv, 250, ("Bezeichnung", "Menge", "Einzelpreis", "Gesamt"), de_amount)
    _totals_column(c, y, [("Nettobetrag", de_amount(inv.total_without_vat)),
                          ("MwSt. 19 %", de_amount(inv.total_vat)), ("Gesamtbetrag", de_amount(inv.total_with_vat)),
                          *([("Anzahlung", de_amount(inv.deposit))] if inv.deposit else []),
                          ("Zahlbetrag", de_amount(inv.amount_due))])
    return c.pdf()


def de_rechnungsadresse(inv: Invoice) -> bytes:
    """German labels, the buyer's block right under "Rechnungsadresse", the
    references in a header table, totals "Summe netto / USt. / Summe brutto"."""
    c = Canvas()
    c.text(50, 50, inv.supplier_name, size=16, bold=True)
    c.text(50, 68, f"{inv.supplier_street}, {inv.supplier_city}")
    c.text(50, 80, "USt-IdNr.: DE 123456789")
    c.text(330, 110, "Rechnungsadresse", bold=True)
    c.text(330, 124, inv.buyer_name)
    c.text(330, 136, f"SIRET: {spaced(inv.recipient_siret)}")
    for x, header, value in ((50, "Rechnungs-Nr.", inv.number), (170, "Datum", f"{inv.issue_date:%d.%m.%Y}"),
                             (290, "Währung", inv.currency), (400, "Bestellnummer", inv.engagement or "-")):
        c.text(x, 180, header, bold=True)
        c.text(x, 194, value)
    y = _lines_table(c, inv, 230, ("Artikel", "Menge", "Preis", "Betrag"), de_amount)
    _totals_column(c, y, [("Summe netto", de_amount(inv.total_without_vat)),
                          ("USt.-Betrag", de_amount(inv.total_vat)), ("Summe brutto", de_amount(inv.total_with_vat))])
    return c.pdf()


def fr_glyph_by_glyph(inv: Invoice) -> bytes:
    """The classic French layout written a character at a time, as some producers do."""
    return fr_classic(inv, glyphs=True)


def fr_short_headings(inv: Invoice) -> bytes:
    """Totals in a table headed only "HT", "TVA", "TTC", and "Net à payer" with
    dotted leaders: labels a reader must know in their shortest form."""
    c = Canvas()
    _letterhead_fr(c, inv)
    _buyer(c, 110, "Facturé à", inv)
    c.text(50, 170, f"Facture n° {inv.number}", size=12, bold=True)
    c.text(50, 186, f"Date : {inv.issue_date:%d/%m/%Y}")
    if inv.engagement:
        c.text(50, 198, f"Engagement : {inv.engagement}")
    y = _lines_table(c, inv, 220, ("Désignation", "Qté", "P.U. HT", "Montant"), fr_amount)
    for x, header, value in ((380, "HT", inv.total_without_vat), (460, "TVA", inv.total_vat),
                             (545, "TTC", inv.total_with_vat)):
        c.right(x, y, header, bold=True)
        c.right(x, y + 14, fr_amount(value))
    c.text(330, y + 40, "Net à payer ..........................")
    c.right(545, y + 40, fr_amount(inv.total_with_vat), bold=True)
    return c.pdf()


def fr_service_code(inv: Invoice) -> bytes:
    """Chorus Pro references in a block: service code and engagement beside
    their labels, the buyer right under "Destinataire", columns of totals."""
    c = Canvas()
    _letterhead_fr(c, inv)
    c.text(330, 50, "Destinataire", bold=True)
    c.text(330, 64, inv.buyer_name)
    c.text(330, 76, f"SIRET du destinataire : {inv.recipient_siret}")
    c.text(330, 88, f"Code service : {inv.service_code}")
    c.text(50, 140, f"Facture N° {inv.number}", size=12, bold=True)
    c.text(50, 156, f"Date d'émission : {inv.issue_date:%d/%m/%Y}")
    if inv.engagement:
        c.text(50, 168, f"Numéro d'engagement : {inv.engagement}")
    y = _lines_table(c, inv, 200, ("Désignation", "Qté", "P.U. HT", "Total HT"), fr_amount)
    _totals_column(c, y, [("Total hors taxes", fr_amount(inv.total_without_vat)),
                          ("Montant TVA", fr_amount(inv.total_vat)),
                          ("Total toutes taxes comprises", fr_amount(inv.total_with_vat))], label_x=330)
    return c.pdf()


def fr_sender_line(inv: Invoice) -> bytes:
    """A small sender line as the letterhead (no large name), the buyer in the
    window under "Facturer à", the number and date on the right."""
    c = Canvas()
    c.text(50, 40, f"{inv.supplier_name} · {inv.supplier_street} · {inv.supplier_city}", size=7)
    c.text(50, 52, f"SIRET {inv.supplier_siret} · TVA FR 40 {inv.supplier_siret[:9]}", size=7)
    c.text(50, 100, "Facturer à", bold=True)
    c.text(50, 114, inv.buyer_name)
    c.text(50, 126, f"SIRET {inv.recipient_siret}")
    c.text(350, 100, "Facture", size=12, bold=True)
    c.text(350, 116, "Numéro :")
    c.text(430, 116, inv.number)
    c.text(350, 128, "Date :")
    c.text(430, 128, f"{inv.issue_date:%d/%m/%Y}")
    c.text(350, 140, "Échéance :")
    c.text(430, 140, f"{inv.due_date:%d/%m/%Y}")
    if inv.engagement:
        c.text(350, 152, "Engagement :")
        c.text(430, 152, inv.engagement)
    c.text(50, 800, "IBAN FR76 3000 6000 0112 3456 7890 189 - BIC AGRIFRPP", size=7)
    y = _lines_table(c, inv, 180, ("Désignation", "Qté", "P.U. HT", "Total HT"), fr_amount)
    _totals_column(c, y, [("Total HT", fr_amount(inv.total_without_vat)), *_vat_rows_fr(inv),
                          ("Total TTC", fr_amount(inv.total_with_vat)), ("Net à payer", fr_amount(inv.total_with_vat))])
    return c.pdf()


_FR_RATES = (Decimal(20), Decimal("5.5"), Decimal(10))
# name -> (draw, language, currency, VAT rates)
LAYOUTS = {
    "fr-classic": (fr_classic, "fr", "EUR", (Decimal(20),)),
    "fr-buyer-left-tables": (fr_buyer_left, "fr", "EUR", (Decimal(20),)),
    "fr-vos-identifiants": (fr_identifiants, "fr", "EUR", (Decimal(20),)),
    "fr-two-pages": (fr_two_pages, "fr", "EUR", _FR_RATES),
    "fr-date-in-words-footer": (fr_words_and_footer, "fr", "EUR", _FR_RATES),
    "fr-service-code": (fr_service_code, "fr", "EUR", (Decimal(20),)),
    "fr-glyph-by-glyph": (fr_glyph_by_glyph, "fr", "EUR", (Decimal(20),)),
    "fr-short-headings": (fr_short_headings, "fr", "EUR", (Decimal(20),)),
    "fr-sender-line": (fr_sender_line, "fr", "EUR", _FR_RATES),
    "en-uk": (en_uk, "en", "GBP", (Decimal(20),)),
    "en-us": (en_us, "en", "USD", (Decimal(8),)),
    "en-reference-table": (en_reference_table, "en", "EUR", (Decimal(20),)),
    "de-classic": (de_classic, "de", "EUR", (Decimal(19),)),
    "de-rechnungsadresse": (de_rechnungsadresse, "de", "EUR", (Decimal(19),)),
}


def generated(per_layout: int = 10, seed: int = 17):
    """(layout name, PDF, truth) for `per_layout` invoices of each layout, the
    same for the same seed."""
    rng = random.Random(seed)
    for name, (draw, language, currency, rates) in LAYOUTS.items():
        for _ in range(per_layout):
            inv = invoice(rng, language, currency, rates)
            if draw is fr_service_code:
                inv.service_code = rng.choice(("FIN-01", "ACHATS", "SERV-7"))
            if draw in (fr_classic, fr_glyph_by_glyph, en_uk, de_classic) and rng.random() < 0.3:
                inv.deposit = (inv.total_with_vat * Decimal("0.3")).quantize(Decimal("0.01"))
            yield name, draw(inv), inv.truth()
