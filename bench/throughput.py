"""End-to-end throughput of the embedded engine, next to the cost of each stage.

    python bench/throughput.py [--count 400] [--lines 1-200] [--seed 7]

Generates N distinct invoices (UBL and CII alternately, line counts drawn from
the range), then, for XSD-only and for full EN 16931 validation:
- times each stage alone over the same invoices: parse, XSD, schematron,
  extraction, hub controls, pivot and report writing, and the durable I/O of
  the coordinator (`Runner.prepare_all` and `finish_all` in groups of
  GROUP_FLOWS: leases, archive, ledger begin, claims, mailbox writes with
  fsync, commit), with its CPU time, SQL statements, commits and fsyncs per
  flow;
- times the whole chain on a fresh root, one process: flow by flow
  (`Runner.handle`), and in groups as `facteur process` on a folder and
  `facteur run` make them (`Runner.handle_all`, GROUP_FLOWS at a time: one
  sync and one ledger transaction per step for the group);
and prints invoices/s, the stage costs, and end-to-end over the sum of stages.
Figures, not assertions: the machine is printed with them.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.generate import Spec, make  # noqa: E402
from facteur.adapters import configuration
from facteur.adapters.mailbox import Archive, Mailboxes
from facteur.adapters.sqlite_ledger import SqliteLedger
from facteur.engine import pipeline
from facteur.engine.extraction import extract
from facteur.engine.hub import controls
from facteur.engine.inputs import detect
from facteur.engine.inputs.parse import parse_xml
from facteur.engine.model import Flow
from facteur.engine.operations.process import GROUP_FLOWS
from facteur.engine.outputs import pivot, status
from facteur.engine.runtime import logs
from facteur.engine.runtime.runner import Runner
from facteur.engine.validation import rulesets, schematron, xsd
from facteur.engine.validation.validate import Rules

SENDER = "DEMO01"


def corpus(count: int, lines: tuple[int, int], seed: int) -> list[tuple[str, bytes, int]]:
    rng = random.Random(seed)
    out = []
    for index in range(count):
        syntax = ("ubl", "cii")[index % 2]
        n = rng.randint(*lines)
        spec = Spec(number=f"B{seed}-{index:06d}", lines=n, seed=seed)
        out.append((f"{spec.number}.{syntax}.xml", make(syntax, spec), n))
    return out


def context(config, ledger, full: bool) -> pipeline.Context:
    return configuration.context(replace(config, schematron=full), ledger.known_invoice)


def stage_costs(docs, config, root: Path, full: bool, ledger=None) -> tuple[dict[str, float], dict[str, float]]:
    """Seconds spent in each stage over all documents, each stage timed alone,
    and what the coordinator spends per flow (`durable_io`); the durable I/O
    on `ledger` (default: a fresh SQLite ledger under `root`)."""
    spent: dict[str, float] = defaultdict(float)
    ledger = ledger or SqliteLedger(root / "stages.sqlite")
    ctx = context(config, ledger, full)
    archive, mailboxes = Archive(root / "archive"), Mailboxes(root / "outbox")
    received = datetime.now(timezone.utc)
    clock = time.perf_counter
    flows = []
    for name, content, _ in docs:
        t = clock()
        tree = parse_xml(content, name, config.limits.max_document_bytes)
        syntax, _ = detect.classify(tree)
        spent["parse + detect"] += clock() - t

        t = clock()
        ruleset = rulesets.for_document(syntax, tree)
        assert not xsd.check(tree, ruleset.xsd), name
        spent["xsd"] += clock() - t

        if full:
            t = clock()
            findings = schematron.run(tree, ruleset.schematron, ruleset.codedb)
            spent["schematron"] += clock() - t
            assert not any(f.blocking for f in findings), (name, findings)

        t = clock()
        invoice = extract(tree, syntax)
        spent["extract"] += clock() - t

        t = clock()
        findings, routing = controls.check(invoice, ctx.directory, SENDER, ctx.known_invoice, set())
        spent["hub controls"] += clock() - t
        assert not findings, findings

        flow = Flow(content, SENDER, name, received, "bench")
        t = clock()
        original = pipeline._original(name, content)
        pivot.pivot_gaps(routing.invoice, original)
        document = pivot.pivot_xml(
            routing.invoice, original=original, flow_id=flow.id, hub_id=ctx.hub_id,
            recipient_mailbox=routing.mailbox, received_at=received,
        )
        report = status.flow_status_xml(
            flow_id=flow.id, code="90", hub_id=ctx.hub_id, recipient=SENDER, produced_at=received, errors=[]
        )
        deposited = status.invoice_status_xml(
            flow_id=flow.id, hub_id=ctx.hub_id, recipient=SENDER, produced_at=received,
            entries=[status.InvoiceStatusEntry(routing.invoice, "01")],
        )
        spent["pivot + reports"] += clock() - t

        flows.append(flow)
        assert document and report and deposited
    spent["durable I/O"], coordinator = durable_io(flows, ledger, Runner(ctx, ledger, archive, mailboxes))
    ledger.close()
    return dict(spent), coordinator


def durable_io(flows: list[Flow], ledger, runner: Runner) -> tuple[float, dict[str, float]]:
    """Seconds the coordinator spends on the flows in groups of GROUP_FLOWS
    (the pipeline, XSD only, run between its two steps and not counted), and
    per flow: its CPU milliseconds, SQL statements, commits and fsyncs."""
    statements: list[str] = []
    traced = getattr(ledger, "db", None)  # SQLite's statements are counted; PostgreSQL's are not
    if traced is not None:
        traced.set_trace_callback(statements.append)
    synced, fsync = [0], os.fsync

    def counted_fsync(descriptor: int) -> None:
        synced[0] += 1
        fsync(descriptor)

    os.fsync = counted_fsync
    quick = replace(runner.context, rules=Rules(schematron=False))
    wall = cpu = 0.0
    try:
        for first in range(0, len(flows), GROUP_FLOWS):
            w, c = time.perf_counter(), time.process_time()
            prepared = runner.prepare_all(flows[first:first + GROUP_FLOWS])
            wall, cpu = wall + time.perf_counter() - w, cpu + time.process_time() - c
            settled = [(flow, pipeline.process(flow, quick)) for flow in prepared]
            w, c = time.perf_counter(), time.process_time()
            handled = runner.finish_all(settled)
            wall, cpu = wall + time.perf_counter() - w, cpu + time.process_time() - c
            assert all(h.status == "90" for h in handled), [h.findings for h in handled]
    finally:
        os.fsync = fsync
        if traced is not None:
            traced.set_trace_callback(None)
    counts = {"CPU ms": cpu * 1000 / len(flows), "fsyncs": synced[0] / len(flows)}
    if traced is not None:
        commits = sum(1 for sql in statements if sql.split()[0].upper() in ("COMMIT", "END"))
        counts |= {"SQL statements": len(statements) / len(flows), "commits": commits / len(flows)}
    return wall, counts


def end_to_end(docs, config, root: Path, full: bool, group: int = 1) -> tuple[float, list[float]]:
    """Seconds for all documents, and each flow's (or group's, shared by its flows) latency."""
    ledger = SqliteLedger(root / "var" / "ledger.sqlite")
    runner = Runner(context(config, ledger, full), ledger, Archive(root / "var" / "archive"), Mailboxes(root / "outbox"))
    latencies = []
    start = time.perf_counter()
    for first in range(0, len(docs), group):
        flows = [Flow(content, SENDER, name, datetime.now(timezone.utc), "bench")
                 for name, content, _ in docs[first:first + group]]
        t = time.perf_counter()
        handled = [runner.handle(flows[0])] if group == 1 else runner.handle_all(flows)
        latencies += [time.perf_counter() - t] * len(flows)
        assert all(h.status == "90" for h in handled), [h.findings for h in handled]
    elapsed = time.perf_counter() - start
    ledger.close()
    return elapsed, latencies


def warm_up(docs, full: bool) -> None:
    """Compile the schemas and stylesheets once, as a long-running engine has."""
    for name, content, _ in docs[:2]:
        tree = parse_xml(content, name, 10**8)
        syntax, _ = detect.classify(tree)
        ruleset = rulesets.for_document(syntax, tree)
        xsd.check(tree, ruleset.xsd)
        if full:
            schematron.run(tree, ruleset.schematron, ruleset.codedb)


def environment() -> str:
    cpu = "unknown cpu"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = ", ".join(f"{p} {importlib.metadata.version(p)}" for p in ("lxml", "saxonche", "factur-x"))
    return (f"{platform.node()}: {cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {versions}; "
            f"temporary folders on {filesystem(Path(tempfile.gettempdir()))}")


def filesystem(path: Path) -> str:
    """The file system holding `path`, and for ext4 whether it keeps a journal:
    without one, each file created scans the inodes freed in the last minute,
    which the durable writes pay for at high rates."""
    device, kind = "?", "unknown file system"
    best = ""
    for line in Path("/proc/mounts").read_text().splitlines():
        source, point, fstype = line.split()[:3]
        if str(path).startswith(point) and len(point) >= len(best):
            best, device, kind = point, source, fstype
    if kind == "ext4":
        journal = any(Path("/proc/fs/jbd2").glob(f"{Path(device).name}-*"))
        kind += " with a journal" if journal else " without a journal"
    return kind


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=400)
    parser.add_argument("--lines", default="1-200")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    logs.configure("warning")
    low, high = (int(x) for x in args.lines.split("-"))
    docs = corpus(args.count, (low, high), args.seed)
    line_counts = [n for *_, n in docs]
    print(f"machine: {environment()}; load average {os.getloadavg()[0]:.2f}")
    print(
        f"invoices: {len(docs)} (UBL and CII alternately), lines {low}-{high}, "
        f"mean {statistics.mean(line_counts):.0f}, {sum(len(c) for _, c, _ in docs) / len(docs) / 1024:.0f} KiB mean size; "
        "durable writes (fsync per file, SQLite WAL synchronous=FULL); one process"
    )
    for full in (False, True):
        label = "full EN 16931" if full else "XSD only"
        warm_up(docs, full)
        with tempfile.TemporaryDirectory(prefix="facteur-bench-") as tmp:
            root = Path(tmp)
            config = configuration.load(root=str(root / "e2e"))
            runs = {how: end_to_end(docs, config, root / how, full, group)
                    for how, group in (("flow by flow", 1), (f"groups of {GROUP_FLOWS}", GROUP_FLOWS))}
            costs, coordinator = stage_costs(docs, config, root / "stages", full)
        total = sum(costs.values())
        print(f"\n== {label}")
        for how, (elapsed, latencies) in runs.items():
            latencies.sort()
            print(
                f"end to end, {how:13}: {len(docs) / elapsed:8.1f} invoices/s  ({elapsed * 1000 / len(docs):.2f} "
                f"ms/invoice; p50 {latencies[len(latencies) // 2] * 1000:.1f} ms, "
                f"p99 {latencies[int(len(latencies) * 0.99) - 1] * 1000:.1f} ms)"
            )
        for stage, seconds in costs.items():
            print(f"  {stage:16} {seconds * 1000 / len(docs):8.2f} ms/invoice  {100 * seconds / total:5.1f} %")
        print(f"  {'':16} coordinator per flow: " + ", ".join(f"{v:.2f} {k}" for k, v in coordinator.items()))
        print(f"  {'sum of stages':16} {total * 1000 / len(docs):8.2f} ms/invoice  -> {len(docs) / total:.1f} invoices/s")
        print("end to end / sum of stages: " + ", ".join(f"{how} {elapsed / total:.2f}" for how, (elapsed, _) in runs.items()))
        print(f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
