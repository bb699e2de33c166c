"""The use cases of engine/operations/, called as a web console would call
them: no subprocess, no CLI, a hub the composition root builds over a SQLite
ledger and folder mailboxes under a temporary root, and typed results."""

from __future__ import annotations

import shutil
from contextlib import closing
from datetime import date, datetime, timedelta, timezone
from importlib import import_module
from pathlib import Path

import pytest
from helpers import REPO, Spec, cii, ubl

from facteur.adapters import configuration
from facteur.adapters.wiring import Wired, validation
from facteur.engine import operations
from facteur.engine.operations import (
    FlowDetail,
    FlowFilter,
    FlowSummary,
    InvalidRequest,
    NotAllowed,
    Planned,
    Submitted,
    TimelineEvent,
)

NOW = datetime(2026, 11, 20, 9, 30, tzinfo=timezone.utc)
CHDEMO = {"buyer_siret": "26750045200011", "engagement": "EJ-2026-77"}  # portal recipient, 50 days
CCDEMO = {"buyer_siret": "20005372300017", "service_code": "VOIRIE"}  # service recipient


@pytest.fixture
def root(tmp_path, monkeypatch) -> Path:
    """A root with a copy of the shipped configuration, to edit its directory."""
    monkeypatch.delenv("FACTEUR_LEDGER_URL", raising=False)
    shutil.copytree(REPO / "config", tmp_path / "config")
    return tmp_path


def wired(root: Path, create_ledger: bool = True) -> Wired:
    config = configuration.load(str(root / "config" / "facteur.toml"), str(root))
    return Wired(config, create_ledger=create_ledger, clock=lambda: NOW)


def submitted(root: Path, name: str, content: bytes) -> Submitted:
    path = root / "drop" / name
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(content)
    return Submitted(str(path), len(content), path.read_bytes)


def deposit(root: Path, number: str, sender: str = "DEMO01", **spec) -> operations.Handled:
    with closing(wired(root)) as hub:
        [handled] = operations.process(hub, [submitted(root, f"{number}.xml", ubl(Spec(number, **spec)))], sender).flows
    return handled


def ledger_state(root: Path) -> tuple:
    """Every flow with its status, and every file of the outbox."""
    with closing(wired(root, create_ledger=False)) as hub:
        flows = sorted((f.id, f.status) for f in operations.list_flows(hub, FlowFilter(limit=1000)))
    return flows, sorted(str(p) for p in (root / "outbox").rglob("*") if p.is_file())


def test_process_returns_each_flow_handled_and_an_unknown_sender_is_refused(root):
    with closing(wired(root)) as hub:
        processed = operations.process(
            hub, [submitted(root, "good.xml", ubl(Spec("OPS-1"))),
                  submitted(root, "bad.xml", ubl(Spec("OPS-2", buyer_siret="12345678900017")))], "DEMO01"
        )
        assert [f.status for f in processed.flows] == ["90", "93"]
        assert processed.counts == {"90": 1, "93": 1} and not processed.complete
        with pytest.raises(InvalidRequest, match="l'expéditeur NOBODY n'est pas dans l'annuaire"):
            operations.process(hub, [], "NOBODY")


def test_a_folder_is_processed_in_groups_with_the_outcomes_of_one_at_a_time(root, monkeypatch):
    """Flows of one group: a copy of a file is a repeat, an invoice sent in two
    files is delivered once, a file above the limit is refused unread, and the
    results come back in the order given, across groups."""
    monkeypatch.setattr(import_module("facteur.engine.operations.process"), "GROUP_FLOWS", 3)
    same = ubl(Spec("GRP-1"))
    files = [submitted(root, "a.xml", same), submitted(root, "b.xml", ubl(Spec("GRP-2"))),
             submitted(root, "copy-of-a.xml", same), submitted(root, "again.xml", cii(Spec("GRP-2"))),
             Submitted(str(root / "drop" / "huge.xml"), 10**12, lambda: b""),
             submitted(root, "c.xml", ubl(Spec("GRP-3")))]
    with closing(wired(root)) as hub:
        flows = operations.process(hub, files, "DEMO01").flows
    assert [(Path(f.name).name, f.status, f.repeated) for f in flows] == [
        ("a.xml", "90", False), ("b.xml", "90", False), ("copy-of-a.xml", "90", True), ("again.xml", "93", False),
        ("huge.xml", "93", False), ("c.xml", "90", False)]
    assert [f["code"] for f in flows[3].findings if f["severity"] == "blocking"] == ["FCT-DUPLICATE-INVOICE"]
    assert [f["code"] for f in flows[4].findings] == ["FCT-SIZE"]
    assert len(list((root / "outbox").rglob("*.pivot.xml"))) == 3


def test_a_pipeline_that_raises_in_a_group_leaves_the_flows_before_it_committed(root, monkeypatch):
    from facteur.engine import pipeline

    real = pipeline.process
    monkeypatch.setattr(pipeline, "process", lambda flow, ctx: real(flow, ctx) if flow.name != "boom.xml" else 1 / 0)
    files = [submitted(root, f"{n}.xml", ubl(Spec(f"RAISE-{n}"))) for n in ("a", "boom", "c")]
    with closing(wired(root)) as hub, pytest.raises(ZeroDivisionError):
        operations.process(hub, files, "DEMO01")
    monkeypatch.setattr(pipeline, "process", real)
    with closing(wired(root)) as hub:  # at once: the unfinished flows' leases were given back
        flows = operations.process(hub, files, "DEMO01").flows
    assert [(f.name, f.status, f.repeated) for f in flows] == [
        ("a.xml", "90", True), ("boom.xml", "90", False), ("c.xml", "90", False)]


def test_validate_judges_without_recording(root):
    config = configuration.load(str(root / "config" / "facteur.toml"), str(root))
    files = [submitted(root, "v.xml", ubl(Spec("OPS-3"))), submitted(root, "big.xml", b" " * 100_000)]
    with validation(config) as context:
        judged, big = operations.validate(context, files, lambda: NOW, max_lot_bytes=50_000)
    assert judged.valid and judged.syntax == ("IN_DP_E1_UBL_INVOICE",) and judged.findings == ()
    assert not big.valid and big.file.endswith("big.xml")  # above the limit: judged empty
    assert not config.ledger.exists() and not (root / "outbox").exists()


def test_flows_are_searched_by_every_filter(root):
    deposit(root, "OPS-4")
    deposit(root, "OPS-5", buyer_siret="12345678900017")
    deposit(root, "OPS-6", sender="FOURN01")

    def names(**criteria) -> list[str]:
        with closing(wired(root, create_ledger=False)) as hub:
            found = operations.list_flows(hub, FlowFilter(**criteria))
        assert all(isinstance(f, FlowSummary) for f in found)
        return sorted(f.name for f in found)

    assert names(status="integrated") == names(status="90") == ["OPS-4.xml", "OPS-6.xml"]
    assert names(status="rejected") == ["OPS-5.xml"]
    assert names(sender="FOURN01") == ["OPS-6.xml"]
    assert names(recipient="VILLEDEM") == names(recipient="21750001600019") == ["OPS-4.xml", "OPS-6.xml"]
    assert names(code="FCT-RECIPIENT-UNKNOWN") == ["OPS-5.xml"]
    assert names(syntax="IN_DP_E1_UBL_INVOICE", since=NOW.date(), until=NOW.date()) == [
        "OPS-4.xml", "OPS-5.xml", "OPS-6.xml"]
    assert names(until=NOW.date() - timedelta(days=1)) == names(since=NOW.date() + timedelta(days=1)) == []
    assert len(names(limit=2)) == 2


def test_show_returns_the_typed_timeline_findings_and_outputs(root):
    handled = deposit(root, "OPS-7", buyer_siret="12345678900017")
    with closing(wired(root, create_ledger=False)) as hub:
        detail = operations.show_flow(hub.ledger, handled.flow_id[:12])
        with pytest.raises(InvalidRequest, match="aucun flux n'a l'identifiant « zz »"):
            operations.show_flow(hub.ledger, "zz")
    assert isinstance(detail, FlowDetail) and detail.id == handled.flow_id and detail.status == "93"
    assert all(isinstance(e, TimelineEvent) for e in detail.timeline)
    assert (detail.timeline[0].code, detail.timeline[-1].code) == ("received", "93")
    assert "FCT-RECIPIENT-UNKNOWN" in {f.code for f in detail.findings}
    assert {o.kind for o in detail.outputs} == {"flow-status"} and detail.outputs[0].message_id is None
    assert [i.accepted for i in detail.invoices] == [0]


def test_a_dry_run_says_what_would_be_replayed_and_changes_nothing(root):
    rejected = deposit(root, "OPS-8", buyer_siret="21330063500017")
    integrated = deposit(root, "OPS-9")
    assert rejected.status == "93"
    directory = root / "config" / "directory.toml"
    directory.write_text(directory.read_text() + '\n[[structure]]\nsiret = "21330063500017"\nname = "Ville de Bordeaux"\n'
                         'mailbox = "BORDEAUX"\n')
    before = ledger_state(root)

    with closing(wired(root, create_ledger=False)) as hub:
        chosen = operations.chosen(hub, status="rejected", since=date(2026, 1, 1))
        plan = operations.replay(hub, chosen + [integrated.flow_id], dry_run=True)
    assert chosen == [rejected.flow_id]
    assert plan.dry_run and plan.replayed == ()
    assert plan.planned == (Planned(rejected.flow_id, "OPS-8.xml", "DEMO01", "93", rejected.flow_id, 1, "90", (), ""),)
    assert [(s.flow_id, "intégré" in str(s.reason)) for s in plan.skipped] == [(integrated.flow_id, True)]
    assert ledger_state(root) == before

    with closing(wired(root, create_ledger=False)) as hub:
        done = operations.replay(hub, chosen)
        assert [r.status for r in done.replayed] == ["90"] and not done.dry_run
        assert operations.chosen(hub, status="rejected") == []  # a later attempt replaced it
        [again] = operations.show_flow(hub.ledger, rejected.flow_id).replays
    assert (again.attempt, again.status) == (1, "90")
    assert [p.parent.name for p in (root / "outbox").glob("BORDEAUX/*.pivot.xml")] == ["BORDEAUX"]


def test_replay_is_asked_by_ids_or_by_status(root):
    with closing(wired(root)) as hub:
        with pytest.raises(InvalidRequest, match="pas les deux"):
            operations.chosen(hub, ["abc"], status="rejected")
        with pytest.raises(InvalidRequest, match="pas les deux"):
            operations.chosen(hub)


def test_collect_hands_the_waiting_invoices_and_starts_their_delay(root):
    handled = deposit(root, "OPS-10", **CHDEMO)
    handed = root / "handed"
    with closing(wired(root, create_ledger=False)) as hub:
        collected = operations.collect(hub, "26750045200011", str(handed))  # by SIRET
        [invoice] = operations.show_flow(hub.ledger, handled.flow_id).invoices
        assert operations.collect(hub, "CHDEMO").invoices == ()
        with pytest.raises(InvalidRequest, match="accuse réception de chaque livraison par un statut 92"):
            operations.collect(hub, "VILLEDEM")
        with pytest.raises(InvalidRequest, match="aucune structure « NOWHERE »"):
            operations.collect(hub, "NOWHERE")
    assert (collected.recipient, collected.notified_at) == ("CHDEMO", NOW)
    [row] = collected.invoices
    assert (row.flow_id, row.number, row.dgp_start, row.dgp_rule) == (handled.flow_id, "OPS-10", NOW,
                                                                      "portal-notification")
    assert Path(row.pivot).parent == handed and Path(row.pivot).read_bytes().startswith(b"<?xml")
    assert (invoice.state, datetime.fromisoformat(invoice.dgp_start)) == ("03", NOW)


def test_dispute_starts_the_delay_two_days_after_deposit_once(root):
    handled = deposit(root, "OPS-11", **CCDEMO)
    with closing(wired(root, create_ledger=False)) as hub:
        disputed = operations.dispute(hub, f"{handled.flow_id[:10]}:1", "rien reçu")
        with pytest.raises(NotAllowed, match="commencera le .* ne change jamais"):
            operations.dispute(hub, handled.flow_id, "encore")
        with pytest.raises(InvalidRequest, match="0 facture livrée"):
            operations.dispute(hub, f"{handled.flow_id}:2", "la deuxième")
    assert (disputed.number, disputed.dgp_start, disputed.dgp_rule) == ("OPS-11", NOW + timedelta(days=2), "dispute")


def test_payment_delays_count_from_each_start_and_find_the_overdue(root):
    deposit(root, "OPS-12")  # VILLEDEM, not started until it acknowledges
    portal = deposit(root, "OPS-13", **CHDEMO)
    with closing(wired(root, create_ledger=False)) as hub:
        operations.collect(hub, "CHDEMO")
        today = operations.payment_delays(hub)
        later = operations.payment_delays(hub, overdue=True, on=NOW.date() + timedelta(days=51))
        one = operations.payment_delays(hub, recipient="CHDEMO")
    assert today.on == NOW.date()
    clocks = {d.number: d for d in today.delays}
    assert (clocks["OPS-12"].dgp_start, clocks["OPS-12"].days_left, clocks["OPS-12"].overdue) == (None, None, False)
    assert (clocks["OPS-13"].delay_days, clocks["OPS-13"].due, clocks["OPS-13"].days_left) == (
        50, NOW.date() + timedelta(days=50), 50)
    assert [(d.flow_id, d.days_left) for d in later.delays] == [(portal.flow_id, -1)]
    assert [d.number for d in one.delays] == ["OPS-13"]


def test_flows_are_found_by_invoice_number_as_read_and_by_supplier(root):
    lot = deposit(root, "OPS-20.A")
    deposit(root, "OPS-21", buyer_siret="12345678900017")  # rejected: its invoice is still on record

    def ids(**criteria) -> list[str]:
        with closing(wired(root, create_ledger=False)) as hub:
            return sorted(f.name for f in operations.list_flows(hub, FlowFilter(**criteria)))

    assert ids(number="ops‑20.a ") == ids(number="OPS-20.A") == ["OPS-20.A.xml"]  # non-breaking hyphen, case, space
    assert ids(number="OPS-21") == ["OPS-21.xml"]
    assert ids(number="OPS-2%") == ids(number="OPS_20.A") == []  # the LIKE wildcards are plain characters
    assert ids(supplier="356 000 000 00048", status="rejected") == ["OPS-21.xml"]
    assert ids(supplier="11111111111111") == []
    assert lot.status == "90"


def test_an_unknown_status_or_recipient_is_refused_naming_the_choices(root):
    rejected = deposit(root, "OPS-22", buyer_siret="12345678900017")
    with closing(wired(root, create_ledger=False)) as hub:
        with pytest.raises(InvalidRequest, match="statut inconnu « foo » ; choisissez parmi : 90, 93, 96.*rejected"):
            operations.list_flows(hub, FlowFilter(status="foo"))
        with pytest.raises(InvalidRequest, match="destinataire inconnu « NOPE ».*CCDEMO, CHDEMO"):
            operations.list_flows(hub, FlowFilter(recipient="NOPE"))
        with pytest.raises(InvalidRequest, match="destinataire inconnu « NOPE »"):
            operations.payment_delays(hub, recipient="NOPE")
        # a SIRET no structure has, but that a flow was rejected for, is found
        assert [f.id for f in operations.list_flows(hub, FlowFilter(recipient="12345678900017"))] == [rejected.flow_id]
        # a known recipient with nothing for it is an empty listing, by mailbox or SIRET
        assert operations.list_flows(hub, FlowFilter(recipient="CHDEMO")) == ()
        assert operations.payment_delays(hub, recipient="26750045200011").delays == ()


def test_days_are_read_as_an_operator_types_them():
    today = date(2026, 11, 28)
    assert operations.day("today", today) == operations.day(" Aujourd'hui", today) == today
    assert operations.day("yesterday", today) == operations.day("hier", today) == date(2026, 11, 27)
    assert operations.day("-7d", today) == operations.day("-7j", today) == date(2026, 11, 21)
    assert operations.day("2026-02-01", today) == date(2026, 2, 1)
    for typed in ("demain", "2026-13-01", "-7", "7d", ""):
        with pytest.raises(InvalidRequest, match=f"date illisible « {typed} » : écrivez une date AAAA-MM-JJ"):
            operations.day(typed, today)


def test_a_listing_carries_each_flows_finding_codes_and_first_blocking_message(root):
    deposit(root, "OPS-23", buyer_siret="12345678900017")
    deposit(root, "OPS-24")
    with closing(wired(root, create_ledger=False)) as hub:
        rows = {f.name: f for f in operations.list_flows(hub)}
    assert rows["OPS-23.xml"].codes == ("FCT-RECIPIENT-UNKNOWN",)
    assert "12345678900017" in rows["OPS-23.xml"].blocking
    assert (rows["OPS-24.xml"].codes, rows["OPS-24.xml"].blocking) == ((), None)


def test_replay_chooses_flows_until_a_day_included(root):
    rejected = deposit(root, "OPS-25", buyer_siret="21330063500017")
    with closing(wired(root, create_ledger=False)) as hub:
        assert operations.chosen(hub, status="rejected", until=NOW.date()) == [rejected.flow_id]
        assert operations.chosen(hub, status="93", since=NOW.date(), until=NOW.date() - timedelta(days=1)) == []
        with pytest.raises(InvalidRequest, match="statut inconnu « lost »"):
            operations.chosen(hub, status="lost")


def sender_reports(root: Path) -> list[str]:
    return sorted(p.name for p in (root / "outbox" / "DEMO01").iterdir())


def test_a_replay_that_changes_nothing_sends_no_report_again_but_is_recorded(root):
    rejected = deposit(root, "OPS-26", buyer_siret="21330063500017")
    reports = sender_reports(root)

    with closing(wired(root, create_ledger=False)) as hub:
        [plan] = operations.replay(hub, [rejected.flow_id], dry_run=True).planned
        [same] = operations.replay(hub, [rejected.flow_id]).replayed
        detail = operations.show_flow(hub.ledger, same.flow_id)
    assert (plan.would_status, plan.would_codes, plan.same_as) == ("93", ("FCT-RECIPIENT-UNKNOWN",), rejected.flow_id)
    assert (same.status, same.same_as, same.outputs) == ("93", rejected.flow_id, [])
    assert sender_reports(root) == reports  # the sender has its report already
    assert detail.replay_of == rejected.flow_id and detail.outputs == ()
    assert [e.label for e in detail.timeline if e.code == "unchanged"] == [
        f"rapport non renvoyé à l'expéditeur : même statut et mêmes anomalies que la tentative précédente, "
        f"le flux {rejected.flow_id}"]

    directory = root / "config" / "directory.toml"
    directory.write_text(directory.read_text() + '\n[[structure]]\nsiret = "21330063500017"\nname = "Ville de Bordeaux"\n'
                         'mailbox = "BORDEAUX"\n')
    with closing(wired(root, create_ledger=False)) as hub:
        [plan] = operations.replay(hub, [same.flow_id], dry_run=True).planned
        [fixed] = operations.replay(hub, [same.flow_id]).replayed
    assert (plan.attempt, plan.would_status, plan.would_codes, plan.same_as) == (2, "90", (), "")
    assert (fixed.status, fixed.same_as) == ("90", "")
    told = [name for name in sender_reports(root) if name not in reports]  # something changed: the sender is told
    assert told and all(name.startswith(fixed.flow_id) for name in told)


def test_a_replay_whose_findings_read_differently_sends_its_report(root):
    rejected = deposit(root, "OPS-27", buyer_siret="11000201100044")  # the ministry wants a service code
    reports = sender_reports(root)
    directory = root / "config" / "directory.toml"
    directory.write_text(directory.read_text().replace("Ministère de la Démonstration", "Ministère des Essais"))
    with closing(wired(root, create_ledger=False)) as hub:
        [plan] = operations.replay(hub, [rejected.flow_id], dry_run=True).planned
        [again] = operations.replay(hub, [rejected.flow_id]).replayed
    assert (plan.would_status, plan.would_codes, plan.same_as) == ("93", ("FCT-SERVICE-MISSING",), "")
    assert "Ministère des Essais" in again.findings[0]["message"] and again.same_as == ""
    assert [name for name in sender_reports(root) if name not in reports] == [f"{again.flow_id}.flux.statut.xml"]
