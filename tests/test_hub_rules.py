"""Each hub control called directly (engine/hub/controls.py), against the demo
directory (config/directory.toml): the fast tier of what test_hub_controls.py
checks through `facteur process`. The ledger's duplicate look-up is a
dictionary handed in, as the pipeline hands in the ledger's."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from facteur.adapters import configuration
from facteur.adapters.testing import shipped_config
from facteur.engine.hub import controls
from facteur.engine.model import Invoice, Party, Syntax

VILLE = "21750001600019"  # no requirement
MINISTERE = "11000201100044"  # service required; FIN-01 active, ANCIEN inactive
HOPITAL = "26750045200011"  # engagement required
COMMUNAUTE = "20005372300017"  # service or engagement
DISSOUS = "19750000100014"  # inactive structure
SUPPLIER = "35600000000048"  # the demo supplier, the only one FOURN01 deposits for

DIRECTORY = configuration.load_directory(shipped_config())


def invoice(number: str = "F-1", buyer: str = VILLE, supplier: str = SUPPLIER, issued: date = date(2026, 11, 2),
            **fields) -> Invoice:
    return Invoice(
        syntax=Syntax.UBL, number=number, type_code="380", issue_date=issued, currency="EUR",
        supplier=Party("Fournitures Démo SARL", supplier, "1", "FR"),
        buyer=Party("Acheteur public", buyer, "1", "FR"),
        total_without_vat=None, total_with_vat=None, amount_due=None, **fields,
    )


def check(inv: Invoice, directory=DIRECTORY, sender: str | None = "DEMO01", known: dict | None = None,
          seen: set | None = None):
    """The findings' codes (blocking first, then warnings) and the routing."""
    findings, routing = controls.check(inv, directory, sender, lambda *key: (known or {}).get(key),
                                       set() if seen is None else seen)
    return [f.code for f in findings if f.blocking], [f.code for f in findings if not f.blocking], routing


REFUSED = [
    ("recipient unknown", invoice(buyer="12345678900017"), "FCT-RECIPIENT-UNKNOWN"),
    ("recipient without SIRET", invoice(buyer="FR12345678901"), "FCT-RECIPIENT-MISSING"),
    ("recipient inactive", invoice(buyer=DISSOUS), "FCT-RECIPIENT-INACTIVE"),
    ("service missing", invoice(buyer=MINISTERE), "FCT-SERVICE-MISSING"),
    ("service unknown", invoice(buyer=MINISTERE, service_code="NOPE"), "FCT-SERVICE-UNKNOWN"),
    ("service inactive", invoice(buyer=MINISTERE, service_code="ANCIEN"), "FCT-SERVICE-INACTIVE"),
    ("engagement missing", invoice(buyer=HOPITAL), "FCT-ENGAGEMENT-MISSING"),
    ("neither service nor engagement", invoice(buyer=COMMUNAUTE), "FCT-SERVICE-OR-ENGAGEMENT"),
    ("supplier SIRET malformed", invoice(supplier="3560000000"), "FCT-SUPPLIER-SIRET"),
]


@pytest.mark.parametrize("case, inv, code", REFUSED, ids=[c[0] for c in REFUSED])
def test_a_control_refuses_with_its_code_alone(case, inv, code):
    assert check(inv)[0] == [code]


PASSING = [
    ("no requirement", invoice(buyer=VILLE), "VILLEDEM", ""),
    ("active service", invoice(buyer=MINISTERE, service_code="FIN-01"), "MINDEMO", "Direction des finances"),
    ("engagement given", invoice(buyer=HOPITAL, engagement="EJ-1"), "CHDEMO", ""),
    ("service instead of engagement", invoice(buyer=COMMUNAUTE, service_code="VOIRIE"), "CCDEMO", "Voirie"),
    ("engagement instead of service", invoice(buyer=COMMUNAUTE, engagement="BC-9"), "CCDEMO", ""),
]


@pytest.mark.parametrize("case, inv, mailbox, service", PASSING, ids=[c[0] for c in PASSING])
def test_a_compliant_invoice_is_routed_to_its_structure(case, inv, mailbox, service):
    blocking, warnings, routing = check(inv)
    assert (blocking, warnings) == ([], [])
    assert (routing.mailbox, routing.service_name) == (mailbox, service)
    assert routing.invoice == inv


def test_an_unknown_service_message_lists_the_active_services_only():
    findings, _ = controls.check(invoice(buyer=MINISTERE, service_code="NOPE"), DIRECTORY, "DEMO01",
                                 lambda *key: None, set())
    assert "ACHATS, FIN-01" in findings[0].message and "ANCIEN" not in findings[0].message


def test_an_invoice_the_ledger_knows_is_a_duplicate_naming_the_flow_that_has_it():
    known = {(SUPPLIER, "dup-1", 2026): "FLOW-A"}
    findings, _ = controls.check(invoice("DUP-1"), DIRECTORY, "DEMO01", lambda *key: known.get(key), set())
    assert [f.code for f in findings] == ["FCT-DUPLICATE-INVOICE"]
    assert "dans le flux FLOW-A" in findings[0].message and "DUP-1" in findings[0].message


def test_the_same_number_issued_another_year_is_not_a_duplicate():
    known = {(SUPPLIER, "year-1", 2025): "FLOW-A"}
    assert check(invoice("YEAR-1", issued=date(2026, 1, 5)), known=known)[0] == []


def test_the_same_number_from_another_supplier_is_not_a_duplicate():
    known = {(SUPPLIER, "f-1", 2026): "FLOW-A"}
    assert check(invoice("F-1", supplier="44229377500031"), known=known)[0] == []


def test_a_second_invoice_of_the_same_lot_with_the_number_of_the_first_is_a_duplicate():
    seen = {controls.duplicate_key(invoice("LOT-1"))}
    findings, _ = controls.check(invoice("LOT-1"), DIRECTORY, "DEMO01", lambda *key: None, seen)
    assert [f.code for f in findings] == ["FCT-DUPLICATE-INVOICE"]
    assert "dans ce même flux" in findings[0].message


@pytest.mark.parametrize("written", ["DK-1", "dk-1", "DK\u20111", "DK\u22121", " DK-1\u200b ", "\uff24\uff2b-\uff11"])
def test_numbers_a_person_reads_alike_are_one_invoice(written):
    assert controls.duplicate_key(invoice(written)) == (SUPPLIER, "dk-1", 2026)


def test_an_invoice_without_number_or_date_has_no_duplicate_key():
    assert controls.duplicate_key(invoice("")) is None
    assert controls.duplicate_key(replace(invoice(), issue_date=None)) is None


def test_a_sender_deposits_only_for_its_suppliers():
    assert check(invoice(), sender="FOURN01")[0] == []
    assert check(invoice(supplier="44229377500031"), sender="FOURN01")[0] == ["FCT-SENDER-NOT-ALLOWED"]
    assert check(invoice(supplier="44229377500031"), sender="DEMO01")[0] == []  # DEMO01 deposits for anyone ("*")


def test_a_sender_the_directory_does_not_know_is_refused_and_none_is_not_checked():
    assert check(invoice(), sender="NOBODY")[0] == ["FCT-SENDER-UNKNOWN"]
    assert check(invoice(), sender=None)[0] == []  # facteur validate: no deposit, no sender


def test_a_foreign_supplier_needs_no_siret():
    foreign = replace(invoice(), supplier=Party("Lieferant GmbH", "DE123456789", "2", "DE", vat_id="DE123456789"))
    assert check(foreign)[0] == []


def test_the_open_directory_routes_any_recipient_and_only_warns():
    opened = DIRECTORY.opened("OPEN")
    blocking, warnings, routing = check(invoice(buyer="12345678900017", supplier="356"), opened, sender="ANYONE")
    assert (blocking, warnings, routing.mailbox) == ([], ["FCT-SUPPLIER-SIRET"], "OPEN")


def test_the_open_directory_gives_a_buyer_without_siret_the_placeholder_and_says_so():
    blocking, warnings, routing = check(invoice(buyer="FR12345678901"), DIRECTORY.opened("OPEN"))
    assert (blocking, warnings, routing.mailbox) == ([], ["FCT-OPEN-RECIPIENT"], "OPEN")
    assert routing.invoice.buyer.identifier == controls.OPEN_PLACEHOLDER_SIRET


def test_a_known_structure_keeps_its_own_mailbox_under_the_open_directory():
    assert check(invoice(buyer=MINISTERE, service_code="FIN-01"), DIRECTORY.opened("OPEN"))[2].mailbox == "MINDEMO"
