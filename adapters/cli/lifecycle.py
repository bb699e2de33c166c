"""The lifecycle commands of the CLI: `collect` (portal and service recipients),
`dispute`, `dgp` (the payment-delay clock) and `replay`.

Like the rest of the CLI, this wiring alone joins the engine to its adapters.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from datetime import date, datetime, timezone

from facteur.adapters import configuration
from facteur.engine.config import Config
from facteur.engine.hub import dgp, lifecycle
from facteur.engine.hub.directory import Structure
from facteur.engine.model import Output
from facteur.engine.outputs import pivot
from facteur.engine.runtime import logs, replay
from facteur.engine.runtime.runner import Handled, Runner, utc_now
from facteur.engine.statuses import FLOW_NAMES, PENDING

EXIT_OK, EXIT_BLOCKED = 0, 1


def register(commands, common) -> None:
    collect = commands.add_parser(
        "collect", parents=[common],
        help="hand a portal or service recipient the invoices waiting for it; their payment delay starts now",
    )
    collect.add_argument("recipient", metavar="RECIPIENT", help="the structure's mailbox id or SIRET")
    collect.add_argument("--to", metavar="DIR", help="also copy the waiting pivots into DIR")
    collect.set_defaults(handler=_collect)

    dispute = commands.add_parser(
        "dispute", parents=[common], help="start an invoice's payment delay by the dispute rule: deposit time + 2 days"
    )
    dispute.add_argument("invoice", metavar="FLOW[:N]", help="flow id (or unique prefix) and invoice number in the flow")
    dispute.add_argument("--reason", required=True, help="why the invoice is disputed (kept in the timeline)")
    dispute.set_defaults(handler=_dispute)

    clock = commands.add_parser("dgp", parents=[common], help="invoices with their payment-delay start, due date and days left")
    clock.add_argument("--overdue", action="store_true", help="only invoices past due without a payment status")
    clock.add_argument("--recipient", default="", help="one recipient's mailbox id")
    clock.add_argument("--on", type=date.fromisoformat, help="count days left as on this date (YYYY-MM-DD; default today)")
    clock.set_defaults(handler=_dgp)

    again = commands.add_parser(
        "replay", parents=[common], help="re-run archived rejected flows through the current configuration"
    )
    again.add_argument("flow_ids", nargs="*", metavar="ID", help="flow ids (or unique prefixes)")
    again.add_argument("--status", choices=sorted(name for name, code in FLOW_NAMES.items() if code != PENDING), help="replay every flow in this status...")
    again.add_argument("--since", type=date.fromisoformat, help="...received on or after this date (YYYY-MM-DD)")
    again.set_defaults(handler=_replay)


def _usage(message: str):
    from facteur.adapters.cli import UsageError

    return UsageError(message)


def _ledger(config: Config):
    from facteur.adapters.cli import _ledger_for_reading

    return _ledger_for_reading(config)


def _collect(args, config: Config) -> int:
    from facteur.adapters.cli.run import deliveries, publish_waiting
    from facteur.adapters.mailbox import Mailboxes, write_atomic

    logs.configure("warning")
    directory = configuration.load_directory(config)
    structure = _structure(directory, args.recipient)
    if structure.delivery == "edi":
        raise _usage(
            f"{structure.mailbox} ({structure.name}) receives by EDI and acknowledges each delivery with a 92 status; "
            "collect is for portal and service recipients (delivery = \"portal\" or \"service\" in the directory)"
        )
    ledger = _ledger(config)
    mailboxes, delivering = Mailboxes(config.outbox), deliveries(config)
    try:
        waiting = ledger.waiting(structure.mailbox)
        now = utc_now()
        handed = []
        for invoice in waiting:
            source = mailboxes.path_of(Output(structure.mailbox, pivot.pivot_name(invoice.flow_id, invoice.index), b"", "pivot"))
            if args.to:
                target = _target(args.to) / source.name
                write_atomic(target, source.read_bytes())
                source = target
            handed.append((invoice, str(source)))
        changes, outputs = lifecycle.notified(waiting, structure.mailbox, config.hub_id, now)
        written = list(zip(outputs, delivering.write_all(outputs)))
        ledger.record(changes, written, f"collect by {structure.mailbox}", delivering.to_publish(outputs))
        publish_waiting(config, ledger, delivering)
    finally:
        ledger.close()
    rows = [
        {"flow_id": d.flow_id, "index": d.index, "number": d.invoice.number, "supplier": d.invoice.supplier.identifier,
         "pivot": path, "dgp_start": now.isoformat(), "dgp_rule": lifecycle.RULE_NOTIFIED}
        for d, path in handed
    ]
    if args.json:
        print(json.dumps({"recipient": structure.mailbox, "notified_at": now.isoformat(), "invoices": rows}, indent=2))
        return EXIT_OK
    for row in rows:
        print(f"{row['flow_id']}:{row['index']}  n° {row['number']}  supplier {row['supplier']}  {row['pivot']}")
    print(f"{len(rows)} invoice(s) handed to {structure.mailbox}; payment delay started {now.isoformat(timespec='seconds')}"
          if rows else f"nothing waiting for {structure.mailbox}")
    return EXIT_OK


def _structure(directory, recipient: str) -> Structure:
    for structure in directory.structures.values():
        if recipient in (structure.mailbox, structure.siret):
            return structure
    raise _usage(f"no structure {recipient!r} in the directory; give its mailbox id or SIRET")


def _target(folder: str):
    from pathlib import Path

    path = Path(folder)
    if path.exists() and not path.is_dir():
        raise _usage(f"--to {folder} is not a folder")
    return path


def _dispute(args, config: Config) -> int:
    ledger = _ledger(config)
    try:
        invoice = _invoice(ledger, args.invoice)
        try:
            change = lifecycle.disputed(invoice, " ".join(args.reason.split()), utc_now())
        except ValueError as err:
            print(f"facteur: {err}", file=sys.stderr)
            return EXIT_BLOCKED
        ledger.record([change], [], origin="dispute by an operator")
    finally:
        ledger.close()
    result = {"flow_id": invoice.flow_id, "index": invoice.index, "number": invoice.invoice.number,
              "dgp_start": change.dgp_start.isoformat(), "dgp_rule": change.dgp_rule}
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"invoice {invoice.invoice.number} ({invoice.flow_id}:{invoice.index}): payment delay starts "
              f"{change.dgp_start.isoformat(timespec='seconds')} (dispute rule: deposit + 2 days)")
    return EXIT_OK


def _invoice(ledger, reference: str):
    flow_ref, _, number = reference.partition(":")
    detail = ledger.flow_detail(flow_ref)
    if detail is None:
        raise _usage(f"no single flow matches {flow_ref!r}; see 'facteur flows list'")
    delivered = ledger.delivered(detail["id"])
    if number:
        delivered = [d for d in delivered if str(d.index) == number]
    if len(delivered) != 1:
        raise _usage(
            f"flow {detail['id']} has {len(delivered)} delivered invoice(s) matching {reference!r}; "
            "write FLOW:N with N the invoice's place in the flow (see 'facteur flows show')"
        )
    return delivered[0]


def _dgp(args, config: Config) -> int:
    ledger = _ledger(config)
    try:
        invoices = ledger.invoices(args.recipient)
    finally:
        ledger.close()
    today = args.on or datetime.now(timezone.utc).date()
    clocks = dgp.clocks(invoices, configuration.load_directory(config), today)
    if args.overdue:
        clocks = [c for c in clocks if c.overdue]
    rows = [
        {"flow_id": c.invoice.flow_id, "index": c.invoice.index, "number": c.invoice.invoice.number,
         "supplier": c.invoice.invoice.supplier.identifier, "recipient": c.invoice.mailbox, "state": c.invoice.state,
         "dgp_start": c.invoice.dgp_start.isoformat() if c.invoice.dgp_start else None, "dgp_rule": c.invoice.dgp_rule,
         "delay_days": c.delay_days, "due": c.due.isoformat() if c.due else None, "days_left": c.days_left,
         "overdue": c.overdue}
        for c in clocks
    ]
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return EXIT_OK
    print(f"{'invoice':20}  {'flow:N':27}  {'recipient':9}  {'state':5}  {'DGP start':25}  {'rule':19}  {'due':10}  days left")
    for row in rows:
        left = "-" if row["days_left"] is None else f"{row['days_left']}" + ("  OVERDUE" if row["overdue"] else "")
        start = datetime.fromisoformat(row["dgp_start"]).isoformat(timespec="seconds") if row["dgp_start"] else "not started"
        print(f"{row['number']:20}  {row['flow_id'] + ':' + str(row['index']):27}  {row['recipient']:9}  {row['state']:5}  "
              f"{start:25}  {row['dgp_rule'] or '-':19}  {row['due'] or '-':10}  {left}")
    print(f"{len(rows)} invoice(s)" + (" overdue" if args.overdue else "") + f" on {today.isoformat()}")
    return EXIT_OK


def _replay(args, config: Config) -> int:
    from facteur.adapters.cli import _print_process
    from facteur.adapters.cli.run import deliveries, publish_waiting
    from facteur.adapters.mailbox import Archive

    if bool(args.flow_ids) == bool(args.status):
        raise _usage("give flow ids, or --status (with --since) to choose them, not both")
    logs.configure("warning")
    ledger = _ledger(config)
    try:
        if args.status:
            since = args.since.isoformat() if args.since else ""
            ids = replay.latest_attempts(ledger, args.status, since)
        else:
            ids = [_resolve(ledger, value) for value in args.flow_ids]
        context = configuration.context(config, ledger.known_invoice)
        delivering = deliveries(config)
        runner = Runner(context, ledger, Archive(config.archive), delivering, lease_seconds=config.lease_seconds)
        results = replay.replay(ids, ledger, _read, runner)
        publish_waiting(config, ledger, delivering)
    finally:
        ledger.close()
    handled = [r for r in results if isinstance(r, Handled)]
    skipped = [r for r in results if isinstance(r, replay.Skipped)]
    if args.json:
        print(json.dumps({"replayed": [asdict(r) for r in handled], "skipped": [asdict(s) for s in skipped]}, indent=2,
                         ensure_ascii=False))
        return EXIT_OK
    for item in skipped:
        print(f"{item.flow_id:24}  not replayed: {item.reason}")
    if handled or not skipped:
        _print_process(handled, False)
    return EXIT_OK


def _resolve(ledger, value: str) -> str:
    detail = ledger.flow_detail(value)
    if detail is None:
        raise _usage(f"no single flow matches {value!r}; see 'facteur flows list'")
    return detail["id"]


def _read(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()
