"""`facteur doctor`: whether an installation can run, checked part by part
before a flow finds out (the configuration, the directory, the folders and
their permissions, the files misplaced in the inbox, the ledger, the broker,
the rule sets, the free disk space), one line each, saying what to do when a
check fails.

The checks are plain: each asks one probe of `Probes`, which the composition
root builds over the real folders, database and broker, and turns what it
returns or raises into a `Check`. A probe that raises has failed; its message
(French, naming the thing and what to do) is the check's detail. Nothing is
written but the probes' own test files, removed at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Protocol

OK, WARNING, FAILED = "ok", "attention", "échec"
FOLDERS = ("inbox", "outbox", "archive")
MIN_FREE_BYTES = 1_000_000_000  # below it, a lot or a day of traffic may fill the disk: flows then wait


@dataclass(frozen=True)
class Check:
    name: str  # what was checked, as the operator reads it
    state: str  # OK, WARNING (passes, but look), FAILED
    detail: str  # what was found; for a failure, the fault and what to do


@dataclass(frozen=True)
class Diagnosis:
    checks: tuple[Check, ...]

    @property
    def passed(self) -> bool:
        return all(check.state != FAILED for check in self.checks)


class Probes(Protocol):
    """The installation as doctor sees it; every method raises with a message
    saying what is wrong and what to do, or returns what it found."""

    def configuration(self) -> str: ...

    def directory(self) -> str: ...

    def folder(self, role: str) -> str: ...  # one of FOLDERS: a folder, or one that can be made, and writable

    def permissions(self) -> str: ...  # the partners' folders facteur claims from and delivers to, writable

    def misplaced(self) -> list[str]: ...  # one line per file never taken, with what to do

    def ledger(self) -> str: ...

    def broker(self) -> str | None: ...  # None: no broker configured

    def rule_sets(self) -> str: ...

    def free_bytes(self) -> tuple[str, int]: ...  # where the data is, and the bytes free there


def diagnose(probes: Probes, min_free_bytes: int = MIN_FREE_BYTES) -> Diagnosis:
    """Every check, in the order an operator fixes things; without a
    configuration nothing else can be read, so that failure is the only line."""
    first = _check("configuration", probes.configuration)
    if first.state == FAILED:
        return Diagnosis((first,))
    checks = [
        first,
        _check("annuaire", probes.directory),
        *(_check(f"dossier {role}", lambda role=role: probes.folder(role)) for role in FOLDERS),
        _check("permissions", probes.permissions),
        _check("fichiers mal placés", probes.misplaced, _misplaced),
        _check("registre", probes.ledger),
        _check("courtier AMQP", probes.broker, _broker),
        _check("règles de validation", probes.rule_sets),
        _check("espace disque", probes.free_bytes, lambda found: _disk(*found, min_free_bytes)),
    ]
    return Diagnosis(tuple(checks))


def ready(probes: Probes, min_free_bytes: int = MIN_FREE_BYTES) -> Diagnosis:
    """Whether a running engine can take flows now, for a load balancer or an
    orchestrator (`/readyz`): its ledger and broker reached, its rule sets
    loaded, and room on its disk (below `min_free_bytes`, flows would soon wait:
    not ready)."""
    return Diagnosis((
        _check("registre", probes.ledger),
        _check("courtier AMQP", probes.broker, _broker),
        _check("règles de validation", probes.rule_sets),
        _check("espace disque", probes.free_bytes, lambda found: _room(*found, min_free_bytes)),
    ))


def _room(where: str, free: int, min_free_bytes: int) -> tuple[str, str]:
    state, detail = _disk(where, free, min_free_bytes)
    return (FAILED if state == WARNING else state), detail


def _check(name: str, probe: Callable[[], Any], judge: Callable[[Any], tuple[str, str]] = lambda found: (OK, found)
           ) -> Check:
    """The probe asked, and what it found judged; what it raised is the failure."""
    try:
        found = probe()
    except Exception as err:  # noqa: BLE001 - whatever a probe meets fails its check, never doctor
        return Check(name, FAILED, str(err) or type(err).__name__)
    return Check(name, *judge(found))


def _misplaced(lines: list[str]) -> tuple[str, str]:
    if lines:
        return FAILED, f"{len(lines)} fichier(s) ne seront jamais pris : " + " | ".join(lines)
    return OK, "aucun fichier hors des dossiers des partenaires"


def _broker(found: str | None) -> tuple[str, str]:
    return OK, found if found is not None else "aucun configuré ([amqp] url est vide)"


def _disk(where: str, free: int, min_free_bytes: int) -> tuple[str, str]:
    found = f"{free / 1e9:.1f} Go libres sous {where}"
    if free < min_free_bytes:
        return WARNING, (f"{found}, moins de {min_free_bytes / 1e9:g} Go : libérez de la place (un disque plein met "
                         "les flux en attente)")
    return OK, found
