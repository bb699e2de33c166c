"""Configuration: the typed settings of `facteur.toml`, and the `Config` the rest of facteur reads.

`Settings` is the file as written, one strict model per table: a boolean must be
`true` or `false` (never the string "false", which Python would take as true),
a number must be a number within its range, and an unknown table or key is
refused rather than ignored, since a misspelt key silently keeping its default
is the worst kind of configuration error. pydantic does the checking; the
adapter that reads the file (adapters/configuration.py) turns its errors into
one message naming the file, the key, the value and what is expected.

`resolve` turns settings into a `Config`: relative paths of mailboxes, archive
and ledger count from the root (`[paths] root`, itself relative to the
configuration file's folder, unless --root gives another), so one flag moves
them together; the directory file and the mappings folder count from the
configuration file's folder: they are configuration, not data.

The ledger is the SQLite file of `[paths] ledger` unless `[ledger] url` names a
PostgreSQL database (what many workers share); FACTEUR_LEDGER_URL overrides it,
which keeps a password out of the file.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit, urlunsplit

from pydantic import BaseModel, ConfigDict, Field

from facteur.engine.errors import ConfigError
from facteur.engine.hub.directory import PARTNER_ID, Directory
from facteur.engine.inputs.lots import LotLimits
from facteur.engine.messages import DEFAULT, LANGUAGES, check_language, say

LEDGER_SCHEMES = ("postgresql", "postgres")

PartnerId = Annotated[str, Field(pattern=PARTNER_ID.pattern)]
DeliveryMode = Literal["folder", "amqp", "both"]


class _Table(BaseModel):
    """A table of the file: strict types, unknown keys refused, never changed once read."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Paths(_Table):
    root: str = "."  # relative to the configuration file's folder; --root replaces it
    inbox: str = "inbox"
    outbox: str = "outbox"
    archive: str = "var/archive"
    ledger: str = "var/ledger.sqlite"


class LedgerSettings(_Table):
    url: str = ""
    lease_seconds: float = Field(60.0, gt=0)


class DirectorySettings(_Table):
    file: str = "directory.toml"
    open: bool = False
    open_mailbox: PartnerId = "OPEN"
    # how often a worker asks whether the national directory was imported again (seconds)
    refresh_seconds: float = Field(default=5.0, gt=0)


class MappingsSettings(_Table):
    folder: str = ""  # empty: the mappings shipped with facteur


RuleRunner = Literal["fast", "reference"]


class ValidationSettings(_Table):
    schematron: bool = True
    french_ctc: bool = False
    # "fast": the official stylesheets with each pattern selecting its rules' contexts
    # (engine/validation/rewrite.py); "reference": the stylesheets as shipped, to compare with.
    rules: RuleRunner = "fast"


class RecognitionSettings(_Table):
    # A plain PDF's field read with less confidence than this counts as missing (0 to 1; see recognise.py)
    min_confidence: float = Field(0.6, ge=0, le=1)


class Limits(_Table):
    max_document_bytes: int = Field(20_000_000, ge=1)
    max_lot_members: int = Field(500, ge=1)
    max_lot_bytes: int = Field(1_000_000_000, ge=1)
    max_pdf_seconds: float = Field(1.0, gt=0)  # reading one PDF (structure, attachments, text, positioned text): invoices take ms
    max_flow_cpu_seconds: float = Field(0, ge=0)  # CPU time of one flow (a pool worker, `facteur worker`); 0: no limit

    @property
    def lot(self) -> LotLimits:
        return LotLimits(self.max_lot_members, self.max_document_bytes, self.max_lot_bytes)


class Intake(_Table):
    workers: int = Field(0, ge=0)  # worker processes of `facteur run`; 0: one per core
    max_in_flight: int = Field(64, ge=1)
    stable_seconds: float = Field(2.0, ge=0)  # a file written in place is taken once unchanged this long
    partners: list[PartnerId] = []  # inbox folders watched; empty: the directory's senders and mailboxes
    stop_seconds: float = Field(30.0, gt=0)  # after SIGTERM or Ctrl-C, how long flows in flight may take to finish


class AmqpTable(_Table):
    """[amqp]: only the keys written reach the broker settings, whose defaults stand for the others."""

    url: str = ""
    inbound_queue: str | None = None
    dead_letter_queue: str | None = None
    outbound_exchange: str | None = None
    prefetch: int | None = Field(None, ge=1)
    delivery_limit: int | None = Field(None, ge=1)
    sender_from: Literal["user_id", "header"] | None = None
    sender_header: str | None = None
    name_header: str | None = None
    syntax_header: str | None = None


class Ui(_Table):
    """[ui]: how facteur speaks to people (messages, reports, the command line)."""

    language: Literal[LANGUAGES] = DEFAULT  # "fr" or "en"; --lang replaces it for one command


class WebSettings(_Table):
    """[web]: where `facteur serve` (the console and its API, /metrics, /healthz,
    /readyz) and, when `enabled`, `facteur run` (the same) listen; how long a console session lasts."""

    enabled: bool = False
    listen: Annotated[str, Field(pattern=r"^[^\s:]+:\d{1,5}$")] = "127.0.0.1:8080"  # host:port
    session_hours: float = Field(12.0, gt=0)

    @property
    def host(self) -> str:
        return self.listen.rpartition(":")[0]

    @property
    def port(self) -> int:
        return int(self.listen.rpartition(":")[2])


class AlertSettings(_Table):
    """[alerts]: the conditions watched by `facteur run`, and where alerts go
    (webhooks, e-mail); one alert when a condition starts, one when it ends."""

    webhooks: list[str] = []  # URLs each alert is POSTed to, as JSON
    smtp_host: str = ""  # empty: no e-mail
    smtp_port: int = Field(25, ge=1, le=65535)
    smtp_starttls: bool = False
    smtp_user: str = ""
    smtp_password: str = ""
    mail_from: str = "facteur@localhost"
    mail_to: list[str] = []
    every_seconds: float = Field(60.0, gt=0)  # how often the conditions are observed
    rejection_rate: float = Field(0.5, gt=0, le=1)  # share of flows rejected over the window that alerts
    rejection_window_minutes: int = Field(60, ge=1)
    rejection_min_flows: int = Field(10, ge=1)  # below this many flows in the window, no rate is judged
    retrying_minutes: int = Field(30, ge=1)  # a flow pending (retried) longer than this alerts
    dead_letters: bool = True  # messages in the dead-letter queue alert
    unreachable: bool = True  # the ledger, or the broker when configured, unreachable alerts

    @property
    def enabled(self) -> bool:
        return bool(self.webhooks or (self.smtp_host and self.mail_to))


class Settings(_Table):
    hub_id: PartnerId = "FACTEUR"
    paths: Paths = Paths()
    ledger: LedgerSettings = LedgerSettings()
    directory: DirectorySettings = DirectorySettings()
    mappings: MappingsSettings = MappingsSettings()
    validation: ValidationSettings = ValidationSettings()
    recognition: RecognitionSettings = RecognitionSettings()
    limits: Limits = Limits()
    intake: Intake = Intake()
    amqp: AmqpTable = AmqpTable()
    delivery: dict[str, DeliveryMode] = {}  # partner id -> how it receives its outputs
    ui: Ui = Ui()
    web: WebSettings = WebSettings()
    alerts: AlertSettings = AlertSettings()


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
    directory_refresh_seconds: float
    french_ctc: bool
    schematron: bool
    limits: Limits
    rules: RuleRunner = "fast"
    workers: int = 0
    max_in_flight: int = 64
    stable_seconds: float = 2.0
    partners: tuple[str, ...] = ()
    amqp: dict = field(default_factory=dict)  # the [amqp] keys written; no url: no broker
    delivery: dict = field(default_factory=dict)  # partner id -> "folder" | "amqp" | "both"
    ledger_url: str = ""  # a PostgreSQL URL; empty: the SQLite file `ledger`
    lease_seconds: float = 60.0  # a flow's lease, renewed while its holder works on it
    stop_seconds: float = 30.0  # a stopping engine leaves what is unfinished after this long, claimed for its next start
    recognition_threshold: float = 0.6  # [recognition] min_confidence: a plain PDF's less sure field is missing
    language: str = DEFAULT  # of every message, report and line a person reads ([ui] language, --lang)
    web: WebSettings = WebSettings()  # the console, /metrics, /healthz, /readyz
    alerts: AlertSettings = AlertSettings()

    def with_open_directory(self) -> "Config":
        return replace(self, open_directory=True)

    def in_language(self, language: str) -> "Config":
        """The configuration speaking `language` (--lang), whatever [ui] language says."""
        return replace(self, language=check_language(language))

    def watched_partners(self, directory: Directory) -> list[str]:
        """The inbox folders `facteur run` watches: those configured, else every
        sender of the directory (invoices) and every structure's mailbox
        (status files sent back by recipients)."""
        if self.partners:
            return list(self.partners)
        return sorted(set(directory.senders) | directory.mailboxes)


def resolve(settings: Settings, path: Path, root: Path, mappings: Path, ledger_url: str = "") -> Config:
    """The configuration read from `path`, its data paths under `root`; `mappings`
    is the folder used when [mappings] folder is empty, `ledger_url` the
    FACTEUR_LEDGER_URL that overrides [ledger] url."""
    url = ledger_url or settings.ledger.url
    if url and url.partition("://")[0] not in LEDGER_SCHEMES:
        raise ConfigError(say("config-ledger-url", path=path))
    paths, here = settings.paths, path.parent
    return Config(
        path=path,
        root=root,
        hub_id=settings.hub_id,
        inbox=root / paths.inbox,
        outbox=root / paths.outbox,
        archive=root / paths.archive,
        ledger=root / paths.ledger,
        directory_file=here / settings.directory.file,
        mappings=(here / settings.mappings.folder).resolve() if settings.mappings.folder else mappings,
        open_directory=settings.directory.open,
        open_mailbox=settings.directory.open_mailbox,
        directory_refresh_seconds=settings.directory.refresh_seconds,
        french_ctc=settings.validation.french_ctc,
        schematron=settings.validation.schematron,
        rules=settings.validation.rules,
        limits=settings.limits,
        workers=settings.intake.workers,
        max_in_flight=settings.intake.max_in_flight,
        stable_seconds=settings.intake.stable_seconds,
        partners=tuple(settings.intake.partners),
        amqp=settings.amqp.model_dump(exclude_none=True, exclude_defaults=True),
        delivery=dict(settings.delivery),
        ledger_url=url,
        lease_seconds=settings.ledger.lease_seconds,
        stop_seconds=settings.intake.stop_seconds,
        recognition_threshold=settings.recognition.min_confidence,
        language=settings.ui.language,
        web=settings.web,
        alerts=settings.alerts,
    )


def redact(url: str) -> str:
    """The URL with its password removed, fit for logs and error messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{parts.username}@{host}"))
