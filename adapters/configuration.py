"""Reading the configuration and the domain data it names, from files.

Which file: --config, else FACTEUR_CONFIG, else `config/facteur.toml` in the
current folder when there is one, else the defaults shipped inside the package
(`facteur.defaults`, the repository's config/ folder). With the shipped
defaults, the mailboxes, archive and ledger go under the current folder, never
inside the installed package.

The directory file, the recognition patterns of plain PDFs and the proprietary
formats are read here too, so that the engine receives them as plain data.
`facteur init` copies the shipped defaults into a folder to start from.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tomllib
from dataclasses import replace
from importlib.resources import files
from pathlib import Path

from pydantic import BaseModel, ValidationError

from facteur.adapters.mailbox import not_a_folder
from facteur.engine.config import Config, Settings, resolve
from facteur.engine.errors import ConfigError, DirectoryError, MappingError
from facteur.engine.hub import directory as directory_module
from facteur.engine.hub.controls import KnownInvoice
from facteur.engine.hub.annuaire import Annuaire
from facteur.engine.hub.directory import Directory
from facteur.engine.inputs.mappings import Format
from facteur.engine.inputs.recognise import Patterns
from facteur.engine.messages import Message, say
from facteur.engine.pipeline import Context
from facteur.engine.validation.validate import Rules

LOCAL_CONFIG = Path("config") / "facteur.toml"


def shipped_defaults() -> Path:
    """The folder of the shipped configuration (facteur.toml, directory.toml)."""
    return Path(str(files("facteur.defaults")))


def shipped_mappings() -> Path:
    """The shipped mappings: recognition.toml and formats/."""
    return Path(str(files("facteur.mappings")))


def locate(explicit: str | None) -> tuple[Path, bool]:
    """The configuration file, and whether it is the shipped default."""
    chosen = explicit or os.environ.get("FACTEUR_CONFIG")
    if chosen:
        path = Path(chosen)
        if not path.is_file():
            raise ConfigError(say("config-missing", path=path, origin="--config" if explicit else "FACTEUR_CONFIG"))
        return path.resolve(), False
    if LOCAL_CONFIG.is_file():
        return LOCAL_CONFIG.resolve(), False
    return shipped_defaults() / "facteur.toml", True


def load(explicit: str | None = None, root: str | None = None) -> Config:
    """The configuration; `root` (--root) replaces the folder the data paths count from."""
    path, shipped = locate(explicit)
    settings = _settings(_read(path), path)
    if root:
        base = Path(root).resolve()
    elif shipped:
        base = Path.cwd()
    else:
        base = (path.parent / settings.paths.root).resolve()
    if blocking := not_a_folder(base):
        raise ConfigError(say("config-root-file", root=base, blocking=blocking))
    return resolve(settings, path, base, shipped_mappings(), os.environ.get("FACTEUR_LEDGER_URL", ""))


def check_folders(config: Config) -> None:
    """The folders of the data (inbox, outbox, archive, the ledger's) are
    folders, or can be made: a file in the way is an operator's to move, and
    nothing retried would fix it."""
    folders = {"[paths] inbox": config.inbox, "[paths] outbox": config.outbox, "[paths] archive": config.archive}
    if not config.ledger_url:
        folders["[paths] ledger"] = config.ledger.parent
    for key, folder in folders.items():
        if blocking := not_a_folder(folder):
            raise ConfigError(say("config-folder-file", folder=folder, key=key, path=config.path, blocking=blocking))


def _settings(data: dict, path: Path) -> Settings:
    """The file's tables checked; the first fault, explained, stops facteur."""
    try:
        return Settings.model_validate(data)
    except ValidationError as err:
        raise ConfigError(_explained(err.errors()[0], path)) from None


def load_directory(config: Config) -> Directory:
    path = config.directory_file
    if config.open_directory and not path.exists():
        return Directory({}, {}, open=True, open_mailbox=config.open_mailbox)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DirectoryError(say("directory-file-missing", path=path)) from None
    except tomllib.TOMLDecodeError as err:
        raise DirectoryError(say("directory-file-toml", path=path, reason=err)) from None
    loaded = directory_module.from_toml(data, str(path))
    return loaded.opened(config.open_mailbox) if config.open_directory else loaded


def load_recognition(config: Config) -> Patterns:
    """The label patterns of plain-PDF recognition (`recognition.toml` in the mappings folder)."""
    path = config.mappings / "recognition.toml"
    try:
        return replace(Patterns.from_toml(_read(path), str(path)), threshold=config.recognition_threshold)
    except (OSError, MappingError) as err:
        raise ConfigError(say("config-recognition", reason=err.args[0] if isinstance(err, MappingError) else err)) from None


def load_formats(config: Config) -> tuple[Format, ...]:
    """The proprietary formats described in the mappings folder (`formats/*.toml`),
    each with an id of its own: the id names, in the ledger, the mapping that
    judged an invoice."""
    formats: dict[str, Format] = {}
    for path in sorted((config.mappings / "formats").glob("*.toml")):
        try:
            fmt = Format.from_toml(_read(path), str(path))
        except MappingError as err:
            raise ConfigError(say("config-format", reason=err.args[0])) from None
        other = formats.get(fmt.rule_set.id)
        if other is not None:
            raise ConfigError(say("config-format-twice", first=other.source, second=path, id=fmt.rule_set.id))
        formats[fmt.rule_set.id] = fmt
    return tuple(formats.values())


def context(config: Config, known_invoice: KnownInvoice, check_sender: bool = True,
            annuaire: Annuaire | None = None) -> Context:
    """What the pipeline consults, with the directory and the mappings read from
    their files, and the national directory kept in the ledger's database."""
    return Context(
        hub_id=config.hub_id,
        directory=load_directory(config),
        known_invoice=known_invoice,
        rules=Rules(
            config.schematron,
            config.french_ctc,
            config.limits.max_document_bytes,
            config.limits.max_pdf_seconds,
            load_formats(config),
            config.rules,
        ),
        lot_limits=config.limits.lot,
        recognition=load_recognition(config),
        check_sender=check_sender,
        language=config.language,
        annuaire=annuaire,
    )


def initialise(folder: Path) -> list[Path]:
    """A place to start from in `folder`: the shipped configuration and directory
    under config/ (data paths counting from `folder`), and the inbox and outbox
    of every partner of the directory. Returns what was made."""
    written = [folder.resolve() / LOCAL_CONFIG.parent / name for name in ("facteur.toml", "directory.toml")]
    existing = [str(path) for path in written if path.exists()]
    if existing:
        raise ConfigError(say("init-exists", paths=existing))
    try:
        written[0].parent.mkdir(parents=True, exist_ok=True)
        for path in written:
            shutil.copyfile(shipped_defaults() / path.name, path)
        config = load(str(written[0]))
        directory = load_directory(config)
        boxes = [config.inbox / partner for partner in sorted(directory.senders)]
        boxes += [config.outbox / partner for partner in sorted(set(directory.senders) | directory.mailboxes)]
        for box in boxes:
            box.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ConfigError(say("init-cannot-write", folder=folder, reason=err)) from None
    return written + boxes


def _read(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(say("config-toml", path=path, reason=err)) from None
    except UnicodeDecodeError as err:
        raise ConfigError(say("config-not-utf8", path=path, reason=err.reason, offset=err.start)) from None
    except OSError as err:
        raise ConfigError(say("config-unreadable", path=path, reason=err.strerror)) from None


EXPECTED = {  # pydantic's error type -> what is expected, a catalogue key
    "bool_type": "config-expected-bool",
    "int_type": "config-expected-int",
    "float_type": "config-expected-float",
    "string_type": "config-expected-string",
    "list_type": "config-expected-list",
    "string_pattern_mismatch": "config-expected-partner-id",
}


def _explained(error: dict, path: Path) -> Message:
    """One pydantic error told as a person needs it: the file, the key, the value, what is expected."""
    loc = [part for part in error["loc"] if isinstance(part, str)]
    sections = [name for name, field in Settings.model_fields.items() if _is_table(field.annotation)]
    if error["type"] == "extra_forbidden" and len(loc) == 1 and isinstance(error["input"], dict):
        return say("config-unknown-section", path=path, section=loc[0],
                   known=", ".join(f"[{name}]" for name in sections))
    key = f"[{loc[0]}] {' '.join(loc[1:])}" if len(loc) > 1 else loc[0]
    given = f"{key} = {_shown(error['input'])}"
    if error["type"] == "extra_forbidden":
        if len(loc) > 1:
            return say("config-unknown-key", path=path, given=given, section=loc[0],
                       known=", ".join(Settings.model_fields[loc[0]].annotation.model_fields))
        return say("config-unknown-top-key", path=path, given=given,
                   known=", ".join(name for name in Settings.model_fields if name not in sections))
    return say("config-bad-value", path=path, given=given, expected=_expected(error))


def _expected(error: dict) -> Message | str:
    ctx = error.get("ctx", {})
    if error["type"] == "greater_than":
        return say("config-expected-greater", bound=f"{ctx['gt']:g}")
    if error["type"] == "greater_than_equal":
        return say("config-expected-at-least", bound=f"{ctx['ge']:g}")
    if error["type"] == "less_than_equal":
        return say("config-expected-at-most", bound=f"{ctx['le']:g}")
    if error["type"] in ("model_type", "dict_type"):
        return say("config-expected-table", section=error["loc"][0])
    if error["type"] == "literal_error":
        return say("config-expected-one-of", values=[f'"{value}"' for value in re.findall(r"'([^']*)'", ctx["expected"])])
    return say(EXPECTED[error["type"]]) if error["type"] in EXPECTED else error["msg"]


def _is_table(annotation) -> bool:
    """A table of the file: a section model, or [delivery] (partner -> mode)."""
    return (isinstance(annotation, type) and issubclass(annotation, BaseModel)) or getattr(annotation, "__origin__", None) is dict


def _shown(value) -> str:
    """The value as it is written in TOML."""
    if isinstance(value, dict):
        return "{ … }"
    return json.dumps(value, ensure_ascii=False)
