"""How a seller or buyer gets its Chorus Pro identifier and TypeIdentifiant.

Chorus Pro does not identify a party the way EN 16931 does. It wants one
identifier and its type: 1 a French SIRET, 2 a company in another EU member
state, 3 a company outside the EU. The SIRET is what the hub routes on (the
public buyer's SIRET names the recipient) and what duplicate detection keys on
(the supplier's SIRET), so it must be found wherever a producer put it:

- party identifiers (BT-29 / BT-46), where Chorus Pro asked for it, with scheme
  0009 (the ISO 6523 code for SIRET) preferred over an unqualified 14-digit id;
- the legal registration (BT-30 / BT-47), where EN 16931 producers put it;
- for the buyer only, the electronic address (BT-49) when its scheme is 0009,
  since French public buyers are often addressed by SIRET and nothing else.

A 14-digit number without the 0009 scheme (unqualified, or under another
scheme, such as a SIRET mislabelled 0002 as the FNFE examples do) counts as a
SIRET only for a French party: for anyone else it is more likely some other
registry's number. A party outside France is identified by its VAT number,
which is what Chorus Pro checks for types 2 and 3, else by its legal
registration, else by any party identifier. A French party with no SIRET keeps
type 1 with the closest thing found (its SIREN, usually): a later control
rejects it with a message that names the problem, rather than extraction
silently relabelling a French company.

Both readers fill a `PartyData` and call `seller` or `buyer`, so UBL and CII
parties follow the same rules by construction.
"""

from __future__ import annotations

from dataclasses import dataclass

from facteur.engine.model import Party

SIRET_SCHEME = "0009"
SIREN_SCHEME = "0002"
ADDRESS_SCHEME = "0225"  # an address of the national directory: SIREN[_SIRET[_ROUTAGE]] or SIREN_SUFFIXE

# France and its overseas departments, which are in the EU and have SIRETs.
FRANCE = frozenset({"FR", "GP", "MQ", "GF", "RE", "YT"})
EU_OUTSIDE_FRANCE = frozenset(
    {"AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "GR", "HR", "HU", "IE",
     "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"}
)
# VAT numbers are prefixed by the VIES code, which differs from ISO 3166 for Greece.
_VAT_PREFIX_COUNTRY = {"EL": "GR"}


@dataclass(frozen=True)
class SchemedId:
    """An identifier as written, with its ISO 6523 scheme ("" when unqualified)."""

    value: str
    scheme: str = ""


@dataclass(frozen=True)
class PartyData:
    """What a reader found about a party, before the Chorus Pro rules are applied."""

    name: str = ""
    country: str = ""
    vat_id: str = ""
    party_ids: tuple[SchemedId, ...] = ()
    legal_ids: tuple[SchemedId, ...] = ()
    electronic_address: SchemedId | None = None


def seller(data: PartyData, iban: str = "", bank_id: str = "") -> Party:
    """The seller (BG-4); its electronic address is never its Chorus Pro identity."""
    return _party(data, data.party_ids + data.legal_ids, iban=iban, bank_id=bank_id)


def buyer(data: PartyData) -> Party:
    """The buyer (BG-7), also found by an electronic address in the SIRET
    scheme; an address of the national directory (scheme 0225) is kept to route on."""
    address = data.electronic_address
    routing = (address,) if address is not None and address.scheme == SIRET_SCHEME else ()
    party = _party(data, data.party_ids + data.legal_ids + routing)
    if address is not None and address.scheme == ADDRESS_SCHEME:
        party.address = address.value.strip()
    return party


def _party(data: PartyData, siret_candidates: tuple[SchemedId, ...], iban: str = "", bank_id: str = "") -> Party:
    identifier, identifier_type = _identify(data, siret_candidates)
    return Party(
        name=data.name,
        identifier=identifier,
        identifier_type=identifier_type,
        country=data.country,
        vat_id=data.vat_id,
        iban=iban,
        bank_id=bank_id,
    )


def _identify(data: PartyData, siret_candidates: tuple[SchemedId, ...]) -> tuple[str, str]:
    """The (identifier, TypeIdentifiant) pair Chorus Pro knows the party by.

    The type is "" when the party's country cannot be told at all: that is
    missing mandatory data, which validation reports, not something to guess.
    """
    country = _country(data)
    french = country in FRANCE
    siret = _find_siret(siret_candidates, french)
    if siret:
        return siret, "1"
    if french:
        return _first_value(data.legal_ids, data.party_ids, (SchemedId(data.vat_id),)), "1"
    foreign = _first_value((SchemedId(data.vat_id),), data.legal_ids, data.party_ids)
    if not country:
        return foreign, ""
    return foreign, "2" if country in EU_OUTSIDE_FRANCE else "3"


def _country(data: PartyData) -> str:
    """The party's country: the postal address says it (BT-40 / BT-55); when the
    profile carries no address (the buyer in Factur-X MINIMUM), the VAT number's
    prefix or an identifier in a French registry scheme does."""
    if data.country:
        return data.country.upper()
    prefix = data.vat_id[:2].upper()
    if prefix.isalpha() and prefix.isascii() and len(prefix) == 2:
        return _VAT_PREFIX_COUNTRY.get(prefix, prefix)
    if any(i.scheme in (SIRET_SCHEME, SIREN_SCHEME) for i in data.party_ids + data.legal_ids):
        return "FR"
    return ""


def _find_siret(candidates: tuple[SchemedId, ...], french: bool) -> str:
    """The first SIRET among `candidates`: scheme 0009 first, then, for a French
    party, any 14-digit number whatever its scheme says. Spaces between digit
    groups, as SIRETs are often printed, are dropped."""
    qualified = [c for c in candidates if c.scheme == SIRET_SCHEME]
    others = [c for c in candidates if c.scheme != SIRET_SCHEME] if french else []
    for candidate in qualified + others:
        compact = "".join(candidate.value.split())
        if is_siret(compact):
            return compact
    return ""


def is_siret(value: str) -> bool:
    return len(value) == 14 and value.isascii() and value.isdigit()


def _first_value(*groups: tuple[SchemedId, ...]) -> str:
    for group in groups:
        for candidate in group:
            if candidate.value:
                return candidate.value
    return ""
