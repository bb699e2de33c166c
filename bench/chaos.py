"""Chaos: a steady flow of invoices into a running engine while faults strike,
then the proof that nothing was lost, duplicated or contradicted.

    python bench/chaos.py [--runs 50] [--flows 40] [--rate 40] [--faults kill,lock,...] [--short] [--json]

Each run starts a real `facteur run` (or, for `statuses`, two `facteur worker`s)
on a fresh root, sends `--flows` invoices (one in ten for an unknown recipient,
so rejections are checked too) at `--rate` per second, and meets one fault,
the faults of `--faults` taken in turn:

- kill: SIGKILL to the engine and its workers, then a restart;
- lock: another process holds the SQLite ledger's write lock for 2 to 6 s;
- disk: the root is a small tmpfs, filled to the last byte for 3 s, then freed
  (needs root for the mount; skipped, and said so, otherwise);
- broker: RabbitMQ stopped and started while the flows come through the queue,
  on a private node of this run (bench/private_broker.py), never the shared one;
- workers: the engine's pool worker processes SIGKILLed while flows are in
  flight, three times, the engine settling flows again between two (as the
  kernel's out-of-memory killer does);
- copies: the same bytes sent under several names at once, twice in the folder
  and once on the queue, to an engine that also publishes the recipient's
  pivots on the outbound exchange (so a second publish is seen);
- names: file names of arbitrary bytes (invalid UTF-8, control characters,
  ESC, newlines, 250 bytes) in the folder, and name headers with NUL, ESC,
  `..` and 1 000 characters on the queue;
- statuses: two `facteur worker`s on a PostgreSQL ledger (a schema of its own
  per run) deliver invoices; the recipient then sends, for each, two final
  statuses that exclude each other (04 and 05, or 11 and 04) at the same moment.

After each run, bench/chaos_check.py checks every flow sent: exactly one
report to its sender, no pivot delivered or published twice, no invoice with two
conflicting final statuses, and the ledger agreeing with the reports and the
mailboxes; no temporary file is left and the inboxes are empty. Figures are
printed per fault. `--short` is the form CI runs (one run per fault).
"""

from __future__ import annotations

import argparse
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
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.chaos_check import Conflict, LedgerView, Sent, check, left_in_inbox  # noqa: E402
from bench.generate import Spec, make  # noqa: E402
from bench.latency import FOLDER_SENDER, QUEUE_SENDER, Installation, stop  # noqa: E402
from bench.private_broker import BrokerUnavailable, PrivateBroker  # noqa: E402
from bench.status_files import recipient_status  # noqa: E402
from bench.throughput import environment  # noqa: E402

FAULTS = ("kill", "lock", "disk", "broker", "workers", "copies", "names", "statuses")
UNKNOWN_BUYER = "12345678900017"
RECIPIENT = "VILLEDEM"
TMPFS_BYTES = 64 * 1024 * 1024
POOL_KILLS = 3
# Names a partner's SFTP or SMB client can create, and name headers any AMQP client can send.
BYTE_NAMES = (b"caf\xe9-\xff\xfe", b"ctrl-\x01\x02\x7f", b"esc-\x1b[31mrouge\x1b[0m", b"ligne\nsuivante",
              b"tab\tet espace ", "é".encode() * 100, b"L" * 230)
HEADER_NAMES = ("nul-\x00-fin", "esc-\x1b]0;titre\x07", "../../etc/passwd", "x" * 1000, "retour\r\nligne", "")


@dataclass
class RunResult:
    run: int
    fault: str
    flows: int = 0
    lost: int = 0
    duplicated: int = 0
    contradictions: int = 0
    half_written: int = 0
    left_in_inbox: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not (self.lost or self.duplicated or self.contradictions or self.half_written or self.left_in_inbox)

    def take(self, tally) -> None:
        for name in ("lost", "duplicated", "contradictions", "half_written", "left_in_inbox", "problems"):
            setattr(self, name, getattr(tally, name))


@dataclass
class Plan:
    """What a run sends, and how the engine is set up to take it."""

    groups: list[list[tuple[str, Sent]]]  # each group sent at once: (door, what), door "folder" or "queue"
    amqp: bool = False  # the engine consumes the inbound queue
    header: bool = False  # the sender travels in a header (sender_from = "header"), as `facteur watch` sends
    outbound: bool = False  # the recipient also takes its pivots from the outbound exchange

    @property
    def sent(self) -> list[Sent]:
        return [one for group in self.groups for _, one in group]

    def expected(self) -> Counter:
        """Flow-level reports due, per sender: one per distinct flow."""
        return Counter(sender for sender, _ in {(s.sender, s.flow_id) for s in self.sent})


def invoices(prefix: str, count: int, seed: int) -> list[tuple[str, bytes]]:
    made = []
    for index in range(count):
        buyer = UNKNOWN_BUYER if index % 10 == 9 else "21750001600019"
        spec = Spec(number=f"{prefix}-{index:04d}", lines=1 + index % 3, buyer_siret=buyer, seed=seed)
        made.append((f"{spec.number}.xml", make(("ubl", "cii")[index % 2], spec)))
    return made


def plan(fault: str, run: int, flows: int) -> Plan:
    made = invoices(f"CH{run:03d}", flows, run)

    def sent(sender: str, name, content: bytes) -> Sent:
        return Sent(sender, name, content, UNKNOWN_BUYER.encode() not in content)

    if fault == "broker":
        return Plan([[("queue", sent(QUEUE_SENDER, n, c))] for n, c in made], amqp=True)
    if fault == "copies":
        groups = [[("folder", sent(FOLDER_SENDER, n, c)), ("folder", sent(FOLDER_SENDER, f"copie-{n}", c)),
                   ("queue", sent(FOLDER_SENDER, f"file-{n}", c))] for n, c in made[: max(1, flows // 3)]]
        return Plan(groups, amqp=True, header=True, outbound=True)
    if fault == "names":
        groups = []
        for index, (name, content) in enumerate(made):
            suffix = f"-{run:03d}-{index:04d}.xml"
            if index % 2:
                groups.append([("queue", sent(FOLDER_SENDER, HEADER_NAMES[index // 2 % len(HEADER_NAMES)] + suffix, content))])
            else:
                groups.append([("folder", sent(FOLDER_SENDER, BYTE_NAMES[index // 2 % len(BYTE_NAMES)] + suffix.encode(), content))])
        return Plan(groups, amqp=True, header=True)
    return Plan([[("folder", sent(FOLDER_SENDER, n, c))] for n, c in made])


def configure(place: Installation, header: bool, outbound: bool) -> None:
    text = place.config.read_text()
    if header:
        text = text.replace('sender_from = "user_id"', 'sender_from = "header"')
    if outbound:
        text = text.replace('outbound_exchange = "facteur.outbound"', f'outbound_exchange = "{place.queue}.out"')
        text = text.replace("[delivery]", f'[delivery]\n{RECIPIENT} = "both"', 1)
    place.config.write_text(text)


class Courier:
    """Sends as partners do: a file written under a dot-name then renamed into
    its inbox (any bytes as its name), or a message on the inbound queue
    confirmed by the broker. A write the full disk refuses, or a publish the
    stopped broker refuses, is tried again, as a sender's upload would be."""

    def __init__(self, place: Installation, header: bool):
        self.place, self.header = place, header
        self.publisher = None

    def send(self, door: str, one: Sent) -> None:
        from facteur.adapters.errors import PublishFailed

        while True:
            try:
                self._drop(one) if door == "folder" else self._publish(one)
                return
            except (OSError, PublishFailed):
                time.sleep(0.2)

    def _drop(self, one: Sent) -> None:
        inbox = os.fsencode(self.place.root / "inbox" / one.sender)
        os.makedirs(inbox, exist_ok=True)
        name = one.name if isinstance(one.name, bytes) else one.name.encode()
        temporary = inbox + f"/.chaos-{uuid.uuid4().hex}.part".encode()
        with open(temporary, "wb") as handle:
            handle.write(one.content)
        os.rename(temporary, inbox + b"/" + name)

    def _publish(self, one: Sent) -> None:
        from facteur.adapters.amqp import AmqpSettings, InboundPublisher

        if self.publisher is None:
            settings = AmqpSettings(url=self.place.amqp_url, inbound_queue=self.place.queue,
                                    dead_letter_queue=f"{self.place.queue}.dead",
                                    sender_from="header" if self.header else "user_id")
            self.publisher = InboundPublisher(settings, "chaos")
        self.publisher.publish(one.name, one.content, one.sender if self.header else None)

    def send_steadily(self, groups: list[list[tuple[str, Sent]]], rate: float) -> None:
        start = time.monotonic()
        for index, group in enumerate(groups):
            pause = start + index / rate - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            for door, one in group:
                self.send(door, one)

    def close(self) -> None:
        if self.publisher is not None:
            self.publisher.close()


class OutboundQueue:
    """The recipient's queue on the outbound exchange: counts each pivot published."""

    def __init__(self, place: Installation):
        import pika

        self.url, self.exchange, self.name = place.amqp_url, f"{place.queue}.out", f"{place.queue}.{RECIPIENT}"
        connection = pika.BlockingConnection(pika.URLParameters(self.url))
        channel = connection.channel()
        channel.exchange_declare(self.exchange, exchange_type="direct", durable=True)
        channel.queue_declare(self.name, durable=True)
        channel.queue_bind(self.name, self.exchange, routing_key=RECIPIENT)
        connection.close()

    def drain(self) -> Counter:
        import pika

        names = Counter()
        connection = pika.BlockingConnection(pika.URLParameters(self.url))
        channel = connection.channel()
        while True:
            method, properties, _ = channel.basic_get(self.name, auto_ack=True)
            if method is None:
                break
            names[(properties.headers or {}).get("facteur-name", "")] += 1
        channel.queue_delete(self.name)
        channel.exchange_delete(self.exchange)
        connection.close()
        return names


class Engine:
    """`facteur run` on one installation, restartable, its log kept in a file
    (off the small disk, so that a full disk does not silence it)."""

    def __init__(self, place: Installation, amqp: bool, log: Path):
        self.place, self.amqp = place, amqp
        self.log = open(log, "ab")
        self.restarts = 0
        self.process = self.start()

    def start(self) -> subprocess.Popen:
        return self.place.start(workers=2, amqp=self.amqp, log=self.log)

    def kill_and_restart(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self.process = self.start()

    def alive(self) -> None:
        """Restarted if it exited, as its supervisor would."""
        if self.process.poll() is not None:
            self.restarts += 1
            self.process = self.start()

    def stop(self) -> int:
        stop(self.process)
        self.log.close()
        return self.process.returncode


def pool_workers(parent: int) -> list[int]:
    """The pool worker processes (multiprocessing spawn children) of a process."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat, command = (entry / "stat").read_text(), (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == parent and b"spawn_main" in command:
            found.append(int(entry.name))
    return found


def _wait_until(predicate, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def strike(fault: str, engine: Engine, place: Installation, filler: Path | None, broker: PrivateBroker | None,
           rng: random.Random, flows: int) -> str:
    """Inflict the fault while flows are settling; returns what was done, for the report."""
    if fault == "kill":
        engine.kill_and_restart()
        return "engine and workers killed with SIGKILL, restarted"
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
    if fault == "broker":
        broker.restart_app(2)
        return f"private RabbitMQ {broker.node} stopped 2 s and started"
    if fault == "workers":
        killed = []
        for _ in range(POOL_KILLS):
            if place.reports(FOLDER_SENDER) >= flows:
                break  # nothing left in flight to strike
            _wait_until(lambda: pool_workers(engine.process.pid), 15)
            pids = pool_workers(engine.process.pid)
            for pid in pids:
                os.kill(pid, signal.SIGKILL)
            killed.append(len(pids))
            # the engine gets going again before the next death, as between two strikes of an out-of-memory killer
            wanted = min(place.reports(FOLDER_SENDER) + 1, flows)
            _wait_until(lambda: place.reports(FOLDER_SENDER) >= wanted, 15)
            time.sleep(rng.uniform(0.1, 0.4))
        return (f"pool workers SIGKILLed in {len(killed)} round(s) ({' + '.join(map(str, killed))} processes), "
                "flows settling again between rounds")
    return "the input itself is the fault"


def settle(done, alive, total: int, stall: float) -> str | None:
    """Waits until `done()` reaches `total`, calling `alive()` meanwhile; gives
    up after `stall` seconds without progress, saying so."""
    last, since = -1, time.monotonic()
    while (now := done()) < total:
        alive()
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since > stall:
            return f"gave up: {total - now} report(s) still missing after {stall:.0f} s without progress"
        time.sleep(0.1)
    return None


def one_run(run: int, fault: str, args, base: Path, logs: Path, rng: random.Random,
            broker: PrivateBroker | None) -> RunResult:
    what = plan(fault, run, args.flows)
    place = Installation(base, "full", broker.url if fault == "broker" else args.amqp_url)
    configure(place, what.header, what.outbound)
    outbound = OutboundQueue(place) if what.outbound else None
    filler = place.root / "filler" if fault == "disk" else None
    due = what.expected()
    result = RunResult(run, fault, sum(due.values()))
    started = time.monotonic()
    log = logs / f"run-{run:03d}.log"
    engine = Engine(place, what.amqp, log)
    courier = Courier(place, what.header)
    try:
        sender = threading.Thread(target=courier.send_steadily, args=(what.groups, args.rate))
        sender.start()
        if fault in ("kill", "lock", "disk", "broker", "workers"):
            # flows settled when the fault strikes; early for the pool kills, so that each round finds flows in flight
            latest = result.flows // 5 if fault == "workers" else result.flows * 3 // 5
            moment = rng.randint(1, max(1, latest))
            _wait_until(lambda: sum(place.reports(s) for s in due) >= moment, 120)
            result.notes.append(strike(fault, engine, place, filler, broker, rng, result.flows))
        sender.join()
        gave_up = settle(lambda: sum(place.reports(s) for s in due), engine.alive, result.flows, args.stall)
        result.notes += [gave_up] if gave_up else []
        # copies of a settled flow may still wait for their inbox's quiet window: taken, they are repeats
        _wait_until(lambda: not left_in_inbox(place.root), args.stall)
    finally:
        courier.close()
        code = engine.stop()
    if engine.restarts:
        result.notes.append(f"engine exited {engine.restarts} time(s) by itself; restarted each time")
    if code != 0:
        result.notes.append(f"graceful stop exited {code}")
    waited = log.read_text(errors="replace").count("cannot write this flow now")
    if waited:
        result.notes.append(f"{waited} flow write(s) refused and retried, each logged")
    result.seconds = round(time.monotonic() - started, 1)
    result.take(check(place.root, what.sent, LedgerView(place.root), outbound.drain() if outbound else None))
    place.remove()
    return result


class PgSchemas:
    """A PostgreSQL database for this chaos run, a fresh schema per run; dropped at the end."""

    def __init__(self, url: str):
        import psycopg

        self.admin = psycopg.connect(url, autocommit=True, connect_timeout=5)
        self.name = f"facteur_chaos_{uuid.uuid4().hex[:10]}"
        self.admin.execute(f'CREATE DATABASE "{self.name}"')
        self.url = url.rsplit("/", 1)[0] + "/" + self.name

    def schema(self) -> str:
        from urllib.parse import quote

        import psycopg

        schema = f"run_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(self.url, autocommit=True) as connection:
            connection.execute(f'CREATE SCHEMA "{schema}"')
        return f"{self.url}?options={quote(f'-csearch_path={schema}')}"

    def close(self) -> None:
        self.admin.execute(f'DROP DATABASE "{self.name}" WITH (FORCE)')
        self.admin.close()


def at(seconds: int) -> datetime:
    """A moment just after now, to the second, as recipients' systems write them."""
    return datetime.now().astimezone().replace(microsecond=0) + timedelta(seconds=seconds)


def statuses_run(run: int, args, base: Path, logs: Path, pg: PgSchemas) -> RunResult:
    """Invoices delivered by two `facteur worker`s, acknowledged (03), half of
    them certified done (07); then for each, two final statuses at once."""
    place = Installation(base, "full", args.amqp_url)
    configure(place, header=True, outbound=False)
    url = pg.schema()
    count = max(2, args.flows // 4)
    made = invoices(f"ST{run:03d}", count, run)
    made = [(name, content) for name, content in made if UNKNOWN_BUYER.encode() not in content]
    delivered = [Sent(FOLDER_SENDER, name, content, True) for name, content in made]
    numbers = [name.removesuffix(".xml") for name, _ in made]
    half = len(numbers) // 2
    ack = Sent(RECIPIENT, "ack.xml", recipient_status(RECIPIENT, flows=[("92", at(1), s.flow_id, "") for s in delivered]), False)
    done = Sent(RECIPIENT, "done.xml", recipient_status(RECIPIENT, invoices=[("07", at(2), n, None, "") for n in numbers[half:]]), False)
    conflicts = [Conflict(n, ("04", "05") if i < half else ("11", "04")) for i, n in enumerate(numbers)]
    result = RunResult(run, "statuses", len(delivered) + 2 + 2 * len(conflicts))
    started = time.monotonic()
    env = {**os.environ, "FACTEUR_LOG_LEVEL": "warning", "FACTEUR_LEDGER_URL": url}
    log = open(logs / f"run-{run:03d}.log", "ab")
    command = [sys.executable, "-m", "facteur.adapters.cli", "worker", "--root", str(place.root), "--config", str(place.config)]
    workers = [subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=log, start_new_session=True)
               for _ in range(2)]
    courier = Courier(place, header=True)
    sent = [*delivered, ack, done]
    try:
        steps = [(delivered, FOLDER_SENDER, len(delivered)), ([ack], RECIPIENT, 1), ([done], RECIPIENT, 2)]
        pairs = []
        for conflict in conflicts:
            pairs += [Sent(RECIPIENT, f"{conflict.invoice}-{code}.xml", recipient_status(
                RECIPIENT, invoices=[(code, at(3), conflict.invoice, None, "montant erroné" if code != "11" else "")]), False)
                for code in conflict.codes]
        steps.append((pairs, RECIPIENT, 2 + len(pairs)))
        sent += pairs
        for batch, who, total in steps:
            for one in batch:
                courier.send("queue", one)
            gave_up = settle(lambda: place.reports(who), lambda: None, total, args.stall)
            if gave_up:
                result.notes.append(f"{who}: {gave_up}")
                break
    finally:
        courier.close()
        for worker in workers:
            stop(worker)
        log.close()
    exits = [w.returncode for w in workers if w.returncode != 0]
    if exits:
        result.notes.append(f"worker(s) exited {exits} at the graceful stop")
    result.notes.append(f"{len(conflicts)} invoices, each sent two final statuses at once to 2 workers")
    result.seconds = round(time.monotonic() - started, 1)
    result.take(check(place.root, sent, LedgerView(place.root, url), conflicts=conflicts))
    place.remove()
    return result


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


def per_fault(results: list[RunResult]) -> dict[str, dict[str, int]]:
    figures: dict[str, dict[str, int]] = {}
    for r in results:
        line = figures.setdefault(r.fault, Counter())
        line.update({"runs": 1, "flows": r.flows, "lost": r.lost, "duplicated": r.duplicated,
                     "contradictions": r.contradictions, "half_written": r.half_written,
                     "left_in_inbox": r.left_in_inbox, "clean_runs": int(r.clean)})
    return {fault: dict(line) for fault, line in figures.items()}


def table(figures: dict[str, dict[str, int]]) -> str:
    columns = ("runs", "flows", "lost", "duplicated", "contradictions", "half_written", "left_in_inbox", "clean_runs")
    lines = [f"{'fault':10}" + "".join(f"{c:>15}" for c in columns)]
    lines += [f"{fault:10}" + "".join(f"{line[c]:>15}" for c in columns) for fault, line in figures.items()]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--flows", type=int, default=40, help="flows per run")
    parser.add_argument("--rate", type=float, default=40.0, help="flows sent per second")
    parser.add_argument("--faults", default=",".join(FAULTS), help="faults to take in turn (comma-separated)")
    parser.add_argument("--short", action="store_true", help="one run per fault (what CI runs)")
    parser.add_argument("--stall", type=float, default=60.0, help="seconds without progress before a run gives up")
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--logs", type=Path, help="keep the engine's log of each run in this folder")
    parser.add_argument("--amqp-url", default=os.environ.get("FACTEUR_BENCH_AMQP_URL", "amqp://guest:guest@127.0.0.1:5672/%2F"))
    parser.add_argument("--pg-url", default=os.environ.get("FACTEUR_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"))
    args = parser.parse_args()
    rng = random.Random(args.seed)
    if args.logs:
        args.logs.mkdir(parents=True, exist_ok=True)
    wanted = [f.strip() for f in args.faults.split(",") if f.strip()]
    unknown = set(wanted) - set(FAULTS)
    if unknown:
        parser.error(f"unknown fault(s) {', '.join(sorted(unknown))}; choose among {', '.join(FAULTS)}")
    results: list[RunResult] = []
    skipped: dict[str, str] = {}
    broker = pg = starting = None
    with tempfile.TemporaryDirectory(prefix="facteur-chaos-") as tmp:
        small = Tmpfs(Path(tmp)) if "disk" in wanted else None
        if small and not small.ok:
            skipped["disk"] = f"cannot mount a tmpfs ({small.why})"
        faults = [f for f in wanted if f not in skipped]
        try:
            if "broker" in faults:  # it starts while the first runs go on
                broker = PrivateBroker()
                starting = ThreadPoolExecutor(1).submit(broker.start)
            pg = PgSchemas(args.pg_url) if "statuses" in faults else None
            for run in range(len(faults) if args.short else args.runs):
                fault = faults[run % len(faults)]
                logs = args.logs or Path(tmp)
                if fault == "broker" and starting is not None:
                    starting.result()  # raises if the node could not start
                    starting = None
                    print(f"private RabbitMQ {broker.node} on port {broker.port}: started in "
                          f"{broker.seconds_to_start:.1f} s", file=sys.stderr, flush=True)
                if fault == "statuses":
                    result = statuses_run(run, args, Path(tmp), logs, pg)
                else:
                    base = small.path if fault == "disk" and small else Path(tmp)
                    result = one_run(run, fault, args, base, logs, rng, broker)
                results.append(result)
                if not args.json:
                    print(f"run {run:3d} {fault:8} {result.flows:3d} flows {result.seconds:6.1f} s  lost {result.lost} "
                          f"duplicated {result.duplicated} contradictions {result.contradictions} "
                          f"half-written {result.half_written} left {result.left_in_inbox}  {'; '.join(result.notes)}",
                          flush=True)
                    for problem in result.problems:
                        print(f"        {problem}", flush=True)
        except BrokerUnavailable as err:
            print(f"chaos: {err}", file=sys.stderr)
            return 2
        finally:
            for resource in (small, broker, pg):
                if resource:
                    resource.close()
    summary = {
        "machine": environment(),
        "runs": len(results),
        "faults": per_fault(results),
        "skipped_faults": skipped,
        "flows": sum(r.flows for r in results),
        "lost": sum(r.lost for r in results),
        "duplicated": sum(r.duplicated for r in results),
        "contradictions": sum(r.contradictions for r in results),
        "half_written": sum(r.half_written for r in results),
        "left_in_inbox": sum(r.left_in_inbox for r in results),
        "clean_runs": sum(r.clean for r in results),
    }
    if args.json:
        print(json.dumps({"summary": summary, "runs": [asdict(r) for r in results]}, indent=2))
    else:
        print(table(summary["faults"]))
        print(json.dumps(summary, indent=2))
    return 0 if summary["clean_runs"] == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
