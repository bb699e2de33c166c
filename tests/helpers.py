"""Running the real `facteur` command against a temporary root, and reading
what it wrote, for the behaviour tests."""

from __future__ import annotations

import json
import os
import sqlite3
import sys
from dataclasses import dataclass
from pathlib import Path

import psycopg
from lxml import etree

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.generate import Spec, cii, ubl  # noqa: E402  (the repository's generator)
from bench.pdfs import assemble, embed, facturx_pdf, text_pdf  # noqa: E402
from facteur.adapters.cli import main

__all__ = ["Hub", "Recorded", "Spec", "assemble", "cii", "embed", "facturx_pdf", "ledger_rows", "poison_invoice", "text_pdf",
           "ubl"]


def poison_invoice() -> bytes:
    """A valid invoice that no worker allowed 1 s of CPU a flow ([limits]
    max_flow_cpu_seconds) can judge: 20 000 lines, 4.5 s of CPU on the 2-core
    machine of November 2026. The kernel counts whole seconds, so such a flow
    gets up to 2 s; a poison of 12 000 lines (2.7 s there) came close enough
    to pass on a faster machine."""
    return ubl(Spec("POISON-1", lines=20_000))


class Recorded:
    """A log that keeps what it is told."""

    def __init__(self):
        self.events: list[tuple[str, str, dict]] = []

    def __getattr__(self, level: str):
        return lambda message, **details: self.events.append((level, message, details))


def ledger_rows(root: Path, sql: str, *parameters) -> list[tuple]:
    """Rows of a query (with `?` placeholders) on the ledger the CLI uses: the
    PostgreSQL database of FACTEUR_LEDGER_URL, else the SQLite file under `root`.
    Database errors pass through, for tests about what the ledger refuses."""
    url = os.environ.get("FACTEUR_LEDGER_URL")
    if url:
        with psycopg.connect(url, autocommit=True) as connection:
            cursor = connection.execute(sql.replace("?", "%s"), parameters)
            return cursor.fetchall() if cursor.description else []
    connection = sqlite3.connect(root / "var" / "ledger.sqlite", isolation_level=None)  # each statement commits, as above
    try:
        return connection.execute(sql, parameters).fetchall()
    finally:
        connection.close()


@dataclass
class Hub:
    """A facteur installation under a temporary root, driven through its CLI."""

    root: Path
    capsys: object
    err: str = ""

    def run(self, *args: str) -> tuple[int, str]:
        """Exit code and standard output; standard error is kept in `err`."""
        code = main([*args, "--root", str(self.root)])
        captured = self.capsys.readouterr()
        self.err = captured.err
        return code, captured.out

    def process(self, *paths: Path, sender: str = "DEMO01", extra: tuple[str, ...] = ()) -> tuple[int, dict]:
        code, out = self.run("process", *map(str, paths), "--sender", sender, "--json", *extra)
        return code, json.loads(out)

    def drop(self, name: str, content: bytes) -> Path:
        path = self.root / "drop" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        return path

    def outbox(self, partner: str) -> list[Path]:
        folder = self.root / "outbox" / partner
        return sorted(folder.glob("*.xml")) if folder.exists() else []

    def pivots(self) -> list[Path]:
        return sorted((self.root / "outbox").glob("*/*.pivot.xml"))


def flow_status(path: Path) -> tuple[str, list[str]]:
    """IdStatut and the error codes of a CPPStatut flow-level report."""
    root = etree.parse(str(path)).getroot()
    return root.findtext(".//IdStatut"), [e.text for e in root.iter("CodeErreur")]


def only_flow(result: dict) -> dict:
    assert len(result["flows"]) == 1, result
    return result["flows"][0]


def blocking_codes(flow: dict) -> list[str]:
    return sorted({f["code"] for f in flow["findings"] if f["severity"] == "blocking"})
