"""The lifecycle commands of the CLI: `collect` (portal and service recipients),
`dispute`, `dgp` (the payment-delay clock) and `replay`, each an operation of
`engine/operations/` on the hub the wiring builds, rendered here."""

from __future__ import annotations

from dataclasses import asdict

from facteur.adapters import wiring
from facteur.adapters.cli.common import EXIT_OK, emit, print_processed, typed_day, warn
from facteur.engine import operations
from facteur.engine.config import Config
from facteur.engine.messages import said, text
from facteur.engine.operations import Processed, Replayed
from facteur.engine.runtime import logs
from facteur.engine.statuses import FLOW_NAMES, PENDING


def register(commands, common, lang: str) -> None:
    collect = commands.add_parser(
        "collect", parents=[common],
        help=text("help-collect", lang),
    )
    collect.add_argument("recipient", metavar="RECIPIENT", help=text("help-collect-recipient", lang))
    collect.add_argument("--to", metavar="DIR", help=text("help-collect-to", lang))
    collect.set_defaults(handler=_collect)

    dispute = commands.add_parser(
        "dispute", parents=[common], help=text("help-dispute", lang)
    )
    dispute.add_argument("invoice", metavar="FLOW[:N]", help=text("help-dispute-invoice", lang))
    dispute.add_argument("--reason", required=True, help=text("help-dispute-reason", lang))
    dispute.set_defaults(handler=_dispute)

    clock = commands.add_parser("dgp", parents=[common], help=text("help-dgp", lang))
    clock.add_argument("--overdue", action="store_true", help=text("help-dgp-overdue", lang))
    clock.add_argument("--recipient", default="", help=text("help-dgp-recipient", lang))
    clock.add_argument("--on", help=text("help-dgp-on", lang, days=text("help-days", lang)))
    clock.set_defaults(handler=_dgp)

    again = commands.add_parser(
        "replay", parents=[common], help=text("help-replay", lang)
    )
    again.add_argument("flow_ids", nargs="*", metavar="ID", help=text("help-replay-ids", lang))
    again.add_argument("--status", choices=sorted(name for name, code in FLOW_NAMES.items() if code != PENDING), help=text("help-replay-status", lang))
    again.add_argument("--since", help=text("help-replay-since", lang, days=text("help-days", lang)))
    again.add_argument("--until", help=text("help-replay-until", lang, days=text("help-days", lang)))
    again.add_argument("--dry-run", action="store_true",
                       help=text("help-replay-dry-run", lang))
    again.set_defaults(handler=_replay)


def _collect(args, config: Config) -> int:
    logs.configure("warning")
    with wiring.hub(config, warn=warn) as hub:
        collected = operations.collect(hub, args.recipient, args.to or "")
    if args.json:
        emit(asdict(collected), ensure_ascii=True)
        return EXIT_OK
    lang = args.lang
    for row in collected.invoices:
        print(text("collect-row", lang, invoice=f"{row.flow_id}:{row.index}", number=row.number, supplier=row.supplier,
                   pivot=row.pivot))
    print(text("collect-summary", lang, n=len(collected.invoices), recipient=collected.recipient,
               at=collected.notified_at.isoformat(timespec="seconds"))
          if collected.invoices else text("collect-nothing", lang, recipient=collected.recipient))
    return EXIT_OK


def _dispute(args, config: Config) -> int:
    with wiring.hub(config) as hub:
        disputed = operations.dispute(hub, args.invoice, args.reason)
    if args.json:
        emit(asdict(disputed), ensure_ascii=True)
    else:
        print(text("dispute-done", args.lang, number=disputed.number, invoice=f"{disputed.flow_id}:{disputed.index}",
                   start=disputed.dgp_start.isoformat(timespec="seconds")))
    return EXIT_OK


def _dgp(args, config: Config) -> int:
    with wiring.hub(config) as hub:
        clock = operations.payment_delays(hub, args.recipient, args.overdue, typed_day(args.on))
    if args.json:
        emit([asdict(d) for d in clock.delays])
        return EXIT_OK
    lang = args.lang
    print(f"{text('dgp-invoice', lang):20}  {text('dgp-flow', lang):27}  {text('dgp-recipient', lang):9}  "
          f"{text('dgp-state', lang):5}  {text('dgp-start', lang):25}  {text('dgp-rule', lang):19}  "
          f"{text('dgp-due', lang):10}  {text('dgp-left', lang)}")
    for d in clock.delays:
        left = "-" if d.days_left is None else f"{d.days_left}" + ("  " + text("dgp-overdue", lang) if d.overdue else "")
        start = d.dgp_start.isoformat(timespec="seconds") if d.dgp_start else text("show-not-started", lang)
        due = d.due.isoformat() if d.due else "-"
        print(f"{d.number:20}  {d.flow_id + ':' + str(d.index):27}  {d.recipient:9}  {d.state:5}  "
              f"{start:25}  {d.dgp_rule or '-':19}  {due:10}  {left}")
    print(text("dgp-summary-overdue" if args.overdue else "dgp-summary", lang, n=len(clock.delays),
               day=clock.on.isoformat()))
    return EXIT_OK


def _replay(args, config: Config) -> int:
    logs.configure("warning")
    with wiring.hub(config, warn=warn) as hub:
        flow_ids = operations.chosen(hub, args.flow_ids, args.status or "", typed_day(args.since), typed_day(args.until))
        done = operations.replay(hub, flow_ids, dry_run=args.dry_run)
    if args.json:
        emit(_replay_json(done, args.lang))
        return EXIT_OK
    for item in done.skipped:
        print(f"{item.flow_id:24}  " + text("replay-skipped", args.lang, reason=said(item.reason, args.lang)))
    if done.dry_run:
        _print_plan(done, args.lang)
    elif done.replayed or not done.skipped:
        print_processed(Processed(done.replayed), False, args.lang)
    return EXIT_OK


def _replay_json(done: Replayed, lang: str) -> dict:
    skipped = [{"flow_id": s.flow_id, "reason": said(s.reason, lang)} for s in done.skipped]
    if done.dry_run:
        return {"dry_run": True, "would_replay": [asdict(p) for p in done.planned], "skipped": skipped}
    return {"replayed": [asdict(r) for r in done.replayed], "skipped": skipped}


def _print_plan(done: Replayed, lang: str) -> None:
    for plan in done.planned:
        print(f"{plan.flow_id:24}  " + text("plan-would-replay", lang, status=plan.status, attempt=plan.attempt,
                                            chain=plan.chain, name=plan.name))
        codes = ", ".join(plan.would_codes) or text("plan-no-finding", lang)
        report = (text("plan-same", lang, attempt=plan.same_as) if plan.same_as else text("plan-report", lang))
        print("    " + text("plan-would-give", lang, status=plan.would_status, codes=codes, report=report))
    print(text("plan-summary", lang, n=len(done.planned), skipped=len(done.skipped)))
