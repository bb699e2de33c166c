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
from facteur.engine.messages import Message, say
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


def _finding(code: str, message: Message, location: str, blocking: bool = True) -> Finding:
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
    spaces collapsed and trimmed, case folded.

    Nearly every number and identifier is plain ASCII, where only the last two
    steps change anything (NFKC leaves ASCII as it is, no ASCII character is
    invisible or a format character, and `-` is its only dash); the ledger
    computes a few keys for every invoice, so that case skips the rest."""
    if text.isascii():
        return SPACES.sub(" ", text).strip().lower()
    return _read(text)


def _read(text: str) -> str:
    """`comparable`'s every step, whatever the text."""
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
                say("hub-sender-unknown", sender=sender),
                "sender",
            )
        ]
    supplier = invoice.supplier.identifier
    if not partner.may_deposit_for(supplier):
        return [
            _finding(
                "FCT-SENDER-NOT-ALLOWED",
                say("hub-sender-not-allowed", sender=sender, supplier=supplier or "-"),
                "BT-29/BT-30",
            )
        ]
    return []


def _supplier(supplier: Party, directory: Directory) -> list[Finding]:
    if supplier.identifier_type == "1" and not SIRET.match(supplier.identifier):
        return [
            _finding(
                "FCT-SUPPLIER-SIRET",
                say("hub-supplier-siret", identifier=supplier.identifier or "-"),
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
    if structure is None and annuaire is not None:
        found = national.recipient(annuaire, invoice.buyer.identifier, invoice.buyer.address, invoice.service_code,
                                   on)
    if found is not None and found.structure is None:
        return Routing(invoice), [_finding(found.problem, found.message, "BT-46/BT-47/BT-49")]
    if found is not None:
        structure = found.structure
    if structure is not None:
        if not structure.active:
            return Routing(invoice), [
                _finding(
                    "FCT-RECIPIENT-INACTIVE",
                    say("hub-recipient-inactive", siret=siret, name=structure.name),
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
                say("hub-recipient-missing", identifier=invoice.buyer.identifier or "-"),
                "BT-46/BT-47",
            )
        ]
    return Routing(invoice), [
        _finding(
            "FCT-RECIPIENT-UNKNOWN",
            say("hub-recipient-unknown", siret=siret),
            "BT-46/BT-47",
        )
    ]


def _open_routing(invoice: Invoice, directory: Directory, siret: str) -> tuple[Routing, list[Finding]]:
    if siret:
        return Routing(invoice, directory.open_mailbox), []
    buyer = replace(invoice.buyer, identifier=OPEN_PLACEHOLDER_SIRET, identifier_type="1")
    note = _finding(
        "FCT-OPEN-RECIPIENT",
        say("hub-open-recipient", identifier=invoice.buyer.identifier or "-", mailbox=directory.open_mailbox,
            placeholder=OPEN_PLACEHOLDER_SIRET),
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
                    say("hub-service-unknown", code=code, name=structure.name, siret=structure.siret,
                        known=_listed(sorted(s for s, v in structure.services.items() if v.active))),
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
                        say("hub-service-engagement-missing", code=code, service=service.name, name=structure.name,
                            siret=structure.siret),
                        "BT-13",
                    )
                )
    elif structure.service_required:
        findings.append(
            _finding(
                "FCT-SERVICE-MISSING",
                say("hub-service-missing", name=structure.name, siret=structure.siret),
                "BT-10",
            )
        )
    if structure.engagement_required and not invoice.engagement:
        findings.append(
            _finding(
                "FCT-ENGAGEMENT-MISSING",
                say("hub-engagement-missing", name=structure.name, siret=structure.siret),
                "BT-13",
            )
        )
    if structure.service_or_engagement and not (code or invoice.engagement):
        findings.append(
            _finding(
                "FCT-SERVICE-OR-ENGAGEMENT",
                say("hub-service-or-engagement", name=structure.name, siret=structure.siret),
                "BT-10/BT-13",
            )
        )
    return findings


SHOWN_SERVICES = 12  # a structure of the national directory may have hundreds


def _listed(codes: list[str]) -> Message:
    """The first services known, and how many more: a national structure may have thousands."""
    return say("hub-services-listed", codes=", ".join(codes[:SHOWN_SERVICES]), more=max(0, len(codes) - SHOWN_SERVICES))


def _inactive(service, structure: Structure) -> Message:
    if service.closed is None:
        return say("hub-service-inactive", code=service.code, name=structure.name, siret=structure.siret)
    return say("hub-service-closed", code=service.code, service=service.name, name=structure.name,
               siret=structure.siret, closed=f"{service.closed:%d/%m/%Y}")


def _duplicate(invoice: Invoice, known_invoice: KnownInvoice, seen_in_flow: set) -> list[Finding]:
    key = duplicate_key(invoice)
    if key is None:
        return []
    earlier = None if key in seen_in_flow else known_invoice(*key)
    if key not in seen_in_flow and not earlier:
        return []
    where = say("hub-duplicate-in-flow", flow=earlier) if earlier else say("hub-duplicate-same-flow")
    return [
        _finding(
            "FCT-DUPLICATE-INVOICE",
            say("hub-duplicate", supplier=_depositing_supplier(invoice), number=invoice.number, year=str(invoice.year),
                where=where),
            "BT-1",
        )
    ]
