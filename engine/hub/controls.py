"""Hub controls: the checks Chorus Pro makes against its directory and its
history, after the document itself has been found valid.

They answer the questions only the hub can: is the recipient a known, active
public structure; does the invoice carry the service code or engagement number
that structure requires; did this supplier already deposit this invoice number
this year; may this sender deposit for this supplier. The ledger is reached
only through the `known_invoice` function handed in, so the controls stay pure.

A recipient is looked for in the configuration's directory first (the
operator's own structures, `config/directory.toml`), then in the national
directory kept in the ledger's database (`annuaire.Annuaire`), as it stood on
the day the flow was received.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import date
from typing import Callable

from facteur.engine.hub import annuaire as national
from facteur.engine.hub.annuaire import Annuaire
from facteur.engine.hub.directory import Directory, Structure
from facteur.engine.model import Finding, Invoice, Party, Severity

SIRET = re.compile(r"^\d{14}$")
OPEN_PLACEHOLDER_SIRET = "00000000000000"

KnownInvoice = Callable[[str, str, int], str | None]


@dataclass
class Routing:
    """Where an accepted invoice goes, and the invoice as the pivot will carry it."""

    invoice: Invoice
    mailbox: str = ""
    structure: Structure | None = None
    service_name: str = ""


def _finding(code: str, message: str, location: str, blocking: bool = True) -> Finding:
    return Finding(code, Severity.BLOCKING if blocking else Severity.WARNING, message, location, layer="hub")


# Characters a reader does not see (Unicode's default-ignorable code points
# that are not already format characters, Cf): joiners, fillers, variation selectors.
INVISIBLE = re.compile(
    "[\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u2065\u3164\ufe00-\ufe0f\uffa0\ufff0-\ufff8"
    "\U000e0000-\U000e0fff]"
)
# Signs read as a hyphen that are not dash punctuation (Pd): minus signs, the hyphen bullet.
MINUS_SIGNS = "\u02d7\u2043\u2212\u2796"
SPACES = re.compile(r"\s+")


def comparable(text: str) -> str:
    """The text as a person reads it, for comparing: `DK-1`, `dk-1`, `DK‑1`
    with a non-breaking hyphen and `DK-1` followed by a zero-width space are one
    number. Compatibility forms folded (NFKC: full-width letters, no-break
    spaces), invisible and format characters dropped, every dash made `-`,
    spaces collapsed and trimmed, case folded."""
    text = INVISIBLE.sub("", unicodedata.normalize("NFKC", text))
    text = "".join(_plain(c) for c in text if unicodedata.category(c) != "Cf")
    return unicodedata.normalize("NFKC", SPACES.sub(" ", text).strip().casefold())


def _plain(character: str) -> str:
    return "-" if character in MINUS_SIGNS or unicodedata.category(character) == "Pd" else character


def duplicate_key(invoice: Invoice) -> tuple[str, str, int] | None:
    """(supplier, number, year): what makes two deposits the same invoice,
    compared as a person reads them (`comparable`); the invoice keeps its
    number as written."""
    supplier = _depositing_supplier(invoice)
    if not (supplier and invoice.number and invoice.year):
        return None
    return comparable(supplier), comparable(invoice.number), invoice.year


def _depositing_supplier(invoice: Invoice) -> str:
    return invoice.supplier.identifier or invoice.supplier.vat_id or invoice.supplier.name


def check(
    invoice: Invoice,
    directory: Directory,
    sender: str | None,
    known_invoice: KnownInvoice,
    seen_in_flow: set[tuple[str, str, int]],
    annuaire: Annuaire | None = None,
    on: date | None = None,
) -> tuple[list[Finding], Routing]:
    """Findings of the hub controls, and where the invoice would go.

    `seen_in_flow` holds the keys of invoices already accepted earlier in the
    same flow (a lot); the caller adds to it. A `sender` of None skips the
    sender check (validation without a deposit). `annuaire` is the national
    directory, read as it stood `on` the day the flow was received.
    """
    findings: list[Finding] = []
    findings += _sender(invoice, directory, sender)
    findings += _supplier(invoice.supplier, directory)
    routing, recipient_findings = _recipient(invoice, directory, annuaire, on or date.today())
    findings += recipient_findings
    if routing.structure is not None:
        findings += _requirements(invoice, routing)
    findings += _duplicate(invoice, known_invoice, seen_in_flow)
    return findings, routing


def _sender(invoice: Invoice, directory: Directory, sender: str | None) -> list[Finding]:
    if directory.open or sender is None:
        return []
    partner = directory.senders.get(sender)
    if partner is None:
        return [
            _finding(
                "FCT-SENDER-UNKNOWN",
                f"sender {sender} is not in the directory; declare it with the suppliers it deposits for",
                "sender",
            )
        ]
    supplier = invoice.supplier.identifier
    if not partner.may_deposit_for(supplier):
        return [
            _finding(
                "FCT-SENDER-NOT-ALLOWED",
                f"sender {sender} is not allowed to deposit invoices for supplier {supplier or '(no identifier)'}; "
                "add the supplier to this sender's list in the directory",
                "BT-29/BT-30",
            )
        ]
    return []


def _supplier(supplier: Party, directory: Directory) -> list[Finding]:
    if supplier.identifier_type == "1" and not SIRET.match(supplier.identifier):
        return [
            _finding(
                "FCT-SUPPLIER-SIRET",
                f"the supplier is French but its identifier {supplier.identifier or '(none)'} is not a SIRET "
                "(14 digits); give the SIRET as seller legal registration (BT-30, scheme 0009)",
                "BT-30",
                blocking=not directory.open,
            )
        ]
    return []


def _recipient(invoice: Invoice, directory: Directory, annuaire: Annuaire | None, on: date
               ) -> tuple[Routing, list[Finding]]:
    siret = invoice.buyer.identifier if SIRET.match(invoice.buyer.identifier) else ""
    structure = directory.structures.get(siret) if siret else None
    found = None
    if structure is None and annuaire is not None and (siret or invoice.buyer.address):
        found = national.recipient(annuaire, siret, invoice.buyer.address, invoice.service_code, on)
    if found is not None and found.structure is None:
        return Routing(invoice), [_finding(found.problem, found.message, "BT-46/BT-47/BT-49")]
    if found is not None:
        structure = found.structure
    if structure is not None:
        if not structure.active:
            return Routing(invoice), [
                _finding(
                    "FCT-RECIPIENT-INACTIVE",
                    f"recipient {siret} ({structure.name}) is no longer active and cannot receive invoices; "
                    "check the buyer's SIRET with your customer",
                    "BT-46/BT-47",
                )
            ]
        return Routing(invoice, structure.mailbox, structure), []
    if directory.open:
        return _open_routing(invoice, directory, siret)
    if not siret:
        return Routing(invoice), [
            _finding(
                "FCT-RECIPIENT-MISSING",
                f"the buyer has no SIRET (found {invoice.buyer.identifier or 'no identifier'}); a public recipient "
                "is identified by its 14-digit SIRET in BT-46 or BT-47 (scheme 0009)",
                "BT-46/BT-47",
            )
        ]
    return Routing(invoice), [
        _finding(
            "FCT-RECIPIENT-UNKNOWN",
            f"recipient SIRET {siret} is not a public structure of the directory; check the buyer's SIRET "
            "with your customer",
            "BT-46/BT-47",
        )
    ]


def _open_routing(invoice: Invoice, directory: Directory, siret: str) -> tuple[Routing, list[Finding]]:
    if siret:
        return Routing(invoice, directory.open_mailbox), []
    buyer = replace(invoice.buyer, identifier=OPEN_PLACEHOLDER_SIRET, identifier_type="1")
    note = _finding(
        "FCT-OPEN-RECIPIENT",
        f"the buyer has no SIRET (found {invoice.buyer.identifier or 'no identifier'}); the open directory "
        f"routes it to {directory.open_mailbox} with the placeholder identifier {OPEN_PLACEHOLDER_SIRET}",
        "BT-46/BT-47",
        blocking=False,
    )
    return Routing(replace(invoice, buyer=buyer), directory.open_mailbox), [note]


def _requirements(invoice: Invoice, routing: Routing) -> list[Finding]:
    structure = routing.structure
    findings = []
    code = invoice.service_code
    if code:
        service = structure.services.get(code)
        if service is None and structure.services:
            findings.append(
                _finding(
                    "FCT-SERVICE-UNKNOWN",
                    f"service code {code} does not exist at {structure.name} ({structure.siret}); "
                    f"known services: {_listed(sorted(s for s, v in structure.services.items() if v.active))}",
                    "BT-10",
                )
            )
        elif service is not None and not service.active:
            findings.append(_finding("FCT-SERVICE-INACTIVE", _inactive(service, structure), "BT-10"))
        elif service is not None:
            routing.service_name = service.name
            if service.engagement_required and not invoice.engagement:
                findings.append(
                    _finding(
                        "FCT-ENGAGEMENT-MISSING",
                        f"le service {code} ({service.name}) de {structure.name} ({structure.siret}) exige un numéro "
                        "d'engagement dans la référence de commande (BT-13)",
                        "BT-13",
                    )
                )
    elif structure.service_required:
        findings.append(
            _finding(
                "FCT-SERVICE-MISSING",
                f"{structure.name} ({structure.siret}) requires a service code in the buyer reference (BT-10)",
                "BT-10",
            )
        )
    if structure.engagement_required and not invoice.engagement:
        findings.append(
            _finding(
                "FCT-ENGAGEMENT-MISSING",
                f"{structure.name} ({structure.siret}) requires an engagement number in the purchase order "
                "reference (BT-13)",
                "BT-13",
            )
        )
    if structure.service_or_engagement and not (code or invoice.engagement):
        findings.append(
            _finding(
                "FCT-SERVICE-OR-ENGAGEMENT",
                f"{structure.name} ({structure.siret}) requires a service code (BT-10) or an engagement "
                "number (BT-13); the invoice has neither",
                "BT-10/BT-13",
            )
        )
    return findings


SHOWN_SERVICES = 12  # a structure of the national directory may have hundreds


def _listed(codes: list[str]) -> str:
    more = len(codes) - SHOWN_SERVICES
    return ", ".join(codes[:SHOWN_SERVICES]) + (f" and {more} more" if more > 0 else "")


def _inactive(service, structure: Structure) -> str:
    if service.closed is None:
        return (f"service {service.code} of {structure.name} ({structure.siret}) is no longer active; ask the buyer "
                "for its current service code")
    return (f"le service {service.code} ({service.name}) de {structure.name} ({structure.siret}) est fermé depuis le "
            f"{service.closed:%d/%m/%Y} dans l'annuaire ; demandez à l'acheteur son code service actuel")


def _duplicate(invoice: Invoice, known_invoice: KnownInvoice, seen_in_flow: set) -> list[Finding]:
    key = duplicate_key(invoice)
    if key is None:
        return []
    where = "in this same flow" if key in seen_in_flow else None
    if where is None:
        earlier = known_invoice(*key)
        where = f"in flow {earlier}" if earlier else None
    if where is None:
        return []
    return [
        _finding(
            "FCT-DUPLICATE-INVOICE",
            f"supplier {_depositing_supplier(invoice)} already deposited invoice {invoice.number} for {invoice.year} "
            f"{where}; an invoice number "
            "is used once a year: send a credit note or a new number",
            "BT-1",
        )
    ]
