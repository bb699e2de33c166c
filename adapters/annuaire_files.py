"""The files of the national directory, read into versions of its lines:
PPF F14 extracts (`AnnuaireConsultationF14`) and F12/F13 updates
(`AnnuaireActualisation`), and facteur's own TOML directory for small set-ups.

An XML file is streamed (lxml `iterparse`, each record dropped once read, so
memory stays bounded whatever its size) and held to the official XSD while it
is read (`schemas/annuaire/`). A file the schema refuses is refused whole: the
store's transaction is rolled back, and the refusal names the schema's faults
with their line numbers (found by validating the file again in full, which only
a failing file costs). A record the schema admits but the directory's rules do
not (a SIREN scheme other than 0002, an end before the start) is refused alone,
with its line number and the reason.
"""

from __future__ import annotations

import tomllib
from datetime import date
from importlib.resources import files
from pathlib import Path
from typing import Iterator

from lxml import etree

from facteur.engine.errors import DirectoryFileInvalid, DirectoryError
from facteur.engine.hub import annuaire
from facteur.engine.hub.annuaire import FOREVER, SINCE_ALWAYS, DirectoryFile, Refused, Version
from facteur.engine.hub.directory import from_toml
from facteur.engine.messages import say

SCHEMAS = Path(str(files("facteur.schemas") / "annuaire"))
ROOTS = {
    "AnnuaireConsultationF14": ("F14", SCHEMAS / "consultation" / "Annuaire_Consultation_F14.xsd"),
    "AnnuaireActualisation": ("F12/F13", SCHEMAS / "actualisation" / "Annuaire_Actualisation_F12-F13.xsd"),
}
DETAILED_CHECK_MAX = 200 * 1024 * 1024  # a failing file above this is not parsed again in full for line numbers
SHOWN_FAULTS = 20
ADDRESS_FIELDS = {"LigneAdresse1": "adresse1", "LigneAdresse2": "adresse2", "LigneAdresse3": "adresse3",
                  "Localite": "localite", "CP": "cp", "SubdivisionPays": "subdivision", "CodePays": "pays"}
B2G_FIELDS = {"EngagementJuridique": "engagement", "Service": "service", "EngJurServ": "service_or_engagement",
              "MOA": "moa", "MOAunique": "moa_only", "StatutMiseEnPaiement": "payment_status"}


def read(name: str, today: date) -> tuple[DirectoryFile, Iterator[Version | Refused]]:
    """The file's kind and day, and its records one by one; an update (F12/F13,
    TOML) takes effect on `today`, an extract on the day it was produced."""
    path = Path(name)
    if path.suffix == ".toml":
        return DirectoryFile(str(path), "TOML", today), _toml(path)
    try:
        with open(path, "rb") as handle:
            head = handle.read(4096)
    except OSError as err:
        raise DirectoryError(say("directory-file-unreadable", path=path, reason=err.strerror)) from None
    for root, (kind, _) in ROOTS.items():
        if f"<{root}".encode() in head:
            found = DirectoryFile(str(path), kind, today)
            return found, _xml(found, root)
    raise DirectoryFileInvalid(say("directory-file-unknown", path=path), ())


def _xml(found: DirectoryFile, root: str) -> Iterator[Version | Refused]:
    schema_path = ROOTS[root][1]
    schema = etree.XMLSchema(etree.parse(str(schema_path)))
    events = etree.iterparse(str(found.path), events=("end",), tag=("HorodateProduction", *READERS), schema=schema,
                             resolve_entities=False, no_network=True, huge_tree=True)
    source = Path(found.path).name
    try:
        for _, element in events:
            tag = element.tag
            if tag == "HorodateProduction":
                found.day = _day((element.text or "").strip()[:8])
                continue
            yield _record(tag, element, found, source)
            element.clear(keep_tail=True)
            while element.getprevious() is not None:
                del element.getparent()[0]
    except etree.XMLSyntaxError as err:
        raise DirectoryFileInvalid(say("directory-file-schema", path=found.path, schema=schema_path.name),
                                   _faults(Path(found.path), schema, err)) from None


def _faults(path: Path, schema: etree.XMLSchema, err: etree.XMLSyntaxError) -> tuple[str, ...]:
    """The schema's faults with their line numbers: a streamed validation stops
    at the first without its line, so the failing file is checked again in full."""
    if err.lineno or path.stat().st_size > DETAILED_CHECK_MAX:
        return (say("directory-fault", line=err.lineno or "?", fault=err.msg),)
    try:
        document = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True))
    except etree.XMLSyntaxError as again:
        return (say("directory-fault", line=again.lineno, fault=again.msg),)
    schema.validate(document)
    faults = [say("directory-fault", line=e.line, fault=e.message) for e in schema.error_log]
    more = len(faults) - SHOWN_FAULTS
    return tuple(faults[:SHOWN_FAULTS] + ([say("directory-more-faults", n=more)] if more > 0 else [])) or (err.msg,)


def _record(tag: str, element, found: DirectoryFile, source: str) -> Version | Refused:
    values = {child.tag: child for child in element}
    line = element.sourceline or 0
    try:
        return READERS[tag](values, found, source, line)
    except _Refusal as refusal:
        return Refused(line, say("directory-record-refused", record=tag, reason=refusal.args[0]))


def _unit(values: dict, found: DirectoryFile, source: str, line: int) -> Version:
    return _entity(annuaire.UNIT, _id(values["IdSIREN"], "0002"), "", values, found, source, line,
                   {"type": _text(values, "TypeEntite"), "diffusible": _text(values, "Diffusible")})


def _establishment(values: dict, found: DirectoryFile, source: str, line: int) -> Version:
    siret = _id(values["IdSIRET"], "0009")
    data = {"type": _text(values, "TypeEtablissement"), **_fields(values, ADDRESS_FIELDS)}
    b2g = values.get("DonneesB2G")
    if b2g is not None:
        data["public"] = True
        for child in b2g:
            data[B2G_FIELDS[child.tag]] = _bool(child.text)
    return _entity(annuaire.ESTABLISHMENT, siret, siret[:9], values, found, source, line, data)


def _routing(values: dict, found: DirectoryFile, source: str, line: int) -> Version:
    siret = _id(values["IdSIRET"], "0009")
    code_element = values["IdRoutage"]
    if code_element.get("qualifiant") in ("0002", "0009"):
        raise _Refusal(say("directory-routing-scheme", code=code_element.text, scheme=code_element.get("qualifiant")))
    data = {"engagement": _bool(_text(values, "EngagementJuridique")), **_fields(values, ADDRESS_FIELDS)}
    key = annuaire.routing_key(siret, (code_element.text or "").strip())
    return _entity(annuaire.ROUTING, key, siret, values, found, source, line, data)


class _Refusal(Exception):
    """A record the schema admits but the directory's rules refuse; its
    argument is the catalogue's message saying why."""


def _entity(kind: str, key: str, parent: str, values: dict, found: DirectoryFile, source: str, line: int,
            data: dict) -> Version:
    """A unit, establishment or routing code: Enabled or Disabled by its status
    (A or I); in force since always, unless the extract says it starts (motif P)
    or stops (motif S) on the day it was produced."""
    status = _text(values, "Statut")
    if status not in ("A", "I"):
        raise _Refusal(say("directory-status-unknown", status=status))
    motif = _text(values, "MotifPresence")
    active = status == "A" and motif != "S"
    since = found.day if motif in ("P", "S") and found.day else SINCE_ALWAYS
    return Version(kind, key, since, FOREVER, active, _text(values, "Nom"), parent, data, source, line)


def _line(values: dict, found: DirectoryFile, source: str, line: int) -> Version:
    """An addressing line: its days are its own (start included, end excluded);
    nature D defines the address, nature M masks it."""
    nature = _text(values, "Nature")
    if nature not in ("D", "M"):
        raise _Refusal(say("directory-nature-unknown", nature=nature))
    info = values["InfoAdressage"]
    ids = {child.tag: child for child in (info.find("Identifiant") if found.kind != "F14" else info)}
    siren = _id(ids["IdLinSIREN"], "0002")
    parts = [siren]
    if "IdLinSIRET" in ids:
        siret = _id(ids["IdLinSIRET"], "0009")
        if not siret.startswith(siren):
            raise _Refusal(say("directory-siret-of-another", siret=siret, siren=siren))
        parts.append(siret)
        if "IdLinRoutage" in ids:
            parts.append((ids["IdLinRoutage"].text or "").strip())
    elif "IdLinRoutage" in ids:
        raise _Refusal(say("directory-routing-without-siret"))
    if "Suffixe" in ids:
        if len(parts) > 1:
            raise _Refusal(say("directory-suffix-with-siret"))
        parts.append((ids["Suffixe"].text or "").strip())
    dates = {child.tag: child.text for child in values["DateEffet"]}
    start = _day(dates["DateDebut"])
    end = _day(dates.get("DateFin") or dates.get("DateFinEffective") or "99991231")
    if end <= start:
        raise _Refusal(say("directory-end-before-start", end=f"{end:%d/%m/%Y}", start=f"{start:%d/%m/%Y}"))
    platform = _text(values, "IdPlateforme")
    return Version(annuaire.LINE, "_".join(parts), start, end, nature == "D", "", siren, {"platform": platform},
                   source, line)


def _platform(values: dict, found: DirectoryFile, source: str, line: int) -> Version:
    status = _text(values, "Statut")
    start = _day(_text(values, "DateDebutImmatriculation"))
    end = _day(_text(values, "DateFinImmatriculation") or "99991231")
    data = {"type": _text(values, "TypePlateforme"), "contact": _text(values, "Contact"),
            "raison_sociale": _text(values, "Nom")}
    name = _text(values, "NomCommercial") or data["raison_sociale"]
    return Version(annuaire.PLATFORM, _text(values, "Matricule"), start, end, status == "A", name, "", data,
                   source, line)


READERS = {"UniteLegale": _unit, "Etablissement": _establishment, "CodeRoutage": _routing,
           "IdPlateformeReception": _platform, "LigneAnnuaire": _line}


def _id(element, scheme: str) -> str:
    value = (element.text or "").strip()
    if element.get("qualifiant") != scheme:
        raise _Refusal(say("directory-id-scheme", value=value, scheme=element.get("qualifiant") or "", expected=scheme))
    return value


def _text(values: dict, tag: str) -> str:
    element = values.get(tag)
    return (element.text or "").strip() if element is not None else ""


def _fields(values: dict, names: dict[str, str]) -> dict:
    """The fields of `names` the record holds and fills, renamed (only those
    present are looked at: most records have few of them)."""
    found = {}
    for tag in names.keys() & values.keys():
        text = (values[tag].text or "").strip()
        if text:
            found[names[tag]] = text
    return found


def _bool(text: str | None) -> bool:
    return (text or "").strip().lower() in ("true", "1")


def _day(text: str) -> date:
    """AAAAMMJJ, as the schema's pattern admits it."""
    return FOREVER if text == "99991231" else date(int(text[:4]), int(text[4:6]), int(text[6:8]))


def _toml(path: Path) -> Iterator[Version]:
    """The structures of a TOML directory (`config/directory.toml`), as
    establishments with their services as routing codes; its senders stay in
    the configuration."""
    try:
        directory = from_toml(tomllib.loads(path.read_text(encoding="utf-8")), str(path))
    except (OSError, tomllib.TOMLDecodeError) as err:
        raise DirectoryError(say("directory-toml-unreadable", path=path, reason=err)) from None
    for structure in directory.structures.values():
        data = {"mailbox": structure.mailbox, "delivery": structure.delivery, "service": structure.service_required,
                "engagement": structure.engagement_required,
                "service_or_engagement": structure.service_or_engagement,
                "payment_delay_days": structure.payment_delay_days}
        yield Version(annuaire.ESTABLISHMENT, structure.siret, SINCE_ALWAYS, FOREVER, structure.active,
                      structure.name, structure.siret[:9], data, path.name)
        for service in structure.services.values():
            yield Version(annuaire.ROUTING, annuaire.routing_key(structure.siret, service.code), SINCE_ALWAYS,
                          FOREVER, service.active, service.name, structure.siret, {}, path.name)
