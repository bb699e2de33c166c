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

from facteur.adapters import configuration, serve, wiring
from facteur.adapters.cli import directory as cli_directory
from facteur.adapters.cli import doctor as cli_doctor
from facteur.adapters.cli import flows as cli_flows
from facteur.adapters.cli import lifecycle as cli_lifecycle
from facteur.adapters.cli.common import (
    EXIT_BLOCKED,
    EXIT_BROKEN_PIPE,
    EXIT_OK,
    EXIT_USAGE,
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
    InvalidRequest,
    LedgerReplaced,
    LedgerUnavailable,
    NotAllowed,
)
from facteur.engine.operations.dates import DAYS_AGO
from facteur.engine.runtime import logs
from facteur.engine.runtime.runner import utc_now


DAY_OPTIONS = ("--since", "--until", "--on")  # the options that take a day (`operations.day`)


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(_days_ago(sys.argv[1:] if argv is None else argv))
    if not getattr(args, "command", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        config = _config(args) if args.configured else None
        code = args.handler(args, config)
        sys.stdout.flush()  # a reader gone (`| head`) shows here, where it is handled, not at exit
        return code
    except BrokenPipeError:
        _stdout_gone()
        return EXIT_BROKEN_PIPE
    except (UsageError, InvalidRequest, ConfigError, DirectoryError) as err:
        print(f"facteur: {err}", file=sys.stderr)
        return EXIT_USAGE
    except (LedgerUnavailable, LedgerReplaced, NotAllowed) as err:
        print(f"facteur: {err}", file=sys.stderr)
        return EXIT_BLOCKED
    except (NotADirectoryError, FileExistsError) as err:  # a file where a folder of the data must be
        if err.filename is None:
            raise
        blocking = not_a_folder(Path(err.filename)) or err.filename
        print(f"facteur : {blocking} est un fichier, là où facteur attend un dossier ; déplacez ce fichier, ou "
              "changez [paths] dans la configuration", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("facteur: interrupted", file=sys.stderr)
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


def _stdout_gone() -> None:
    """stdout's reader has gone (`facteur dgp --json | head`): what is still
    buffered goes nowhere, so that Python's own flush at exit does not report
    the broken pipe again. A stdout without a file (captured) has nothing to flush."""
    try:
        descriptor = sys.stdout.fileno()
    except (OSError, ValueError):
        return
    os.dup2(os.open(os.devnull, os.O_WRONLY), descriptor)


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config", help="configuration file (default: FACTEUR_CONFIG, else ./config/facteur.toml, else the shipped one)"
    )
    common.add_argument("--root", help="folder holding the mailboxes, archive and ledger (default: [paths] root)")
    common.add_argument("--json", action="store_true", help="machine-readable output")

    parser = argparse.ArgumentParser(prog="facteur", description="EDI flow-processing engine for electronic invoices")
    parser.add_argument("--version", action="version", version=f"facteur {metadata.version('facteur')}")
    parser.set_defaults(configured=True)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    init = commands.add_parser(
        "init", help="write a configuration, a directory and the partners' mailboxes to start from in DIR"
    )
    init.add_argument("folder", metavar="DIR")
    init.set_defaults(handler=_init, configured=False)

    process = commands.add_parser(
        "process", parents=[common], help="process invoice flows (files or folders) into pivots and reports"
    )
    process.add_argument("paths", nargs="+", metavar="PATH")
    process.add_argument("--sender", required=True, help="partner id of the sender (3-8 characters)")
    process.add_argument("--open-directory", action="store_true", help="accept any recipient and sender")
    process.add_argument(
        "--strict", action="store_true", help="exit 1 when any flow is not fully integrated (for scripts)"
    )
    process.set_defaults(handler=_process)

    validate = commands.add_parser("validate", parents=[common], help="validate files and print findings only")
    validate.add_argument("paths", nargs="+", metavar="FILE")
    validate.add_argument("--open-directory", action="store_true", help="accept any recipient")
    validate.set_defaults(handler=_validate)

    run = commands.add_parser(
        "run", parents=[common], help="watch the inboxes (and the AMQP queue when configured) and process what comes"
    )
    run.add_argument("--workers", type=int, help="worker processes (default: [intake] workers, else one per core)")
    run.add_argument("--until-idle", action="store_true", help="stop once the inboxes are empty and nothing is in flight")
    run.add_argument("--no-amqp", action="store_true", help="do not consume the AMQP queue even if [amqp] url is set")
    run.add_argument("--open-directory", action="store_true", help="accept any recipient and sender")
    run.set_defaults(handler=_run)

    worker = commands.add_parser(
        "worker", parents=[common], help="consume the AMQP queue and process flows (many workers share one ledger)"
    )
    worker.add_argument("--open-directory", action="store_true", help="accept any recipient and sender")
    worker.set_defaults(handler=_worker)

    watch = commands.add_parser("watch", parents=[common], help="watch the inboxes and publish each file to the AMQP queue")
    watch.set_defaults(handler=_watch)

    submit = commands.add_parser("submit", parents=[common], help="publish files to the inbound AMQP queue")
    submit.add_argument("paths", nargs="+", metavar="FILE")
    submit.add_argument("--amqp", action="store_true", required=True, help="publish on the queue of [amqp]")
    submit.add_argument("--sender", help="sender header, for a broker configured with sender_from = \"header\"")
    submit.set_defaults(handler=_submit)

    cli_lifecycle.register(commands, common)

    cli_flows.register(commands, common)
    cli_directory.register(commands, common)
    cli_doctor.register(commands, common)
    return parser


def _init(args, config: None) -> int:
    made = configuration.initialise(Path(args.folder))
    for path in made:
        print(path)
    print(f"facteur est prêt dans {made[0].parents[1]} : déposez les flux dans inbox/<partenaire>/, "
          f"puis lancez « facteur run » depuis ce dossier ; la configuration est {made[0]}")
    return EXIT_OK


def _config(args) -> Config:
    config = configuration.load(args.config, args.root)
    if getattr(args, "open_directory", False):
        config = config.with_open_directory()
    return config


def _process(args, config: Config) -> int:
    given = submitted(args.paths)
    progress = _Progress(len(given), enabled=sys.stderr.isatty() and not args.json)
    logs.configure("warning" if progress.enabled else "info")
    with wiring.hub(config, create_ledger=True, warn=warn) as hub:
        processed = operations.process(hub, given, args.sender, on_each=progress.step)
    print_processed(processed, args.json)
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
            print(f"{'valid  ' if item.valid else 'BLOCKED'}  {item.file}  ({', '.join(item.syntax)})")
            for f in item.findings:
                print(f"    {f.severity:8} {f.code}: {f.message}" + (f"  [{f.location}]" if f.location else ""))
    return EXIT_OK if all(item.valid for item in report) else EXIT_BLOCKED


def _run(args, config: Config) -> int:
    return serve.serve(config, workers=args.workers, until_idle=args.until_idle, use_amqp=not args.no_amqp)


def _worker(args, config: Config) -> int:
    return serve.work(config)


def _watch(args, config: Config) -> int:
    return serve.watch(config)


def _submit(args, config: Config) -> int:
    from facteur.adapters.amqp import submit
    from facteur.adapters.errors import PublishFailed
    from facteur.engine.config import redact

    settings = wiring.amqp_settings(config)
    try:
        ids = submit(settings, files(args.paths), args.sender)
    except ValueError as err:
        raise UsageError(str(err)) from None
    except PublishFailed as err:
        print(f"facteur: nothing more was published to {redact(settings.url)}: {err}", file=sys.stderr)
        return EXIT_BLOCKED
    for path, message_id in zip(args.paths, ids):
        print(f"{message_id}  {path}")
    print(f"{len(ids)} file(s) published to {settings.inbound_queue}")
    return EXIT_OK


class _Progress:
    """A one-line progress bar on stderr, only on a terminal."""

    def __init__(self, total: int, enabled: bool):
        self.total, self.count, self.enabled = total, 0, enabled and total > 1

    def step(self) -> None:
        self.count += 1
        if self.enabled:
            width = 30
            filled = int(width * self.count / self.total)
            end = "\n" if self.count == self.total else ""  # the bar's line ends with the last flow
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {self.count}/{self.total} flows{end}")
            sys.stderr.flush()

