"""`facteur process` on many files judges them in the pool of `facteur run`:
the same outcomes, reports and ledger as when it judges them in its own
process, the language asked reaching the pool's workers, and a flow that
kills its worker rejected alone with its report, as `facteur run` does."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from contextlib import closing
from datetime import datetime, timezone
from pathlib import Path

import pytest
from helpers import REPO, Spec, cii, ledger_rows, poison_invoice, ubl
from test_pool import assert_poison_rejected_beside, config_with_cpu_limit
from test_run import SENDER, flows

from facteur.adapters import configuration, workers
from facteur.adapters.cli import main
from facteur.adapters.wiring import Wired
from facteur.engine import operations
from facteur.engine.model import Flow
from facteur.engine.operations import Submitted

pytestmark = pytest.mark.system  # starts the pool's worker processes

NOW = datetime(2026, 11, 20, 9, 30, tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def _sqlite(monkeypatch):
    monkeypatch.delenv("FACTEUR_LEDGER_URL", raising=False)


def lot(**members: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def contents() -> dict[str, bytes]:
    """Files of every kind of ending: integrated UBL and CII, a recipient
    unknown, a copy of a file (a repeat), a second file carrying an invoice
    already sent (a duplicate), a lot partly integrated."""
    same = ubl(Spec("POOL-1"))
    return {"a.xml": same, "b.xml": cii(Spec("POOL-2")), "unknown.xml": ubl(Spec("POOL-3", buyer_siret="12345678900017")),
            "copy-of-a.xml": same, "again.xml": cii(Spec("POOL-2", seed=3)),
            "lot.zip": lot(**{"l1.xml": ubl(Spec("POOL-4")), "l2.xml": ubl(Spec("POOL-5", buyer_siret="11000201100044"))}),
            **{f"n{n}.xml": (ubl if n % 2 else cii)(Spec(f"POOL-N{n}", lines=n)) for n in range(1, 9)}}


def folder(root: Path, made: dict[str, bytes]) -> list[Submitted]:
    """The files in a folder under `root`, and one too big to read among them."""
    drop = root / "drop"
    drop.mkdir()
    for name, content in made.items():
        (drop / name).write_bytes(content)
    files = [Submitted(str(drop / name), len(content), (drop / name).read_bytes) for name, content in made.items()]
    return files[:5] + [Submitted(str(drop / "huge.xml"), 10**12, lambda: b"")] + files[5:]


def processed(root: Path, made: dict[str, bytes], pooled: bool) -> tuple[list, list, dict]:
    """What `operations.process` returned for the folder, the ledger's
    outcomes, and the outbox's files with their bytes."""
    shutil.copytree(REPO / "config", root / "config")
    config = configuration.load(str(root / "config" / "facteur.toml"), str(root))
    files = folder(root, made)
    pool = workers.WorkerPool(config, 2) if pooled else None
    try:
        with closing(Wired(config, create_ledger=True, clock=lambda: NOW)) as hub:
            result = operations.process(hub, files, SENDER, compute=pool.submit if pool else None)
    finally:
        if pool:
            pool.shutdown()
    handled = [(Path(f.name).name, f.status, f.repeated, f.documents, f.accepted,
                sorted(x["code"] for x in f.findings)) for f in result.flows]
    ledger = [ledger_rows(root, "SELECT id, name, status FROM flows ORDER BY id"),
              ledger_rows(root, "SELECT flow_id, number, accepted FROM invoices ORDER BY flow_id, number"),
              ledger_rows(root, "SELECT flow_id, code, severity FROM findings ORDER BY flow_id, code")]
    outbox = {str(p.relative_to(root)): p.read_bytes() for p in (root / "outbox").rglob("*") if p.is_file()}
    return handled, ledger, outbox


def test_a_folder_judged_in_the_pool_ends_as_one_judged_in_one_process(tmp_path):
    made = contents()
    here = processed(tmp_path / "here", made, pooled=False)
    pooled = processed(tmp_path / "pool", made, pooled=True)
    assert pooled[0] == here[0]
    assert [(name, status, repeated) for name, status, repeated, *_ in here[0]][:7] == [
        ("a.xml", "90", False), ("b.xml", "90", False), ("unknown.xml", "93", False), ("copy-of-a.xml", "90", True),
        ("again.xml", "93", False), ("huge.xml", "93", False), ("lot.zip", "96", False)]
    assert pooled[1] == here[1]
    assert sorted(pooled[2]) == sorted(here[2]) and pooled[2] == here[2]


def judged_in_pool(monkeypatch) -> list[str]:
    """The pool used from the first file on; the ids of the flows it was handed."""
    handed: list[str] = []
    submit = workers.WorkerPool.submit

    def counted(pool, flow):
        handed.append(flow.id)
        return submit(pool, flow)

    monkeypatch.setattr(workers, "POOL_MIN_FILES", 1)
    monkeypatch.setattr(workers.WorkerPool, "submit", counted)
    return handed


def test_the_language_asked_reaches_the_pools_workers(tmp_path, capsys, monkeypatch):
    """The reports are written in the workers: in English with --lang en."""
    handed = judged_in_pool(monkeypatch)
    code = main(["process", str(REPO / "samples" / "06-destinataire-inconnu.xml"), str(REPO / "samples" / "07-lot.zip"),
                 "--sender", SENDER, "--json", "--lang", "en", "--root", str(tmp_path)])
    result = json.loads(capsys.readouterr().out)
    assert code == 0 and [f["status"] for f in result["flows"]] == ["93", "96"]
    assert sorted(handed) == sorted(f["flow_id"] for f in result["flows"])
    unknown, partly = ((tmp_path / "outbox" / SENDER / f"{f['flow_id']}.flux.statut.xml").read_text()
                       for f in result["flows"])
    assert "recipient SIRET 12345678900017 is not a public structure" in unknown
    assert "2 invoices integrated out of 3 in 07-lot.zip" in partly and "Platform control" in partly
    [(message,)] = ledger_rows(tmp_path, "SELECT message FROM findings WHERE code = 'FCT-RECIPIENT-UNKNOWN'")
    assert "is not a public structure" in message


def test_a_flow_that_kills_its_worker_is_rejected_alone_and_the_others_go_on(tmp_path, capsys, monkeypatch):
    """The poison of test_pool (some 4.5 s of CPU against a limit of 1 s per
    flow): judged again alone after killing its pool worker, then rejected
    with its report once its third run alone has killed its worker too."""
    handed = judged_in_pool(monkeypatch)
    config = config_with_cpu_limit(tmp_path, 1)
    poison = poison_invoice()
    files = {"poison.xml": poison, **flows(6)}
    drop = tmp_path / "drop"
    drop.mkdir()
    for name, content in files.items():
        (drop / name).write_bytes(content)
    code = main(["process", str(drop), "--sender", SENDER, "--json", "--root", str(tmp_path), "--config", str(config)])
    result = json.loads(capsys.readouterr().out)
    poison_id = Flow(poison, SENDER, "poison.xml", NOW).id
    assert code == 0 and len(result["flows"]) == len(files)
    assert handed.count(poison_id) == 3  # after the pool's own run again alone: three runs charged to it
    assert_poison_rejected_beside(tmp_path, poison_id, {n: c for n, c in files.items() if n != "poison.xml"})
