"""The directory of public structures and of the partners allowed to deposit.

Chorus Pro routes on the recipient's SIRET and checks each invoice against what
the structure declared: is it active, does it require a service code or an
engagement number, which services exist and are active. facteur keeps the same
facts in a TOML file (`config/directory.toml`), loaded once and handed to the
pipeline as plain data.

The "open" directory accepts any recipient and any sender: it exists to run
foreign corpora through the whole chain, and every pivot it routes goes to one
catch-all mailbox, with a warning on each invoice saying so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from facteur.engine.errors import DirectoryError
from facteur.engine.messages import say

PARTNER_ID = re.compile(r"^[A-Za-z0-9_-]{3,8}$")
DELIVERY_MODES = ("edi", "portal", "service")


@dataclass(frozen=True)
class Service:
    code: str
    name: str
    active: bool = True
    closed: date | None = None  # the day the national directory disabled it, when it says
    engagement_required: bool = False  # the national directory's routing code asks for one


@dataclass(frozen=True)
class Structure:
    siret: str
    name: str
    mailbox: str
    active: bool = True
    delivery: str = "edi"
    service_required: bool = False
    engagement_required: bool = False
    service_or_engagement: bool = False
    payment_delay_days: int = 30
    services: dict[str, Service] = field(default_factory=dict)


@dataclass(frozen=True)
class Sender:
    id: str
    name: str
    suppliers: frozenset[str]  # supplier identifiers, or "*" for any

    def may_deposit_for(self, supplier_id: str) -> bool:
        return "*" in self.suppliers or supplier_id in self.suppliers


@dataclass(frozen=True)
class Directory:
    structures: dict[str, Structure]
    senders: dict[str, Sender]
    open: bool = False
    open_mailbox: str = "OPEN"

    def opened(self, mailbox: str = "OPEN") -> "Directory":
        return Directory(self.structures, self.senders, open=True, open_mailbox=mailbox)

    @property
    def mailboxes(self) -> set[str]:
        return {s.mailbox for s in self.structures.values()}


def from_toml(data: dict, path: str) -> Directory:
    """The directory described by the TOML table `data`, read from `path` (named in errors)."""
    structures = {}
    for index, entry in enumerate(data.get("structure", []), start=1):
        structure = _structure(entry, f"{path}: [[structure]] #{index}")
        if structure.siret in structures:
            raise DirectoryError(say("directory-siret-twice", path=path, siret=structure.siret))
        structures[structure.siret] = structure
    senders = {}
    for index, entry in enumerate(data.get("sender", []), start=1):
        sender = _sender(entry, f"{path}: [[sender]] #{index}")
        senders[sender.id] = sender
    return Directory(structures, senders)


def _structure(entry: dict, where: str) -> Structure:
    siret = str(_required(entry, "siret", where))
    if not re.fullmatch(r"\d{14}", siret):
        raise DirectoryError(say("directory-siret", where=where, value=siret))
    mailbox = str(_required(entry, "mailbox", where))
    _check_partner_id(mailbox, f"{where} ({siret}) mailbox")
    delivery = entry.get("delivery", "edi")
    if delivery not in DELIVERY_MODES:
        raise DirectoryError(say("directory-delivery", where=f"{where} ({siret})", value=delivery,
                                 known=", ".join(DELIVERY_MODES)))
    services = {}
    for service in entry.get("service", []):
        code = str(_required(service, "code", f"{where} ({siret}) service"))
        services[code] = Service(code, service.get("name", ""), bool(service.get("active", True)))
    return Structure(
        siret=siret,
        name=str(_required(entry, "name", where)),
        mailbox=mailbox,
        active=bool(entry.get("active", True)),
        delivery=delivery,
        service_required=bool(entry.get("service_required", False)),
        engagement_required=bool(entry.get("engagement_required", False)),
        service_or_engagement=bool(entry.get("service_or_engagement", False)),
        payment_delay_days=int(entry.get("payment_delay_days", 30)),
        services=services,
    )


def _sender(entry: dict, where: str) -> Sender:
    sender_id = str(_required(entry, "id", where))
    _check_partner_id(sender_id, f"{where} id")
    suppliers = entry.get("suppliers", [])
    if not isinstance(suppliers, list) or not suppliers:
        raise DirectoryError(say("directory-suppliers", where=f"{where} ({sender_id})"))
    return Sender(sender_id, entry.get("name", ""), frozenset(str(s) for s in suppliers))


def _required(entry: dict, key: str, where: str):
    if key not in entry or entry[key] in ("", None):
        raise DirectoryError(say("directory-missing", where=where, key=key))
    return entry[key]


def _check_partner_id(value: str, where: str) -> None:
    if not PARTNER_ID.match(value):
        raise DirectoryError(say("directory-partner-id", where=where, value=value))
