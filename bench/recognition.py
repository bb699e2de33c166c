"""Accuracy of plain-PDF recognition, measured on real layouts.

Takes every Factur-X / ZUGFeRD PDF of a corpus, ignores its embedded XML for
the recognition, recognises the header and footer fields from the PDF text
with the patterns of mappings/recognition.toml, and compares each field with
what the embedded XML says (read by facteur's own readers). Prints, field by
field, how many of the values the XML states were recognised exactly, and how
often a field the XML leaves empty was left empty.

The XML is not always what the page shows (test files whose printout belongs
to another invoice, credit notes printed with positive amounts, values only
the XML carries), so a second pair of columns counts only the values that are
printed: those whose usual written forms occur in the PDF's text.

    python bench/recognition.py [CORPUS_DIR] [--mapping FILE] [--show FIELD]
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from collections import Counter
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from facteur.engine.errors import ExtractionError, PdfRefused, UnsafeXml
from facteur.engine.extraction import extract
from facteur.engine.inputs import embedded, pdf, printed, recognise
from facteur.engine.inputs.detect import classify
from facteur.engine.inputs.parse import parse_xml
from facteur.engine.model import Invoice, Syntax

REPO = Path(__file__).resolve().parents[1]


def truth(invoice: Invoice) -> dict[str, object]:
    """The fields as the XML states them, in the recogniser's terms."""
    supplier, buyer = invoice.supplier, invoice.buyer
    return {
        "number": invoice.number,
        "issue_date": invoice.issue_date,
        "supplier_siret": supplier.identifier if supplier.identifier_type == "1" and len(supplier.identifier) == 14 else "",
        "supplier_name": supplier.name,
        "recipient_siret": buyer.identifier if buyer.identifier_type == "1" and len(buyer.identifier) == 14 else "",
        "service_code": invoice.service_code,
        "engagement": invoice.engagement,
        "total_without_vat": invoice.total_without_vat,
        "total_vat": invoice.total_vat,
        "total_with_vat": invoice.total_with_vat,
        "amount_due": invoice.amount_due,
        "currency": invoice.currency,
    }


def same(field: str, expected: object, got: object) -> bool:
    if field == "supplier_name":
        return _name(expected) == _name(got)
    if hasattr(expected, "compare") and got is not None:
        return expected == got
    return str(expected).strip() == str(got if got is not None else "").strip()


# A company is the same with or without its legal form (the XML often leaves it out).
LEGAL_FORMS = frozenset({"sa", "sas", "sasu", "sarl", "eurl", "sci", "gmbh", "ag", "kg", "inc", "ltd", "llc", "bv"})


def _name(value: object) -> str:
    words = printed.fold(str(value or "")).replace(",", " ").replace(".", " ").split()
    return " ".join(word for word in words if word not in LEGAL_FORMS)


def on_page(expected: object, text: str) -> bool:
    """Whether a value appears in the text in one of its usual written forms."""
    flat = " ".join(text.split())
    compact = flat.replace(" ", "")
    if isinstance(expected, Decimal):
        whole, _, cents = f"{abs(expected):.2f}".partition(".")
        grouped = f"{int(whole):,}"
        forms = {f"{whole}.{cents}", f"{whole},{cents}", f"{grouped}.{cents}", f"{grouped.replace(',', '.')},{cents}"}
        return any(form in compact for form in forms)
    if isinstance(expected, date):
        forms = {expected.strftime(f) for f in ("%d.%m.%Y", "%d/%m/%Y", "%Y-%m-%d", "%d.%m.%y", "%m/%d/%Y")}
        return any(form in flat for form in forms) or printed.fold(expected.strftime("%d %B %Y")) in printed.fold(flat)
    return str(expected).replace(" ", "") in compact


def samples(corpus: Path):
    """(path, the invoice its XML carries, its text) for each PDF with usable data."""
    for path in sorted(corpus.rglob("*.pdf")):
        content = path.read_bytes()
        try:
            contents = pdf.read(content, path.name)
            data = embedded.data_file(contents.files)
            if data is None:
                continue
            root = parse_xml(data.content, data.name, 20_000_000)
            if classify(root)[0] is Syntax.UNKNOWN and "CrossIndustryDocument" not in root.tag:
                continue
            invoice = extract(root, Syntax.FACTURX)
            yield path, invoice, pdf.text_of(content, path.name)
        except (PdfRefused, UnsafeXml, ExtractionError):
            continue


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=REPO.parent / "shared" / "corpus")
    parser.add_argument("--mapping", type=Path, default=REPO / "mappings" / "recognition.toml")
    parser.add_argument("--show", help="print each miss of this field")
    args = parser.parse_args()
    if not args.corpus.is_dir():
        sys.exit(f"corpus not found at {args.corpus}")
    patterns = recognise.Patterns.from_toml(tomllib.loads(args.mapping.read_text("utf-8")), str(args.mapping))
    stated, right, empty, left_empty = Counter(), Counter(), Counter(), Counter()
    shown, shown_right = Counter(), Counter()
    documents = 0
    for path, invoice, text in samples(args.corpus):
        documents += 1
        found = recognise.recognise(text, patterns).values
        for field, expected in truth(invoice).items():
            got = found.get(field)
            if expected in (None, ""):
                empty[field] += 1
                left_empty[field] += got in (None, "")
                continue
            stated[field] += 1
            hit = same(field, expected, got)
            right[field] += hit
            if on_page(expected, text):
                shown[field] += 1
                shown_right[field] += hit
            if not hit and field == args.show:
                print(f"  miss {path.relative_to(args.corpus)}: expected {expected!r}, got {got!r}")
    print(f"recognition over {documents} Factur-X / ZUGFeRD PDFs of {args.corpus} (their XML as the truth)")
    print(f"{'field':<20}{'stated':>8}{'right':>8}{'accuracy':>10}{'printed':>9}{'right':>7}{'accuracy':>10}"
          f"{'empty':>8}{'left empty':>12}")
    for field in [*recognise.FIELDS, None]:
        pick = (lambda c: c[field]) if field else (lambda c: sum(c.values()))  # noqa: E731
        print(f"{field or 'all fields':<20}{pick(stated):>8}{pick(right):>8}{_share(pick(right), pick(stated)):>10}"
              f"{pick(shown):>9}{pick(shown_right):>7}{_share(pick(shown_right), pick(shown)):>10}"
              f"{pick(empty):>8}{pick(left_empty):>12}")


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "-"


if __name__ == "__main__":
    main()
