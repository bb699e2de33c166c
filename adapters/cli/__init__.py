"""The `facteur` command: wires the adapters to the engine and speaks to people.

Exit codes: 0 all is well (`process`: every flow was processed and reported,
whatever its verdict; `validate`: nothing blocks), 1 something blocks
(`validate`, or `process --strict` when a flow is not fully integrated), or the
ledger or the broker cannot be reached, 2 a usage or configuration error.
Errors a user can cause get one clear line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import asdict
from datetime import date, timedelta
from importlib import metadata
from pathlib import Path

from facteur.adapters import configuration
from facteur.adapters.cli import lifecycle as cli_lifecycle
from facteur.engine import pipeline, statuses
from facteur.engine.config import Config
from facteur.engine.errors import ConfigError, DirectoryError, LedgerReplaced, LedgerUnavailable
from facteur.engine.hub.directory import PARTNER_ID
from facteur.engine.inputs import names
from facteur.engine.model import Flow
from facteur.engine.runtime import logs
from facteur.engine.runtime.runner import Handled, Runner, utc_now

EXIT_OK, EXIT_BLOCKED, EXIT_USAGE = 0, 1, 2
TEMPORARY_SUFFIXES = (".tmp", ".part", ".partial", ".crdownload", ".swp")


class UsageError(Exception):
    pass


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        config = _config(args) if args.configured else None
        return args.handler(args, config)
    except (UsageError, ConfigError, DirectoryError) as err:
        print(f"facteur: {err}", file=sys.stderr)
        return EXIT_USAGE
    except (LedgerUnavailable, LedgerReplaced) as err:
        print(f"facteur: {err}", file=sys.stderr)
        return EXIT_BLOCKED
    except KeyboardInterrupt:
        print("facteur: interrupted", file=sys.stderr)
        return 130


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

    flows = commands.add_parser("flows", help="look at the flows in the ledger")
    flow_commands = flows.add_subparsers(dest="flows_command", metavar="ACTION", required=True)
    listing = flow_commands.add_parser("list", parents=[common], help="the latest flows, newest first")
    listing.add_argument("--limit", type=int, default=50)
    listing.add_argument("--status", help=statuses.flow_status_help())
    listing.add_argument("--sender", default="", help="the partner that sent the flow")
    listing.add_argument("--recipient", default="", help="a recipient mailbox id or SIRET the flow's invoices went to")
    listing.add_argument("--since", type=date.fromisoformat, help="received on or after this date (YYYY-MM-DD)")
    listing.add_argument("--until", type=date.fromisoformat, help="received on or before this date (YYYY-MM-DD)")
    listing.add_argument("--syntax", default="", help="e.g. IN_DP_E1_UBL_INVOICE, IN_DP_E1_CII_16B")
    listing.add_argument("--code", default="", help="flows with a finding of this code, e.g. FCT-RECIPIENT-UNKNOWN")
    listing.set_defaults(handler=_flows_list)
    show = flow_commands.add_parser("show", parents=[common], help="one flow: timeline, findings, outputs")
    show.add_argument("flow_id", metavar="ID", help="flow id, or a unique prefix of it")
    show.set_defaults(handler=_flows_show)
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


def _files(paths: list[str]) -> list[Path]:
    """The files named, and the files inside the folders named, in a stable order;
    hidden and temporary files (still being written) are left alone."""
    found: list[Path] = []
    for value in paths:
        path = Path(value)
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.is_file() and not _skipped(p))
        elif path.is_file():
            found.append(path)
        else:
            raise UsageError(f"{value} does not exist")
    return found


def _skipped(path: Path) -> bool:
    return path.name.startswith(".") or path.name.endswith(TEMPORARY_SUFFIXES)


def _read(path: Path, config: Config) -> bytes | None:
    """The file's bytes, or None when it is too big to be a flow at all."""
    if path.stat().st_size > config.limits.max_lot_bytes:
        return None
    return path.read_bytes()


def _process(args, config: Config) -> int:
    from facteur.adapters.cli.run import deliveries, publish_waiting
    from facteur.adapters.ledgers import open_ledger
    from facteur.adapters.mailbox import Archive

    if not PARTNER_ID.match(args.sender):
        raise UsageError(f"--sender {args.sender!r} must be a partner id of 3 to 8 letters, digits, '-' or '_'")
    files = _files(args.paths)
    progress = _Progress(len(files), enabled=sys.stderr.isatty() and not args.json)
    logs.configure("warning" if progress.enabled else "info")
    ledger = open_ledger(config)
    try:
        context = configuration.context(config, ledger.known_invoice)
        partners = set(context.directory.senders) | context.directory.mailboxes
        if not context.directory.open and args.sender not in partners:
            known = ", ".join(sorted(partners)) or "none"
            raise UsageError(
                f"sender {args.sender} is not in the directory {config.directory_file} (known partners: {known}); "
                "add it there, or use --open-directory"
            )
        delivering = deliveries(config)
        runner = Runner(context, ledger, Archive(config.archive), delivering, lease_seconds=config.lease_seconds)
        results = []
        for path in files:
            results.append(_one(runner, path, args.sender, config))
            progress.step()
        progress.done()
        publish_waiting(config, ledger, delivering)
    finally:
        ledger.close()
    _print_process(results, args.json)
    if args.strict and any(r.status != statuses.FlowStatus.INTEGRATED for r in results):
        return EXIT_BLOCKED
    return EXIT_OK


def _one(runner: Runner, path: Path, sender: str, config: Config) -> Handled:
    content = _read(path, config)
    if content is None:
        return Handled(
            "",
            names.shown(str(path)),
            statuses.FlowStatus.REJECTED.value,
            findings=[
                {
                    "document": names.shown(str(path)),
                    "code": "FCT-SIZE",
                    "severity": "blocking",
                    "message": f"{names.shown(str(path))} is above the {config.limits.max_lot_bytes:,}-byte limit of a flow; "
                    "it was not read, split it",
                    "location": "",
                }
            ],
        )
    name, name_raw = names.received(path.name)
    flow = Flow(content=content, sender=sender, name=name, received_at=utc_now(), source="cli", name_raw=name_raw)
    return runner.handle(flow)


def _print_process(results: list[Handled], as_json: bool) -> None:
    counts = Counter("repeat" if r.repeated else r.status for r in results)
    if as_json:
        print(json.dumps({"flows": [asdict(r) for r in results], "summary": dict(counts)}, indent=2, ensure_ascii=False))
        return
    labels = {code: statuses.FLOW_CODES[code].summary for code in ("90", "96", "93", "held")}
    labels["repeat"] = "already processed"
    applied = {"90": "statuses applied", "96": "partly applied", "93": "statuses refused"}
    for r in results:
        label = (applied if r.kind == "statuses" else labels).get(r.status, r.status)
        if r.repeated:
            label = "already processed (original report sent again)"
        line = f"{r.flow_id or '-':24}  {label:18}  {r.accepted}/{r.documents}  {r.name}"
        print(line)
        for finding in r.findings:
            if finding["severity"] == "blocking":
                print(f"    {finding['code']}: {finding['message']}")
    summary = ", ".join(f"{counts[key]} {labels[key]}" for key in labels if counts[key])
    print(f"{len(results)} flow(s): {summary or 'none'}")


def _validate(args, config: Config) -> int:
    from facteur.adapters.ledgers import existing_ledger

    logs.configure("warning")
    files = _files(args.paths)
    ledger = existing_ledger(config)
    known = ledger.known_invoice if ledger else (lambda supplier, number, year: None)
    context = configuration.context(config, known, check_sender=False)
    report = []
    for path in files:
        content = _read(path, config) or b""
        name = names.shown(path.name)
        outcome = pipeline.process(Flow(content, "VALIDATE", name, utc_now(), "validate"), context)
        findings = [(name, f) for f in outcome.findings]
        findings += [(v.document, f) for v in outcome.verdicts for f in v.findings]
        report.append(
            {
                "file": names.shown(str(path)),
                "syntax": [v.syntax.value for v in outcome.verdicts],
                "valid": not any(f.blocking for _, f in findings) and outcome.status is not statuses.FlowStatus.REJECTED,
                "findings": [
                    {"document": d, "code": f.code, "severity": f.severity.value, "message": f.message,
                     "location": f.location, "layer": f.layer}
                    for d, f in findings
                ],
                "rules_version": outcome.rules_version,
            }
        )
    if ledger:
        ledger.close()
    if args.json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        for item in report:
            print(f"{'valid  ' if item['valid'] else 'BLOCKED'}  {item['file']}  ({', '.join(item['syntax'])})")
            for f in item["findings"]:
                print(f"    {f['severity']:8} {f['code']}: {f['message']}" + (f"  [{f['location']}]" if f["location"] else ""))
    return EXIT_OK if all(item["valid"] for item in report) else EXIT_BLOCKED


def _run(args, config: Config) -> int:
    from facteur.adapters.cli.run import serve

    return serve(config, workers=args.workers, until_idle=args.until_idle, use_amqp=not args.no_amqp)


def _worker(args, config: Config) -> int:
    from facteur.adapters.cli.run import work

    return work(config)


def _watch(args, config: Config) -> int:
    from facteur.adapters.cli.run import watch

    return watch(config)


def _submit(args, config: Config) -> int:
    from facteur.adapters.amqp import submit
    from facteur.adapters.errors import PublishFailed
    from facteur.engine.config import redact

    settings = _amqp_settings(config)
    try:
        ids = submit(settings, _files(args.paths), args.sender)
    except ValueError as err:
        raise UsageError(str(err)) from None
    except PublishFailed as err:
        print(f"facteur: nothing more was published to {redact(settings.url)}: {err}", file=sys.stderr)
        return EXIT_BLOCKED
    for path, message_id in zip(args.paths, ids):
        print(f"{message_id}  {path}")
    print(f"{len(ids)} file(s) published to {settings.inbound_queue}")
    return EXIT_OK


def _amqp_settings(config: Config):
    from facteur.adapters.amqp import AmqpSettings

    values = {k: v for k, v in config.amqp.items() if v not in ("", None)}
    if "url" not in values:
        raise UsageError(f"no broker configured: set [amqp] url in {config.path}")
    return AmqpSettings(**values)  # the configuration admits only its keys


def _ledger_for_reading(config: Config):
    from facteur.adapters.ledgers import existing_ledger

    ledger = existing_ledger(config)
    if ledger is None:
        raise UsageError(f"no ledger at {config.ledger} yet: process a flow first, or give --root/--config")
    return ledger


def _flows_list(args, config: Config) -> int:
    ledger = _ledger_for_reading(config)
    rows = ledger.flows(
        args.limit,
        status=statuses.flow_code(args.status or ""),
        sender=args.sender,
        recipient=args.recipient,
        since=args.since.isoformat() if args.since else "",
        until=(args.until + timedelta(days=1)).isoformat() if args.until else "",
        syntax=args.syntax,
        code=args.code,
    )
    ledger.close()
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return EXIT_OK
    print(f"{'flow id':24}  {'status':7}  {'ok/docs':7}  {'sender':8}  {'received (UTC)':32}  name")
    for r in rows:
        ratio = f"{r['accepted'] or 0}/{r['documents'] or 0}"
        replayed = f"  (attempt {r['attempt']} of {r['replay_of']})" if r["replay_of"] else ""
        print(f"{r['id']:24}  {r['status']:7}  {ratio:7}  {r['sender']:8}  {r['received_at']:32}  {r['name']}{replayed}")
    return EXIT_OK


def _flows_show(args, config: Config) -> int:
    ledger = _ledger_for_reading(config)
    detail = ledger.flow_detail(args.flow_id)
    ledger.close()
    if detail is None:
        raise UsageError(f"no single flow matches {args.flow_id!r}; see 'facteur flows list'")
    if args.json:
        print(json.dumps(detail, indent=2, ensure_ascii=False))
        return EXIT_OK
    print(f"flow {detail['id']}  {detail['name']}  from {detail['sender']} ({detail['source']}), {detail['size']:,} bytes")
    if detail["name_raw"] and bytes.fromhex(detail["name_raw"]) != detail["name"].encode():
        print(f"name as received (hex): {detail['name_raw']}")
    print(f"status {detail['status']}; rules: {detail['rules_version']}")
    if detail["replay_of"]:
        print(f"attempt {detail['attempt']} of flow {detail['replay_of']}")
    for again in detail["replays"]:
        print(f"replayed as {again['id']} (attempt {again['attempt']}): status {again['status']}")
    print("timeline:")
    for event in detail["timeline"]:
        scope = f"invoice {event['idx']}" if event["idx"] else "flow"
        extra = f" ({event['detail']})" if event["detail"] else ""
        print(f"  {event['at']}  {scope:10}  {event['code']:8}  {event['label']}{extra}")
    print("invoices:")
    for inv in detail["invoices"]:
        verdict = "accepted" if inv["accepted"] else "rejected"
        print(
            f"  {inv['idx']}. {verdict:8} {inv['document']}  n° {inv['number'] or '-'}  supplier {inv['supplier'] or '-'}"
            f"  → {inv['buyer'] or '-'} ({inv['mailbox'] or '-'})  {inv['total_with_vat'] or '-'} {inv['currency'] or ''}"
        )
        if inv["accepted"]:
            start = f"{inv['dgp_start']} ({inv['dgp_rule']})" if inv["dgp_start"] else "not started"
            print(f"     status {inv['state']}; payment delay start: {start}")
        if inv["rule_set"]:
            print(f"     judged by {inv['rule_set']} {inv['rule_set_version']}")
    if detail["findings"]:
        print("findings:")
        for f in detail["findings"]:
            print(f"  [{f['idx'] or '-'}] {f['severity']:8} {f['code']}: {f['message']}" + (f"  [{f['location']}]" if f["location"] else ""))
    print("outputs:")
    for out in detail["outputs"]:
        print(f"  {out['kind']:15} {out['path']}{_publication(out)}")
    return EXIT_OK


def _publication(output: dict) -> str:
    """Where an output for the broker stands in the outbox."""
    if not output["message_id"]:
        return ""
    if output["published_at"]:
        return f"  (published {output['published_at']}, message id {output['message_id']})"
    error = f"; last error: {output['error']}" if output["error"] else ""
    return f"  (waiting to be published, {output['attempts']} attempt(s){error}; message id {output['message_id']})"


class _Progress:
    """A one-line progress bar on stderr, only on a terminal."""

    def __init__(self, total: int, enabled: bool):
        self.total, self.count, self.enabled = total, 0, enabled and total > 1

    def step(self) -> None:
        self.count += 1
        if self.enabled:
            width = 30
            filled = int(width * self.count / self.total)
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {self.count}/{self.total} flows")
            sys.stderr.flush()

    def done(self) -> None:
        if self.enabled:
            sys.stderr.write("\n")

