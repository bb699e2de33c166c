"""`facteur doctor`: whether an installation can run, checked part by part
before a flow finds out (the configuration, the directory, the folders and
their permissions, the files misplaced in the inbox, the ledger, the broker,
the rule sets, the free disk space), one line each, saying what to do when a
check fails.

The checks are plain: each asks one probe of `Probes`, which the composition
root builds over the real folders, database and broker, and turns what it
returns or raises into a `Check`. A probe that raises has failed; its message
(naming the thing and what to do) is the check's detail, in the language
asked when the probe said it with a message of the catalogue, as doctor's own
words are. Nothing is written but
the probes' own test files, removed at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Protocol

from facteur.engine.messages import DEFAULT, Message, said, text

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


Said = str | Message  # what a probe finds, a text or a message of the catalogue


class Probes(Protocol):
    """The installation as doctor sees it; every method raises with a message
    saying what is wrong and what to do, or returns what it found."""

    def configuration(self) -> Said: ...

    def directory(self) -> Said: ...

    def folder(self, role: str) -> Said: ...  # one of FOLDERS: a folder, or one that can be made, and writable

    def permissions(self) -> Said: ...  # the partners' folders facteur claims from and delivers to, writable

    def misplaced(self) -> list[Said]: ...  # one line per file never taken, with what to do

    def ledger(self) -> Said: ...

    def broker(self) -> Said | None: ...  # None: no broker configured

    def rule_sets(self) -> Said: ...

    def free_bytes(self) -> tuple[str, int]: ...  # where the data is, and the bytes free there


def diagnose(probes: Probes, min_free_bytes: int = MIN_FREE_BYTES, lang: str = DEFAULT) -> Diagnosis:
    """Every check, in the order an operator fixes things; without a
    configuration nothing else can be read, so that failure is the only line."""
    first = _check(text("doctor-configuration", lang), probes.configuration, _passed(lang), lang)
    if first.state == FAILED:
        return Diagnosis((first,))
    checks = [
        first,
        _check(text("doctor-directory", lang), probes.directory, _passed(lang), lang),
        *(_check(text("doctor-folder", lang, role=role), lambda role=role: probes.folder(role), _passed(lang), lang)
          for role in FOLDERS),
        _check(text("doctor-permissions", lang), probes.permissions, _passed(lang), lang),
        _check(text("doctor-misplaced", lang), probes.misplaced, lambda lines: _misplaced(lines, lang), lang),
        *_running(probes, lambda found: _disk(*found, min_free_bytes, lang), lang),
    ]
    return Diagnosis(tuple(checks))


def ready(probes: Probes, min_free_bytes: int = MIN_FREE_BYTES, lang: str = DEFAULT) -> Diagnosis:
    """Whether a running engine can take flows now, for a load balancer or an
    orchestrator (`/readyz`): doctor's checks of what a running engine needs,
    with too little room on its disk a failure, not a warning (below
    `min_free_bytes`, flows would soon wait: not ready)."""
    return Diagnosis(tuple(_running(probes, lambda found: _room(*found, min_free_bytes, lang), lang)))


def _running(probes: Probes, disk: Callable[[Any], tuple[str, str]], lang: str) -> list[Check]:
    """The checks of what a running engine needs: its ledger, its broker, its rule sets, room on its disk."""
    return [
        _check(text("doctor-ledger", lang), probes.ledger, _passed(lang), lang),
        _check(text("doctor-broker", lang), probes.broker, lambda found: _broker(found, lang), lang),
        _check(text("doctor-rules", lang), probes.rule_sets, _passed(lang), lang),
        _check(text("doctor-disk", lang), probes.free_bytes, disk, lang),
    ]


def _passed(lang: str) -> Callable[[Any], tuple[str, str]]:
    return lambda found: (OK, said(found, lang))


def _room(where: str, free: int, min_free_bytes: int, lang: str) -> tuple[str, str]:
    state, detail = _disk(where, free, min_free_bytes, lang)
    return (FAILED if state == WARNING else state), detail


def _check(name: str, probe: Callable[[], Any], judge: Callable[[Any], tuple[str, str]], lang: str) -> Check:
    """The probe asked, and what it found judged; what it raised is the failure,
    in `lang` when the probe said it with a message of the catalogue."""
    try:
        found = probe()
    except Exception as err:  # noqa: BLE001 - whatever a probe meets fails its check, never doctor
        return Check(name, FAILED, said(err, lang) or type(err).__name__)
    return Check(name, *judge(found))


def _misplaced(lines: list, lang: str) -> tuple[str, str]:
    if lines:
        return FAILED, text("doctor-misplaced-found", lang, n=len(lines), files=" | ".join(said(line, lang) for line in lines))
    return OK, text("doctor-misplaced-none", lang)


def _broker(found: str | None, lang: str) -> tuple[str, str]:
    return OK, said(found, lang) if found is not None else text("doctor-no-broker", lang)


def _disk(where: str, free: int, min_free_bytes: int, lang: str) -> tuple[str, str]:
    found = text("doctor-disk-free", lang, gigabytes=f"{free / 1e9:.1f}", where=where)
    if free < min_free_bytes:
        return WARNING, text("doctor-disk-low", lang, found=found, minimum=f"{min_free_bytes / 1e9:g}")
    return OK, found
