"""`facteur flows list` and `facteur flows show`: the ledger's flows, rendered."""

from __future__ import annotations

from dataclasses import asdict

from facteur.adapters import wiring
from facteur.adapters.cli.common import DAYS, EXIT_OK, emit, typed_day
from facteur.engine import operations
from facteur.engine.config import Config
from facteur.engine.operations import FlowDetail, FlowFilter, OutputLine
from facteur.engine.statuses import flow_status_help
from facteur.engine.terms import values_text


def register(commands, common) -> None:
    flows = commands.add_parser("flows", help="look at the flows in the ledger")
    flow_commands = flows.add_subparsers(dest="flows_command", metavar="ACTION", required=True)
    listing = flow_commands.add_parser("list", parents=[common], help="the latest flows, newest first")
    listing.add_argument("--limit", type=int, default=50)
    listing.add_argument("--status", help=flow_status_help())
    listing.add_argument("--sender", default="", help="the partner that sent the flow")
    listing.add_argument("--recipient", default="", help="a recipient mailbox id or SIRET the flow's invoices went to")
    listing.add_argument("--since", help=f"received on or after this day: {DAYS}")
    listing.add_argument("--until", help=f"received on or before this day: {DAYS}")
    listing.add_argument("--syntax", default="", help="e.g. IN_DP_E1_UBL_INVOICE, IN_DP_E1_CII_16B")
    listing.add_argument("--code", default="", help="flows with a finding of this code, e.g. FCT-RECIPIENT-UNKNOWN")
    listing.add_argument("--number", default="", help="flows holding this invoice number (compared as read: case, "
                         "dashes and spaces aside)")
    listing.add_argument("--supplier", default="", help="flows holding an invoice of this supplier (SIRET)")
    listing.set_defaults(handler=_list)
    show = flow_commands.add_parser("show", parents=[common], help="one flow: timeline, findings, outputs")
    show.add_argument("flow_id", metavar="ID", help="flow id, or a unique prefix of it")
    show.set_defaults(handler=_show)


def _list(args, config: Config) -> int:
    chosen = FlowFilter(args.status or "", args.sender, args.recipient, typed_day(args.since), typed_day(args.until),
                        args.syntax, args.code, args.limit, args.number, args.supplier)
    with wiring.hub(config) as hub:
        rows = operations.list_flows(hub, chosen)
    if args.json:
        emit([asdict(r) for r in rows])
        return EXIT_OK
    print(f"{'flow id':24}  {'status':7}  {'ok/docs':7}  {'sender':8}  {'received (UTC)':32}  name")
    for r in rows:
        ratio = f"{r.accepted or 0}/{r.documents or 0}"
        replayed = f"  (attempt {r.attempt} of {r.replay_of})" if r.replay_of else ""
        print(f"{r.id:24}  {r.status:7}  {ratio:7}  {r.sender:8}  {r.received_at:32}  {r.name}{replayed}")
    return EXIT_OK


def _show(args, config: Config) -> int:
    with wiring.hub(config) as hub:
        detail = operations.show_flow(hub.ledger, args.flow_id)
    if args.json:
        emit(asdict(detail))
    else:
        _print(detail)
    return EXIT_OK


def _print(detail: FlowDetail) -> None:
    print(f"flow {detail.id}  {detail.name}  from {detail.sender} ({detail.source}), {detail.size:,} bytes")
    if detail.name_raw and bytes.fromhex(detail.name_raw) != detail.name.encode():
        print(f"name as received (hex): {detail.name_raw}")
    print(f"status {detail.status}; rules: {detail.rules_version}")
    if detail.replay_of:
        print(f"attempt {detail.attempt} of flow {detail.replay_of}")
    for again in detail.replays:
        print(f"replayed as {again.id} (attempt {again.attempt}): status {again.status}")
    print("timeline:")
    for event in detail.timeline:
        scope = f"invoice {event.idx}" if event.idx else "flow"
        extra = f" ({event.detail})" if event.detail else ""
        print(f"  {event.at}  {scope:10}  {event.code:8}  {event.label}{extra}")
    print("invoices:")
    for inv in detail.invoices:
        verdict = "accepted" if inv.accepted else "rejected"
        print(
            f"  {inv.idx}. {verdict:8} {inv.document}  n° {inv.number or '-'}  supplier {inv.supplier or '-'}"
            f"  → {inv.buyer or '-'} ({inv.mailbox or '-'})  {inv.total_with_vat or '-'} {inv.currency or ''}"
        )
        if inv.accepted:
            start = f"{inv.dgp_start} ({inv.dgp_rule})" if inv.dgp_start else "not started"
            print(f"     status {inv.state}; payment delay start: {start}")
        if inv.rule_set:
            print(f"     judged by {inv.rule_set} {inv.rule_set_version}")
    if detail.findings:
        print("findings:")
        for f in detail.findings:
            print(f"  [{f.idx or '-'}] {f.severity:8} {f.code}: {f.message}" + (f"  [{f.location}]" if f.location else ""))
            if f.values:
                print(f"      {values_text(f.values)}")
    print("outputs:")
    for out in detail.outputs:
        print(f"  {out.kind:15} {out.path}{_publication(out)}")


def _publication(output: OutputLine) -> str:
    """Where an output for the broker stands in the outbox."""
    if not output.message_id:
        return ""
    if output.published_at:
        return f"  (published {output.published_at}, message id {output.message_id})"
    error = f"; last error: {output.error}" if output.error else ""
    return f"  (waiting to be published, {output.attempts} attempt(s){error}; message id {output.message_id})"
