"""The national directory at national scale: import time and peak memory,
look-up cost, and the pipeline's throughput beside it.

    python bench/directory.py [--lines 1000000] [--invoices 300] [--rounds 3] [--pg URL]

Generates an F14 extract of `--lines` addressing lines (LigneAnnuaire), with
one legal unit per four lines, one establishment per line (a fifth of them
public, with their B2G data) and a routing code per ten lines. Then:
- imports it into a fresh SQLite ledger, and into a fresh PostgreSQL schema
  when a server answers at `--pg` (each import in a process of its own, whose
  peak resident memory is printed with the time);
- times look-ups on the SQLite ledger: one version history read from the
  database, a recipient resolved (establishment, routing code, addressing
  lines) uncached, and the same through the workers' cache;
- runs `--invoices` generated invoices through the whole chain (`Runner.handle`),
  on a ledger without the national directory and on the ledger holding it,
  half of them addressed to the demo directory's structures, half to
  national ones; `--rounds` times each, alternated, with the median printed.
Figures, not assertions: the machine is printed with them. Run it with nice:
it loads the machine for minutes.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Iterable, NamedTuple
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.generate import Spec, make  # noqa: E402
from facteur.adapters import annuaire_files, configuration
from facteur.adapters.ledgers import directory_store
from facteur.adapters.mailbox import Archive, Mailboxes
from facteur.adapters.sql_directory import Cached
from facteur.adapters.sqlite_ledger import SqliteLedger
from facteur.engine.hub import annuaire
from facteur.engine.model import Flow
from facteur.engine.runtime import logs
from facteur.engine.runtime.runner import Runner

SENDER = "DEMO01"
PUBLIC_EVERY = 5  # one establishment in five is public, with B2G data


def siren(n: int) -> str:
    return f"{300000000 + n // 4:09d}"


def siret(n: int) -> str:
    return f"{siren(n)}{n % 4:05d}"


def generate(path: Path, lines: int) -> None:
    """The extract, written as it is made (bounded memory)."""
    with open(path, "w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<AnnuaireConsultationF14>'
                  "<HorodateProduction>20260601120000</HorodateProduction><TypeFlux>C</TypeFlux>\n<BlocUnitesLegales>\n")
        for n in range(0, lines, 4):
            out.write(f'<UniteLegale><IdInstance>{n}</IdInstance><MotifPresence>C</MotifPresence><Statut>A</Statut>'
                      f'<IdSIREN qualifiant="0002">{siren(n)}</IdSIREN><Nom>Unité {n}</Nom><TypeEntite>A</TypeEntite>'
                      "<Diffusible>O</Diffusible></UniteLegale>\n")
        out.write("</BlocUnitesLegales>\n<BlocEtablissements>\n")
        for n in range(lines):
            b2g = ("<DonneesB2G><EngagementJuridique>false</EngagementJuridique><Service>false</Service>"
                   "<EngJurServ>false</EngJurServ><MOA>false</MOA><MOAunique>false</MOAunique>"
                   "<StatutMiseEnPaiement>false</StatutMiseEnPaiement></DonneesB2G>") if n % PUBLIC_EVERY == 0 else ""
            out.write(f'<Etablissement><IdInstance>{n}</IdInstance><MotifPresence>C</MotifPresence><Statut>A</Statut>'
                      f'<IdSIRET qualifiant="0009">{siret(n)}</IdSIRET><TypeEtablissement>S</TypeEtablissement>'
                      f"<Nom>Établissement {n}</Nom><Localite>Ville {n % 1000}</Localite><CP>75001</CP>"
                      f"<CodePays>FR</CodePays>{b2g}<Diffusible>O</Diffusible></Etablissement>\n")
        out.write("</BlocEtablissements>\n<BlocCodesRoutage>\n")
        for n in range(0, lines, 10):
            out.write(f'<CodeRoutage><IdInstance>{n}</IdInstance><MotifPresence>C</MotifPresence><Statut>A</Statut>'
                      f'<IdSIRET qualifiant="0009">{siret(n)}</IdSIRET><IdRoutage qualifiant="0224">SVC{n}</IdRoutage>'
                      f"<Nom>Service {n}</Nom><EngagementJuridique>false</EngagementJuridique></CodeRoutage>\n")
        out.write("</BlocCodesRoutage>\n<BlocLignesAnnuaire>\n")
        for n in range(lines):
            out.write(f"<LigneAnnuaire><IdInstance>{n}</IdInstance><MotifPresence>C</MotifPresence><Nature>D</Nature>"
                      "<DateEffet><DateDebut>20250901</DateDebut></DateEffet><InfoAdressage>"
                      f'<Identifiant>{siren(n)}_{siret(n)}</Identifiant><IdLinSIREN qualifiant="0002">{siren(n)}'
                      f'</IdLinSIREN><IdLinSIRET qualifiant="0009">{siret(n)}</IdLinSIRET></InfoAdressage>'
                      f"<IdPlateforme>{n % 100:04d}</IdPlateforme></LigneAnnuaire>\n")
        out.write("</BlocLignesAnnuaire>\n</AnnuaireConsultationF14>\n")


def import_alone(target: str, extract: str) -> None:
    """One import, in this process (started by `timed_import`), printed as JSON;
    on PostgreSQL, with the CPU time of the server's process serving it when it
    runs on this machine."""
    ledger = open_target(target)
    server = server_process(ledger)
    server_before = cpu_of(server)
    started = time.perf_counter()
    found, records = annuaire_files.read(extract, date(2026, 6, 15))
    applied = directory_store(ledger).apply(found, records)
    seconds = time.perf_counter() - started
    server_cpu = cpu_of(server) - server_before
    ledger.close()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"seconds": seconds, "cpu": usage.ru_utime + usage.ru_stime, "peak_mb": usage.ru_maxrss / 1024,
                      "server_cpu": server_cpu, "added": applied.added, "refused": len(applied.refused)}))


def server_process(ledger) -> Path | None:
    """/proc's entry of the PostgreSQL process serving `ledger`, when it is on this machine."""
    if isinstance(ledger, SqliteLedger):
        return None
    place = Path(f"/proc/{ledger._execute('SELECT pg_backend_pid() AS pid').fetchone()['pid']}/stat")
    return place if place.exists() else None


def cpu_of(process: Path | None) -> float:
    if process is None:
        return 0.0
    fields = process.read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def open_target(target: str):
    if target.startswith("postgresql"):
        from facteur.adapters.pg_ledger import PgLedger

        return PgLedger(target)
    return SqliteLedger(Path(target))


def timed_import(target: str, extract: Path) -> dict:
    done = subprocess.run([sys.executable, __file__, "--import-into", target, str(extract)], capture_output=True,
                          text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def lookups(ledger, lines: int, count: int = 20000) -> dict[str, float]:
    """Microseconds per look-up, on random establishments of the extract."""
    store = directory_store(ledger)
    rng = random.Random(3)
    chosen = [rng.randrange(lines) for _ in range(count)]
    on = date(2026, 6, 15)
    figures = {}
    started = time.perf_counter()
    for n in chosen:
        store.history(annuaire.ESTABLISHMENT, siret(n))
    figures["history, from the database"] = (time.perf_counter() - started) / count * 1e6
    started = time.perf_counter()
    for n in chosen:
        annuaire.recipient(store, siret(n), "", "", on)
    figures["recipient resolved, uncached"] = (time.perf_counter() - started) / count * 1e6
    cached = Cached(store)
    for n in chosen:
        annuaire.recipient(cached, siret(n), "", "", on)
    started = time.perf_counter()
    for n in chosen:
        annuaire.recipient(cached, siret(n), "", "", on)
    figures["recipient resolved, cached"] = (time.perf_counter() - started) / count * 1e6
    return figures


class Rate(NamedTuple):
    """Invoices per second through the whole chain, and the CPU milliseconds
    per invoice of this process (the pipeline, its look-ups and the ledger's
    statements, not the waits on the disk's syncs)."""

    per_second: float
    cpu_ms: float


def throughput(ledger_path: Path, root: Path, invoices: list[tuple[str, bytes]], with_directory: bool) -> Rate:
    config = configuration.load(str(configuration.shipped_defaults() / "facteur.toml"))
    ledger = SqliteLedger(ledger_path)
    national = Cached(directory_store(ledger)) if with_directory else None
    context = configuration.context(config, ledger.known_invoice, annuaire=national)
    runner = Runner(context, ledger, Archive(root / "archive"), Mailboxes(root / "outbox"))
    started, cpu = time.perf_counter(), time.process_time()
    for name, content in invoices:
        handled = runner.handle(Flow(content, SENDER, name, datetime.now(timezone.utc), "bench"))
        assert handled.status == "90", (name, handled.findings)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    ledger.close()
    return Rate(len(invoices) / seconds, cpu * 1000 / len(invoices))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--invoices", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pg", default=os.environ.get("FACTEUR_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--import-into", nargs=2, metavar=("TARGET", "EXTRACT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.import_into:
        import_alone(*args.import_into)
        return
    logs.configure("warning")
    print(f"python {platform.python_version()}, {platform.platform()}, {os.cpu_count()} CPUs, "
          f"load {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        extract = root / "F14.xml"
        started = time.perf_counter()
        generate(extract, args.lines)
        records = args.lines + args.lines // 4 + args.lines + args.lines // 10
        print(f"F14 generated: {args.lines:,} addressing lines, {records:,} records in all, "
              f"{extract.stat().st_size / 1e6:.0f} MB, in {time.perf_counter() - started:.0f} s")
        ledger_path = root / "national.sqlite"
        result = timed_import(str(ledger_path), extract)
        print(f"import, SQLite: {result['seconds']:.1f} s ({result['cpu']:.1f} s of CPU in the importing process), "
              f"peak memory {result['peak_mb']:.0f} MB, "
              f"{result['added']:,} versions written, {result['refused']} refused; load {os.getloadavg()[0]:.1f}")
        pg = pg_schema(args.pg)
        if pg:
            result = timed_import(pg[0], extract)
            print(f"import, PostgreSQL: {result['seconds']:.1f} s ({result['cpu']:.1f} s of CPU in the importing "
                  f"process, {result['server_cpu']:.1f} s in the server's), peak memory {result['peak_mb']:.0f} MB, "
                  f"{result['added']:,} versions written; load {os.getloadavg()[0]:.1f}")
            pg[1]()
        else:
            print(f"import, PostgreSQL: skipped, no server at {args.pg}")
        ledger = SqliteLedger(ledger_path)
        for what, micros in lookups(ledger, args.lines).items():
            print(f"look-up, {what}: {micros:.1f} µs")
        ledger.close()
        plain, beside = pipeline_rounds(root, ledger_path, args.lines, args.invoices, args.rounds)
        print(f"pipeline, {args.rounds} rounds of {args.invoices} invoices each, alternated; load "
              f"{os.getloadavg()[0]:.1f}")
        for label, rates in (("with the demo directory alone", plain),
                             (f"beside the national directory of {args.lines:,} lines (half the invoices routed "
                              "through it)", beside)):
            print(f"  {label}: {statistics.median(r.per_second for r in rates):.1f} invoices/s (median; rounds "
                  f"{_rates(r.per_second for r in rates)}), {statistics.median(r.cpu_ms for r in rates):.2f} ms of "
                  f"CPU per invoice (rounds {_rates(r.cpu_ms for r in rates)})")


def pipeline_rounds(root: Path, national: Path, lines: int, count: int, rounds: int) -> tuple[list[Rate], list[Rate]]:
    """Invoices/s of the whole chain without and with the national directory,
    in alternate rounds so that the machine's load weighs on both alike. Each
    side first warms up on its own ledger and mailboxes (schemas compiled, the
    platforms' mailbox folders made), as a running hub has them."""

    run = uuid.uuid4().hex[:6]  # numbers of this run's own: a ledger used before holds none of them

    def demo(batch: str, n: int) -> tuple[str, bytes]:
        return f"{batch}-{n}.xml", make("ubl", Spec(number=f"{run}-{batch}-{n:05d}", lines=3, seed=n))

    def routed(batch: str, n: int) -> tuple[str, bytes]:
        buyer = siret(n * PUBLIC_EVERY * 7 % lines // PUBLIC_EVERY * PUBLIC_EVERY)
        return f"{batch}-{n}.xml", make("ubl", Spec(number=f"{run}-{batch}-{n:05d}", lines=3, seed=n,
                                                    buyer_siret=buyer))

    throughput(root / "plain.sqlite", root / "plain", [demo("W", n) for n in range(10)], with_directory=False)
    throughput(national, root / "beside", [routed("W", n) for n in range(100)], with_directory=True)
    plain, beside = [], []
    for batch in range(rounds):
        plain.append(throughput(root / "plain.sqlite", root / "plain",
                                [demo(f"P{batch}", n) for n in range(count)], with_directory=False))
        half = count // 2
        beside.append(throughput(national, root / "beside", [demo(f"B{batch}", n) for n in range(half)]
                                 + [routed(f"N{batch}", n) for n in range(count - half)], with_directory=True))
    return plain, beside


def _rates(figures: Iterable[float]) -> str:
    return ", ".join(f"{f:.1f}" for f in figures)


def pg_schema(url: str):
    """A fresh schema on the server, as a ledger URL, with what drops it; None without a server."""
    try:
        import psycopg

        admin = psycopg.connect(url, autocommit=True, connect_timeout=5)
    except Exception:  # noqa: BLE001 - any failure to connect means no PostgreSQL figure
        return None
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin.execute(f'CREATE SCHEMA "{schema}"')
    separator = "&" if "?" in url else "?"

    def drop() -> None:
        admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
        admin.close()

    return f"{url}{separator}options={quote(f'-csearch_path={schema}')}", drop


if __name__ == "__main__":
    main()
