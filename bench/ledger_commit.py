"""What the ledger costs a group of flows: `begin_all`, `claim_all` of their
accepted invoices, then `commit_all` of groups of real outcomes, on SQLite and
on PostgreSQL, as a worker's runner does for each group.

    python bench/ledger_commit.py [--groups 40] [--size 25] [--pg-url URL]

The outcomes are made once by the pipeline (UBL and CII alternately, 1-20
lines, XSD only: the ledger records the same rows either way); each group
commits copies of them as new flows with invoice numbers of their own, as a
worker commits what it judged. Prints, per flow, the CPU time of the
committing process and the wall time (on PostgreSQL the wall time includes
the server's work and the round trips), medians over the groups after the
first five. PostgreSQL's run is in a schema of its own, dropped at the end.
Figures, not assertions: the machine is printed with them.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import quote

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.throughput import context, corpus, environment  # noqa: E402
from facteur.adapters import configuration  # noqa: E402
from facteur.adapters.pg_ledger import PgLedger  # noqa: E402
from facteur.adapters.sqlite_ledger import SqliteLedger  # noqa: E402
from facteur.engine import pipeline  # noqa: E402
from facteur.engine.model import Flow, Outcome  # noqa: E402
from facteur.engine.operations.process import GROUP_FLOWS  # noqa: E402
from facteur.engine.runtime.ledger import Finished  # noqa: E402
from facteur.engine.runtime.runner import accepted_keys  # noqa: E402

WARM_UP = 5  # groups left out of the medians


def outcomes(size: int) -> list[tuple[Flow, Outcome]]:
    with tempfile.TemporaryDirectory(prefix="facteur-bench-") as tmp:
        config = configuration.load(root=tmp)
        ledger = SqliteLedger(config.ledger)
        judge = context(config, ledger, full=False)
        made = []
        for name, content, _ in corpus(size, (1, 20), 7):
            flow = Flow(content, "DEMO01", name, datetime.now(timezone.utc))
            made.append((flow, pipeline.process(flow, judge)))
        ledger.close()
    return made


def group(made: list[tuple[Flow, Outcome]], number: int) -> list[Finished]:
    """Copies of the outcomes as new flows, their invoices numbered anew (the ledger refuses an invoice twice)."""
    finished = []
    for index, (flow, outcome) in enumerate(made):
        copy = Flow(flow.content + f"<!-- {number} {index} {uuid.uuid4().hex} -->".encode(), flow.sender, flow.name,
                    flow.received_at)
        verdicts = [dataclasses.replace(verdict, invoice=dataclasses.replace(
                        verdict.invoice, number=f"{verdict.invoice.number}-{number}-{uuid.uuid4().hex[:6]}"))
                    if verdict.invoice is not None else verdict for verdict in outcome.verdicts]
        copied = dataclasses.replace(outcome, flow_id=copy.id, verdicts=verdicts)
        finished.append(Finished(copy, copied, [(output, f"/outbox/{output.name}") for output in copied.outputs], []))
    return finished


def timed(ledger, made: list[tuple[Flow, Outcome]], groups: int) -> tuple[float, float]:
    cpu, wall = [], []
    for number in range(groups):
        finished = group(made, number)
        started_cpu, started = time.process_time(), time.perf_counter()
        ledger.begin_all([(item.flow, f"/archive/{item.flow.id}") for item in finished])
        ledger.claim_all([(item.flow.id, accepted_keys(item.outcome)) for item in finished])
        ledger.commit_all(finished, datetime.now(timezone.utc))
        cpu.append(time.process_time() - started_cpu)
        wall.append(time.perf_counter() - started)
    per_flow = 1000 / len(made)
    return statistics.median(cpu[WARM_UP:]) * per_flow, statistics.median(wall[WARM_UP:]) * per_flow


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", type=int, default=40)
    parser.add_argument("--size", type=int, default=GROUP_FLOWS, help="flows per group (facteur's own by default)")
    parser.add_argument("--pg-url", default=os.environ.get("FACTEUR_BENCH_PG_URL",
                                                           "postgresql://postgres@127.0.0.1:5432/postgres"))
    args = parser.parse_args()
    if args.groups <= WARM_UP:
        parser.error(f"--groups must be more than the {WARM_UP} of the warm-up")
    print(f"machine: {environment()}; load average {os.getloadavg()[0]:.2f}")
    made = outcomes(args.size)
    print(f"groups of {args.size} flows, {args.groups} groups, medians after the first {WARM_UP}")
    with tempfile.TemporaryDirectory(prefix="facteur-bench-") as tmp:
        ledger = SqliteLedger(Path(tmp) / "ledger.sqlite")
        cpu, wall = timed(ledger, made, args.groups)
        ledger.close()
    print(f"  SQLite      per flow: CPU {cpu:.3f} ms, wall {wall:.3f} ms")
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(args.pg_url, autocommit=True) as admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
    try:
        separator = "&" if "?" in args.pg_url else "?"
        ledger = PgLedger(f"{args.pg_url}{separator}options={quote(f'-csearch_path={schema}')}")
        cpu, wall = timed(ledger, made, args.groups)
        ledger.close()
    finally:
        with psycopg.connect(args.pg_url, autocommit=True) as admin:
            admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
    print(f"  PostgreSQL  per flow: CPU {cpu:.3f} ms, wall {wall:.3f} ms")


if __name__ == "__main__":
    main()
