"""Copies of one flow in flight at once, and conflicting statuses of one
invoice judged at once, through a real `facteur run` and real `facteur worker`s:
each flow is worked on once (the other copies are repeats of its outcome),
statuses of one invoice are judged one after the other, and every report in
the mailboxes is the one the ledger recorded, none written over by another."""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import pika
from helpers import Hub, Spec, flow_status, ledger_rows, ubl
from test_lifecycle import forwarded, recipient_status, soon
from test_run import (
    assert_exactly_once,
    drop,
    flows,
    left_in_inbox,
    settled,
    start,
    wait_for,
)
from test_run_amqp import (  # noqa: F401  (a fixture)
    AMQP_URL,
    facteur,
    installation,
    queue_depth,
    served_over_amqp,
    submit,
)
from test_workers import cluster, stop  # noqa: F401  (a fixture)

from facteur.engine.model import Flow

SENDER = "DEMO01"


def copies(files: dict[str, bytes], count: int) -> dict[str, bytes]:
    """Each file under `count` names: the same bytes, as a sender that sends again
    before the first one is settled, or two doors fed the same file."""
    return {f"copy{copy}-{name}": content for name, content in files.items() for copy in range(count)}


def flow_id(content: bytes, sender: str) -> str:
    return Flow(content, sender, "", datetime.now(timezone.utc)).id


def assert_mailboxes_match_the_ledger(root: Path) -> None:
    """Every file in the outbox is the output the ledger recorded at that path,
    and no path was recorded for two outputs: nothing was written over."""
    recorded = ledger_rows(root, "SELECT path, sha256 FROM outputs")
    paths = Counter(path for path, _ in recorded)
    assert [path for path, times in paths.items() if times > 1] == []
    on_disk = {str(path): hashlib.sha256(path.read_bytes()).hexdigest() for path in (root / "outbox").glob("*/*")}
    assert on_disk == {path: sha for path, sha in recorded if not path.startswith("amqp://")}


def repeats(root: Path) -> dict[str, int]:
    return dict(ledger_rows(root, "SELECT flow_id, count(*) FROM events WHERE code = 'repeat' GROUP BY flow_id"))


def inbox_empty(root: Path) -> bool:
    return not left_in_inbox(root)


def test_the_same_bytes_under_three_names_in_one_inbox_are_one_flow(tmp_path):
    files = flows(12)
    drop(tmp_path, copies(files, 3))  # all there when the engine starts: taken in the same group
    process = start(tmp_path, "--until-idle")
    _, err = process.communicate(timeout=120)
    assert process.returncode == 0, err.decode()
    assert_exactly_once(tmp_path, files)  # one report and (if valid) one pivot per flow, the ledger agreeing
    assert repeats(tmp_path) == {flow_id(content, SENDER): 2 for content in files.values()}
    assert_mailboxes_match_the_ledger(tmp_path)


def test_the_same_bytes_in_the_folder_and_on_the_queue_are_published_once(installation):
    root, config, queue = installation
    connection, channel, partner_queue = served_over_amqp(config, queue)
    sender = "guest"  # the AMQP user, and the inbox of the same partner
    files = flows(10)
    try:
        submit(root, config, files)
        inbox = root / "inbox" / sender
        inbox.mkdir(parents=True)
        for name, content in copies(files, 2).items():
            (inbox / name).write_bytes(content)
        process = facteur(root, config, "run", "--workers", "2")
        try:
            wait_for(lambda: len(settled_reports(root, sender)) == len(files), 120)  # the ledger is made by then
            wait_for(lambda: sum(repeats(root).values()) == 2 * len(files), 120)
        finally:
            code, _, err = stop(process)
        assert code == 0, err
        published = []
        while True:
            method, properties, _ = channel.basic_get(partner_queue, auto_ack=True)
            if method is None:
                break
            published.append(properties.headers["facteur-name"])
    finally:
        channel.queue_delete(partner_queue)
        connection.close()
    valid = [content for content in files.values() if b"12345678900017" not in content]
    assert sorted(published) == sorted(f"{flow_id(content, sender)}-001.pivot.xml" for content in valid)
    assert repeats(root) == {flow_id(content, sender): 2 for content in files.values()}
    assert settled_reports(root, sender) == {flow_id(content, sender) for content in files.values()}
    assert ledger_rows(root, "SELECT count(*) FROM outputs WHERE kind = 'pivot'") == [(len(valid),)]
    assert inbox_empty(root) and queue_depth(queue) == 0
    assert_mailboxes_match_the_ledger(root)


def settled_reports(root: Path, sender: str) -> set[str]:
    return {path.name.split(".")[0] for path in (root / "outbox" / sender).glob("*.flux.statut.xml")}


def test_the_same_status_file_twice_in_flight_is_applied_once(tmp_path):
    process = start(tmp_path)
    try:
        drop(tmp_path, {"TWICE-1.xml": ubl(Spec("TWICE-1"))})
        wait_for(lambda: settled(tmp_path) == 1, 60)
        [invoice_flow] = settled_reports(tmp_path, SENDER)
        inbox = tmp_path / "inbox" / "VILLEDEM"
        (inbox / ".ack.part").write_bytes(recipient_status("VILLEDEM", flows=[("92", soon(1), invoice_flow, "")]))
        (inbox / ".ack.part").rename(inbox / "ack.xml")
        wait_for(lambda: len(list((tmp_path / "outbox" / SENDER).glob("*.suivi.statut.xml"))) == 1, 60)
        statuses = recipient_status("VILLEDEM", invoices=[("07", soon(2), "TWICE-1", None, "")])
        for name in ("statuts.xml", "statuts-renvoi.xml"):  # the recipient's system sent it again before the report
            (inbox / f".{name}.part").write_bytes(statuses)
        for name in ("statuts.xml", "statuts-renvoi.xml"):
            (inbox / f".{name}.part").rename(inbox / name)
        status_flow = flow_id(statuses, "VILLEDEM")
        wait_for(lambda: repeats(tmp_path) == {status_flow: 1}, 60)
    finally:
        code, _, err = stop(process)
    assert code == 0, err
    assert [(status, invoice) for status, invoice, *_ in forwarded(Hub(tmp_path, None))] == [
        ("03", "TWICE-1"), ("07", "TWICE-1")
    ]
    assert ledger_rows(tmp_path, "SELECT state FROM invoices WHERE flow_id = ?", invoice_flow) == [("07",)]
    assert ledger_rows(tmp_path, "SELECT status FROM flows WHERE id = ?", status_flow) == [("90",)]
    assert flow_status(tmp_path / "outbox" / "VILLEDEM" / f"{status_flow}.flux.statut.xml") == ("90", [])
    assert inbox_empty(tmp_path)
    assert_mailboxes_match_the_ledger(tmp_path)


def test_two_workers_given_conflicting_statuses_apply_one_per_invoice(cluster, capsys):
    root, config, queue = cluster
    hub = Hub(root, capsys)
    numbers = [f"CONFLIT-{n:02d}" for n in range(20)]
    code, result = hub.process(*(hub.drop(f"{number}.xml", ubl(Spec(number))) for number in numbers))
    assert code == 0 and {flow["status"] for flow in result["flows"]} == {"90"}
    acknowledgment = recipient_status("VILLEDEM", flows=[("92", soon(1), flow["flow_id"], "") for flow in result["flows"]])
    code, result = hub.process(hub.drop("ack.xml", acknowledgment), sender="VILLEDEM")
    assert code == 0 and result["flows"][0]["status"] == "90"

    statuses = {}
    for number in numbers:  # the two answers of each invoice side by side, so that each worker gets one
        statuses[f"{number}-04.xml"] = recipient_status("VILLEDEM", invoices=[("04", soon(2), number, None, "service inconnu")])
        statuses[f"{number}-05.xml"] = recipient_status("VILLEDEM", invoices=[("05", soon(2), number, None, "commande absente")])
    workers = [facteur(root, config, "worker") for _ in range(2)]
    try:
        wait_for(lambda: consumers(queue) == 2, 60)
        submit(root, config, statuses, sender="VILLEDEM")
        wait_for(lambda: len(settled_reports(root, "VILLEDEM")) == 1 + len(statuses), 120)
    finally:
        for worker in workers:
            code, _, err = stop(worker)
            assert code == 0, err

    applied = [(status, invoice) for status, invoice, *_ in forwarded(hub) if status in ("04", "05")]
    assert sorted(invoice for _, invoice in applied) == numbers  # one final status forwarded per invoice
    states = dict(ledger_rows(root, "SELECT number, state FROM invoices WHERE accepted = 1"))
    assert {invoice: status for status, invoice in applied} == states
    for number in numbers:
        outcomes = {}
        for code in ("04", "05"):
            status_flow = flow_id(statuses[f"{number}-{code}.xml"], "VILLEDEM")
            [(recorded,)] = ledger_rows(root, "SELECT status FROM flows WHERE id = ?", status_flow)
            report = flow_status(root / "outbox" / "VILLEDEM" / f"{status_flow}.flux.statut.xml")
            assert report[0] == recorded
            outcomes[code] = report
        assert outcomes[states[number]] == ("90", [])
        refused = "05" if states[number] == "04" else "04"
        assert outcomes[refused] == ("93", ["FCT-STATUS-TRANSITION"])
    assert_mailboxes_match_the_ledger(root)


def consumers(queue: str) -> int:
    connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
    try:
        return connection.channel().queue_declare(queue, passive=True).method.consumer_count
    except pika.exceptions.ChannelClosedByBroker:  # not declared yet by a worker
        return 0
    finally:
        connection.close()
