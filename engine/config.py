"""Configuration: `config/facteur.toml`, overridden by FACTEUR_CONFIG or --config.

Relative paths of mailboxes, archive and ledger are taken from the root: the
folder above `config/` by default, or the `--root` given on the command line, so
that one flag moves them together (a test, a second instance). The directory
file, and a `[mappings] folder` (recognition patterns for plain PDFs,
proprietary formats) when one is set, are found relative to the configuration
file that names them: they are configuration, not data, and do not move with
`--root`. Without one, the `mappings/` shipped with facteur is used.

The ledger is the SQLite file of `[paths] ledger` unless `[ledger] url` names a
PostgreSQL database (what many workers share); FACTEUR_LEDGER_URL overrides it,
which keeps a password out of the file.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from facteur.engine.hub import directory as directory_module
from facteur.engine.hub.directory import PARTNER_ID, Directory
from facteur.engine.inputs.lots import LotLimits
from facteur.engine.inputs.mappings import Format
from facteur.engine.inputs.recognise import MappingError, Patterns

SOURCE_ROOT = Path(__file__).resolve().parents[1]
DELIVERY_MODES = ("folder", "amqp", "both")
DEFAULT_CONFIG = SOURCE_ROOT / "config" / "facteur.toml"
LEDGER_SCHEMES = ("postgresql", "postgres")


class ConfigError(ValueError):
    """The configuration is wrong; the message names the file and the key."""


@dataclass(frozen=True)
class Limits:
    max_document_bytes: int = 20_000_000
    max_lot_members: int = 500
    max_lot_bytes: int = 1_000_000_000
    max_pdf_seconds: float = 1.0  # reading one PDF (structure, attachments, text): invoices take milliseconds
    max_flow_cpu_seconds: float = 0  # CPU time of one flow (a pool worker, `facteur worker`); 0: no limit

    @property
    def lot(self) -> LotLimits:
        return LotLimits(self.max_lot_members, self.max_document_bytes, self.max_lot_bytes)


@dataclass(frozen=True)
class Config:
    path: Path
    root: Path
    hub_id: str
    inbox: Path
    outbox: Path
    archive: Path
    ledger: Path  # the SQLite file, when no ledger_url is set
    directory_file: Path
    mappings: Path
    open_directory: bool
    open_mailbox: str
    french_ctc: bool
    schematron: bool
    limits: Limits
    workers: int = 0  # worker processes of `facteur run`; 0: one per core
    max_in_flight: int = 64
    stable_seconds: float = 2.0  # a file written in place is taken once unchanged this long
    partners: tuple[str, ...] = ()  # inbox folders watched; empty: the directory's senders and mailboxes
    amqp: dict = field(default_factory=dict)  # [amqp] as written; empty url: no broker
    delivery: dict = field(default_factory=dict)  # partner id -> "folder" | "amqp" | "both"
    ledger_url: str = ""  # a PostgreSQL URL; empty: the SQLite file `ledger`
    lease_seconds: float = 60.0  # a flow's lease, renewed while its holder works on it

    def with_root(self, root: Path) -> "Config":
        """The same configuration with every relative path taken from `root`."""
        return _build(self.path, _read(self.path), root.resolve())

    def with_open_directory(self) -> "Config":
        return replace(self, open_directory=True)

    def watched_partners(self, directory: Directory) -> list[str]:
        """The inbox folders `facteur run` watches: those configured, else every
        sender of the directory (invoices) and every structure's mailbox
        (status files sent back by recipients)."""
        if self.partners:
            return list(self.partners)
        return sorted(set(directory.senders) | directory.mailboxes)

    def load_recognition(self) -> Patterns:
        """The label patterns of plain-PDF recognition (`recognition.toml` in the mappings folder)."""
        path = self.mappings / "recognition.toml"
        try:
            return Patterns.from_toml(_read(path), str(path))
        except (OSError, MappingError) as err:
            raise ConfigError(f"the recognition patterns cannot be loaded: {err}") from None

    def load_formats(self) -> tuple[Format, ...]:
        """The proprietary formats described in the mappings folder (`formats/*.toml`)."""
        formats = []
        for path in sorted((self.mappings / "formats").glob("*.toml")):
            try:
                formats.append(Format.from_toml(_read(path), str(path)))
            except MappingError as err:
                raise ConfigError(f"the proprietary format cannot be loaded: {err}") from None
        return tuple(formats)

    def load_directory(self) -> Directory:
        if self.open_directory and not self.directory_file.exists():
            return Directory({}, {}, open=True, open_mailbox=self.open_mailbox)
        loaded = directory_module.load(self.directory_file)
        return loaded.opened(self.open_mailbox) if self.open_directory else loaded


def redact(url: str) -> str:
    """The URL with its password removed, fit for logs and error messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{parts.username}@{host}"))


def locate(explicit: str | None) -> Path:
    """The configuration file: --config, else FACTEUR_CONFIG, else the shipped one."""
    chosen = explicit or os.environ.get("FACTEUR_CONFIG")
    path = Path(chosen) if chosen else DEFAULT_CONFIG
    if not path.is_file():
        origin = "--config" if explicit else "FACTEUR_CONFIG" if chosen else "the default location"
        raise ConfigError(f"configuration file {path} (from {origin}) does not exist")
    return path.resolve()


def load(explicit: str | None = None, root: str | None = None) -> Config:
    path = locate(explicit)
    base = Path(root).resolve() if root else path.parent.parent
    return _build(path, _read(path), base)


def _read(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"configuration file {path} is not valid TOML: {err}") from None


def _build(path: Path, data: dict, root: Path) -> Config:
    paths = _table(data, "paths", path)
    validation = _table(data, "validation", path)
    dir_table = _table(data, "directory", path)
    limits_table = _table(data, "limits", path)
    hub_id = str(data.get("hub_id", "FACTEUR"))
    if not PARTNER_ID.match(hub_id):
        raise ConfigError(f"{path}: hub_id {hub_id!r} must be 3 to 8 letters or digits")
    open_mailbox = str(dir_table.get("open_mailbox", "OPEN"))
    if not PARTNER_ID.match(open_mailbox):
        raise ConfigError(f"{path}: [directory] open_mailbox {open_mailbox!r} must be 3 to 8 letters or digits")
    try:
        limits = Limits(**{k: v if isinstance(v, float) else int(v) for k, v in limits_table.items()})
    except TypeError as err:
        raise ConfigError(f"{path}: [limits] has an unknown key ({err})") from None
    if limits.max_pdf_seconds <= 0:
        raise ConfigError(f"{path}: [limits] max_pdf_seconds must be above 0")
    if limits.max_flow_cpu_seconds < 0:
        raise ConfigError(f"{path}: [limits] max_flow_cpu_seconds must be 0 (no limit) or above")

    def under_root(value: str) -> Path:
        candidate = Path(value)
        return candidate if candidate.is_absolute() else root / candidate

    intake = _table(data, "intake", path)
    delivery = _table(data, "delivery", path)
    for partner, mode in delivery.items():
        if mode not in DELIVERY_MODES:
            raise ConfigError(f"{path}: [delivery] {partner} = {mode!r} must be one of {', '.join(DELIVERY_MODES)}")
    partners = tuple(str(p) for p in intake.get("partners", ()))
    for partner in partners:
        if not PARTNER_ID.match(partner):
            raise ConfigError(f"{path}: [intake] partners: {partner!r} must be 3 to 8 letters or digits")
    directory_value = Path(dir_table.get("file", "directory.toml"))
    mappings_value = Path(_table(data, "mappings", path).get("folder", SOURCE_ROOT / "mappings"))
    ledger_table = _table(data, "ledger", path)
    ledger_url = os.environ.get("FACTEUR_LEDGER_URL") or str(ledger_table.get("url", ""))
    if ledger_url and ledger_url.partition("://")[0] not in LEDGER_SCHEMES:
        raise ConfigError(
            f"{path}: [ledger] url (or FACTEUR_LEDGER_URL) must be a postgresql:// URL, or empty for the SQLite file"
        )
    lease_seconds = ledger_table.get("lease_seconds", 60.0)
    if isinstance(lease_seconds, bool) or not isinstance(lease_seconds, (int, float)) or lease_seconds <= 0:
        raise ConfigError(f"{path}: [ledger] lease_seconds must be a number of seconds above 0, not {lease_seconds!r}")
    return Config(
        path=path,
        root=root,
        hub_id=hub_id,
        inbox=under_root(paths.get("inbox", "inbox")),
        outbox=under_root(paths.get("outbox", "outbox")),
        archive=under_root(paths.get("archive", "var/archive")),
        ledger=under_root(paths.get("ledger", "var/ledger.sqlite")),
        directory_file=directory_value if directory_value.is_absolute() else path.parent / directory_value,
        mappings=mappings_value if mappings_value.is_absolute() else (path.parent / mappings_value).resolve(),
        open_directory=bool(dir_table.get("open", False)),
        open_mailbox=open_mailbox,
        french_ctc=bool(validation.get("french_ctc", False)),
        schematron=bool(validation.get("schematron", True)),
        limits=limits,
        workers=int(intake.get("workers", 0)),
        max_in_flight=int(intake.get("max_in_flight", 64)),
        stable_seconds=float(intake.get("stable_seconds", 2.0)),
        partners=partners,
        amqp=_table(data, "amqp", path),
        delivery=delivery,
        ledger_url=ledger_url,
        lease_seconds=float(lease_seconds),
    )


def _table(data: dict, name: str, path: Path) -> dict:
    value = data.get(name, {})
    if not isinstance(value, dict):
        raise ConfigError(f"{path}: [{name}] must be a table")
    return value
