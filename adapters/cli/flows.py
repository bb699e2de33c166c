"""`facteur flows list` and `facteur flows show`: the ledger's flows, rendered."""

from __future__ import annotations

from dataclasses import asdict

from facteur.adapters import wiring
from facteur.adapters.cli.common import EXIT_OK, SEVERITIES, emit, typed_day
from facteur.engine import operations
from facteur.engine.config import Config
from facteur.engine.messages import text
from facteur.engine.operations import FlowDetail, FlowFilter, OutputLine
from facteur.engine.statuses import flow_status_help
from facteur.engine.terms import values_text


def register(commands, common, lang: str) -> None:
    flows = commands.add_parser("flows", help=text("help-flows", lang))
    flow_commands = flows.add_subparsers(dest="flows_command", metavar="ACTION", required=True)
    listing = flow_commands.add_parser("list", parents=[common], help=text("help-flows-list", lang))
    listing.add_argument("--limit", type=int, default=50)
    listing.add_argument("--status", help=text("help-list-status", lang, statuses=flow_status_help()))
    listing.add_argument("--sender", default="", help=text("help-list-sender", lang))
    listing.add_argument("--recipient", default="", help=text("help-list-recipient", lang))
    listing.add_argument("--since", help=text("help-list-since", lang, days=text("help-days", lang)))
    listing.add_argument("--until", help=text("help-list-until", lang, days=text("help-days", lang)))
    listing.add_argument("--syntax", default="", help=text("help-list-syntax", lang))
    listing.add_argument("--code", default="", help=text("help-list-code", lang))
    listing.add_argument("--number", default="", help=text("help-list-number", lang))
    listing.add_argument("--supplier", default="", help=text("help-list-supplier", lang))
    listing.set_defaults(handler=_list)
    show = flow_commands.add_parser("show", parents=[common], help=text("help-flows-show", lang))
    show.add_argument("flow_id", metavar="ID", help=text("help-flow-id", lang))
    show.set_defaults(handler=_show)


def _list(args, config: Config) -> int:
    chosen = FlowFilter(args.status or "", args.sender, args.recipient, typed_day(args.since), typed_day(args.until),
                        args.syntax, args.code, args.limit, args.number, args.supplier)
    with wiring.hub(config) as hub:
        rows = operations.list_flows(hub, chosen)
    if args.json:
        emit([asdict(r) for r in rows])
        return EXIT_OK
    lang = args.lang
    print(f"{text('list-id', lang):24}  {text('list-status', lang):7}  {text('list-ratio', lang):7}  "
          f"{text('list-sender', lang):8}  {text('list-received', lang):32}  {text('list-name', lang)}")
    for r in rows:
        ratio = f"{r.accepted or 0}/{r.documents or 0}"
        replayed = "  " + text("list-attempt", lang, attempt=r.attempt, flow=r.replay_of) if r.replay_of else ""
        print(f"{r.id:24}  {r.status:7}  {ratio:7}  {r.sender:8}  {r.received_at:32}  {r.name}{replayed}")
    return EXIT_OK


def _show(args, config: Config) -> int:
    with wiring.hub(config) as hub:
        detail = operations.show_flow(hub.ledger, args.flow_id, lang=args.lang)
    if args.json:
        emit(asdict(detail))
    else:
        _print(detail, args.lang)
    return EXIT_OK


def _print(detail: FlowDetail, lang: str) -> None:
    print(text("show-flow", lang, flow=detail.id, name=detail.name, sender=detail.sender, source=detail.source,
               size=detail.size))
    if detail.name_raw and bytes.fromhex(detail.name_raw) != detail.name.encode():
        print(text("show-name-raw", lang, hex=detail.name_raw))
    print(text("show-status", lang, status=detail.status, rules=detail.rules_version or "-"))
    if detail.replay_of:
        print(text("show-attempt", lang, attempt=detail.attempt, flow=detail.replay_of))
    for again in detail.replays:
        print(text("show-replayed", lang, flow=again.id, attempt=again.attempt, status=again.status))
    print(text("show-timeline", lang))
    for event in detail.timeline:
        scope = text("show-invoice-scope", lang, idx=event.idx) if event.idx else text("show-flow-scope", lang)
        extra = f" ({event.detail})" if event.detail else ""
        print(f"  {event.at}  {scope:10}  {event.code:8}  {event.label}{extra}")
    print(text("show-invoices", lang))
    for inv in detail.invoices:
        verdict = text("show-accepted" if inv.accepted else "show-rejected", lang)
        print(f"  {inv.idx}. {verdict:8} " + text(
            "show-invoice", lang, document=inv.document, number=inv.number or "-", supplier=inv.supplier or "-",
            buyer=inv.buyer or "-", mailbox=inv.mailbox or "-", total=inv.total_with_vat or "-",
            currency=inv.currency or ""))
        if inv.accepted:
            start = f"{inv.dgp_start} ({inv.dgp_rule})" if inv.dgp_start else text("show-not-started", lang)
            print("     " + text("show-invoice-state", lang, state=inv.state or "-", start=start))
        if inv.rule_set:
            print("     " + text("show-judged-by", lang, rules=inv.rule_set, version=inv.rule_set_version or ""))
    if detail.findings:
        print(text("show-findings", lang))
        for f in detail.findings:
            print(f"  [{f.idx or '-'}] {text(SEVERITIES[f.severity], lang):10} {f.code}: {f.message}"
                  + (f"  [{f.location}]" if f.location else ""))
            if f.values:
                print(f"      {values_text(f.values, lang)}")
    print(text("show-outputs", lang))
    for out in detail.outputs:
        print(f"  {out.kind:15} {out.path}{_publication(out, lang)}")


def _publication(output: OutputLine, lang: str) -> str:
    """Where an output for the broker stands in the outbox."""
    if not output.message_id:
        return ""
    if output.published_at:
        return "  " + text("show-published", lang, at=output.published_at, id=output.message_id)
    error = text("show-last-error", lang, error=output.error) if output.error else ""
    return "  " + text("show-waiting", lang, attempts=output.attempts, error=error, id=output.message_id)
