"""The `facteur` command: parses what people type, calls the operations of
`engine/operations/` on the hub `adapters/wiring.py` builds, and renders
their results as text or --json; `run`, `worker` and `watch` start the roles
of `adapters/serve.py`.

Exit codes: 0 all is well (`process`: every flow was processed and reported,
whatever its verdict; `validate`: nothing blocks), 1 something blocks
(`validate`, or `process --strict` when a flow is not fully integrated), the
hub's state forbids the request (`dispute` of a delay already started), or the
ledger or the broker cannot be reached, 2 a usage or configuration error.
Errors a user can cause get one clear line on stderr, never a traceback; a
reader of stdout that goes away (`| head`) ends the command quietly with 141,
as a shell reports a process a closed pipe stops.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import asdict
from importlib import metadata
from pathlib import Path

from facteur.adapters import configuration, wiring
from facteur.adapters.cli import console as cli_console
from facteur.adapters.cli import directory as cli_directory
from facteur.adapters.cli import doctor as cli_doctor
from facteur.adapters.cli import flows as cli_flows
from facteur.adapters.cli import lifecycle as cli_lifecycle
from facteur.adapters.cli.common import (
    EXIT_BLOCKED,
    EXIT_BROKEN_PIPE,
    EXIT_OK,
    EXIT_USAGE,
    SEVERITIES,
    UsageError,
    emit,
    files,
    print_processed,
    submitted,
    warn,
)
from facteur.adapters.mailbox import not_a_folder
from facteur.engine import operations
from facteur.engine.config import Config
from facteur.engine.errors import (
    ConfigError,
    DirectoryError,
    FlowAbandoned,
    InvalidRequest,
    LedgerReplaced,
    LedgerUnavailable,
    NotAllowed,
)
from facteur.engine.messages import DEFAULT, LANGUAGES, said, text
from facteur.engine.operations.dates import DAYS_AGO
from facteur.engine.runtime import logs
from facteur.engine.runtime.runner import utc_now
from facteur.engine.terms import values_text


DAY_OPTIONS = ("--since", "--until", "--on")  # the options that take a day (`operations.day`)


def main(argv: list[str] | None = None) -> int:
    given = _days_ago(sys.argv[1:] if argv is None else argv)
    parser = _parser(_lang_given(given))
    args = parser.parse_args(given)
    if not getattr(args, "command", None):
        parser.print_help()
        return EXIT_USAGE
    lang = args.lang or DEFAULT  # until the configuration says otherwise
    try:
        config = _config(args) if args.configured else None
        lang = args.lang = config.language if config else lang
        code = args.handler(args, config)
        sys.stdout.flush()  # a reader gone (`| head`) shows here, where it is handled, not at exit
        return code
    except BrokenPipeError:
        _stdout_gone()
        return EXIT_BROKEN_PIPE
    except (UsageError, InvalidRequest, ConfigError, DirectoryError) as err:
        warn(said(err, lang))
        return EXIT_USAGE
    except (LedgerUnavailable, LedgerReplaced, NotAllowed, FlowAbandoned) as err:
        warn(said(err, lang))
        return EXIT_BLOCKED
    except (NotADirectoryError, FileExistsError) as err:  # a file where a folder of the data must be
        if err.filename is None:
            raise
        warn(text("cli-file-for-folder", lang, path=not_a_folder(Path(err.filename)) or err.filename))
        return EXIT_USAGE
    except KeyboardInterrupt:
        warn(text("cli-interrupted", lang))
        return 130


def _days_ago(argv: list[str]) -> list[str]:
    """`--since -7d` as `--since=-7d`: argparse would take `-7d` for an option."""
    joined: list[str] = []
    for value in argv:
        if joined and joined[-1] in DAY_OPTIONS and DAYS_AGO.fullmatch(value):
            joined[-1] += f"={value}"
        else:
            joined.append(value)
    return joined


def _lang_given(argv: list[str]) -> str:
    """The language of --lang, read before parsing, so that --help is in it too."""
    for option, value in zip(argv, argv[1:] + [""]):
        chosen = value if option == "--lang" else option.removeprefix("--lang=") if option.startswith("--lang=") else ""
        if chosen in LANGUAGES:
            return chosen
    return DEFAULT


def _stdout_gone() -> None:
    """stdout's reader has gone (`facteur dgp --json | head`): what is still
    buffered goes nowhere, so that Python's own flush at exit does not report
    the broken pipe again. A stdout without a file (captured) has nothing to flush."""
    try:
        descriptor = sys.stdout.fileno()
    except (OSError, ValueError):
        return
    os.dup2(os.open(os.devnull, os.O_WRONLY), descriptor)


def _parser(lang: str) -> argparse.ArgumentParser:
    """The command's parser, its help in `lang`."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config", help=text("help-config", lang)
    )
    common.add_argument("--root", help=text("help-root", lang))
    common.add_argument("--json", action="store_true", help=text("help-json", lang))
    # Also before the command (`facteur --lang en flows show X`); given after it, it wins.
    common.add_argument("--lang", choices=LANGUAGES, default=argparse.SUPPRESS, help=text("help-lang", lang))

    parser = argparse.ArgumentParser(prog="facteur", description=text("help-facteur", lang))
    parser.add_argument("--version", action="version", version=f"facteur {metadata.version('facteur')}")
    parser.add_argument("--lang", choices=LANGUAGES, help=text("help-lang", lang))
    parser.set_defaults(configured=True)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    init = commands.add_parser(
        "init", help=text("help-init", lang)
    )
    init.add_argument("folder", metavar="DIR")
    init.set_defaults(handler=_init, configured=False)

    process = commands.add_parser(
        "process", parents=[common], help=text("help-process", lang)
    )
    process.add_argument("paths", nargs="+", metavar="PATH")
    process.add_argument("--sender", required=True, help=text("help-sender", lang))
    process.add_argument("--open-directory", action="store_true", help=text("help-open-directory", lang))
    process.add_argument(
        "--strict", action="store_true", help=text("help-strict", lang)
    )
    process.set_defaults(handler=_process)

    validate = commands.add_parser("validate", parents=[common], help=text("help-validate", lang))
    validate.add_argument("paths", nargs="+", metavar="FILE")
    validate.add_argument("--open-directory", action="store_true", help=text("help-open-directory-validate", lang))
    validate.set_defaults(handler=_validate)

    run = commands.add_parser(
        "run", parents=[common], help=text("help-run", lang)
    )
    run.add_argument("--workers", type=int, help=text("help-workers", lang))
    run.add_argument("--until-idle", action="store_true", help=text("help-until-idle", lang))
    run.add_argument("--no-amqp", action="store_true", help=text("help-no-amqp", lang))
    run.add_argument("--open-directory", action="store_true", help=text("help-open-directory", lang))
    run.set_defaults(handler=_run)

    worker = commands.add_parser(
        "worker", parents=[common], help=text("help-worker", lang)
    )
    worker.add_argument("--open-directory", action="store_true", help=text("help-open-directory", lang))
    worker.set_defaults(handler=_worker)

    watch = commands.add_parser("watch", parents=[common], help=text("help-watch", lang))
    watch.set_defaults(handler=_watch)

    submit = commands.add_parser("submit", parents=[common], help=text("help-submit", lang))
    submit.add_argument("paths", nargs="+", metavar="FILE")
    submit.add_argument("--amqp", action="store_true", required=True, help=text("help-submit-amqp", lang))
    submit.add_argument("--sender", help=text("help-submit-sender", lang))
    submit.set_defaults(handler=_submit)

    cli_lifecycle.register(commands, common, lang)
    cli_flows.register(commands, common, lang)
    cli_directory.register(commands, common, lang)
    cli_doctor.register(commands, common, lang)
    cli_console.register(commands, common)
    return parser


def _init(args, config: None) -> int:
    made = configuration.initialise(Path(args.folder))
    for path in made:
        print(path)
    print(text("init-ready", args.lang, folder=made[0].parents[1], config=made[0]))
    return EXIT_OK


def _config(args) -> Config:
    config = configuration.load(args.config, args.root)
    if args.lang:
        config = config.in_language(args.lang)
    if getattr(args, "open_directory", False):
        config = config.with_open_directory()
    return config


def _process(args, config: Config) -> int:
    given = submitted(args.paths)
    progress = _Progress(len(given), sys.stderr.isatty() and not args.json, args.lang)
    logs.configure("warning" if progress.enabled else "info")
    from facteur.adapters import workers

    with wiring.hub(config, create_ledger=True, warn=warn) as hub, workers.for_files(config, len(given)) as pool:
        processed = operations.process(hub, given, args.sender, on_each=progress.step, compute=pool)
    print_processed(processed, args.json, args.lang)
    return EXIT_BLOCKED if args.strict and not processed.complete else EXIT_OK


def _validate(args, config: Config) -> int:
    logs.configure("warning")
    given = submitted(args.paths)
    with wiring.validation(config) as context:
        report = operations.validate(context, given, utc_now, config.limits.max_lot_bytes)
    if args.json:
        emit([asdict(item) for item in report])
    else:
        for item in report:
            verdict = text("validate-valid" if item.valid else "validate-blocked", args.lang)
            print(f"{verdict:8}  {item.file}  ({', '.join(item.syntax)})")
            for f in item.findings:
                print(f"    {text(SEVERITIES[f.severity], args.lang):12} {f.code}: {f.message}"
                      + (f"  [{f.location}]" if f.location else ""))
                if f.values:
                    print(f"        {values_text(f.values, args.lang)}")
    return EXIT_OK if all(item.valid for item in report) else EXIT_BLOCKED


def _run(args, config: Config) -> int:
    from facteur.adapters import serve  # the long-running roles' modules (metrics, sources) only for them

    return serve.serve(config, workers=args.workers, until_idle=args.until_idle, use_amqp=not args.no_amqp)


def _worker(args, config: Config) -> int:
    from facteur.adapters import serve

    return serve.work(config)


def _watch(args, config: Config) -> int:
    from facteur.adapters import serve

    return serve.watch(config)


def _submit(args, config: Config) -> int:
    from facteur.adapters.amqp import submit
    from facteur.adapters.errors import PublishFailed
    from facteur.engine.config import redact

    settings = wiring.amqp_settings(config)
    try:
        ids = submit(settings, files(args.paths), args.sender)
    except ValueError as err:
        raise UsageError(err.args[0]) from None
    except PublishFailed as err:
        warn(text("submit-failed", args.lang, url=redact(settings.url), reason=said(err, args.lang)))
        return EXIT_BLOCKED
    for path, message_id in zip(args.paths, ids):
        print(f"{message_id}  {path}")
    print(text("submit-summary", args.lang, n=len(ids), queue=settings.inbound_queue))
    return EXIT_OK


class _Progress:
    """A one-line progress bar on stderr, only on a terminal."""

    def __init__(self, total: int, enabled: bool, lang: str):
        self.total, self.count, self.enabled, self.lang = total, 0, enabled and total > 1, lang

    def step(self) -> None:
        self.count += 1
        if self.enabled:
            width = 30
            filled = int(width * self.count / self.total)
            end = "\n" if self.count == self.total else ""  # the bar's line ends with the last flow
            flows = text("progress", self.lang, count=self.count, n=self.total)
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {flows}{end}")
            sys.stderr.flush()

