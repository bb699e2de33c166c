"""Scale-out as it is deployed: `facteur watch` publishes the inboxes' files to
the real RabbitMQ, several `facteur worker` processes consume them and share a
real PostgreSQL ledger. Killing a worker, or cutting every worker's database
connection, loses nothing and delivers nothing twice."""

from __future__ import annotations

import itertools
import os
import signal
import time
from datetime import datetime, timezone
from pathlib import Path

import pika
import psycopg
import pytest
from helpers import Hub, Spec, ledger_rows, poison_invoice, ubl
from test_lifecycle import forwarded, recipient_status, soon
from test_pool import assert_poison_rejected_beside
from test_run import SENDER, assert_exactly_once, drop, flows, settled, wait_for
from test_run_amqp import AMQP_URL, facteur, installation, queue_depth, submit  # noqa: F401  (installation is a fixture)

from facteur.engine.model import Flow
from facteur.engine.runtime.service import MAX_PIPELINE_ATTEMPTS


@pytest.fixture
def cluster(installation, pg_ledger_url, monkeypatch):  # noqa: F811
    """The installation of the AMQP tests with a PostgreSQL ledger, and the
    sender taken from the header that `facteur watch` sets."""
    root, config, queue = installation
    monkeypatch.setenv("FACTEUR_LEDGER_URL", pg_ledger_url)
    config.write_text(config.read_text().replace('sender_from = "user_id"', 'sender_from = "header"'))
    return root, config, queue


def stop(process) -> tuple[int, str, str]:
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=60)
    return process.returncode, out.decode(), err.decode()


def cut_ledger_connections() -> int:
    """Every connection to this test's database but ours ends, as when the
    server restarts: the workers' next statements fail."""
    url = os.environ["FACTEUR_LEDGER_URL"]
    with psycopg.connect(url, autocommit=True) as connection:
        rows = connection.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
    return len(rows)


def test_three_workers_one_killed_deliver_every_invoice_exactly_once(cluster):
    root, config, queue = cluster
    files = flows(600)
    workers = [facteur(root, config, "worker") for _ in range(3)]
    watcher = facteur(root, config, "watch")
    try:
        drop(root, files)
        wait_for(lambda: settled(root) >= 150, 180)
        os.killpg(workers[0].pid, signal.SIGKILL)
        workers[0].communicate(timeout=30)
        wait_for(lambda: settled(root) >= 300, 180)
        assert cut_ledger_connections() >= 2
        wait_for(lambda: settled(root) >= len(files), 240)
    finally:
        for process in [watcher, *workers[1:]]:
            if process.poll() is None:
                code, out, err = stop(process)
                assert code == 0, err
                if process is not watcher:
                    assert "intégré" in out  # each surviving worker processed its share ("846 intégrés, 92 rejetés")
    assert_exactly_once(root, files)
    assert ledger_rows(root, "SELECT count(*) FROM flows WHERE status = 'pending'") == [(0,)]
    wait_for(lambda: queue_depth(queue) == 0, 30)


def test_a_burst_on_the_queue_is_committed_together_and_statuses_after_their_invoices(cluster):
    """A worker takes what waits on the queue as one group (one disk sync, one
    ledger commit). Inside it, the same flow twice is still one flow, and a
    recipient's status files, though in the same group as the invoice they
    acknowledge, are judged once that invoice is committed."""
    root, config, queue = cluster
    files = {f"burst-{n}.xml": ubl(Spec(f"BURST-{n}", lines=1)) for n in range(5)}
    files["burst-0-again.xml"] = files["burst-0.xml"]  # a sender's retry: the same bytes
    flow_id = Flow(files["burst-0.xml"], "DEMO01", "burst-0.xml", datetime.now(timezone.utc)).id
    statuses = {
        "ack.xml": recipient_status("VILLEDEM", flows=[("92", soon(1), flow_id, "")]),
        "done.xml": recipient_status("VILLEDEM", invoices=[("07", soon(2), "BURST-0", None, "")]),
    }
    submit(root, config, files, sender="DEMO01")
    submit(root, config, statuses, sender="VILLEDEM")
    wait_for(lambda: queue_depth(queue) == len(files) + len(statuses), 30)

    worker = facteur(root, config, "worker")
    try:
        wait_for(lambda: len(list((root / "outbox" / "VILLEDEM").glob("*.flux.statut.xml"))) == 2, 120)
    finally:
        code, _, err = stop(worker)
    assert code == 0, err
    pivots = sorted(p.name for p in (root / "outbox").glob("*/*.pivot.xml"))
    assert len(pivots) == 5 and len(set(p.split("-")[0] for p in pivots)) == 5
    assert len(list((root / "outbox" / "DEMO01").glob("*.flux.statut.xml"))) == 5
    assert [p for p in (root / "outbox").rglob(".*") if p.is_file()] == []
    assert [(status, invoice) for status, invoice, *_ in forwarded(Hub(root, None))] == [("03", "BURST-0"), ("07", "BURST-0")]
    assert ledger_rows(root, "SELECT status, count(*) FROM flows GROUP BY status") == [("90", 7)]


def test_watch_needs_the_sender_in_the_header(installation):  # noqa: F811
    root, config, _ = installation
    code, _, err = stop_after_start(facteur(root, config, "watch"))
    assert code == 2, err
    assert 'sender_from = "header"' in err and str(config) in err


def test_a_worker_needs_a_broker(tmp_path):
    config = tmp_path / "facteur.toml"
    config.write_text("[amqp]\nurl = \"\"\n")
    code, _, err = stop_after_start(facteur(tmp_path, config, "worker"))
    assert code == 2 and "aucun courtier configuré" in err and "[amqp] url" in err


def stop_after_start(process) -> tuple[int, str, str]:
    """For roles that refuse to start: their exit code and output."""
    out, err = process.communicate(timeout=60)
    return process.returncode, out.decode(), err.decode()


def test_watch_keeps_the_file_while_the_broker_is_away(installation):  # noqa: F811
    root, config, _ = installation
    text = config.read_text().replace('sender_from = "user_id"', 'sender_from = "header"')
    config.write_text(text.replace("@127.0.0.1:5672/", "@127.0.0.1:9/"))
    watcher = facteur(root, config, "watch")
    try:
        drop(root, flows(1))
        claimed = root / "inbox" / "DEMO01" / ".claimed" / "flow-0000.xml"
        wait_for(claimed.exists, 30)
        time.sleep(1.5)  # a few attempts
    finally:
        code, _, err = stop(watcher)
    assert code == 0, err
    assert "cannot publish a claimed file; it waits and is retried" in err and "127.0.0.1:9" in err
    assert claimed.exists()  # offered again at the next start


def poison_state(flow_id: str) -> tuple[int | None, int, str]:
    """The pid of the process holding the flow's lease (None when none does),
    how many times it was started alone, and its status."""
    if ledger_rows(Path(), "SELECT to_regclass('leases')") == [(None,)]:  # no worker has created the tables yet
        return None, 0, "pending"
    [(holder,)] = ledger_rows(Path(), "SELECT holder FROM leases WHERE key = ?", f"flow:{flow_id}") or [(None,)]
    [(runs, status)] = ledger_rows(Path(), "SELECT lone_runs, status FROM flows WHERE id = ?", flow_id) or [(0, "pending")]
    return (int(holder.rsplit("~", 2)[1]) if holder else None), runs, status


def consumers(queue: str) -> int:
    connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
    try:
        return connection.channel().queue_declare(queue, passive=True).method.consumer_count
    finally:
        connection.close()


def poison_among_workers(root: Path, config: Path, queue: str, files: dict[str, bytes], kill: bool) -> list[int]:
    """The poison (an invoice of 20 000 lines, some 4.5 s of CPU) and `files`
    on the queue, then two workers, each started again when it dies, as an
    orchestrator would, until every flow is settled. With `kill`, the worker
    holding the poison is SIGKILLed in the group it came in, then each time a
    worker starts it alone; without, the poison kills its workers itself. The
    workers stop gracefully at the end. Returns the poison's count of runs
    alone at each death, and checks what the queues and the logs say."""
    poison = poison_invoice()
    poison_id = Flow(poison, SENDER, "poison.xml", datetime.now(timezone.utc)).id
    submit(root, config, {"poison.xml": poison, **files}, sender=SENDER)
    logs = iter(root / f"worker-{n}.log" for n in itertools.count())

    def worker():
        return facteur(root, config, "worker", stderr=next(logs).open("wb"))

    workers = [worker(), worker()]
    deaths: list[int] = []
    try:
        while settled(root) < len(files) + 1:
            holder, runs, status = poison_state(poison_id)
            running = [w for w in workers if w.pid == holder]
            if kill and running and status == "pending" and (not deaths or runs > deaths[-1]):
                os.killpg(running[0].pid, signal.SIGKILL)
                running[0].wait(timeout=30)
            for dead in [w for w in workers if w.poll() is not None]:
                assert dead.returncode == (-signal.SIGKILL if kill else -signal.SIGXCPU)
                workers[workers.index(dead)] = worker()
                deaths.append(poison_state(poison_id)[1])
            assert len(deaths) <= MAX_PIPELINE_ATTEMPTS + 1, deaths
            time.sleep(0.02)
        wait_for(lambda: consumers(queue) == 2, 30)  # the workers started last are ready to stop gracefully
        for process in workers:
            process.send_signal(signal.SIGTERM)
        assert [process.wait(timeout=60) for process in workers] == [0, 0]
    finally:
        for process in workers:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
    assert_poison_rejected_beside(root, poison_id, files)
    assert queue_depth(queue) == 0 and queue_depth(f"{queue}.dead") == 0
    logged = "".join(path.read_text() for path in root.glob("worker-*.log"))
    assert logged.count("the workers running this flow alone died every time") == 1
    assert "last delivery of this message" not in logged
    return deaths


def test_a_flow_that_kills_its_worker_is_rejected_alone_and_the_others_go_on(cluster):
    """The bystanders that died beside the poison come back as suspects too,
    each run alone once; the poison, killed in its group then at each of its
    three runs alone, is rejected at its next delivery."""
    root, config, queue = cluster
    deaths = poison_among_workers(root, config, queue, flows(30), kill=True)
    assert deaths == list(range(MAX_PIPELINE_ATTEMPTS + 1))


def test_a_worker_ends_a_flow_past_its_cpu_time_and_rejects_it_after_three_runs_alone(cluster):
    """`[limits] max_flow_cpu_seconds` holds in `facteur worker` as in the pool:
    the poison needs some 4.5 s of CPU against 1 s allowed, so the kernel ends
    its worker (SIGXCPU) each time, and no other flow is charged for it (nor
    for the compile of its rules, when it is a worker's first flow)."""
    root, config, queue = cluster
    text = config.read_text().replace("max_flow_cpu_seconds = 0 ", "max_flow_cpu_seconds = 1 ")
    assert "max_flow_cpu_seconds = 1 " in text
    config.write_text(text)
    deaths = poison_among_workers(root, config, queue, flows(10), kill=False)
    assert len(deaths) == MAX_PIPELINE_ATTEMPTS + 1
