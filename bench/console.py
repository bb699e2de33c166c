"""How fast the console's reads answer on a big ledger: the dashboard, a
search and a flow's detail, with a million flows, on SQLite and PostgreSQL.

    nice python bench/console.py [--flows 1000000] [--backends sqlite,postgresql] [--repeat 40]
                                 [--pg-url postgresql://postgres@127.0.0.1:5432/postgres]

The ledger is filled in bulk, not through the pipeline (a million flows would
take hours to process): rows shaped as the runner writes them (a flow, its
invoice, its findings, two timeline events), spread over the year before now, 82 % integrated,
14 % rejected with one or two blocking findings, 3 % partly integrated, a few
pending; the invoices of the last two days wait for their acknowledgment (02),
older ones are made available (03) or, past 30 days, mostly paid (11), a few
still running past their delay (10). The ledger's own indexes are dropped
while loading and made again after, by their statements of
adapters/sql_ledger.py, and the dashboard's tallies filled from the rows by
the statements of the migration that fills them (`FILL_TALLIES`). PostgreSQL gets a database of its own on the given
server, dropped at the end, and is vacuumed and analysed as its autovacuum
would; SQLite is left as a real ledger is, without ANALYZE.

Then each read is timed `--repeat` times through the operations of
engine/operations/ (what the console calls): `dashboard`, `measure` (what a
scrape of /metrics reads), `list_flows` with
several filters (the first page, 50 flows), and `show_flow` of flows drawn at
random; then the console's pages of the same (the dashboard, three searches,
a flow's page) are timed as HTTP GETs of a logged-in user, from the console's
application served by uvicorn in a thread of this process, over one
keep-alive connection: what a browser waits for, rendering and a hub per
request included. The p50 and p95 of each are printed with the machine.
Figures, not assertions.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import statistics
import sys
import tempfile
import threading
import time
import uuid
from contextlib import closing
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Callable, Iterator
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.throughput import environment  # noqa: E402
from facteur.adapters import configuration  # noqa: E402
from facteur.adapters.sql_ledger import FILL_TALLIES, KEY_SEPARATOR, OUTBOX, TABLES  # noqa: E402
from facteur.adapters.wiring import Wired  # noqa: E402
from facteur.engine import operations  # noqa: E402
from facteur.engine.operations import FlowFilter  # noqa: E402

NOW = datetime.now(timezone.utc).replace(microsecond=0)  # the console's pages read the real clock: rows end now
CHUNK = 50_000
PASSWORD = "bench-console-password"
SENDERS = [f"PART{n:02d}" for n in range(1, 20)] + ["DEMO01"]
BUYERS = [  # the demo directory's structures, and their mailboxes
    ("21750001600019", "Ville de Démo", "VILLEDEM"), ("11000201100044", "Ministère de la Démonstration", "MINDEMO"),
    ("26750045200011", "Centre hospitalier de Démo", "CHDEMO"), ("20005372300017", "Communauté de communes", "CCDEMO"),
]
CODES = ["FCT-RECIPIENT-UNKNOWN", "FCT-DUPLICATE-INVOICE", "BR-CO-15", "BR-16", "FCT-SERVICE-REQUIRED",
         "FCT-ENGAGEMENT-REQUIRED", "BR-FR-01", "XSD", "FCT-SENDER-SUPPLIER", "BR-CO-10"]
SYNTAXES = ["IN_DP_E1_UBL_INVOICE", "IN_DP_E1_CII_16B", "IN_DP_E2_CII_FACTURX"]
INDEX = re.compile(r"CREATE (?:UNIQUE )?INDEX IF NOT EXISTS (\w+) .*?;", re.S)

FLOW_COLUMNS = ("id", "sender", "name", "source", "size", "sha256", "archive", "received_at", "status", "processed_at",
                "rules_version", "documents", "accepted", "attempt", "lone_runs")
INVOICE_COLUMNS = ("flow_id", "idx", "document", "syntax", "accepted", "number", "issue_date", "supplier",
                   "supplier_name", "buyer", "buyer_name", "mailbox", "currency", "total_without_vat", "total_with_vat",
                   "amount_due", "dup_key", "state", "dgp_start", "dgp_rule", "number_key")
FINDING_COLUMNS = ("flow_id", "idx", "document", "code", "severity", "message", "location", "layer")
EVENT_COLUMNS = ("flow_id", "idx", "code", "label", "at")


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="microseconds")


def generated(count: int) -> Iterator[tuple[list, list, list, list]]:
    """The rows of `count` flows, newest first, by chunks: flows, invoices, findings, events."""
    span = 365 * 86400 / count
    flows, invoices, findings, events = [], [], [], []
    for i in range(count):
        mix = (i * 2654435761) % 100
        received = NOW - timedelta(seconds=i * span + 1)
        status = "pending" if i % 200_000 == 7 else "90" if mix < 82 else "93" if mix < 96 else (
            "96" if mix < 99 else "90")
        flow_id = f"{(i * 0x9E3779B97F4A7C15) % (1 << 96):024x}"
        sender = SENDERS[(i * 7) % len(SENDERS)]
        accepted = status in ("90", "96")
        done = status != "pending"
        processed = _iso(received + timedelta(seconds=2)) if done else None
        flows.append((flow_id, sender, f"facture-{i}.xml", "bench", 4000 + i % 3000, f"{i:064x}",
                      f"archive/{flow_id}", _iso(received), status, processed,
                      "bench-1" if done else None, 1 if done else None, int(accepted) if done else None, 0, 0))
        events.append((flow_id, None, "received", f"received from {sender} via bench", _iso(received)))
        if not done:
            continue
        events.append((flow_id, None, status, "bench", _iso(received + timedelta(seconds=2))))
        supplier = f"356{(i * 31) % 2000:011d}"
        buyer, buyer_name, mailbox = BUYERS[(i * 13) % len(BUYERS)]
        number = f"F{i:08d}"
        age = NOW - received
        state = dgp_start = dgp_rule = None
        if accepted:
            state = "02" if age < timedelta(days=2) else "03" if age < timedelta(days=30) else (
                "11" if mix % 25 else "10")
            if state != "02":
                dgp_start, dgp_rule = _iso(received + timedelta(days=1)), "edi-acknowledgment"
        invoices.append((flow_id, 1, f"facture-{i}.xml", SYNTAXES[i % 3], int(accepted), number,
                         (received.date() - timedelta(days=3)).isoformat(), supplier, "Fournisseur", buyer, buyer_name,
                         mailbox, "EUR", "100.00", "120.00", "120.00",
                         KEY_SEPARATOR.join((supplier, number.casefold(), str(received.year))) if accepted else None,
                         state, dgp_start, dgp_rule, number.casefold()))
        if status == "93":
            for code in {CODES[i % len(CODES)], CODES[(i // 7) % len(CODES)]}:
                findings.append((flow_id, 1, f"facture-{i}.xml", code, "blocking", f"{code} : valeur refusée", "/", "hub"))
        elif i % 5 == 0:
            findings.append((flow_id, 1, f"facture-{i}.xml", "BR-CO-26", "warning", "avertissement", "/", "schematron"))
        if len(flows) >= CHUNK:
            yield flows, invoices, findings, events
            flows, invoices, findings, events = [], [], [], []
    yield flows, invoices, findings, events


def index_statements() -> list[tuple[str, str]]:
    """The ledger's indexes, by name, with the statement that makes each."""
    return [(match.group(1), match.group(0)) for match in INDEX.finditer(TABLES + OUTBOX)]


def fill_sqlite(path: Path, count: int) -> None:
    from facteur.adapters.sqlite_ledger import SqliteLedger

    SqliteLedger(path).close()  # the schema, as facteur makes it
    import sqlite3

    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA synchronous=OFF")
    for name, _ in index_statements():
        db.execute(f"DROP INDEX IF EXISTS {name}")
    db.execute("BEGIN")
    for flows, invoices, findings, events in generated(count):
        for table, columns, rows in (("flows", FLOW_COLUMNS, flows), ("invoices", INVOICE_COLUMNS, invoices),
                                     ("findings", FINDING_COLUMNS, findings), ("events", EVENT_COLUMNS, events)):
            db.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})", rows)
    db.execute("COMMIT")
    for _, statement in index_statements():
        db.execute(statement)
    db.executescript(f"BEGIN;{FILL_TALLIES}COMMIT;")  # the dashboard's tallies, as the migration fills them
    db.close()


def fill_postgresql(url: str, count: int) -> None:
    import psycopg

    from facteur.adapters.pg_ledger import PgLedger

    PgLedger(url).close()
    with psycopg.connect(url, autocommit=True) as db:
        for name, _ in index_statements():
            db.execute(f"DROP INDEX IF EXISTS {name}")
        with db.transaction(), db.cursor() as cursor:
            for flows, invoices, findings, events in generated(count):
                for table, columns, rows in (("flows", FLOW_COLUMNS, flows), ("invoices", INVOICE_COLUMNS, invoices),
                                             ("findings", FINDING_COLUMNS, findings),
                                             ("events", EVENT_COLUMNS, events)):
                    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                        for row in rows:
                            copy.write_row(row)
        for _, statement in index_statements():
            db.execute(statement)
        db.execute(FILL_TALLIES)  # the dashboard's tallies, as the migration fills them
        db.execute("VACUUM ANALYZE")


def timed(work: Callable[[], object], repeat: int) -> tuple[float, float]:
    """p50 and p95 of `work`, in milliseconds, after one run to warm caches."""
    work()
    spent = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        spent.append((time.perf_counter() - started) * 1000)
    return statistics.median(spent), statistics.quantiles(spent, n=20)[18]


def measure(hub: Wired, count: int, repeat: int) -> list[tuple[str, float, float]]:
    rng = random.Random(7)
    ids = [f"{(i * 0x9E3779B97F4A7C15) % (1 << 96):024x}" for i in rng.sample(range(count), repeat + 1)]
    picks = iter(ids * 2)
    month_ago, week_ago = NOW.date() - timedelta(days=30), NOW.date() - timedelta(days=7)
    searches = {
        "search: first page, no filter": FlowFilter(),
        "search: rejected, one sender, last 30 days": FlowFilter(status="rejected", sender="PART03", since=month_ago),
        "search: finding code, last 7 days": FlowFilter(code="BR-16", since=week_ago),
        "search: invoice number": FlowFilter(number=f"F{count // 3:08d}"),
        "search: supplier, date range": FlowFilter(supplier="35600000000062", since=month_ago, until=NOW.date()),
        "search: recipient, integrated": FlowFilter(recipient="CHDEMO", status="integrated"),
    }
    figures = [("dashboard", *timed(lambda: operations.dashboard(hub), repeat)),
               ("metrics (measure, what /metrics reads)", *timed(lambda: operations.measure(hub), repeat))]
    for label, chosen in searches.items():
        figures.append((label, *timed(lambda chosen=chosen: operations.list_flows(hub, chosen), repeat)))
    figures.append(("flow detail (show_flow)", *timed(lambda: operations.show_flow(hub.ledger, next(picks)), repeat)))
    return figures


class Console:
    """The console's application served by uvicorn in a thread, and a user
    logged in to it over one connection."""

    def __init__(self, config, port: int = 18_080):
        import uvicorn

        from facteur.adapters.web.app import create_app

        with closing(Wired(config)) as hub:
            operations.add_user(hub, "bench", PASSWORD, "viewer", "")
        self.server = uvicorn.Server(uvicorn.Config(create_app(config), host="127.0.0.1", port=port,
                                                    log_level="warning", lifespan="off", access_log=False))
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        while not self.server.started:
            if not self.thread.is_alive():
                raise SystemExit(f"the console could not listen on 127.0.0.1:{port}")
            time.sleep(0.05)
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.connection.request("POST", "/connexion", urlencode({"utilisateur": "bench", "mot_de_passe": PASSWORD}),
                                {"Content-Type": "application/x-www-form-urlencoded"})
        answer = self.connection.getresponse()
        answer.read()
        self.cookie = answer.getheader("Set-Cookie", "").split(";")[0]
        if answer.status != 303 or not self.cookie:
            raise SystemExit(f"the bench user could not log in to the console: HTTP {answer.status}")
        deadline = time.monotonic() + 300
        while self.status("/readyz") != 200 and time.monotonic() < deadline:  # its rule sets loaded: the CPU is ours
            time.sleep(0.5)

    def status(self, path: str) -> int:
        self.connection.request("GET", path, headers={"Cookie": self.cookie})
        answer = self.connection.getresponse()
        answer.read()
        return answer.status

    def get(self, path: str) -> None:
        status = self.status(path)
        if status != 200:
            raise SystemExit(f"GET {path}: HTTP {status}")

    def close(self) -> None:
        self.connection.close()
        self.server.should_exit = True
        self.thread.join(10)


def measure_pages(config, count: int, repeat: int) -> list[tuple[str, float, float]]:
    rng = random.Random(11)
    picks = iter([f"{(i * 0x9E3779B97F4A7C15) % (1 << 96):024x}" for i in rng.sample(range(count), repeat + 1)] * 2)
    month_ago, week_ago = NOW.date() - timedelta(days=30), NOW.date() - timedelta(days=7)
    pages = {
        "page: dashboard (GET /)": lambda: "/",
        "page: search, rejected, last 30 days": lambda: f"/flux?statut=rejected&du={month_ago}",
        "page: search, finding code, last 7 days": lambda: f"/flux?code=BR-16&du={week_ago}",
        "page: search, invoice number": lambda: f"/flux?numero=F{count // 3:08d}",
        "page: a flow (GET /flux/<id>)": lambda: f"/flux/{next(picks)}",
    }
    with closing(Console(config)) as console:
        return [(label, *timed(lambda path=path: console.get(path()), repeat)) for label, path in pages.items()]


def run_backend(backend: str, count: int, repeat: int, pg_url: str) -> None:
    folder = Path(tempfile.mkdtemp(prefix="facteur-console-bench-"))
    database = None
    try:
        started = time.perf_counter()
        if backend == "postgresql":
            import psycopg

            database = f"facteur_bench_{uuid.uuid4().hex[:10]}"
            with psycopg.connect(pg_url, autocommit=True) as admin:
                admin.execute(f'CREATE DATABASE "{database}"')
            url = pg_url.rsplit("/", 1)[0] + "/" + database
            fill_postgresql(url, count)
            os.environ["FACTEUR_LEDGER_URL"] = url
        else:
            os.environ.pop("FACTEUR_LEDGER_URL", None)
            fill_sqlite(folder / "var" / "ledger.sqlite", count)
        filled = time.perf_counter() - started
        config = configuration.load(str(configuration.shipped_defaults() / "facteur.toml"), str(folder))
        with closing(Wired(config, clock=lambda: NOW)) as hub:
            figures = measure(hub, count, repeat)
        figures += measure_pages(config, count, repeat)
        print(f"\n{backend}: {count:,} flows loaded and indexed in {filled:.0f} s; {repeat} runs each".replace(",", " "))
        for label, p50, p95 in figures:
            verdict = "ok" if p95 < 200 else "ABOVE 200 ms"
            print(f"  {label:45} p50 {p50:8.1f} ms   p95 {p95:8.1f} ms   {verdict}")
    finally:
        os.environ.pop("FACTEUR_LEDGER_URL", None)
        if database:
            import psycopg

            with psycopg.connect(pg_url, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        import shutil

        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--flows", type=int, default=1_000_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--pg-url", default=os.environ.get("FACTEUR_TEST_PG_URL",
                                                           "postgresql://postgres@127.0.0.1:5432/postgres"))
    args = parser.parse_args()
    print(f"facteur console reads, {date.today()}: {environment()}")
    for backend in args.backends.split(","):
        run_backend(backend.strip(), args.flows, args.repeat, args.pg_url)


if __name__ == "__main__":
    main()
