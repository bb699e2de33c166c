"""The life of a delivered invoice, through the CLI as partners and operators
use it: recipients' acknowledgments and statuses, forwarded to the supplier's
sender; refused transitions and unexplained rejections sent back; the DGP
rules; the payment-delay clock; replay."""

from __future__ import annotations

import json
import shutil
import signal
import sqlite3
from contextlib import closing
from datetime import datetime, timedelta, timezone
from pathlib import Path

import psycopg
import pytest
from conftest import assert_valid
from helpers import (
    REPO,
    Hub,
    Spec,
    blocking_codes,
    flow_status,
    ledger_rows,
    only_flow,
    ubl,
)
from lxml import etree

from bench.status_files import recipient_status
from facteur.adapters.sqlite_ledger import SCHEMA_VERSION as SQLITE_SCHEMA_VERSION
from facteur.adapters.sqlite_ledger import SqliteLedger

SUPPLIER = "35600000000048"  # the generator's demo supplier
PARIS = timezone(timedelta(hours=1))

pytestmark = pytest.mark.usefixtures("ledger_backend")


def deposit(hub: Hub, number: str, **spec) -> str:
    _, result = hub.process(hub.drop(f"{number}.xml", ubl(Spec(number, **spec))))
    flow = only_flow(result)
    assert flow["status"] == "90", flow["findings"]
    return flow["flow_id"]


def send_status(hub: Hub, recipient: str, content: bytes, name: str) -> tuple[str, list[str], dict]:
    """The recipient's status file processed as its flow; its report's status and error codes."""
    _, result = hub.process(hub.drop(name, content), sender=recipient)
    flow = only_flow(result)
    report = hub.root / "outbox" / recipient / f"{flow['flow_id']}.flux.statut.xml"
    code, errors = flow_status(report)
    return code, errors, flow


def forwarded(hub: Hub, sender: str = "DEMO01") -> list[tuple[str, str, str, str]]:
    """Statuses forwarded to the supplier's sender after deposit: (status, invoice, time, comment), in time order."""
    seen = []
    for path in (hub.root / "outbox" / sender).glob("*.suivi.statut.xml"):
        for unit in etree.parse(str(path)).getroot().iter("CPPFactureStatutUnitaire"):
            data = unit.find("DonneesStatut")
            seen.append((data.findtext("IdStatut"), data.findtext("IdFacture"), data.findtext("Horodatage"),
                         data.findtext("Commentaire") or ""))
    return sorted(seen, key=lambda s: (datetime.fromisoformat(s[2]), s[0]))


def show(hub: Hub, flow_id: str) -> dict:
    code, out = hub.run("flows", "show", flow_id, "--json")
    assert code == 0, hub.err
    return json.loads(out)


def soon(seconds: int = 1) -> datetime:
    """A moment just after now, to the second, as recipients' systems write them."""
    return datetime.now(PARIS).replace(microsecond=0) + timedelta(seconds=seconds)


def test_acknowledged_then_service_done_then_paid(hub, status_schema):
    flow_id = deposit(hub, "LIFE-1")
    acknowledged, done, paid = soon(1), soon(2), soon(3)

    assert send_status(hub, "VILLEDEM", recipient_status("VILLEDEM", flows=[("92", acknowledged, flow_id, "")]), "ack.xml")[:2] == ("90", [])
    assert send_status(hub, "VILLEDEM", recipient_status("VILLEDEM", invoices=[("07", done, "LIFE-1", "2026-11-02", "")]), "07.xml")[:2] == ("90", [])
    assert send_status(hub, "VILLEDEM", recipient_status("VILLEDEM", invoices=[("11", paid, "LIFE-1", None, "virement 4521")]), "11.xml")[:2] == ("90", [])

    assert [(s[0], s[1], datetime.fromisoformat(s[2])) for s in forwarded(hub)] == [
        ("03", "LIFE-1", acknowledged), ("07", "LIFE-1", done), ("11", "LIFE-1", paid)
    ]
    for path in (hub.root / "outbox" / "DEMO01").glob("*.statut.xml"):
        assert_valid(status_schema, path.read_bytes())
    for path in (hub.root / "outbox" / "VILLEDEM").glob("*.statut.xml"):
        assert_valid(status_schema, path.read_bytes())

    detail = show(hub, flow_id)
    [invoice] = detail["invoices"]
    assert invoice["state"] == "11"
    assert datetime.fromisoformat(invoice["dgp_start"]) == acknowledged and invoice["dgp_rule"] == "edi-acknowledgment"
    timeline = [(e["code"], e["at"]) for e in detail["timeline"] if e["idx"] == 1]
    assert [code for code, _ in timeline] == ["01", "02", "03", "07", "11"]
    assert [datetime.fromisoformat(at) for code, at in timeline[2:]] == [acknowledged, done, paid]


def test_a_second_acknowledgment_never_moves_the_payment_delay_start(hub):
    flow_id = deposit(hub, "LIFE-2")
    first, later = soon(), soon(60)
    send_status(hub, "VILLEDEM", recipient_status("VILLEDEM", flows=[("92", first, flow_id, "")]), "a.xml")
    code, errors, flow = send_status(hub, "VILLEDEM", recipient_status("VILLEDEM", flows=[("92", later, flow_id, "")]), "b.xml")
    assert (code, errors) == ("90", [])
    assert [f["code"] for f in flow["findings"]] == ["FCT-STATUS-ALREADY"]
    [invoice] = show(hub, flow_id)["invoices"]
    assert datetime.fromisoformat(invoice["dgp_start"]) == first
    assert [s[0] for s in forwarded(hub)] == ["03"]

    with pytest.raises((sqlite3.IntegrityError, psycopg.errors.RaiseException), match="never changes"):
        ledger_rows(hub.root, "UPDATE invoices SET dgp_start = '2020-01-01T00:00:00+00:00' WHERE flow_id = ?", flow_id)


@pytest.mark.parametrize(
    "steps, refused",
    [
        ([("07", "")], "FCT-STATUS-TRANSITION"),  # before the delivery was acknowledged
        ([("92", ""), ("11", "")], "FCT-STATUS-TRANSITION"),  # paid, never mandated
        ([("92", ""), ("03", "")], "FCT-STATUS-TRANSITION"),  # 03 is the hub's
        ([("92", ""), ("05", "erreur de prix ligne 2"), ("07", "")], "FCT-STATUS-TRANSITION"),  # after a rejection
        ([("92", ""), ("06", "")], "FCT-STATUS-UNEXPLAINED"),
        ([("92", ""), ("05", "xxx")], "FCT-STATUS-UNEXPLAINED"),
        ([("92", ""), ("04", "  ")], "FCT-STATUS-UNEXPLAINED"),
    ],
)
def test_impossible_or_unexplained_statuses_are_refused_to_their_sender(hub, status_schema, steps, refused):
    flow_id = deposit(hub, "LIFE-3")
    *before, (code, comment) = steps
    for number, (step, text) in enumerate(before):
        entry = {"flows": [("92", soon(), flow_id, "")]} if step == "92" else {
            "invoices": [(step, soon(), "LIFE-3", None, text)]}
        assert send_status(hub, "VILLEDEM", recipient_status("VILLEDEM", **entry), f"s{number}.xml")[0] == "90"
    state_before = show(hub, flow_id)["invoices"][0]["state"]
    forwarded_before = forwarded(hub)

    status, errors, flow = send_status(
        hub, "VILLEDEM", recipient_status("VILLEDEM", invoices=[(code, soon(), "LIFE-3", None, comment)]),
        "refused.xml",
    )
    assert (status, errors) == ("93", [refused])
    report = hub.root / "outbox" / "VILLEDEM" / f"{flow['flow_id']}.flux.statut.xml"
    description = assert_valid(status_schema, report.read_bytes()).findtext(".//DescriptionErreur")
    assert "LIFE-3" in description
    assert show(hub, flow_id)["invoices"][0]["state"] == state_before
    assert forwarded(hub) == forwarded_before


def test_an_explained_suspension_reaches_the_supplier_with_its_reason(hub):
    flow_id = deposit(hub, "LIFE-4")
    now = soon()
    send_status(hub, "VILLEDEM", recipient_status("VILLEDEM", flows=[("92", now, flow_id, "")]), "ack.xml")
    content = recipient_status(
        "VILLEDEM", invoices=[("06", now, "LIFE-4", None, "Bon de commande manquant : joindre le BC 2026-118")]
    )
    assert send_status(hub, "VILLEDEM", content, "s.xml")[:2] == ("90", [])
    assert [(s[0], s[3]) for s in forwarded(hub)] == [
        ("03", ""), ("06", "Bon de commande manquant : joindre le BC 2026-118")
    ]


def test_one_file_partly_applied_reports_96(hub):
    flow_id = deposit(hub, "LIFE-5")
    now = soon()
    send_status(hub, "VILLEDEM", recipient_status("VILLEDEM", flows=[("92", now, flow_id, "")]), "ack.xml")
    content = recipient_status(
        "VILLEDEM", invoices=[("07", now, "LIFE-5", None, ""), ("07", now, "NO-SUCH-INVOICE", None, "")]
    )
    assert send_status(hub, "VILLEDEM", content, "s.xml")[:2] == ("96", ["FCT-STATUS-UNKNOWN-INVOICE"])
    assert [s[0] for s in forwarded(hub)] == ["03", "07"]


def test_a_recipient_cannot_touch_an_invoice_delivered_to_another(hub):
    flow_id = deposit(hub, "LIFE-6")  # delivered to VILLEDEM
    now = soon()
    for name, entries, refused in (
        ("ack.xml", {"flows": [("92", now, flow_id, "")]}, "FCT-STATUS-UNKNOWN-FLOW"),
        ("done.xml", {"invoices": [("07", now, "LIFE-6", None, "")]}, "FCT-STATUS-UNKNOWN-INVOICE"),
    ):
        assert send_status(hub, "MINDEMO", recipient_status("MINDEMO", **entries), name)[:2] == ("93", [refused])
    assert forwarded(hub) == []
    assert show(hub, flow_id)["invoices"][0]["state"] == "02"


def test_implausible_or_malformed_status_files_are_refused(hub):
    flow_id = deposit(hub, "LIFE-7")
    before = datetime(2020, 1, 1, tzinfo=PARIS)
    future = datetime.now(PARIS) + timedelta(days=2)
    for name, content, expected in (
        ("old.xml", recipient_status("VILLEDEM", flows=[("92", before, flow_id, "")]), ["FCT-STATUS-TIME"]),
        ("future.xml", recipient_status("VILLEDEM", flows=[("92", future, flow_id, "")]), ["FCT-STATUS-TIME"]),
        ("naive.xml", recipient_status("VILLEDEM", flows=[("92", "2026-11-23T10:00:00", flow_id, "")]), ["FCT-STATUS-TIMEZONE"]),
        ("hub.xml", recipient_status("VILLEDEM", flows=[("90", soon(), flow_id, "")]), ["FCT-STATUS-NOT-YOURS"]),
        ("bad.xml", recipient_status("VILLEDEM", flows=[("92", soon(), "", "")]), ["XSD"]),
    ):
        code, errors, _ = send_status(hub, "VILLEDEM", content, name)
        assert (code, sorted(set(errors))) == ("93", expected), name
    assert show(hub, flow_id)["invoices"][0]["dgp_start"] is None


def test_delivery_errors_are_recorded_and_alerted(hub):
    flow_id = deposit(hub, "LIFE-8")
    code, errors, _ = send_status(
        hub, "VILLEDEM", recipient_status("VILLEDEM", flows=[("95", soon(), flow_id, "pivot illisible")]), "e.xml"
    )
    assert (code, errors) == ("90", [])
    assert "a recipient reports that a delivery failed" in hub.err
    detail = show(hub, flow_id)
    assert detail["invoices"][0]["state"] == "02"
    assert any(e["code"] == "95" and "pivot illisible" in e["detail"] for e in detail["timeline"])


def test_portal_recipient_collects_and_its_payment_delay_starts_then(hub, tmp_path):
    flow_id = deposit(hub, "LIFE-9", buyer_siret="26750045200011", engagement="EJ-2026-77")  # CHDEMO, portal
    handed = tmp_path / "handed"
    started = datetime.now(timezone.utc).replace(microsecond=0)
    code, out = hub.run("collect", "CHDEMO", "--to", str(handed), "--json")
    assert code == 0, hub.err
    result = json.loads(out)
    [row] = result["invoices"]
    assert Path(row["pivot"]).parent == handed and Path(row["pivot"]).read_bytes().startswith(b"<?xml")
    [invoice] = show(hub, flow_id)["invoices"]
    assert invoice["state"] == "03" and invoice["dgp_rule"] == "portal-notification"
    assert datetime.fromisoformat(invoice["dgp_start"]) >= started
    assert [s[0] for s in forwarded(hub)] == ["03"]

    code, out = hub.run("collect", "CHDEMO")
    assert code == 0 and "rien n'attend CHDEMO" in out
    code, _ = hub.run("collect", "VILLEDEM")
    assert code == 2 and "accuse réception de chaque livraison par un statut 92" in hub.err


def test_dispute_starts_the_delay_two_days_after_deposit_once(hub):
    flow_id = deposit(hub, "LIFE-10", buyer_siret="20005372300017", service_code="VOIRIE")  # CCDEMO, service mode
    deposited = datetime.fromisoformat(show(hub, flow_id)["received_at"])
    code, out = hub.run("dispute", flow_id[:10], "--reason", "la collectivité dit n'avoir rien reçu", "--json")
    assert code == 0, hub.err
    assert datetime.fromisoformat(json.loads(out)["dgp_start"]) == deposited + timedelta(days=2)

    code, _ = hub.run("dispute", flow_id, "--reason", "encore")
    assert code == 1 and "commencera le" in hub.err and "ne change jamais" in hub.err
    hub.run("collect", "CCDEMO")
    [invoice] = show(hub, flow_id)["invoices"]
    assert invoice["state"] == "03"
    assert (datetime.fromisoformat(invoice["dgp_start"]), invoice["dgp_rule"]) == (deposited + timedelta(days=2), "dispute")


def test_payment_delay_clock_per_structure_and_overdue(hub):
    town = deposit(hub, "LIFE-11")  # VILLEDEM: 30 days
    paid = deposit(hub, "LIFE-12")
    deposit(hub, "LIFE-13", buyer_siret="26750045200011", engagement="EJ-1")  # CHDEMO: 50 days
    now = soon()
    acknowledged = recipient_status("VILLEDEM", flows=[("92", now, town, ""), ("92", now, paid, "")])
    assert send_status(hub, "VILLEDEM", acknowledged, "ack.xml")[:2] == ("90", [])
    settled = recipient_status("VILLEDEM", invoices=[("08", now, "LIFE-12", None, ""), ("11", now, "LIFE-12", None, "")])
    assert send_status(hub, "VILLEDEM", settled, "paid.xml")[:2] == ("90", [])
    hub.run("collect", "CHDEMO")

    code, out = hub.run("dgp", "--json")
    clocks = {row["number"]: row for row in json.loads(out)}
    assert code == 0
    assert (clocks["LIFE-11"]["delay_days"], clocks["LIFE-13"]["delay_days"]) == (30, 50)
    assert clocks["LIFE-11"]["days_left"] == 30 and clocks["LIFE-13"]["days_left"] == 50

    on = (now + timedelta(days=40)).date().isoformat()
    code, out = hub.run("dgp", "--overdue", "--on", on, "--json")
    assert [row["number"] for row in json.loads(out)] == ["LIFE-11"]  # LIFE-12 is paid, LIFE-13 has 50 days
    code, out = hub.run("dgp", "--overdue", "--on", on)
    assert "LIFE-11" in out and "EN RETARD" in out and "1 facture en retard" in out


def custom_root(hub: Hub) -> Path:
    """The shipped configuration copied under the hub's root, to be edited."""
    config = hub.root / "config"
    shutil.copytree(REPO / "config", config)
    return config / "facteur.toml"


def test_replay_after_a_directory_fix_delivers_once(hub):
    config = custom_root(hub)
    hub.run("process", str(hub.drop("new.xml", ubl(Spec("LIFE-14", buyer_siret="21330063500017")))),
            "--sender", "DEMO01", "--config", str(config))
    code, out = hub.run("flows", "list", "--status", "rejected", "--code", "FCT-RECIPIENT-UNKNOWN", "--json",
                        "--config", str(config))
    [rejected] = json.loads(out)
    assert hub.pivots() == []

    directory = config.parent / "directory.toml"
    directory.write_text(directory.read_text() + '\n[[structure]]\nsiret = "21330063500017"\nname = "Ville de Bordeaux"\n'
                         'mailbox = "BORDEAUX"\n')
    code, out = hub.run("replay", "--status", "rejected", "--dry-run", "--json", "--config", str(config))
    assert code == 0, hub.err
    assert [(p["flow_id"], p["attempt"]) for p in json.loads(out)["would_replay"]] == [(rejected["id"], 1)]
    code, out = hub.run("replay", rejected["id"][:10], "--dry-run", "--config", str(config))
    assert code == 0 and "serait rejoué" in out and "rien n'a été rejoué" in out
    assert hub.pivots() == [] and show(hub, rejected["id"])["replays"] == []

    code, out = hub.run("replay", "--status", "rejected", "--since", "2026-01-01", "--json", "--config", str(config))
    assert code == 0, hub.err
    [replayed] = json.loads(out)["replayed"]
    assert replayed["status"] == "90"
    assert [p.parent.name for p in hub.pivots()] == ["BORDEAUX"]

    # Again: the original once more, the delivered attempt, and the whole rejected set.
    code, out = hub.run("replay", rejected["id"], replayed["flow_id"], "--json", "--config", str(config))
    again = json.loads(out)
    assert [r["status"] for r in again["replayed"]] == ["93"]  # the original: its invoice is now a duplicate
    assert [f["code"] for f in again["replayed"][0]["findings"] if f["severity"] == "blocking"] == ["FCT-DUPLICATE-INVOICE"]
    assert [s["flow_id"] for s in again["skipped"]] == [replayed["flow_id"]]
    code, out = hub.run("replay", "--status", "rejected", "--json", "--config", str(config))
    assert json.loads(out)["replayed"][0]["status"] == "93"
    assert len(hub.pivots()) == 1

    detail = show(hub, rejected["id"])
    assert [r["attempt"] for r in detail["replays"]] == [1, 2, 3]
    assert detail["replays"][0]["status"] == "90"


def test_flows_list_filters(hub):
    town = deposit(hub, "LIFE-15")
    hub.process(hub.drop("bad.xml", ubl(Spec("LIFE-16", buyer_siret="12345678900017"))))
    hub.process(hub.drop("other.xml", ubl(Spec("LIFE-17"))), sender="FOURN01")

    def ids(*filters: str) -> list[str]:
        code, out = hub.run("flows", "list", "--json", *filters)
        assert code == 0, hub.err
        return sorted(row["name"] for row in json.loads(out))

    assert ids("--status", "integrated") == ["LIFE-15.xml", "other.xml"]
    assert ids("--status", "93") == ["bad.xml"]
    assert ids("--sender", "FOURN01") == ["other.xml"]
    assert ids("--recipient", "VILLEDEM") == ["LIFE-15.xml", "other.xml"]
    assert ids("--recipient", "21750001600019") == ["LIFE-15.xml", "other.xml"]
    assert ids("--code", "FCT-RECIPIENT-UNKNOWN") == ["bad.xml"]
    assert ids("--syntax", "IN_DP_E1_UBL_INVOICE", "--since", "2000-01-01") == ["LIFE-15.xml", "bad.xml", "other.xml"]
    assert ids("--until", "2000-01-01") == []
    assert town


@pytest.mark.sqlite_only
def test_a_ledger_of_the_previous_schema_is_migrated_in_place(hub):
    flow_id = deposit(hub, "LIFE-18")
    path = hub.root / "var" / "ledger.sqlite"
    older = sqlite3.connect(path)
    older.executescript(
        """
        DROP TABLE claims;
        DROP TABLE leases;
        DROP TABLE outbox;
        DROP TABLE tally_flows; DROP TABLE tally_codes; DROP TABLE tally_awaiting; DROP TABLE tally_started;
        DROP TABLE tally_statuses; DROP TABLE tally_invoices; DROP TABLE tally_findings; DROP TABLE alert_episodes;
        DROP TRIGGER dgp_start_never_changes;
        DROP INDEX invoices_by_mailbox;
        DROP INDEX flows_by_chain;
        DROP INDEX flows_by_received;
        DROP INDEX invoices_awaiting;
        DROP INDEX findings_by_code;
        DROP INDEX invoices_by_number_key;
        ALTER TABLE flows DROP COLUMN replay_of;
        ALTER TABLE flows DROP COLUMN attempt;
        ALTER TABLE flows DROP COLUMN name_raw;
        ALTER TABLE flows DROP COLUMN lone_runs;
        ALTER TABLE invoices DROP COLUMN supplier_type;
        ALTER TABLE invoices DROP COLUMN supplier_country;
        ALTER TABLE invoices DROP COLUMN state;
        ALTER TABLE invoices DROP COLUMN dgp_start;
        ALTER TABLE invoices DROP COLUMN dgp_rule;
        ALTER TABLE invoices DROP COLUMN rule_set;
        ALTER TABLE invoices DROP COLUMN rule_set_version;
        ALTER TABLE findings DROP COLUMN said;
        ALTER TABLE events DROP COLUMN said;
        ALTER TABLE findings DROP COLUMN read_values;
        ALTER TABLE invoices DROP COLUMN number_key;
        PRAGMA user_version = 1;
        """
    )
    older.close()

    code, errors, _ = send_status(hub, "VILLEDEM", recipient_status("VILLEDEM", flows=[("92", soon(), flow_id, "")]), "a.xml")
    assert (code, errors) == ("90", [])
    [invoice] = show(hub, flow_id)["invoices"]
    assert invoice["state"] == "03" and invoice["dgp_rule"] == "edi-acknowledgment"
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == SQLITE_SCHEMA_VERSION
    assert show(hub, flow_id)["name_raw"] is None  # kept since, not invented for flows recorded before
    with closing(SqliteLedger(path)) as ledger:  # the flow of before counted in the tallies filled then
        assert ledger.totals().flows == {"90": 2} and ledger.totals().invoices == {("IN_DP_E1_UBL_INVOICE", "03"): 1}
    _, result = hub.process(hub.drop("LIFE-18-again.xml", ubl(Spec("LIFE-18", lines=2))))
    assert blocking_codes(only_flow(result)) == ["FCT-DUPLICATE-INVOICE"]  # the delivered invoice kept its claim


@pytest.mark.system
def test_facteur_run_takes_status_files_from_the_recipients_inbox(tmp_path):
    from test_run import drop, start, wait_for

    process = start(tmp_path)
    try:
        invoice = {"LIFE-19.xml": ubl(Spec("LIFE-19"))}
        drop(tmp_path, invoice)
        wait_for(lambda: list((tmp_path / "outbox" / "VILLEDEM").glob("*.pivot.xml")), 60)
        [pivot] = (tmp_path / "outbox" / "VILLEDEM").glob("*.pivot.xml")
        flow_id = pivot.name.split("-")[0]
        inbox = tmp_path / "inbox" / "VILLEDEM"
        for number, (name, content) in enumerate((
            ("ack.xml", recipient_status("VILLEDEM", flows=[("92", soon(1), flow_id, "")])),
            ("done.xml", recipient_status("VILLEDEM", invoices=[("07", soon(2), "LIFE-19", None, "")])),
        ), 1):
            (inbox / f".{name}.part").write_bytes(content)
            (inbox / f".{name}.part").rename(inbox / name)
            wait_for(lambda: len(list((tmp_path / "outbox" / "DEMO01").glob("*.suivi.statut.xml"))) == number, 60)
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=30)
    assert process.returncode == 0, err.decode()
    assert [s[0] for s in forwarded(Hub(tmp_path, None))] == ["03", "07"]
    assert [p for p in inbox.rglob("*") if p.is_file()] == []
