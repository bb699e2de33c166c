"""Chaos: a steady flow of invoices into `facteur run` while faults strike, then
the proof that nothing was lost, duplicated or left half-written.

    python bench/chaos.py [--runs 50] [--flows 40] [--rate 40] [--faults kill,lock,disk,broker] [--short] [--json]

Each run starts a real `facteur run` on a fresh root, drops `--flows` distinct
invoices (one in ten for an unknown recipient, so rejections are checked too)
at `--rate` per second, and strikes once, at a random moment after the first flows are settled and
while others are in flight, with one fault, in turn:

- kill: SIGKILL to the engine and its workers, then a restart;
- lock: another process holds the SQLite ledger's write lock for 2 to 6 s;
- disk: the root is a small tmpfs, filled to the last byte for 3 s, then freed
  (needs root for the mount; skipped, and said so, otherwise);
- broker: RabbitMQ stopped and started (`rabbitmqctl stop_app/start_app`)
  while the flows come through the queue (skipped if rabbitmqctl is absent).

After each run: every flow has exactly one report and the valid ones exactly
one pivot (none for the others), no temporary file is left, the inboxes are
empty, and the ledger agrees with the mailboxes (every recorded output exists
with the recorded sha-256). `--short` is the form CI runs (one run per fault).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.generate import Spec, make  # noqa: E402
from bench.latency import FOLDER_SENDER, QUEUE_SENDER, Installation, stop  # noqa: E402
from bench.throughput import environment  # noqa: E402
from facteur.adapters.watch import JOURNALS  # noqa: E402  (the watcher's journals of claims)
from facteur.engine.model import Flow  # noqa: E402

FAULTS = ("kill", "lock", "disk", "broker")
UNKNOWN_BUYER = "12345678900017"
TMPFS_BYTES = 64 * 1024 * 1024


@dataclass
class RunResult:
    run: int
    fault: str
    flows: int
    lost: int = 0
    duplicated: int = 0
    half_written: int = 0
    left_in_inbox: int = 0
    ledger_mismatches: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not (self.lost or self.duplicated or self.half_written or self.left_in_inbox or self.ledger_mismatches)


def invoices(run: int, count: int) -> dict[str, bytes]:
    made = {}
    for index in range(count):
        buyer = UNKNOWN_BUYER if index % 10 == 9 else "21750001600019"
        spec = Spec(number=f"CH{run:03d}-{index:04d}", lines=1 + index % 3, buyer_siret=buyer, seed=run)
        made[f"chaos-{run:03d}-{index:04d}.xml"] = make(("ubl", "cii")[index % 2], spec)
    return made


class Engine:
    """`facteur run` on one installation, restartable, its log kept in a file
    (off the small disk, so that a full disk does not silence it)."""

    def __init__(self, place: Installation, amqp: bool, log: Path):
        self.place, self.amqp = place, amqp
        self.log = open(log, "ab")
        self.process = self.start()

    def start(self) -> subprocess.Popen:
        return self.place.start(workers=2, amqp=self.amqp, log=self.log)

    def kill_and_restart(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self.process = self.start()

    def stop(self) -> int:
        stop(self.process)
        self.log.close()
        return self.process.returncode


def drop_steadily(place: Installation, files: dict[str, bytes], rate: float, amqp: bool) -> None:
    """As a sender would: one file after the other at `rate`, retrying a write
    the full disk refuses or a publication the stopped broker refuses (the
    sender's upload fails; it tries again)."""
    from facteur.adapters.amqp import PublishFailed

    start = time.monotonic()
    for index, (name, content) in enumerate(files.items()):
        pause = start + index / rate - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        while True:
            try:
                place.publish({name: content}) if amqp else place.drop(name, content)
                break
            except (OSError, PublishFailed):
                time.sleep(0.2)


def _wait_until(predicate, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not predicate() and time.monotonic() < deadline:
        time.sleep(0.01)


def strike(fault: str, engine: Engine, place: Installation, sender: str, filler: Path | None, rng: random.Random) -> str:
    """Inflict the fault once flows are settling; returns what was done, for the report."""
    if fault == "kill":
        settled = place.reports(sender)
        engine.kill_and_restart()
        return f"engine and workers killed with SIGKILL after {settled} flow(s) settled, restarted"
    if fault == "lock":
        held = rng.uniform(2, 6)
        ledger = sqlite3.connect(place.root / "var" / "ledger.sqlite", timeout=30)
        ledger.execute("BEGIN EXCLUSIVE")
        time.sleep(held)
        ledger.rollback()
        ledger.close()
        return f"ledger write lock held {held:.1f} s by another process"
    if fault == "disk":
        free = shutil.disk_usage(place.root).free
        with open(filler, "wb") as handle:
            try:
                handle.write(b"\0" * free)
            except OSError:
                pass
        time.sleep(3)
        filler.unlink()
        return f"disk filled ({free / 1e6:.1f} MB) for 3 s"
    subprocess.run(["rabbitmqctl", "stop_app"], check=True, capture_output=True, timeout=120)
    time.sleep(2)
    subprocess.run(["rabbitmqctl", "start_app"], check=True, capture_output=True, timeout=120)
    return "RabbitMQ stopped and started"


def one_run(run: int, fault: str, args, base: Path, logs: Path, rng: random.Random) -> RunResult:
    amqp = fault == "broker"
    place = Installation(base, "full", args.amqp_url)
    filler = place.root / "filler" if fault == "disk" else None
    files = invoices(run, args.flows)
    sender = QUEUE_SENDER if amqp else FOLDER_SENDER
    result = RunResult(run, fault, len(files))
    started = time.monotonic()
    log = logs / f"run-{run:03d}.log"
    engine = Engine(place, amqp, log)
    try:
        dropper = threading.Thread(target=drop_steadily, args=(place, files, args.rate, amqp))
        dropper.start()
        moment = rng.randint(1, len(files) * 3 // 5)  # flows settled when the fault strikes
        _wait_until(lambda: place.reports(sender) >= moment, 120)
        result.notes.append(strike(fault, engine, place, sender, filler, rng))
        dropper.join()
        deadline = time.monotonic() + 300
        while place.reports(sender) < len(files) and time.monotonic() < deadline:
            if engine.process.poll() is not None:
                result.notes.append(f"engine exited ({engine.process.returncode}); restarted")
                engine.process = engine.start()
            time.sleep(0.1)
    finally:
        code = engine.stop()
    if code != 0:
        result.notes.append(f"graceful stop exited {code}")
    waited = log.read_text(errors="replace").count("cannot write this flow now")
    if waited:
        result.notes.append(f"{waited} flow write(s) refused and retried, each logged")
    result.seconds = round(time.monotonic() - started, 1)
    verify(place, files, sender, result)
    place.remove()
    return result


def verify(place: Installation, files: dict[str, bytes], sender: str, result: RunResult) -> None:
    outbox, root = place.root / "outbox", place.root
    pivots = Counter(p.name for p in outbox.glob("*/*.pivot.xml"))
    reports = Counter(p.name for p in (outbox / sender).glob("*.flux.statut.xml"))
    for name, content in files.items():
        flow_id = Flow(content, sender, name, datetime.now(timezone.utc)).id
        wanted_pivot = UNKNOWN_BUYER.encode() not in content
        report, pivot = reports.get(f"{flow_id}.flux.statut.xml", 0), pivots.get(f"{flow_id}-001.pivot.xml", 0)
        if report == 0 or (wanted_pivot and pivot == 0):
            result.lost += 1
        if report > 1 or pivot > 1 or (pivot and not wanted_pivot):
            result.duplicated += 1
    expected_pivots = sum(1 for c in files.values() if UNKNOWN_BUYER.encode() not in c)
    result.duplicated += max(0, sum(pivots.values()) - expected_pivots)
    result.half_written = sum(1 for p in root.rglob(".*.tmp") if p.is_file())
    inbox = root / "inbox"
    result.left_in_inbox = sum(1 for p in inbox.rglob("*") if p.is_file() and JOURNALS not in p.parts) if inbox.exists() else 0
    ledger = sqlite3.connect(root / "var" / "ledger.sqlite")
    for path, digest in ledger.execute("SELECT path, sha256 FROM outputs"):
        if not Path(path).is_file() or hashlib.sha256(Path(path).read_bytes()).hexdigest() != digest:
            result.ledger_mismatches += 1
    unsettled = ledger.execute("SELECT COUNT(*) FROM flows WHERE status = 'pending'").fetchone()[0]
    recorded = ledger.execute("SELECT COUNT(*) FROM flows").fetchone()[0]
    delivered = ledger.execute("SELECT COUNT(*) FROM invoices WHERE accepted = 1").fetchone()[0]
    ledger.close()
    result.ledger_mismatches += unsettled + abs(recorded - len(files)) + abs(delivered - sum(pivots.values()))


class Tmpfs:
    """A small tmpfs for the disk-full runs, mounted for the whole chaos run."""

    def __init__(self, base: Path):
        self.path = base / "small-disk"
        self.path.mkdir()
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={TMPFS_BYTES}", "tmpfs", str(self.path)],
                                 capture_output=True, text=True)
        self.ok = mounted.returncode == 0
        self.why = "" if self.ok else (mounted.stderr.strip() or "mount refused")

    def close(self) -> None:
        if self.ok:
            subprocess.run(["umount", str(self.path)], capture_output=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--flows", type=int, default=40, help="flows per run")
    parser.add_argument("--rate", type=float, default=40.0, help="flows dropped per second")
    parser.add_argument("--faults", default=",".join(FAULTS), help="faults to take in turn")
    parser.add_argument("--short", action="store_true", help="one run per fault (what CI runs)")
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--logs", type=Path, help="keep the engine's log of each run in this folder")
    parser.add_argument("--amqp-url", default=os.environ.get("FACTEUR_BENCH_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/%2F"))
    args = parser.parse_args()
    rng = random.Random(args.seed)
    if args.logs:
        args.logs.mkdir(parents=True, exist_ok=True)
    wanted = [f.strip() for f in args.faults.split(",") if f.strip()]
    unknown = set(wanted) - set(FAULTS)
    if unknown:
        parser.error(f"unknown fault(s) {', '.join(sorted(unknown))}; choose among {', '.join(FAULTS)}")
    skipped: dict[str, str] = {}
    if "broker" in wanted and not shutil.which("rabbitmqctl"):
        skipped["broker"] = "rabbitmqctl is not on this machine"
    results: list[RunResult] = []
    with tempfile.TemporaryDirectory(prefix="facteur-chaos-") as tmp:
        small = Tmpfs(Path(tmp)) if "disk" in wanted else None
        if small and not small.ok:
            skipped["disk"] = f"cannot mount a tmpfs ({small.why})"
        faults = [f for f in wanted if f not in skipped]
        runs = len(faults) if args.short else args.runs
        try:
            for run in range(runs):
                fault = faults[run % len(faults)]
                base = small.path if fault == "disk" and small else Path(tmp)
                result = one_run(run, fault, args, base, args.logs or Path(tmp), rng)
                results.append(result)
                if not args.json:
                    print(f"run {run:3d} {fault:6} {result.flows} flows {result.seconds:6.1f} s  lost {result.lost} "
                          f"duplicated {result.duplicated} half-written {result.half_written} left {result.left_in_inbox} "
                          f"ledger {result.ledger_mismatches}  {'; '.join(result.notes)}", flush=True)
        finally:
            if small:
                small.close()
    summary = {
        "machine": environment(),
        "runs": len(results),
        "faults": dict(Counter(r.fault for r in results)),
        "skipped_faults": skipped,
        "flows": sum(r.flows for r in results),
        "lost": sum(r.lost for r in results),
        "duplicated": sum(r.duplicated for r in results),
        "half_written": sum(r.half_written for r in results),
        "left_in_inbox": sum(r.left_in_inbox for r in results),
        "ledger_mismatches": sum(r.ledger_mismatches for r in results),
        "clean_runs": sum(r.clean for r in results),
    }
    if args.json:
        print(json.dumps({"summary": summary, "runs": [asdict(r) for r in results]}, indent=2))
    else:
        print(json.dumps(summary, indent=2))
    return 0 if summary["clean_runs"] == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
