"""The probes of `facteur doctor` (`engine/operations/doctor.py`) over a real
installation: its configuration file, folders, ledger, broker and rule sets.
Each looks without changing anything (a folder's write test leaves no file,
the ledger is read, not migrated) and fails with a message naming the thing
and what to do: what they find and raise are messages of the catalogue
(`messages.say`), which doctor renders in the language asked."""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from functools import cached_property
from pathlib import Path
from typing import Any, Callable

from facteur.adapters import configuration
from facteur.adapters.mailbox import not_a_folder
from facteur.engine.config import Config, redact
from facteur.engine.errors import ConfigError, LedgerUnavailable, RulesUnavailable, Unavailable
from facteur.engine.hub.directory import Directory
from facteur.engine.messages import Message, say


class Installation:
    """`engine.operations.doctor.Probes` for the configuration `--config` and
    `--root` name; the configuration is read by the first probe, and the
    others are asked only once it reads. `amqp_settings` reads the broker's
    settings of a configuration (the composition root's)."""

    def __init__(self, explicit: str | None, root: str | None, amqp_settings: Callable[[Config], Any]):
        self.explicit, self.root, self.amqp_settings = explicit, root, amqp_settings

    @classmethod
    def of(cls, config: Config, amqp_settings: Callable[[Config], Any]) -> "Installation":
        """The probes of a configuration read already: a running engine's, for `/readyz`."""
        installation = cls(str(config.path), str(config.root), amqp_settings)
        installation.config = config  # what the first probe would have read
        return installation

    @cached_property
    def config(self) -> Config:
        return configuration.load(self.explicit, self.root)

    @cached_property
    def known(self) -> Directory:
        return configuration.load_directory(self.config)

    @cached_property
    def watched(self) -> list[str]:
        return self.config.watched_partners(self.known)

    def configuration(self) -> Message:
        if configuration.locate(self.explicit)[1]:
            return say("probe-config-shipped", path=self.config.path)
        return say("probe-config-read", path=self.config.path)

    def directory(self) -> Message:
        return say("probe-directory", path=self.config.directory_file, structures=len(self.known.structures),
                   senders=len(self.known.senders))

    def folder(self, role: str) -> Message:
        folder: Path = getattr(self.config, role)
        if blocking := not_a_folder(folder):
            raise ConfigError(say("probe-folder-file", folder=folder, blocking=blocking, role=role,
                                  path=self.config.path))
        if folder.is_dir():
            _writable(folder)
            return say("probe-folder-writable", folder=folder)
        parent = next(place for place in folder.parents if place.is_dir())
        _writable(parent)
        return say("probe-folder-absent", folder=folder, parent=parent)

    def permissions(self) -> Message:
        """The folders facteur claims files from (inbox/<partner>/, by rename)
        and writes outputs to (outbox/<partner>/), those that exist."""
        partners = sorted(set(self.watched) | set(self.known.senders) | self.known.mailboxes)
        folders = [self.config.inbox / p for p in self.watched] + [self.config.outbox / p for p in partners]
        problems, checked = [], 0
        for folder in folders:
            if folder.exists() and not folder.is_dir():
                problems.append(say("probe-partner-file", folder=folder))
            elif folder.is_dir():
                try:
                    _writable(folder)
                    checked += 1
                except ConfigError as err:
                    problems.append(err.args[0])
        if problems:
            raise ConfigError(say("probe-problems", problems=problems))
        return say("probe-partners-writable", n=checked)

    def misplaced(self) -> list[Message]:
        from facteur.adapters.watch import ignored, misplaced, misplaced_said

        inbox, known = self.config.inbox, set(self.known.senders) | self.known.mailboxes
        files = misplaced(inbox, self.watched)
        lines = [misplaced_said(path, inbox, known, self.config.directory_file, self.config.path) for path in files]
        holding = {path.parent for path in files}
        folders = sorted(inbox.iterdir()) if inbox.is_dir() else []
        lines += [
            say("probe-unknown-partner-folder", folder=folder.name, directory=self.config.directory_file)
            for folder in folders
            if folder.is_dir() and not ignored(folder.name) and folder.name not in self.watched and folder not in holding
        ]
        return lines

    def ledger(self) -> Message:
        if self.config.ledger_url:
            return _postgresql(self.config.ledger_url)
        return _sqlite(self.config.ledger, self.config.archive)

    def broker(self) -> Message | None:
        from facteur.adapters.amqp import connect

        if not self.config.amqp.get("url"):
            return None
        url = self.amqp_settings(self.config).url
        try:
            connect(url, "facteur-doctor").close()
        except Exception as err:  # noqa: BLE001 - pika raises many kinds; each means the same here
            raise Unavailable(say("probe-broker-away", url=redact(url), reason=f"{type(err).__name__} {err}",
                                  path=self.config.path)) from None
        return say("probe-reached", url=redact(url))

    def rule_sets(self) -> Message:
        from facteur.engine.validation import rulesets, schematron, xsd

        schemas, compiled = set(), set()
        for ruleset in rulesets.catalogue():
            wanted = [ruleset.schematron] if self.config.schematron else []
            if self.config.schematron and self.config.french_ctc:
                wanted.append(ruleset.french_ctc)
            try:
                xsd.load(ruleset.xsd)
                schemas.add(ruleset.xsd)
                for path in filter(None, wanted):
                    schematron.compiled(path, ruleset.codedb if path == ruleset.schematron else None, self.config.rules)
                    compiled.add(path)
            except Exception as err:  # noqa: BLE001 - lxml and saxonche raise their own
                raise RulesUnavailable(say("probe-rules-fail", rules=ruleset.name, reason=err)) from None
        return say("probe-rules", schemas=len(schemas), schematrons=len(compiled), version=rulesets.RULES_VERSION)

    def free_bytes(self) -> tuple[str, int]:
        where = next(place for place in (self.config.root, *self.config.root.parents) if place.is_dir())
        return str(where), shutil.disk_usage(where).free


def _writable(folder: Path) -> None:
    """A file made and removed in `folder`: what facteur does there, asked of
    the system itself (permission bits say nothing of read-only mounts, ACLs
    or a full disk)."""
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".facteur-doctor-"):
            pass
    except OSError as err:
        raise ConfigError(say("probe-not-writable", folder=folder, reason=err.strerror, uid=str(os.getuid()))) from None


def _sqlite(path: Path, archive: Path) -> Message:
    from facteur.adapters.ledgers import holds_flows
    from facteur.adapters.sqlite_ledger import SCHEMA_VERSION

    if not path.exists() and holds_flows(archive):
        raise LedgerUnavailable(say("probe-ledger-missing", path=path, archive=archive))
    if not path.exists():
        return say("probe-ledger-absent", path=path)
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        try:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            flows = db.execute("SELECT count(*) FROM flows").fetchone()[0]
        finally:
            db.close()
    except sqlite3.Error as err:
        raise LedgerUnavailable(say("probe-ledger-unreadable", path=path, reason=err)) from None
    return say("probe-ledger-sqlite", path=path, n=flows, schema=_schema(version, SCHEMA_VERSION))


def _postgresql(url: str) -> Message:
    import psycopg

    from facteur.adapters.pg_ledger import SCHEMA_VERSION

    try:
        with psycopg.connect(url, connect_timeout=5) as db:
            exists = db.execute("SELECT to_regclass('schema_version') IS NOT NULL").fetchone()[0]
            version = db.execute("SELECT max(version) FROM schema_version").fetchone()[0] if exists else None
    except psycopg.Error as err:
        raise LedgerUnavailable(say("probe-pg-away", url=redact(url), reason=" ".join(str(err).split()))) from None
    if version is None:
        return say("probe-pg-empty", url=redact(url))
    return say("probe-pg", url=redact(url), schema=_schema(version, SCHEMA_VERSION))


def _schema(version: int, supported: int) -> Message:
    if version > supported:
        raise LedgerUnavailable(say("probe-schema-newer", version=version, supported=supported))
    if version < supported:
        return say("probe-schema-older", version=version, supported=supported)
    return say("probe-schema-current", version=version)
