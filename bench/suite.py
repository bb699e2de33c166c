"""The scale-out benchmark: the embedded engine, and 1, 2 and 4 `facteur worker`
processes over RabbitMQ and PostgreSQL, on the same kind of flows, next to the
stage floors measured in the same run; a JSON report and a PNG chart.

    python bench/suite.py [--count 1000] [--rate 40] [--seconds 15] [--lines 1-20]
                          [--mix ubl=1,cii=1] [--validation xsd,full] [--workers 1,2,4] [--no-embedded]
                          [--out bench/results/suite] [--amqp-url URL] [--pg-url URL]

Each configuration runs as real processes on a fresh root: `facteur run` with
one pool process per core on its SQLite ledger, fed through the watched inbox
(embedded); or n `facteur worker` processes on a fresh PostgreSQL database, fed
through their own inbound queue (publisher confirms, as `facteur watch` does).
After a warm-up (every process has compiled its rule sets):

- throughput: --count invoices submitted at once; the clock runs from the
  first submission to the last flow-level report;
- latency: invoices submitted at --rate per second for --seconds; latency is
  the pivot's rename time (its inode ctime) minus the moment of submission;
- memory: for each process that processes flows, its peak resident set
  (VmHWM), and its resident set a quarter into the burst and at the end (the
  growth over the run; run a long --count to see whether it stays flat).

Stage floors: parse, XSD, schematron and durable write (archive, outputs with
fsync, ledger begin and commit, on SQLite and on PostgreSQL), each timed alone
in this process over the first XML invoices of the same mix
(bench/throughput.py), and the computing stages together (all but the durable
write): the chart draws what they would allow on every core, the ceiling of
the CPU. The mix may hold UBL, CII, Factur-X (CII in a PDF/A-3), plain PDFs
(recognised from their text) and CSV exports (the proprietary format of
mappings/formats/csv-export.toml), all carrying the same generated amounts. Figures, not
assertions: the machine is printed with them. The chart needs matplotlib
(`pip install -e '.[bench]'`); without it the JSON is still written.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import psycopg

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.generate import Spec, cii, csv_export, french_amount, printed_totals, ubl  # noqa: E402
from bench.latency import FOLDER_SENDER, Installation, _pivot_time, stop  # noqa: E402
from bench.pdfs import facturx_pdf, text_pdf  # noqa: E402
from bench.throughput import environment, stage_costs, warm_up  # noqa: E402
from facteur.adapters import configuration
from facteur.adapters.amqp import AmqpSettings, InboundPublisher
from facteur.adapters.errors import PublishFailed
from facteur.adapters.pg_ledger import PgLedger
from facteur.engine.runtime import logs

FLOOR_SAMPLE = 200  # invoices over which each stage is timed alone
FLOORS = {"parse": ("parse + detect",), "xsd": ("xsd",), "schematron": ("schematron",), "durable write": ("durable I/O",)}


def _facturx(spec: Spec) -> bytes:
    return facturx_pdf(cii(spec), [f"Facture {spec.number}"])


def _plain_pdf(spec: Spec) -> bytes:
    """The invoice printed as a French invoicing system does, with no data in it:
    facteur recognises its header and footer."""
    without, vat, total = (french_amount(x) for x in printed_totals(spec))
    return text_pdf(
        [spec.supplier_name, f"SIRET : {spec.supplier_siret}", "", f"FACTURE N° {spec.number}",
         f"Date de facture : {spec.issue_date:%d/%m/%Y}", "", f"Total HT : {without} €", f"TVA : {vat} €",
         f"Total TTC : {total} €", f"Net à payer : {total} €"],
        columns=[["Destinataire", "Ville de Démo", f"SIRET {spec.buyer_siret}"]],
    )


# What the mix may hold: how to make each kind, and its file extension.
MAKERS = {"ubl": (ubl, "xml"), "cii": (cii, "xml"), "facturx": (_facturx, "pdf"), "pdf": (_plain_pdf, "pdf"),
          "csv": (csv_export, "csv")}


def corpus(prefix: str, count: int, lines: tuple[int, int], mix: dict[str, int]) -> dict[str, bytes]:
    """Distinct valid invoices for the demo town hall, in the proportions of `mix`."""
    rng = random.Random(prefix)
    kinds = [kind for kind, weight in mix.items() for _ in range(weight)]
    made = {}
    for index in range(count):
        kind = kinds[index % len(kinds)]
        spec = Spec(number=f"{prefix}-{index:06d}", lines=rng.randint(*lines), seed=7)
        maker, extension = MAKERS[kind]
        made[f"{spec.number}.{kind}.{extension}"] = maker(spec)
    return made


class Setup(Installation):
    """One configuration on a fresh root (the installation of bench/latency.py,
    the sender taken from the header) and, for workers, its own PostgreSQL
    database; `workers` None is the embedded engine."""

    def __init__(self, base: Path, validation: str, workers: int | None, args):
        super().__init__(base, validation, args.amqp_url)
        self.workers = workers
        self.config.write_text(self.config.read_text().replace('sender_from = "user_id"', 'sender_from = "header"'))
        self.settings = AmqpSettings(url=args.amqp_url, inbound_queue=self.queue, dead_letter_queue=f"{self.queue}.dead",
                                     sender_from="header")
        self.env = {**os.environ, "FACTEUR_LOG_LEVEL": "warning"}
        self.env.pop("FACTEUR_LEDGER_URL", None)
        self.pg_admin = args.pg_url
        self.database = ""
        if workers:
            self.database = f"facteur_bench_{self.root.name}"
            with psycopg.connect(args.pg_url, autocommit=True) as admin:
                admin.execute(f'CREATE DATABASE "{self.database}"')
            self.env["FACTEUR_LEDGER_URL"] = args.pg_url.rsplit("/", 1)[0] + "/" + self.database
        self.publisher = InboundPublisher(self.settings, "bench") if workers else None
        self.processes: list[subprocess.Popen] = []
        self.patience = max(1800.0, args.count / 10)  # seconds to settle a burst: at least 10 invoices/s

    @property
    def label(self) -> str:
        return "embedded" if self.workers is None else f"{self.workers} worker{'s' if self.workers > 1 else ''}"

    def launch(self) -> None:
        base = [sys.executable, "-m", "facteur.adapters.cli"]
        options = ["--root", str(self.root), "--config", str(self.config)]
        if self.workers is None:
            commands = [base + ["run", "--no-amqp", "--workers", str(os.cpu_count() or 1)] + options]
        else:
            commands = [base + ["worker"] + options] * self.workers
        self.processes = [
            subprocess.Popen(command, cwd=REPO, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             start_new_session=True)
            for command in commands
        ]

    def submit(self, name: str, content: bytes) -> float:
        """Submission time; a broker restarted meanwhile (a shared machine) is
        waited for, up to a minute, as a watcher would."""
        if not self.publisher:
            return self.drop(name, content)
        for _ in range(60):
            try:
                self.publisher.publish(name, content, FOLDER_SENDER)
                return time.time()
            except PublishFailed as error:
                print(f"  publish failed, retrying in 1 s: {error}", flush=True)
                time.sleep(1)
        raise SystemExit(f"the broker did not take {name} for a minute")

    def wait_reports(self, count: int) -> None:
        """Counting the reports lists a folder that grows with the run: the pause
        between counts is ten times what a count costs, so the benchmark never
        takes more than a tenth of a core from what it measures."""
        deadline = time.monotonic() + self.patience
        while True:
            counted = time.monotonic()
            if self.reports(FOLDER_SENDER) >= count:
                return
            for process in self.processes:
                if process.poll() is not None:
                    raise SystemExit(f"a facteur process stopped early: {process.stderr.read().decode()[-2000:]}")
            if time.monotonic() > deadline:
                raise SystemExit(f"{self.label}: not settled within {self.patience:.0f} s")
            time.sleep(max(0.05, 10 * (time.monotonic() - counted)))

    def working_pids(self) -> list[int]:
        """The processes that run the pipeline: each worker, or the embedded
        engine's pool processes."""
        if self.workers is not None:
            return [p.pid for p in self.processes]
        engine = self.processes[0].pid
        # the pool starts its processes from its own threads: each task lists those it started
        children = [pid for task in Path(f"/proc/{engine}/task").iterdir()
                    for pid in (task / "children").read_text().split()]
        return [int(pid) for pid in children if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()]

    def close(self) -> None:
        for process in self.processes:
            stop(process)
        if self.publisher:
            self.publisher.close()
        if self.database:
            with psycopg.connect(self.pg_admin, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE "{self.database}" WITH (FORCE)')
        self.remove()


def memory(pid: int) -> dict[str, float]:
    """Resident set now and at its peak, in MiB, from /proc."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) / 1024
    return values


def measure(base: Path, validation: str, workers: int | None, args, lines, mix) -> dict:
    setup = Setup(base, validation, workers, args)
    tag = f"{validation[0].upper()}{workers or 0}{uuid.uuid4().hex[:4]}"
    try:
        setup.launch()
        warm = corpus(f"W{tag}", 4 * max(workers or 1, os.cpu_count() or 1), lines, mix)
        for name, content in warm.items():
            setup.submit(name, content)
        setup.wait_reports(len(warm))
        pids = setup.working_pids()

        burst = corpus(f"T{tag}", args.count, lines, mix)
        start = time.perf_counter()
        feeder = threading.Thread(target=lambda: [setup.submit(n, c) for n, c in burst.items()], daemon=True)
        feeder.start()
        # The baseline of memory growth: a quarter into the burst, every process
        # has judged invoices of each kind (the warm-up may all go to one worker).
        setup.wait_reports(len(warm) + len(burst) // 4)
        baseline = {pid: memory(pid)["VmRSS"] for pid in pids}
        setup.wait_reports(len(warm) + len(burst))
        rate = len(burst) / (time.perf_counter() - start)

        steady = corpus(f"L{tag}", int(args.rate * args.seconds), lines, mix)
        submitted, began = {}, time.time()
        for index, (name, content) in enumerate(steady.items()):
            pause = began + index / args.rate - time.time()
            if pause > 0:
                time.sleep(pause)
            submitted[name] = setup.submit(name, content)
        setup.wait_reports(len(warm) + len(burst) + len(steady))
        delays = sorted(_pivot_time(setup.root, n, c) - submitted[n] for n, c in steady.items())
        processes = []
        for pid in pids:
            now = memory(pid)
            processes.append({"pid": pid, "peak_mib": round(now["VmHWM"], 1), "rss_quarter_in_mib": round(baseline[pid], 1),
                              "rss_end_mib": round(now["VmRSS"], 1),
                              "growth_percent": round(100 * (now["VmRSS"] / baseline[pid] - 1), 1)})
    finally:
        setup.close()
    result = {
        "validation": validation, "mode": setup.label, "invoices_per_s": round(rate, 1),
        "latency_rate_per_s": args.rate, "latency_p50_ms": round(1000 * _quantile(delays, 0.50), 1),
        "latency_p99_ms": round(1000 * _quantile(delays, 0.99), 1), "processes": processes,
    }
    peaks = ", ".join(f"{p['peak_mib']:.0f}" for p in processes)
    growth = ", ".join(f"{p['growth_percent']:+.0f}" for p in processes)
    print(f"  {validation:4} {setup.label:10} {rate:7.1f} invoices/s; at {args.rate:.0f}/s p50 {result['latency_p50_ms']:.0f} ms,"
          f" p99 {result['latency_p99_ms']:.0f} ms; peak MiB per process {peaks} (growth % {growth})", flush=True)
    return result


def _quantile(sorted_values: list[float], quantile: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, max(0, round(quantile * len(sorted_values)) - 1))]


def floors(validation: str, args, lines, mix) -> dict[str, float]:
    """Milliseconds per invoice of each stage alone, in one process, over the
    XML invoices of the mix (the stages of an XML document: a Factur-X PDF
    adds the extraction of its XML)."""
    xml_mix = {kind: weight for kind, weight in mix.items() if MAKERS[kind][1] == "xml"} or {"cii": 1}
    docs = [(name, content, 0) for name, content in corpus("FLOOR", FLOOR_SAMPLE, lines, xml_mix).items()]
    full = validation == "full"
    warm_up(docs, full)
    with tempfile.TemporaryDirectory(prefix="facteur-floors-") as tmp:
        config = configuration.load(root=tmp)
        on_sqlite, _ = stage_costs(docs, config, Path(tmp) / "sqlite", full)
        database = f"facteur_floor_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(args.pg_url, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{database}"')
        try:
            ledger = PgLedger(args.pg_url.rsplit("/", 1)[0] + "/" + database)
            on_postgresql, _ = stage_costs(docs, config, Path(tmp) / "pg", full, ledger)
        finally:
            with psycopg.connect(args.pg_url, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE "{database}" WITH (FORCE)')
    result = {name: sum(on_sqlite.get(s, 0.0) for s in stages) * 1000 / len(docs) for name, stages in FLOORS.items()}
    result["durable write (PostgreSQL)"] = on_postgresql["durable I/O"] * 1000 / len(docs)
    result["computing stages, one process"] = (sum(on_sqlite.values()) - on_sqlite["durable I/O"]) * 1000 / len(docs)
    result = {name: round(ms, 3) for name, ms in result.items()}
    print(f"  {validation:4} floors, ms/invoice: " + ", ".join(f"{k} {v:.2f}" for k, v in result.items()), flush=True)
    return result


def chart(report: dict, path: Path) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("no chart: matplotlib is not installed (pip install -e '.[bench]')")
        return False
    runs = report["runs"]
    validations = list(report["floors"])
    modes = list(dict.fromkeys(r["mode"] for r in runs))
    figure, (speed, latency, memory_axis) = plt.subplots(1, 3, figsize=(16, 5))
    width = 0.8 / len(validations)
    for offset, validation in enumerate(validations):
        mine = {r["mode"]: r for r in runs if r["validation"] == validation}
        xs = [i + offset * width for i in range(len(modes))]
        speed.bar(xs, [mine[m]["invoices_per_s"] for m in modes], width, label=f"{validation} validation")
        ceiling = 1000 / report["floors"][validation]["computing stages, one process"] * (os.cpu_count() or 1)
        speed.axhline(ceiling, linestyle="--", color=f"C{offset}", linewidth=1,
                      label=f"{validation}: computing stages alone x {os.cpu_count()} cores")
        latency.bar([x - width / 4 for x in xs], [mine[m]["latency_p50_ms"] for m in modes], width / 2,
                    label=f"{validation} p50", color=f"C{offset}")
        latency.bar([x + width / 4 for x in xs], [mine[m]["latency_p99_ms"] for m in modes], width / 2,
                    label=f"{validation} p99", color=f"C{offset}", alpha=0.5)
        memory_axis.bar(xs, [max(p["peak_mib"] for p in mine[m]["processes"]) for m in modes], width,
                        label=f"{validation} validation")
    for axis, title, unit in ((speed, "throughput", "invoices/s"), (latency, "submission to pivot", "ms"),
                              (memory_axis, "peak memory of one process", "MiB")):
        axis.set_xticks([i + width * (len(validations) - 1) / 2 for i in range(len(modes))], modes)
        axis.set_title(title)
        axis.set_ylabel(unit)
        axis.legend(fontsize=7)
    figure.suptitle(report["machine"], fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000, help="invoices per throughput run")
    parser.add_argument("--rate", type=float, default=40.0, help="invoices per second, for latency")
    parser.add_argument("--seconds", type=float, default=15.0, help="how long the steady submission lasts")
    parser.add_argument("--lines", default="1-20", help="invoice lines, drawn uniformly from this range (1 to 500)")
    parser.add_argument("--mix", default="ubl=1,cii=1", help=f"proportions of {', '.join(MAKERS)}")
    parser.add_argument("--validation", default="xsd,full", help="xsd, full, or both (comma-separated)")
    parser.add_argument("--workers", default="1,2,4", help="worker counts to run over RabbitMQ")
    parser.add_argument("--no-embedded", action="store_true", help="run only the workers (a long memory run, say)")
    parser.add_argument("--out", default="bench/results/suite", help="report path, without extension (.json, .png)")
    parser.add_argument("--amqp-url", default=os.environ.get("FACTEUR_BENCH_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/%2F"))
    parser.add_argument("--pg-url", default=os.environ.get("FACTEUR_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
                        help="a database to connect to for creating the benchmark's own databases")
    args = parser.parse_args()
    logs.configure("warning")
    lines = tuple(int(x) for x in args.lines.split("-"))
    mix = {kind: int(weight) for kind, _, weight in (part.partition("=") for part in args.mix.split(","))}
    if set(mix) - set(MAKERS) or not 1 <= lines[0] <= lines[1] <= 500:
        parser.error(f"--mix takes {', '.join(MAKERS)}; --lines within 1-500")
    validations = [v.strip() for v in args.validation.split(",") if v.strip()]
    worker_counts = [int(n) for n in args.workers.split(",") if n.strip()]
    report = {"machine": environment(), "count": args.count, "lines": args.lines, "mix": mix, "floors": {}, "runs": []}
    print(f"machine: {report['machine']}")
    print(f"invoices: {args.mix}, {lines[0]}-{lines[1]} lines; durable writes; real processes", flush=True)
    with tempfile.TemporaryDirectory(prefix="facteur-suite-") as tmp:
        for validation in validations:
            report["floors"][validation] = floors(validation, args, lines, mix)
            for workers in ([] if args.no_embedded else [None]) + worker_counts:
                report["runs"].append(measure(Path(tmp), validation, workers, args, lines, mix))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".json").write_text(json.dumps(report, indent=2))
    drawn = chart(report, out.with_suffix(".png"))
    print(f"report: {out.with_suffix('.json')}" + (f", chart: {out.with_suffix('.png')}" if drawn else ""))


if __name__ == "__main__":
    main()
