"""Names and inboxes as partners really fill them, through a real `facteur
run` (and `facteur watch` with workers): any bytes in a name, slow uploads,
hard links, and files slipped into `.claimed/`."""

from __future__ import annotations

import json
import os
import signal
import time
from datetime import datetime, timezone
from pathlib import Path

import pika
from helpers import Spec, cii, ledger_rows, ubl
from test_run import SENDER, left_in_inbox, start, wait_for
from test_run_amqp import AMQP_URL, facteur, installation, run_until_settled  # noqa: F401
from test_run_amqp import SENDER as AMQP_SENDER
from test_workers import cluster, stop  # noqa: F401  (fixtures)

from facteur.adapters.amqp import declare_topology
from facteur.adapters.wiring import amqp_settings
from facteur.adapters.configuration import load
from facteur.engine.inputs import door, names
from facteur.engine.model import Flow

OTHER = "FOURN01"  # a second partner, whose flows must go on whatever DEMO01 sends


def flow_id(content: bytes, sender: str = SENDER) -> str:
    return Flow(content, sender, "", datetime.now(timezone.utc)).id


def reports(root: Path, sender: str = SENDER) -> list[Path]:
    folder = root / "outbox" / sender
    return sorted(folder.glob("*.flux.statut.xml")) if folder.exists() else []


def put(folder: Path, name: bytes, content: bytes) -> None:
    """Written under a temporary name, then renamed in: taken at once."""
    folder.mkdir(parents=True, exist_ok=True)
    temporary = os.path.join(os.fsencode(folder), b".upload.part")
    with open(temporary, "wb") as handle:
        handle.write(content)
    os.rename(temporary, os.path.join(os.fsencode(folder), name))


def stopped(process) -> str:
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 0, err.decode()
    return err.decode()


def test_names_of_any_bytes_are_each_reported_once_and_the_engine_goes_on(tmp_path):
    odd = {
        b"facture-\xff\xfe-latin\xe9.xml": ubl(Spec("NAME-1", lines=1)),
        b"facture-\x01-\x1b[31m.xml": cii(Spec("NAME-2", lines=1)),
    }
    others = {b"other.xml": ubl(Spec("NAME-3", lines=1))}
    process = start(tmp_path)
    try:
        wait_for(lambda: (tmp_path / "inbox" / OTHER / ".claimed").is_dir(), 30)
        for name, content in odd.items():
            put(tmp_path / "inbox" / SENDER, name, content)
        for name, content in others.items():
            put(tmp_path / "inbox" / OTHER, name, content)
        wait_for(lambda: len(reports(tmp_path)) == 2 and len(reports(tmp_path, OTHER)) == 1, 60)
        assert process.poll() is None  # still running
    finally:
        stopped(process)
    for name, content in odd.items():
        identifier = flow_id(content)
        [(shown, raw, status)] = ledger_rows(tmp_path, "SELECT name, name_raw, status FROM flows WHERE id = ?", identifier)
        assert (shown, bytes(raw), status) == (names.shown(name), name, "90")
        report = (tmp_path / "outbox" / SENDER / f"{identifier}.flux.statut.xml").read_bytes()
        assert names.shown(name).encode() in report
    [(status,)] = ledger_rows(tmp_path, "SELECT status FROM flows WHERE id = ?", flow_id(others[b"other.xml"], OTHER))
    assert status == "90"
    assert left_in_inbox(tmp_path) == []


def test_an_upload_that_pauses_a_second_between_writes_is_taken_whole_and_once(tmp_path):
    content = ubl(Spec("SLOW-UPLOAD", lines=30))
    inbox = tmp_path / "inbox" / SENDER
    process = start(tmp_path)
    try:
        wait_for(lambda: (inbox / ".claimed").is_dir(), 30)
        third = len(content) // 3 + 1
        with open(inbox / "upload.xml", "wb") as upload:  # an SFTP upload: one open file, slow writes
            for offset in range(0, len(content), third):
                upload.write(content[offset : offset + third])
                upload.flush()
                os.fsync(upload.fileno())
                time.sleep(1.0)
        wait_for(lambda: len(reports(tmp_path)) == 1, 30)
    finally:
        stopped(process)
    assert ledger_rows(tmp_path, "SELECT name, status, size FROM flows") == [("upload.xml", "90", len(content))]


def refusals(root: Path) -> dict[str, tuple[str, str]]:
    rows = ledger_rows(
        root, "SELECT f.name, f.status, x.code, f.id FROM flows f JOIN findings x ON x.flow_id = f.id"
        " WHERE x.code IN (?, ?)", door.HARDLINK, door.FOREIGN_CLAIM
    )
    return {name: (status, code, identifier) for name, status, code, identifier in rows}


def test_hard_links_and_files_slipped_into_claimed_are_refused_with_a_report_never_processed(tmp_path):
    inbox = tmp_path / "inbox" / SENDER
    outside = tmp_path / "elsewhere.xml"
    outside.write_bytes(ubl(Spec("LINKED", lines=1)))
    slipped, while_stopped, plain = (ubl(Spec(number, lines=1)) for number in ("SLIPPED", "STOPPED", "PLAIN"))
    process = start(tmp_path)
    try:
        wait_for(lambda: (inbox / ".claimed").is_dir(), 30)
        os.link(outside, inbox / "linked.xml")
        (inbox / ".claimed" / "slipped.xml").write_bytes(slipped)
        put(inbox, b"plain.xml", plain)
        wait_for(lambda: len(reports(tmp_path)) == 3, 60)
    finally:
        err = stopped(process)
    (inbox / ".claimed" / "while-stopped.xml").write_bytes(while_stopped)
    restarted = start(tmp_path, "--until-idle")
    _, err_restart = restarted.communicate(timeout=120)
    assert restarted.returncode == 0, err_restart.decode()

    refused = refusals(tmp_path)
    assert {name: code for name, (_, code, _) in refused.items()} == {
        "linked.xml": door.HARDLINK, "slipped.xml": door.FOREIGN_CLAIM, "while-stopped.xml": door.FOREIGN_CLAIM
    }
    for name, (status, code, identifier) in refused.items():
        assert status == "93"
        report = (tmp_path / "outbox" / SENDER / f"{identifier}.flux.statut.xml").read_text()
        assert f"<CodeErreur>{code}</CodeErreur>" in report and name in report and "<IdStatut>93</IdStatut>" in report
    assert len(reports(tmp_path)) == 4  # the three refusals and the plain file, each once
    pivots = [p.name for p in (tmp_path / "outbox").glob("*/*.pivot.xml")]
    assert pivots == [f"{flow_id(plain)}-001.pivot.xml"]  # nothing refused was processed
    assert sorted(os.listdir(inbox / ".refused")) == ["linked.xml", "slipped.xml", "while-stopped.xml"]
    assert os.listdir(inbox / ".claimed") == [] and not (inbox / "linked.xml").exists()
    assert outside.stat().st_nlink == 2  # the refused link moved aside, the outside file untouched
    logged = [json.loads(line) for line in (err + err_restart.decode()).splitlines() if line.startswith("{")]
    assert sorted(e["file"] for e in logged if e["event"].startswith("file refused unread")) == sorted(refused)


def test_a_message_named_with_nul_or_bytes_that_are_not_utf8_is_processed_and_reported(installation):  # noqa: F811
    root, config, queue = installation
    sent = {"nul\x00name.xml": ubl(Spec("AMQP-NUL", lines=1)), b"bytes-\xff.xml": cii(Spec("AMQP-FF", lines=1))}
    connection = pika.BlockingConnection(pika.URLParameters(AMQP_URL))
    channel = connection.channel()
    channel.confirm_delivery()
    declare_topology(channel, amqp_settings(load(str(config), str(root))))
    for name, content in sent.items():
        properties = pika.BasicProperties(delivery_mode=2, user_id=AMQP_SENDER, headers={"facteur-name": name})
        channel.basic_publish("", queue, content, properties, mandatory=True)
    connection.close()
    run_until_settled(root, config, len(sent))
    for name, content in sent.items():
        identifier = flow_id(content, AMQP_SENDER)
        [(shown, raw, status)] = ledger_rows(root, "SELECT name, name_raw, status FROM flows WHERE id = ?", identifier)
        assert (shown, bytes(raw), status) == (names.shown(name), names.raw(name), "90")
        report = (root / "outbox" / AMQP_SENDER / f"{identifier}.flux.statut.xml").read_bytes()
        assert names.shown(name).encode() in report
    assert len(reports(root, AMQP_SENDER)) == len(sent)


def test_watch_publishes_odd_names_and_refusals_and_a_worker_reports_them(cluster):  # noqa: F811
    root, config, queue = cluster
    inbox = root / "inbox" / SENDER
    content = ubl(Spec("WATCH-FF", lines=1))
    outside = root / "elsewhere.xml"
    outside.write_bytes(ubl(Spec("WATCH-LINK", lines=1)))
    worker = facteur(root, config, "worker")
    watcher = facteur(root, config, "watch")
    try:
        wait_for(lambda: (inbox / ".claimed").is_dir(), 30)
        put(inbox, b"watched-\xff\x01.xml", content)
        os.link(outside, inbox / "linked.xml")
        wait_for(lambda: len(reports(root)) == 2, 60)
    finally:
        results = [stop(process) for process in (watcher, worker)]
    assert [code for code, _, _ in results] == [0, 0], results
    [(shown, raw, status)] = ledger_rows(root, "SELECT name, name_raw, status FROM flows WHERE id = ?", flow_id(content))
    assert (shown, bytes(raw), status) == ("watched-\\xff\\x01.xml", b"watched-\xff\x01.xml", "90")
    [(status, code, identifier)] = refusals(root).values()
    assert (status, code) == ("93", door.HARDLINK)
    assert f"<CodeErreur>{code}</CodeErreur>" in (root / "outbox" / SENDER / f"{identifier}.flux.statut.xml").read_text()
    assert os.listdir(inbox / ".claimed") == [] and os.listdir(inbox / ".refused") == ["linked.xml"]
    assert [p.name for p in (root / "outbox").glob("*/*.pivot.xml")] == [f"{flow_id(content)}-001.pivot.xml"]
