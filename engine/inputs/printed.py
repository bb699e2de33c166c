"""Values as invoices print them: amounts in any of the usual groupings, dates
in numbers or words, SIRETs with or without spaces, references, names,
currencies.

Each reader takes the text that follows (or sits under) a label and returns
the value it starts with, with where it starts and ends, or None. They know
nothing of labels or layout (`recognise.py` does); what varies with the
language of the document, month names and the order of day and month, comes
in `Conventions`, from the recognition mapping.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

CURRENCY_SIGNS = {"€": "EUR", "£": "GBP", "$": "USD"}
ISO_CURRENCIES = frozenset({"EUR", "USD", "GBP", "CHF", "JPY", "CAD", "AUD", "SEK", "NOK", "DKK", "PLN",
                            "CZK", "HUF", "RON", "BGN", "XPF", "CNY"})


@dataclass(frozen=True)
class Conventions:
    """How the documents write dates: month names (folded) and day-month order."""

    months: dict[str, int]
    day_first: bool = True


def fold(text: str) -> str:
    """Lower case without accents, one character for one, so columns keep their place."""
    return "".join(_fold_char(c) for c in text)


def _fold_char(char: str) -> str:
    base = unicodedata.normalize("NFKD", char)[:1] or char
    lowered = base.lower()
    return lowered if len(lowered) == 1 else base


_AMOUNT = re.compile(
    r"(?P<sign>-)?\s?(?:[€£$]\s?)?"
    r"(?P<number>\d{1,3}(?:[ .,\u00a0\u202f'’]\d{3})+(?:[.,]\d{1,4})?|\d+(?:[.,]\d{1,4})?)"
    r"(?!\s?%)(?![\d.,]*\d)"
)
_NUMERIC_DATE = re.compile(r"(\d{1,2})[./-](\d{1,2})[./-](\d{4}|\d{2})(?!\d)")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?!\d)")
_WORD_DATE = re.compile(r"(\d{1,2})(?:er)?\.?\s+([a-z]+)\.?\s+(\d{4})")
_ENGLISH_DATE = re.compile(r"([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})")
_SIRET = re.compile(r"(?<!\d)(\d{3}\s?\d{3}\s?\d{3}\s?\d{5})(?!\d)")
_REFERENCE = re.compile(r"[A-Za-z0-9][A-Za-z0-9/_.\-]*[A-Za-z0-9]|[A-Za-z0-9]")
TEXT = re.compile(r"\S.*?(?=\s{2,}|$)")
# What sets apart the parts of a letterhead or a sender line: "ACME SAS - 1 rue...", "Kraxi GmbH · Flugzeugallee 17".
SEPARATOR = re.compile(r"\s+[-|•●·–]\s+|\s*[•●·|]\s*")
CURRENCY_CODE = re.compile(r"\b([A-Z]{3})\b")
# A postcode starting a line: "75018 PARIS", "D-07545 GERA", "1000 Bruxelles".
POSTCODE = re.compile(r"(?:[A-Z]{1,2}-)?\d{4,5}\s+[^\W\d]")


def sender(text: str) -> str | None:
    """The name of a sender line, printed small over an envelope's address window
    ("Kraxi GmbH · Flugzeugallee 17 · 12345 Papierfeld"): parts set apart, one of
    them a postcode and city."""
    parts = SEPARATOR.split(text)
    if len(parts) >= 3 and any(POSTCODE.match(part.strip()) for part in parts[1:]):
        return parts[0].strip()
    return None


def read_amount(text: str, _: Conventions) -> tuple[Decimal, int, int] | None:
    match = _AMOUNT.match(text)
    if not match:
        return None
    return _to_decimal(match), match.start(), match.end()


def _to_decimal(match: re.Match) -> Decimal:
    """An amount as printed, in any of the usual groupings: 1 234,56 / 1.234,56 / 1,234.56."""
    digits = re.sub(r"[ \u00a0\u202f'’]", "", match["number"])
    last = max(digits.rfind("."), digits.rfind(","))
    if last >= 0 and len(digits) - last - 1 != 3:
        whole, fraction = digits[:last], digits[last + 1 :]
    elif last >= 0 and digits.count(digits[last]) == 1 and ("." in digits) != ("," in digits) and len(digits) <= 5:
        whole, fraction = digits[:last], digits[last + 1 :]  # "1,250" alone: three decimals, not a thousand
    else:
        whole, fraction = digits, ""
    value = Decimal(re.sub(r"[.,]", "", whole) + ("." + fraction if fraction else ""))  # digits only: always valid
    return -value if match["sign"] else value


def read_date(text: str, conventions: Conventions) -> tuple[date, int, int] | None:
    """A date in one of the usual forms; month names as the mapping lists them."""
    folded = fold(text)
    for regex, reader in (
        (_ISO_DATE, lambda m: (int(m[1]), int(m[2]), int(m[3]))),
        (_NUMERIC_DATE, lambda m: _numeric(m, conventions.day_first)),
        (_WORD_DATE, lambda m: (_year(m[3]), conventions.months.get(m[2]), int(m[1]))),
        (_ENGLISH_DATE, lambda m: (_year(m[3]), conventions.months.get(m[1]), int(m[2]))),
    ):
        match = regex.match(folded)
        if match:
            year, month, day = reader(match)
            try:
                return date(year, month, day), match.start(), match.end()
            except (TypeError, ValueError):
                continue
    return None


def _numeric(match: re.Match, day_first: bool) -> tuple[int, int, int]:
    first, second = int(match[1]), int(match[2])
    day, month = (first, second) if day_first else (second, first)
    if month > 12 >= day:
        day, month = month, day
    return _year(match[3]), month, day


def _year(text: str) -> int:
    year = int(text)
    return year + 2000 if year < 100 else year


def read_siret(text: str, _: Conventions) -> tuple[str, int, int] | None:
    match = _SIRET.match(text)
    return ("".join(match[1].split()), match.start(), match.end()) if match else None


def read_reference(text: str, conventions: Conventions) -> tuple[str, int, int] | None:
    """An identifier with at least one digit that is not a date (invoice numbers are)."""
    match = _REFERENCE.match(text)
    if not match or not any(c.isdigit() for c in match[0]) or read_date(text, conventions):
        return None
    return match[0], match.start(), match.end()


def read_code(text: str, _: Conventions) -> tuple[str, int, int] | None:
    match = _REFERENCE.match(text)
    return (match[0], match.start(), match.end()) if match else None


def read_text(text: str, _: Conventions) -> tuple[str, int, int] | None:
    """A name: words up to the next cell or separator ("ACME SAS - SIREN ..."),
    more letters than digits (not an identifier line)."""
    match = TEXT.match(text)
    name = SEPARATOR.split(match[0])[0] if match else ""
    if sum(c.isalpha() for c in name) <= sum(c.isdigit() for c in name):
        return None
    return name.strip(), match.start(), match.start() + len(name)


def read_currency(text: str, _: Conventions) -> tuple[str, int, int] | None:
    match = CURRENCY_CODE.search(text.upper()[:20])
    if match and match[1] in ISO_CURRENCIES:
        return match[1], match.start(), match.end()
    sign = text.lstrip()[:1]
    return (CURRENCY_SIGNS[sign], 0, 1) if sign in CURRENCY_SIGNS else None


# The kind of value a field holds -> how it is read.
READERS = {
    "amount": read_amount,
    "date": read_date,
    "siret": read_siret,
    "reference": read_reference,
    "code": read_code,
    "text": read_text,
    "currency": read_currency,
}
