"""The national directory (PPF "annuaire"): historised lines, and the
structure a flow is routed to on the day it was received.

The PPF publishes its directory as flux F14 (an extract) and F12/F13 (updates).
Nothing in it is ever deleted: a legal unit (SIREN), an establishment (SIRET,
with the B2G data of a public one), a routing code (scheme 0224, the Chorus Pro
service code), a receiving platform and an addressing line (scheme 0225:
SIREN, SIREN_SIRET, SIREN_SIRET_ROUTAGE or SIREN_SUFFIXE, with the platform
that receives for it) each keep every version they had, with the days it held
(from included, to excluded). facteur keeps those versions in the ledger's
database (`adapters/sql_directory.py`); the engine reads them through the
`Annuaire` protocol and judges them here, on plain data, at a date.

A version is Upcoming before its first day, Enabled in its days, Disabled after
them or when the directory says the thing is inactive (statut I, a masking line
of nature M).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from typing import NamedTuple, Protocol

from facteur.engine.hub.directory import Service, Structure
from facteur.engine.messages import Message, say

SINCE_ALWAYS = date(1, 1, 1)  # the first day of a version whose start the directory does not give
FOREVER = date(9999, 12, 31)  # the end of a version still open

# The kinds of line, each keyed by what identifies it in the directory; the
# catalogue names them (`directory-kind`).
UNIT, ESTABLISHMENT, ROUTING, PLATFORM, LINE = "siren", "siret", "routage", "plateforme", "ligne"
KINDS = (UNIT, ESTABLISHMENT, ROUTING, PLATFORM, LINE)

# A line's status on a day, as codes; the catalogue names them (`directory-status`).
UPCOMING, ENABLED, DISABLED = "upcoming", "enabled", "disabled"

# The mailbox of a receiving platform, by its four-digit number: where facteur
# puts the pivots of the recipients that platform receives for.
PLATFORM_MAILBOX = re.compile(r"^PA\d{4}$")


def platform_mailbox(number: str) -> str:
    return f"PA{number}"


def routing_key(siret: str, code: str) -> str:
    """A routing code is known within its establishment."""
    return f"{siret}/{code}"


class Version(NamedTuple):
    """One version of a line of the directory, as kept: what it says and the
    days it holds, and where it was read (file and line number). A named
    tuple: a national extract makes millions of them, and a tuple is made in
    a third of a frozen dataclass's time."""

    kind: str
    key: str
    valid_from: date
    valid_to: date  # excluded; FOREVER while open
    active: bool
    name: str
    parent: str  # the SIREN of an establishment or a line, the SIRET of a routing code
    data: dict
    source: str = ""
    line: int = 0

    def status(self, on: date) -> str:
        if on < self.valid_from:
            return UPCOMING
        if on >= self.valid_to or not self.active:
            return DISABLED
        return ENABLED

    def same_content(self, other: "Version") -> bool:
        """Whether `other` says the same as this one (the days aside)."""
        return (self.active, self.name, self.parent, self.data) == (other.active, other.name, other.parent, other.data)


@dataclass(frozen=True)
class Refused:
    """A record of a directory file refused alone: its line and why."""

    line: int
    reason: Message


@dataclass
class DirectoryFile:
    """A file of the directory being read: its kind (F14, F12/F13, TOML) and
    the day its changes take effect, which an extract says in its header."""

    path: str
    kind: str
    day: date


ADDED, MODIFIED, UNCHANGED = "added", "modified", "unchanged"
DATED_BY_THEMSELVES = (LINE, PLATFORM)  # their days are in the file; the others' changes take the file's day


def merged(history: tuple[Version, ...], incoming: Version, day: date) -> tuple[str | Message, tuple[Version, ...]]:
    """What reading `incoming` from a file taking effect on `day` does to a
    line's `history`: ADDED, MODIFIED or UNCHANGED, with the versions to
    write (each replaces the version of the same first day, if there is one).
    Nothing is ever removed: a change closes the version in force and opens
    another; reading the same file again changes nothing. A change older than
    the version in force is a `Refused` reason (a `Message`) instead."""
    if incoming.kind in DATED_BY_THEMSELVES:
        same = next((v for v in history if v.valid_from == incoming.valid_from), None)
        if same is None:
            return ADDED, (incoming,)
        if same.valid_to == incoming.valid_to and same.same_content(incoming):
            return UNCHANGED, ()
        return MODIFIED, (incoming,)
    if not history:
        return ADDED, (incoming,)
    current = history[-1]
    if current.valid_to == FOREVER and current.same_content(incoming):
        return UNCHANGED, ()
    change = incoming.valid_from if incoming.valid_from != SINCE_ALWAYS else day
    if change < current.valid_from:
        since = f"{current.valid_from:%d/%m/%Y}"
        return say("directory-change-too-old", change=f"{change:%d/%m/%Y}", current=since), ()
    if change == current.valid_from:
        return MODIFIED, (incoming._replace(valid_from=current.valid_from),)
    return MODIFIED, (current._replace(valid_to=change), incoming._replace(valid_from=change))


class Annuaire(Protocol):
    """What the engine reads of the directory: a line's versions, oldest
    first, and the routing codes of an establishment."""

    def history(self, kind: str, key: str) -> tuple[Version, ...]: ...

    def routing_codes(self, siret: str) -> tuple[str, ...]: ...


class Remembered:
    """An `Annuaire` whose answers are kept for one piece of work (the
    payment delays of a listing, the dashboard's overdue count): the many
    invoices of one buyer then read its history once, not once each."""

    def __init__(self, annuaire: Annuaire):
        self.annuaire = annuaire
        self.histories: dict[tuple[str, str], tuple[Version, ...]] = {}

    def history(self, kind: str, key: str) -> tuple[Version, ...]:
        found = self.histories.get((kind, key))
        if found is None:
            found = self.histories[(kind, key)] = self.annuaire.history(kind, key)
        return found

    def routing_codes(self, siret: str) -> tuple[str, ...]:
        return self.annuaire.routing_codes(siret)


def in_force(history: tuple[Version, ...], on: date) -> Version | None:
    """The version whose days hold `on`, if one does."""
    for version in reversed(history):
        if version.valid_from <= on < version.valid_to:
            return version
    return None


def standing(history: tuple[Version, ...], on: date) -> tuple[str, Version | None]:
    """The status of a line at `on`, with the version that says it: the one in
    force; before the first, Upcoming; after the last, Disabled since its end."""
    if not history:
        return "", None
    current = in_force(history, on)
    if current is not None:
        return current.status(on), current
    if on < history[0].valid_from:
        return UPCOMING, history[0]
    return DISABLED, history[-1]


def disabled_since(history: tuple[Version, ...], on: date) -> date | None:
    """The day a line Disabled at `on` stopped being Enabled: the first day of
    its version saying inactive, or the end of its last version."""
    status, version = standing(history, on)
    if status != DISABLED or version is None:
        return None
    if version.active:
        return version.valid_to
    return version.valid_from if version.valid_from != SINCE_ALWAYS else None


@dataclass(frozen=True)
class Resolved:
    """A recipient found in the directory at a date: the structure as the hub
    controls read it, or why it cannot receive."""

    structure: Structure | None
    problem: str = ""  # a finding code when the structure cannot receive
    message: Message | None = None


@dataclass(frozen=True)
class Addressed:
    """What an invoice addresses, as the directory's addressing lines
    (mailles) name it: a SIREN, and an establishment's SIRET with a routing
    code, or a suffix of the SIREN's own."""

    siren: str
    siret: str = ""
    code: str = ""
    suffix: str = ""

    def lines(self) -> list[str]:
        """The addressing lines that may receive for it, the most specific
        first: SIREN_SIRET_ROUTAGE, SIREN_SIRET, SIREN_SUFFIXE, SIREN."""
        found = [f"{self.siren}_{self.siret}_{self.code}"] if self.siret and self.code else []
        found += [f"{self.siren}_{self.siret}"] if self.siret else []
        found += [f"{self.siren}_{self.suffix}"] if self.suffix else []
        return found + [self.siren]


def addressed(identifier: str, address: str, service_code: str) -> Addressed | None:
    """What the buyer's SIRET or SIREN (BT-46) and its electronic address
    (BT-49, scheme 0225: SIREN, SIREN_SIRET, SIREN_SIRET_ROUTAGE or
    SIREN_SUFFIXE) address; the identifier wins over an address of another
    SIREN, the invoice's service code over the address's routing code. None
    when neither names a SIREN."""
    siren, *rest = address.split("_")
    if re.fullmatch(r"\d{14}|\d{9}", identifier):
        if identifier[:9] != siren:
            siren, rest = identifier[:9], []
        if len(identifier) == 14:
            rest = [identifier, *(rest[1:] if rest and rest[0] == identifier else [])]
    if not re.fullmatch(r"\d{9}", siren):
        return None
    if rest and re.fullmatch(r"\d{14}", rest[0]) and rest[0].startswith(siren):
        return Addressed(siren, rest[0], service_code or "_".join(rest[1:]))
    return Addressed(siren, suffix="_".join(rest))


def recipient(annuaire: Annuaire, identifier: str, address: str, service_code: str, on: date) -> Resolved | None:
    """The structure an invoice goes to, by the buyer's SIRET or SIREN or else
    its electronic address, as the directory stood on `on`: the establishment
    (or, addressed by a SIREN alone, the legal unit) must be Enabled, and the
    most specific addressing line in force names the platform receiving for
    it. None when the directory does not know it."""
    target = addressed(identifier, address, service_code)
    if target is None:
        return None
    kind, key = (ESTABLISHMENT, target.siret) if target.siret else (UNIT, target.siren)
    history = annuaire.history(kind, key)
    if not history:
        return None
    status, version = standing(history, on)
    day = on.strftime("%d/%m/%Y")
    if status != ENABLED:
        since = disabled_since(history, on)
        said = (say("hub-recipient-closed", key=key, name=version.name, since=f"{since:%d/%m/%Y}", day=day) if since
                else say("hub-recipient-not-enabled", key=key, name=version.name, status=status, day=day))
        return Resolved(None, "FCT-RECIPIENT-INACTIVE", said)
    mailbox = version.data.get("mailbox") or _platform(annuaire, target, on)
    if not mailbox:
        return Resolved(None, "FCT-RECIPIENT-UNADDRESSABLE",
                        say("hub-recipient-unaddressable", key=key, name=version.name, day=day))
    return Resolved(_structure(annuaire, version, mailbox, target.code, on))


def establishment(annuaire: Annuaire, siret: str, on: date) -> Structure | None:
    """An establishment as the directory stood on `on`, Enabled or not, with
    the mailbox of the platform its lines name then (or its own, imported from
    a TOML directory): what `collect` and the payment delays read of a
    recipient the TOML directory does not hold. None when it is not known."""
    history = annuaire.history(ESTABLISHMENT, siret)
    status, version = standing(history, on)
    if version is None:
        return None
    mailbox = version.data.get("mailbox") or _platform(annuaire, Addressed(siret[:9], siret), on)
    return replace(_structure(annuaire, version, mailbox, "", on), active=status == ENABLED)


def _platform(annuaire: Annuaire, target: Addressed, on: date) -> str:
    """The mailbox of the platform receiving for the most specific
    addressing line in force; one Upcoming or ended gives way to the next,
    a masking line in force makes the address unaddressable."""
    for address in target.lines():
        line = in_force(annuaire.history(LINE, address), on)
        if line is not None:
            return platform_mailbox(line.data.get("platform", "")) if line.active else ""
    return ""


def _structure(annuaire: Annuaire, version: Version, mailbox: str, code: str, on: date) -> Structure:
    """The structure with the routing code asked for; when that code is not
    known, with all its routing codes, for the message that lists them."""
    data = version.data
    services = {}
    known = annuaire.history(ROUTING, routing_key(version.key, code)) if code else ()
    for each in (code,) if known else annuaire.routing_codes(version.key) if code else ():
        history = annuaire.history(ROUTING, routing_key(version.key, each))
        status, service = standing(history, on)
        if service is None:
            continue
        services[each] = Service(each, service.name, status == ENABLED, disabled_since(history, on),
                                 bool(service.data.get("engagement")))
    return Structure(
        siret=version.key,
        name=version.name,
        mailbox=mailbox,
        delivery=data.get("delivery", "edi"),
        service_required=bool(data.get("service")),
        engagement_required=bool(data.get("engagement")),
        service_or_engagement=bool(data.get("service_or_engagement")),
        payment_delay_days=int(data.get("payment_delay_days", 30)),
        services=services,
    )
