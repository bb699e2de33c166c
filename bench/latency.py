"""Live intake figures of `facteur run`: drop-to-pivot latency at a steady rate
through the watched folders, and throughput through RabbitMQ next to the
embedded (folder) throughput measured in the same run.

    python bench/latency.py [--rate 100] [--seconds 20] [--batch 600] [--lines 1-20]
                            [--validation xsd,full] [--amqp-url URL]

Each measurement starts a real `facteur run` process on a fresh root (its own
configuration, ledger, mailboxes and, for the queue, its own queue on the
broker), warms it up, then:

- latency: a dropper writes distinct invoices into `inbox/DEMO01/` at `--rate`
  per second for `--seconds` (write to a dot-file, rename into place, as a
  well-behaved sender does). Latency is the pivot's rename time (its inode
  ctime, set when the atomic write renames it into the outbox) minus the
  moment the invoice was renamed into the inbox.
- throughput: `--batch` invoices dropped at once into the inbox (embedded), or
  published at once to the inbound queue (RabbitMQ), with 1 and 2 worker
  processes; the clock runs from the first drop or publish to the last
  flow-level report.

Each run's root stays until the script ends, when its temporary folder goes:
on a file system without a journal (this machine's ext4 has none), creating a
file within a minute of many deletions scans the inodes they freed, and a tree
removed between runs doubled the next run's kernel time.

Figures, not assertions: the machine is printed with them.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.generate import Spec, make  # noqa: E402
from bench.throughput import environment  # noqa: E402
from facteur.engine.model import Flow

FOLDER_SENDER = "DEMO01"
QUEUE_SENDER = "guest"  # sender_from = "user_id": the broker-validated AMQP user


class Installation:
    """A fresh root with its own configuration and, on the broker, its own queue."""

    def __init__(self, base: Path, validation: str, amqp_url: str):
        self.root = base / uuid.uuid4().hex[:8]
        self.queue = f"facteur.bench.{self.root.name}"
        self.amqp_url = amqp_url
        config_dir = self.root / "config"
        config_dir.mkdir(parents=True)
        text = (REPO / "config" / "facteur.toml").read_text()
        text = text.replace("schematron = true", f"schematron = {'true' if validation == 'full' else 'false'}")
        text = text.replace('[amqp]\nurl = ""', f'[amqp]\nurl = "{amqp_url}"')
        text = text.replace('inbound_queue = "facteur.inbound"', f'inbound_queue = "{self.queue}"')
        text = text.replace("[amqp]\n", f'[amqp]\ndead_letter_queue = "{self.queue}.dead"\n', 1)
        self.config = config_dir / "facteur.toml"
        self.config.write_text(text)
        directory = (REPO / "config" / "directory.toml").read_text()
        directory += f'\n[[sender]]\nid = "{QUEUE_SENDER}"\nname = "AMQP bench user"\nsuppliers = ["*"]\n'
        (config_dir / "directory.toml").write_text(directory)

    def start(self, workers: int, amqp: bool, log=subprocess.PIPE) -> subprocess.Popen:
        command = [sys.executable, "-m", "facteur.adapters.cli", "run", "--root", str(self.root),
                   "--config", str(self.config), "--workers", str(workers)]
        return subprocess.Popen(
            command + ([] if amqp else ["--no-amqp"]),
            cwd=REPO,
            env={**os.environ, "FACTEUR_LOG_LEVEL": "warning"},
            stdout=subprocess.DEVNULL,
            stderr=log,
            start_new_session=True,
        )

    def reports(self, sender: str) -> int:
        folder = self.root / "outbox" / sender
        return len(list(folder.glob("*.flux.statut.xml"))) if folder.exists() else 0

    def drop(self, name: str, content: bytes) -> float:
        inbox = self.root / "inbox" / FOLDER_SENDER
        inbox.mkdir(parents=True, exist_ok=True)
        temporary = inbox / f".{name}.part"
        temporary.write_bytes(content)
        temporary.rename(inbox / name)
        return time.time()

    def publish(self, invoices: dict[str, bytes]) -> None:
        from facteur.adapters.amqp import AmqpSettings, submit

        folder = self.root / "to-send"
        folder.mkdir(exist_ok=True)
        paths = []
        for name, content in invoices.items():
            (folder / name).write_bytes(content)
            paths.append(folder / name)
        submit(AmqpSettings(url=self.amqp_url, inbound_queue=self.queue, dead_letter_queue=f"{self.queue}.dead"),
               paths, None)

    def remove(self) -> None:
        """Its queues and exchange on the broker; the root stays until the script ends (see above)."""
        import pika

        try:
            connection = pika.BlockingConnection(pika.URLParameters(self.amqp_url))
        except pika.exceptions.AMQPError:
            return
        channel = connection.channel()
        for name in (self.queue, f"{self.queue}.dead"):
            channel.queue_delete(name)
        channel.exchange_delete(f"{self.queue}.dead")
        connection.close()


def invoices(prefix: str, count: int, lines: tuple[int, int]) -> dict[str, bytes]:
    """Distinct valid invoices for the demo town hall, UBL and CII alternately."""
    rng = random.Random(prefix)
    made = {}
    for index in range(count):
        syntax = ("ubl", "cii")[index % 2]
        spec = Spec(number=f"{prefix}-{index:06d}", lines=rng.randint(*lines), seed=7)
        made[f"{spec.number}.{syntax}.xml"] = make(syntax, spec)
    return made


def wait_for(predicate, timeout: float, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if process.poll() is not None:
            raise SystemExit(f"facteur run stopped early: {process.stderr.read().decode()[-2000:]}")
        if time.monotonic() > deadline:
            raise SystemExit(f"not settled within {timeout:.0f} s")
        time.sleep(0.02)


def stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=120)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


def warm_up(place: Installation, process: subprocess.Popen, workers: int, lines) -> None:
    """Enough flows for every worker to start and compile its rule sets."""
    batch = invoices(f"WARM{uuid.uuid4().hex[:6]}", 4 * workers, lines)
    for name, content in batch.items():
        place.drop(name, content)
    wait_for(lambda: place.reports(FOLDER_SENDER) >= len(batch), 300, process)


def latency(base: Path, validation: str, args, lines) -> None:
    place = Installation(base, validation, args.amqp_url)
    process = place.start(workers=os.cpu_count() or 1, amqp=False)
    try:
        warm_up(place, process, os.cpu_count() or 1, lines)
        already = place.reports(FOLDER_SENDER)
        batch = invoices(f"LAT{validation}", int(args.rate * args.seconds), lines)
        dropped: dict[str, float] = {}
        start = time.time()
        for index, (name, content) in enumerate(batch.items()):
            pause = start + index / args.rate - time.time()
            if pause > 0:
                time.sleep(pause)
            dropped[name] = place.drop(name, content)
        offered = len(batch) / (time.time() - start)
        wait_for(lambda: place.reports(FOLDER_SENDER) >= already + len(batch), 1800, process)
        delays = sorted(_pivot_time(place.root, name, content) - dropped[name] for name, content in batch.items())
    finally:
        stop(process)
        place.remove()
    print(
        f"  {validation:4} validation, {os.cpu_count()} workers: offered {offered:.1f}/s for {args.seconds} s "
        f"({len(batch)} invoices) -> drop to pivot p50 {_ms(delays, 0.50)} ms, p90 {_ms(delays, 0.90)} ms, "
        f"p99 {_ms(delays, 0.99)} ms, max {delays[-1] * 1000:.0f} ms"
    )


def _pivot_time(root: Path, name: str, content: bytes) -> float:
    flow_id = Flow(content, FOLDER_SENDER, name, datetime.now(timezone.utc)).id
    (pivot,) = (root / "outbox").glob(f"*/{flow_id}-001.pivot.xml")
    return pivot.stat().st_ctime_ns / 1e9


def _ms(sorted_values: list[float], quantile: float) -> str:
    index = min(len(sorted_values) - 1, max(0, round(quantile * len(sorted_values)) - 1))
    return f"{sorted_values[index] * 1000:.0f}"


def throughput(base: Path, validation: str, workers: int, amqp: bool, args, lines) -> float:
    place = Installation(base, validation, args.amqp_url)
    process = place.start(workers=workers, amqp=amqp)
    sender = QUEUE_SENDER if amqp else FOLDER_SENDER
    try:
        warm_up(place, process, workers, lines)
        already = place.reports(sender)
        batch = invoices(f"TP{validation}{workers}{int(amqp)}", args.batch, lines)
        start = time.perf_counter()
        if amqp:
            threading.Thread(target=place.publish, args=(batch,), daemon=True).start()
        else:
            for name, content in batch.items():
                place.drop(name, content)
        wait_for(lambda: place.reports(sender) >= already + len(batch), 1800, process)
        elapsed = time.perf_counter() - start
    finally:
        stop(process)
        place.remove()
    return len(batch) / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=100.0, help="invoices dropped per second, for latency")
    parser.add_argument("--seconds", type=float, default=20.0, help="how long the steady drop lasts")
    parser.add_argument("--batch", type=int, default=600, help="invoices per throughput run")
    parser.add_argument("--lines", default="1-20", help="invoice lines, drawn uniformly from this range")
    parser.add_argument("--validation", default="xsd,full", help="xsd, full, or both (comma-separated)")
    parser.add_argument("--amqp-url", default=os.environ.get("FACTEUR_BENCH_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/%2F"))
    args = parser.parse_args()
    lines = tuple(int(x) for x in args.lines.split("-"))
    modes = [m.strip() for m in args.validation.split(",") if m.strip()]
    print(f"machine: {environment()}")
    print(f"invoices: UBL and CII alternately, {lines[0]}-{lines[1]} lines; durable writes; facteur run as a real process")
    with tempfile.TemporaryDirectory(prefix="facteur-latency-") as tmp:
        base = Path(tmp)
        print("\n== drop to pivot through the watched folders")
        for validation in modes:
            latency(base, validation, args, lines)
        print(f"\n== throughput, {args.batch} invoices per run: RabbitMQ queue vs embedded folders")
        for validation in modes:
            for workers in (1, 2):
                embedded = throughput(base, validation, workers, False, args, lines)
                queued = throughput(base, validation, workers, True, args, lines)
                print(
                    f"  {validation:4} validation, {workers} worker(s): embedded {embedded:6.1f}/s, "
                    f"RabbitMQ {queued:6.1f}/s -> {100 * queued / embedded:.0f} % of embedded"
                )


if __name__ == "__main__":
    main()
