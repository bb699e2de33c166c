"""The national directory's use cases: import its files, show one of its
lines with its history, search it, count it.

Files are applied in the order given, each in one transaction; the first that
fails (refused by the official schema, unreadable) stops the import there, so
an update is never applied over a gap. Importing a file again changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Iterator, Protocol

from facteur.engine.errors import DirectoryError, DirectoryFileInvalid, InvalidRequest
from facteur.engine.hub import annuaire
from facteur.engine.hub.annuaire import DirectoryFile, Refused, Version
from facteur.engine.messages import Message, say


class Applied(Protocol):
    added: int
    modified: int
    unchanged: int
    refused: tuple[Refused, ...]
    generation: int | None


class DirectoryStore(annuaire.Annuaire, Protocol):
    """The directory as kept in the ledger's database (`adapters/sql_directory.py`)."""

    def apply(self, found: DirectoryFile, records) -> Applied: ...

    def children(self, parent: str) -> tuple[Version, ...]: ...

    def search(self, text: str, limit: int) -> tuple[Version, ...]: ...

    def counts(self, on: date) -> dict[str, dict[str, int]]: ...

    def imports(self, limit: int) -> list[dict]: ...

    def generation(self) -> int: ...


class DirectoryHub(Protocol):
    def clock(self): ...

    @property
    def directory_store(self) -> DirectoryStore: ...

    def read_directory(self, path: str, today: date) -> tuple[DirectoryFile, Iterator[Version | Refused]]:
        """A directory file's kind and day, and its records as they are read."""


@dataclass(frozen=True)
class Imported:
    """One file's import: what it changed, the records refused alone (line,
    reason), or why it was refused whole (`error`, with the schema's `faults`)."""

    source: str
    kind: str
    day: str
    added: int = 0
    modified: int = 0
    unchanged: int = 0
    refused: tuple[Refused, ...] = ()
    generation: int | None = None
    error: Message | str = ""
    faults: tuple[Message | str, ...] = ()

    @property
    def outcome(self) -> str:
        if self.error:
            return "refused"
        return "applied" if self.generation is not None else "unchanged"


@dataclass(frozen=True)
class VersionLine:
    valid_from: str
    valid_to: str
    active: bool
    status: str
    name: str
    data: dict
    source: str
    line: int


@dataclass(frozen=True)
class Entry:
    """A line of the directory as `directory show` gives it: its status on the
    day asked, its versions, and the lines beneath it (a SIREN's
    establishments and addresses, a SIRET's routing codes). Kinds and
    statuses are codes (`annuaire.KINDS`, `annuaire.ENABLED`…), named by the
    catalogue where they are shown."""

    kind: str
    key: str
    name: str
    status: str
    on: str
    versions: tuple[VersionLine, ...]
    beneath: tuple["Found", ...] = ()


@dataclass(frozen=True)
class Found:
    """A line found by `directory search`, or beneath another: its latest version's
    name and its status today."""

    kind: str
    key: str
    name: str
    status: str


@dataclass(frozen=True)
class DirectoryStats:
    generation: int
    on: str
    kinds: dict
    imports: tuple[dict, ...]


def import_files(hub: DirectoryHub, paths: list[str]) -> tuple[Imported, ...]:
    """The files applied in order; the first refused stops the rest, named as not applied."""
    if not paths:
        raise InvalidRequest(say("directory-no-file"))
    today = hub.clock().date()
    done: list[Imported] = []
    for number, path in enumerate(paths):
        try:
            found, records = hub.read_directory(path, today)
            applied = hub.directory_store.apply(found, records)
        except DirectoryFileInvalid as refused:
            done.append(Imported(path, "", "", error=refused.args[0], faults=refused.faults))
        except DirectoryError as err:
            done.append(Imported(path, "", "", error=err.args[0]))
        else:
            done.append(Imported(path, found.kind, found.day.isoformat(), applied.added, applied.modified,
                                 applied.unchanged, applied.refused, applied.generation))
            continue
        done += [Imported(rest, "", "", error=say("directory-not-imported", file=rest, refused=path))
                 for rest in paths[number + 1:]]
        break
    return tuple(done)


def show(hub: DirectoryHub, identifier: str, on: date | None = None) -> Entry:
    """The line `identifier` names: a SIRET, a SIREN, SIRET/CODE for a routing
    code, an electronic address (SIREN_SIRET_CODE, SIREN_SUFFIXE), a platform number."""
    store = hub.directory_store
    on = on or hub.clock().date()
    for kind in annuaire.KINDS:
        history = store.history(kind, identifier.strip())
        if history:
            break
    else:
        raise InvalidRequest(say("directory-not-found", identifier=identifier))
    status, _ = annuaire.standing(history, on)
    beneath = () if kind in (annuaire.LINE, annuaire.ROUTING, annuaire.PLATFORM) else store.children(history[0].key)
    return Entry(
        kind, history[0].key, history[-1].name, status, on.isoformat(),
        tuple(_line(v, on) for v in history),
        tuple(_found(v, on) for v in beneath if v.key != history[0].key),
    )


def related_lines(hub: DirectoryHub, entry: Entry) -> tuple[Entry, ...]:
    """The lines of the directory that route to or hang under `entry`, each
    with its versions: an establishment's routing codes and the addressing
    lines that may receive for it (its SIREN's, its suffixes', its own and its
    routing codes'); a legal unit's addressing lines."""
    on = date.fromisoformat(entry.on)
    if entry.kind == annuaire.ESTABLISHMENT:
        siren = entry.key[:9]
        codes = [f.key for f in hub.directory_store.children(entry.key) if f.kind == annuaire.ROUTING]
        lines = [f.key for f in hub.directory_store.children(siren)
                 if f.kind == annuaire.LINE and _for_establishment(f.key, siren, entry.key)]
    elif entry.kind == annuaire.UNIT:
        codes, lines = [], [f.key for f in hub.directory_store.children(entry.key) if f.kind == annuaire.LINE]
    else:
        return ()
    return tuple(show(hub, key, on) for key in codes + lines)


def _for_establishment(line: str, siren: str, siret: str) -> bool:
    """Whether an addressing line of `siren` may receive for `siret`: its
    SIREN's, a suffix's (no establishment of its own), or one of `siret`'s."""
    parts = line.split("_")
    return parts[0] == siren and (len(parts) == 1 or parts[1] == siret or not re.fullmatch(r"\d{14}", parts[1]))


def search(hub: DirectoryHub, text: str, limit: int = 50) -> tuple[Found, ...]:
    if len(text.strip()) < 2:
        raise InvalidRequest(say("directory-search-too-short"))
    on = hub.clock().date()
    return tuple(_found(v, on) for v in hub.directory_store.search(text.strip(), limit))


def stats(hub: DirectoryHub) -> DirectoryStats:
    store = hub.directory_store
    on = hub.clock().date()
    counts = store.counts(on)
    kinds = {kind: counts[kind] for kind in annuaire.KINDS if kind in counts}
    return DirectoryStats(store.generation(), on.isoformat(), kinds, tuple(store.imports(5)))


def _line(version: Version, on: date) -> VersionLine:
    end = "" if version.valid_to == annuaire.FOREVER else version.valid_to.isoformat()
    start = "" if version.valid_from == annuaire.SINCE_ALWAYS else version.valid_from.isoformat()
    return VersionLine(start, end, version.active, version.status(on), version.name, version.data, version.source,
                       version.line)


def _found(version: Version, on: date) -> Found:
    return Found(version.kind, version.key, version.name, version.status(on))
