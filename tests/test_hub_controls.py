"""Each hub control, through `facteur process` against the demo directory
(config/directory.toml): what is rejected says why, what passes is delivered."""

from __future__ import annotations

import pytest
from helpers import Hub, Spec, blocking_codes, cii, only_flow, ubl

VILLE = "21750001600019"  # no requirement
MINISTERE = "11000201100044"  # service required; FIN-01 active, ANCIEN inactive
HOPITAL = "26750045200011"  # engagement required
COMMUNAUTE = "20005372300017"  # service or engagement
DISSOUS = "19750000100014"  # inactive structure

pytestmark = pytest.mark.usefixtures("ledger_backend")


def deposit(hub: Hub, spec: Spec, sender: str = "DEMO01", maker=ubl) -> dict:
    _, result = hub.process(hub.drop(f"{spec.number}.xml", maker(spec)), sender=sender)
    return only_flow(result)


CASES = [
    ("recipient unknown", Spec("C-1", buyer_siret="12345678900017"), ["FCT-RECIPIENT-UNKNOWN"]),
    ("recipient inactive", Spec("C-2", buyer_siret=DISSOUS), ["FCT-RECIPIENT-INACTIVE"]),
    ("service missing", Spec("C-3", buyer_siret=MINISTERE), ["FCT-SERVICE-MISSING"]),
    ("service unknown", Spec("C-4", buyer_siret=MINISTERE, service_code="NOPE"), ["FCT-SERVICE-UNKNOWN"]),
    ("service inactive", Spec("C-5", buyer_siret=MINISTERE, service_code="ANCIEN"), ["FCT-SERVICE-INACTIVE"]),
    ("engagement missing", Spec("C-6", buyer_siret=HOPITAL), ["FCT-ENGAGEMENT-MISSING"]),
    ("neither service nor engagement", Spec("C-7", buyer_siret=COMMUNAUTE), ["FCT-SERVICE-OR-ENGAGEMENT"]),
]


@pytest.mark.parametrize("case, spec, codes", CASES, ids=[c[0] for c in CASES])
def test_control_rejects_with_its_code(hub, case, spec, codes):
    flow = deposit(hub, spec)
    assert flow["status"] == "93"
    assert blocking_codes(flow) == codes
    assert hub.pivots() == []


PASSING = [
    ("no requirement", Spec("P-1", buyer_siret=VILLE), "VILLEDEM"),
    ("active service", Spec("P-2", buyer_siret=MINISTERE, service_code="FIN-01"), "MINDEMO"),
    ("engagement given", Spec("P-3", buyer_siret=HOPITAL, engagement="EJ-1"), "CHDEMO"),
    ("service instead of engagement", Spec("P-4", buyer_siret=COMMUNAUTE, service_code="VOIRIE"), "CCDEMO"),
    ("engagement instead of service", Spec("P-5", buyer_siret=COMMUNAUTE, engagement="BC-9"), "CCDEMO"),
]


@pytest.mark.parametrize("case, spec, mailbox", PASSING, ids=[c[0] for c in PASSING])
def test_control_passes_and_routes_to_the_structure(hub, case, spec, mailbox):
    flow = deposit(hub, spec, maker=cii)
    assert flow["status"] == "90", flow["findings"]
    assert [p.parent.name for p in hub.pivots()] == [mailbox]


def test_same_invoice_number_again_is_a_duplicate(hub):
    first = deposit(hub, Spec("DUP-1", lines=2))
    again = deposit(hub, Spec("DUP-1", lines=5))  # other bytes, same supplier, number and year
    assert first["status"] == "90"
    assert again["status"] == "93"
    assert blocking_codes(again) == ["FCT-DUPLICATE-INVOICE"]
    assert first["flow_id"] in again["findings"][0]["message"]
    assert len(hub.pivots()) == 1


def test_same_number_another_year_is_not_a_duplicate(hub):
    from datetime import date

    deposit(hub, Spec("YEAR-1", issue_date=date(2025, 12, 30)))
    assert deposit(hub, Spec("YEAR-1", issue_date=date(2026, 1, 5)))["status"] == "90"


def test_sender_may_deposit_only_for_its_suppliers(hub):
    own = deposit(hub, Spec("S-1"), sender="FOURN01")
    other = deposit(hub, Spec("S-2", supplier_siret="44229377500031", supplier_name="Autre SA"), sender="FOURN01")
    assert own["status"] == "90"
    assert blocking_codes(other) == ["FCT-SENDER-NOT-ALLOWED"]


def test_unknown_sender_is_a_usage_error_naming_the_known_ones(hub):
    code = hub.run("process", str(hub.drop("x.xml", ubl(Spec("U-1")))), "--sender", "NOBODY")[0]
    assert code == 2
    assert "NOBODY" in hub.err and "DEMO01" in hub.err


def test_open_directory_accepts_any_recipient(hub):
    spec = Spec("O-1", buyer_siret="12345678900017")
    _, result = hub.process(hub.drop("o.xml", ubl(spec)), sender="ANYONE", extra=("--open-directory",))
    flow = only_flow(result)
    assert flow["status"] == "90", flow["findings"]
    assert [p.parent.name for p in hub.pivots()] == ["OPEN"]
