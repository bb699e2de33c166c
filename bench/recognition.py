"""Accuracy of plain-PDF recognition, on real layouts and on generated ones.

Two sets, each compared field by field with what it truly says:

- the corpus (../shared/corpus, skipped with a note when absent): every
  Factur-X / ZUGFeRD PDF, its embedded XML ignored for the recognition and
  used as the truth (read by facteur's own readers). The XML is not always
  what the page shows (test files whose printout belongs to another invoice,
  values only the XML carries), so the figures that count are those of the
  values that are printed: whose usual written forms occur in the PDF's text.
  Its EXPECTED.tsv has no truth of its own for the fields of a PDF.
- plain PDFs the project generates itself (bench/layouts.py): fourteen layouts
  in French, English and German, ten invoices each, whose values are the truth.

A field counts as given when recognised at or above the configured confidence
(`[recognition] min_confidence`, 0.6 by default: below, facteur counts it as
missing), and as high-confidence at or above --high (0.9). Printed per field:
how many values the truth states, how many were given right (accuracy), how
many were given with high confidence and how many of those were right; and how
often a field the truth leaves empty was left empty.

    python bench/recognition.py [CORPUS_DIR] [--mapping FILE] [--threshold 0.6] [--high 0.9]
                                [--per-layout 10] [--show FIELD]
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pypdf

from bench import layouts
from facteur.engine.errors import ExtractionError, PdfRefused, UnsafeXml
from facteur.engine.extraction import extract
from facteur.engine.hub import directory
from facteur.engine.inputs import embedded, pdf, printed, recognise
from facteur.engine.inputs.detect import classify
from facteur.engine.inputs.parse import parse_xml
from facteur.engine.model import Invoice, Syntax

REPO = Path(__file__).resolve().parents[1]
READING_SECONDS = 30.0  # what is measured is the reading, not its speed on a busy machine
STRUCTURES = directory.from_toml(tomllib.loads((REPO / "config" / "directory.toml").read_text("utf-8")), "").structures


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
    """(path, the invoice its XML carries, the PDF) for each PDF with usable data."""
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
            yield path, invoice, content
        except (PdfRefused, UnsafeXml, ExtractionError):
            continue


@dataclass
class Tally:
    """Counts per field over one set of documents."""

    stated: Counter = field(default_factory=Counter)
    right: Counter = field(default_factory=Counter)
    high: Counter = field(default_factory=Counter)
    high_right: Counter = field(default_factory=Counter)
    empty: Counter = field(default_factory=Counter)
    left_empty: Counter = field(default_factory=Counter)
    documents: int = 0

    def add(self, truth: dict, found: recognise.Recognised, threshold: float, high: float, show: str | None,
            where: str) -> None:
        self.documents += 1
        given = found.sure(threshold)
        for name, expected in truth.items():
            got = given.get(name)
            if expected in (None, ""):
                self.empty[name] += 1
                self.left_empty[name] += got is None
                continue
            if found.values.get("type_code") == "381" and isinstance(expected, Decimal) and expected < 0:
                expected = -expected  # an invoice of negative amounts titled AVOIR, read as a credit note: the same debt
            hit = same(name, expected, got)
            self.stated[name] += 1
            self.right[name] += hit
            if got is not None and found.confidence.get(name, 1.0) >= high:
                self.high[name] += 1
                self.high_right[name] += hit
            if not hit and name == show:
                print(f"  miss {where}: expected {expected!r}, got {found.values.get(name)!r} "
                      f"({found.confidence.get(name)}, {found.how.get(name)})")

    def print(self, title: str) -> None:
        print(title)
        print(f"{'field':<20}{'stated':>8}{'right':>8}{'accuracy':>10}{'high-conf':>11}{'right':>7}{'accuracy':>10}"
              f"{'empty':>8}{'left empty':>12}")
        for name in [*recognise.FIELDS, None]:
            pick = (lambda c: c[name]) if name else (lambda c: sum(c.values()))  # noqa: E731
            print(f"{name or 'all fields':<20}{pick(self.stated):>8}{pick(self.right):>8}"
                  f"{_share(pick(self.right), pick(self.stated)):>10}{pick(self.high):>11}{pick(self.high_right):>7}"
                  f"{_share(pick(self.high_right), pick(self.high)):>10}{pick(self.empty):>8}{pick(self.left_empty):>12}")
        print()


def corpus(args, patterns) -> None:
    if not args.corpus.is_dir():
        print(f"corpus: skipped, not found at {args.corpus}\n")
        return
    everything, printed = Tally(), Tally()
    for path, invoice, content in samples(args.corpus):
        text = pdf.text_of(content, path.name, READING_SECONDS)
        found = recognise.recognise(text, patterns, pdf.layout_of(content, path.name, READING_SECONDS))
        where = str(path.relative_to(args.corpus))
        truth_ = truth(invoice)
        everything.add(truth_, found, args.threshold, args.high, None, where)
        shown = {name: value if value in (None, "") or on_page(value, text) else "" for name, value in truth_.items()}
        printed.add({n: v for n, v in shown.items() if v not in (None, "") or truth_[n] in (None, "")}, found,
                    args.threshold, args.high, args.show, where)
    everything.print(f"corpus: {everything.documents} Factur-X / ZUGFeRD PDFs of {args.corpus}, every value "
                     "their XML states")
    printed.print("corpus: the values printed on the page (their usual written forms occur in its text)")


def generated(args, patterns) -> None:
    tally = Tally()
    for name, content, truth_ in layouts.generated(args.per_layout):
        text, found_layout = pdf.text_of(content, name), pdf.layout_of(content, name)
        tally.add(truth_, recognise.recognise(text, patterns, found_layout, STRUCTURES), args.threshold, args.high,
                  args.show, name)
    tally.print(f"generated: {tally.documents} plain PDFs in {len(layouts.LAYOUTS)} layouts (bench/layouts.py), "
                "the demo directory's structures known")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=REPO.parent / "shared" / "corpus")
    parser.add_argument("--mapping", type=Path, default=REPO / "mappings" / "recognition.toml")
    parser.add_argument("--threshold", type=float, default=0.6, help="confidence below which a field is missing")
    parser.add_argument("--high", type=float, default=0.9, help="confidence counted as high")
    parser.add_argument("--per-layout", type=int, default=10, help="generated invoices per layout")
    parser.add_argument("--show", help="print each miss of this field")
    args = parser.parse_args()
    patterns = recognise.Patterns.from_toml(tomllib.loads(args.mapping.read_text("utf-8")), str(args.mapping))
    print(f"python {platform.python_version()}, pypdf {pypdf.__version__}, {platform.machine()}, "
          f"threshold {args.threshold}, high confidence >= {args.high}\n")
    started = time.perf_counter()
    generated(args, patterns)
    corpus(args, patterns)
    print(f"{time.perf_counter() - started:.1f} s")


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "-"


if __name__ == "__main__":
    main()
