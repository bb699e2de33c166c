"""Which ledger a configuration names: PostgreSQL when `[ledger] url` is set
(many workers, many machines), else the embedded SQLite file. The PostgreSQL
driver is imported only when a configuration names it: a one-shot command on
SQLite does not pay its import (a fifth of a second)."""

from __future__ import annotations

from pathlib import Path

from facteur.adapters.sql_directory import Cached, PgDirectory, SqlDirectory
from facteur.adapters.sqlite_ledger import SqliteLedger
from facteur.engine.config import Config, redact
from facteur.engine.errors import LedgerReplaced
from facteur.engine.messages import say
from facteur.engine.runtime.ledger import Ledger


def open_ledger(config: Config, readonly: bool = False) -> Ledger:
    """`readonly` asks for a duplicate look-up only (worker processes of
    `facteur run`); it matters to SQLite, whose single writer is the coordinator."""
    if config.ledger_url:
        from facteur.adapters.pg_ledger import PgLedger

        return PgLedger(config.ledger_url)
    if not readonly and not config.ledger.exists() and holds_flows(config.archive):
        raise LedgerReplaced(say("ledger-missing", path=config.ledger, archive=config.archive))
    return SqliteLedger(config.ledger, readonly)


def directory_store(ledger: Ledger) -> SqlDirectory:
    """The national directory kept in the ledger's database, on its connection."""
    return SqlDirectory(ledger) if isinstance(ledger, SqliteLedger) else PgDirectory(ledger)


def annuaire(ledger: Ledger, every: float) -> Cached:
    """The directory as the pipeline reads it: look-ups cached, an import seen
    within `every` seconds."""
    return Cached(directory_store(ledger), every)


def holds_flows(archive: Path) -> bool:
    """Whether any original is archived: the archive is written before the
    ledger records a flow, so a ledger missing beside it was lost, not new."""
    try:
        return any(any(folder.iterdir()) for folder in archive.iterdir() if folder.is_dir())
    except FileNotFoundError:
        return False


def existing_ledger(config: Config) -> Ledger | None:
    """The ledger if one was written already: reading commands do not create an
    empty SQLite file where none was (a server database always exists)."""
    if not config.ledger_url and not config.ledger.exists():
        return None
    return open_ledger(config)


def describe(config: Config) -> str:
    """The ledger as logs and messages name it, without a password."""
    return redact(config.ledger_url) if config.ledger_url else str(config.ledger)
