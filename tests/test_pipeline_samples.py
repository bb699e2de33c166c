"""The pipeline end to end over the in-memory ledger and mailboxes
(facteur.adapters.testing): the demo flows of samples/ give the outcomes the
README's demo shows (6 integrated, 3 rejected, the lot partly integrated), each
pivot reaches its structure and each report the sender; a flow received again
is a repeat, an invoice deposited again a duplicate, and a rejected flow is
replayed as a new attempt. No disk, no server, no process."""

from __future__ import annotations

from collections import Counter

import pytest
from conftest import REPO, assert_valid
from lxml import etree

from facteur.adapters import configuration
from facteur.adapters.testing import demo_hub, shipped_config
from facteur.engine import pipeline
from facteur.engine.model import Flow
from facteur.engine.runtime import replay
from facteur.engine.runtime.runner import Handled, Runner, utc_now

SAMPLES = sorted((REPO / "samples").iterdir())

# name: status, documents, accepted, blocking codes, where its pivots go
EXPECTED = {
    "01-ville-ubl.xml": ("90", 1, 1, [], ["VILLEDEM"]),
    "02-ministere-cii.xml": ("90", 1, 1, [], ["MINDEMO"]),
    "03-hopital-ubl.xml": ("90", 1, 1, [], ["CHDEMO"]),
    "04-avoir-ubl.xml": ("90", 1, 1, [], ["VILLEDEM"]),
    "05-service-manquant.xml": ("93", 1, 0, ["FCT-SERVICE-MISSING"], []),
    "06-destinataire-inconnu.xml": ("93", 1, 0, ["FCT-RECIPIENT-UNKNOWN"], []),
    "07-lot.zip": ("96", 3, 2, ["FCT-SERVICE-OR-ENGAGEMENT"], ["CCDEMO", "CCDEMO"]),
    "08-tronque.xml": ("93", 1, 0, ["FCT-XML-TRUNCATED"], []),
    "09-facturx.pdf": ("90", 1, 1, [], ["VILLEDEM"]),
    "10-pdf-simple.pdf": ("90", 1, 1, [], ["VILLEDEM"]),
}


def blocking(handled: Handled) -> list[str]:
    return sorted({f["code"] for f in handled.findings if f["severity"] == "blocking"})


def pivots(memory) -> dict[str, list[str]]:
    """Pivot names by the mailbox that holds them."""
    return {partner: sorted(name for name in files if name.endswith(".pivot.xml"))
            for partner, files in memory.mailboxes.files.items() if any(n.endswith(".pivot.xml") for n in files)}


@pytest.fixture
def demo():
    """A hub that has taken every sample from DEMO01, and what it made of each."""
    memory = demo_hub()
    return memory, {path.name: memory.deposit(path.read_bytes(), path.name) for path in SAMPLES}


def test_the_samples_give_the_outcomes_of_the_readme_demo(demo):
    memory, handled = demo
    assert sorted(handled) == sorted(EXPECTED)
    assert Counter(h.status for h in handled.values()) == {"90": 6, "93": 3, "96": 1}
    for name, (status, documents, accepted, codes, _) in EXPECTED.items():
        seen = handled[name]
        assert (seen.status, seen.documents, seen.accepted, blocking(seen)) == (status, documents, accepted, codes), name


def test_each_pivot_reaches_the_mailbox_of_its_structure(demo):
    memory, handled = demo
    expected = {}
    for name, (*_, mailboxes) in EXPECTED.items():
        for mailbox in mailboxes:
            expected.setdefault(mailbox, []).append(handled[name].flow_id)
    assert {mailbox: sorted(name.split("-")[0] for name in names) for mailbox, names in pivots(memory).items()} == {
        mailbox: sorted(flow_ids) for mailbox, flow_ids in expected.items()
    }


def test_the_sender_gets_one_flow_report_each_and_deposit_statuses_for_what_was_accepted(demo):
    memory, handled = demo
    reports = memory.mailboxes.of("DEMO01")
    for name, seen in handled.items():
        flow_report = etree.fromstring(reports[f"{seen.flow_id}.flux.statut.xml"])
        assert flow_report.findtext(".//IdStatut") == seen.status, name
        assert sorted(code.text for code in flow_report.iter("CodeErreur")) == EXPECTED[name][3], name
        deposited = reports.get(f"{seen.flow_id}.factures.statut.xml")
        assert (deposited is not None) == (seen.accepted > 0), name


def test_the_ledger_and_the_archive_hold_every_flow(demo):
    memory, handled = demo
    assert Counter(row.status for row in memory.ledger.flows()) == {"90": 6, "93": 3, "96": 1}
    assert sorted(memory.archive.originals.values()) == sorted(path.read_bytes() for path in SAMPLES)
    assert len(memory.ledger.invoices()) == 8  # the 6 integrated flows and the 2 accepted members of the lot


def test_the_pivots_are_valid_against_the_official_schema(demo, pivot_schema):
    memory, _ = demo
    for partner, names in pivots(memory).items():
        for name in names:
            assert_valid(pivot_schema, memory.mailboxes.of(partner)[name])


def test_a_flow_received_again_is_a_repeat_whose_reports_are_sent_again_unchanged(demo):
    memory, handled = demo
    before = {partner: dict(files) for partner, files in memory.mailboxes.files.items()}
    lot = next(path for path in SAMPLES if path.name == "07-lot.zip")
    again = memory.deposit(lot.read_bytes(), "07-lot-encore.zip")
    assert (again.flow_id, again.status, again.repeated) == (handled["07-lot.zip"].flow_id, "96", True)
    assert memory.mailboxes.files == before


def test_an_invoice_deposited_again_in_other_bytes_is_a_duplicate(demo):
    memory, handled = demo
    ville = (REPO / "samples" / "01-ville-ubl.xml").read_bytes()
    again = memory.deposit(ville + b"\n", "01-ville-ubl-bis.xml")
    assert again.flow_id != handled["01-ville-ubl.xml"].flow_id
    assert (again.status, blocking(again)) == ("93", ["FCT-DUPLICATE-INVOICE"])
    assert handled["01-ville-ubl.xml"].flow_id in again.findings[0]["message"]


def test_the_pipeline_gives_the_same_outputs_for_the_same_flow():
    flow = Flow((REPO / "samples" / "07-lot.zip").read_bytes(), "DEMO01", "lot.zip", utc_now())
    context = demo_hub().runner.context
    first, second = pipeline.process(flow, context), pipeline.process(flow, context)
    assert [(o.mailbox, o.name, o.content) for o in first.outputs] == [(o.mailbox, o.name, o.content) for o in second.outputs]


def test_a_rejected_flow_is_replayed_as_a_new_attempt_under_the_configuration_of_now(demo):
    memory, handled = demo
    opened = shipped_config().with_open_directory()
    now = Runner(configuration.context(opened, memory.ledger.known_invoice), memory.ledger, memory.archive,
                 memory.mailboxes)
    rejected, integrated = handled["06-destinataire-inconnu.xml"], handled["01-ville-ubl.xml"]
    [again, skipped] = replay.replay([rejected.flow_id, integrated.flow_id], memory.ledger, memory.archive.read, now)
    assert (again.status, again.accepted) == ("90", 1) and again.flow_id != rejected.flow_id
    record = memory.ledger.find(again.flow_id)
    assert (record.replay_of, record.attempt) == (rejected.flow_id, 1)
    assert [name.split("-")[0] for name in pivots(memory)["OPEN"]] == [again.flow_id]
    assert isinstance(skipped, replay.Skipped) and "intégré" in str(skipped.reason)


def test_the_open_directory_takes_any_sender_and_routes_an_unknown_recipient_to_its_mailbox():
    memory = demo_hub(shipped_config().with_open_directory())
    handled = memory.deposit((REPO / "samples" / "06-destinataire-inconnu.xml").read_bytes(), "06.xml", sender="ANYONE")
    assert (handled.status, blocking(handled)) == ("90", [])
    assert [name.split("-")[0] for name in pivots(memory)["OPEN"]] == [handled.flow_id]
