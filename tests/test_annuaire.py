"""The national directory kept in the ledger (adapters/sql_directory.py): F14
extracts, F12/F13 updates and the TOML directory imported, each kind of line
routed from at each status, a closed service refused with its date, a
malformed update refused whole, an import repeated changing nothing; on the
in-memory SQLite ledger (PostgreSQL: test_annuaire_pg.py)."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from pathlib import Path
from types import SimpleNamespace

import pytest
from conftest import CORPUS, REPO, _need

from facteur.adapters import annuaire_files, sql_directory
from facteur.adapters.sql_directory import Cached, SqlDirectory
from facteur.adapters.testing import MemoryLedger, demo_hub
from facteur.engine import operations
from facteur.engine.hub import annuaire, controls
from facteur.engine.hub.directory import Directory
from facteur.engine.messages import said
from facteur.engine.model import Invoice, Party, Syntax

TODAY = datetime(2026, 6, 15, 9, 30, tzinfo=timezone.utc)
SIREN = "130000001"
E1 = "13000000100011"  # public, service required; SVC1, SVC2 (engagement, a line of its own), OLD inactive
E2 = "13000000100029"  # engagement required, a SIRET line of its own
E3 = "13000000100037"  # inactive
E4 = "13000000100045"  # its address masked from 2026-01-01

F14 = f"""<?xml version="1.0" encoding="UTF-8"?>
<AnnuaireConsultationF14>
<HorodateProduction>20260601120000</HorodateProduction><TypeFlux>C</TypeFlux>
<BlocUnitesLegales>
<UniteLegale><IdInstance>1</IdInstance><MotifPresence>C</MotifPresence><Statut>A</Statut><IdSIREN qualifiant="0002">{SIREN}</IdSIREN><Nom>Préfecture d'essai</Nom><TypeEntite>P</TypeEntite><Diffusible>O</Diffusible></UniteLegale>
</BlocUnitesLegales>
<BlocEtablissements>
{"".join(f'''<Etablissement><IdInstance>{n}</IdInstance><MotifPresence>C</MotifPresence><Statut>{status}</Statut><IdSIRET qualifiant="0009">{siret}</IdSIRET><TypeEtablissement>S</TypeEtablissement><Nom>{name}</Nom><DonneesB2G><EngagementJuridique>{engagement}</EngagementJuridique><Service>{service}</Service><EngJurServ>false</EngJurServ><MOA>false</MOA><MOAunique>false</MOAunique><StatutMiseEnPaiement>false</StatutMiseEnPaiement></DonneesB2G><Diffusible>O</Diffusible></Etablissement>
''' for n, status, siret, name, engagement, service in [
    (2, "A", E1, "Service des achats", "false", "true"),
    (3, "A", E2, "Direction des travaux", "true", "false"),
    (4, "I", E3, "Antenne fermée", "false", "false"),
    (5, "A", E4, "Antenne masquée", "false", "false"),
])}</BlocEtablissements>
<BlocCodesRoutage>
{"".join(f'''<CodeRoutage><IdInstance>{n}</IdInstance><MotifPresence>C</MotifPresence><Statut>{status}</Statut><IdSIRET qualifiant="0009">{E1}</IdSIRET><IdRoutage qualifiant="{scheme}">{code}</IdRoutage><Nom>{name}</Nom><EngagementJuridique>{engagement}</EngagementJuridique></CodeRoutage>
''' for n, status, scheme, code, name, engagement in [
    (6, "A", "0224", "SVC1", "Service un", "false"),
    (7, "A", "0224", "SVC2", "Service deux", "true"),
    (8, "I", "0224", "OLD", "Service ancien", "false"),
    (9, "A", "0009", "WRONG", "Schéma réservé", "false"),
])}</BlocCodesRoutage>
<BlocIdPlateformesReception>
<IdPlateformeReception><IdInstance>10</IdInstance><MotifPresence>C</MotifPresence><Statut>A</Statut><TypePlateforme>PDP</TypePlateforme><Matricule>0017</Matricule><Nom>PLATEFORME SA</Nom><NomCommercial>PLATEFORME</NomCommercial><DateDebutImmatriculation>20240905</DateDebutImmatriculation><DateFinImmatriculation>99991231</DateFinImmatriculation></IdPlateformeReception>
<IdPlateformeReception><IdInstance>11</IdInstance><MotifPresence>C</MotifPresence><Statut>A</Statut><TypePlateforme>PDP</TypePlateforme><Matricule>0099</Matricule><Nom>FUTURE SA</Nom><DateDebutImmatriculation>20270101</DateDebutImmatriculation></IdPlateformeReception>
</BlocIdPlateformesReception>
<BlocLignesAnnuaire>
{"".join(f'''<LigneAnnuaire><IdInstance>{n}</IdInstance><MotifPresence>C</MotifPresence><Nature>{nature}</Nature><DateEffet><DateDebut>{start}</DateDebut>{f"<DateFin>{end}</DateFin>" if end else ""}</DateEffet><InfoAdressage><Identifiant>{"_".join(p for p in ids if p)}</Identifiant><IdLinSIREN qualifiant="0002">{SIREN}</IdLinSIREN>{f'<IdLinSIRET qualifiant="0009">{ids[1]}</IdLinSIRET>' if ids[1] else ""}{f'<IdLinRoutage qualifiant="0224">{ids[2]}</IdLinRoutage>' if ids[2] else ""}{f"<Suffixe>{ids[3]}</Suffixe>" if ids[3] else ""}</InfoAdressage><IdPlateforme>{platform}</IdPlateforme></LigneAnnuaire>
''' for n, nature, start, end, ids, platform in [
    (20, "D", "20250101", "", (SIREN, "", "", ""), "0017"),
    (21, "D", "20250101", "", (SIREN, E2, "", ""), "0036"),
    (22, "D", "20250101", "", (SIREN, E1, "SVC2", ""), "0056"),
    (23, "M", "20260101", "", (SIREN, E4, "", ""), "9998"),
    (24, "D", "20270101", "", (SIREN, E1, "", ""), "0086"),
    (25, "D", "20250101", "20260101", (SIREN, "", "", "COMPTA"), "0093"),
])}</BlocLignesAnnuaire>
</AnnuaireConsultationF14>
"""

CLOSE_SVC1 = f"""<?xml version="1.0" encoding="UTF-8"?>
<AnnuaireActualisation>
<BlocCodesRoutage>
<CodeRoutage><Statut>I</Statut><IdSIRET qualifiant="0009">{E1}</IdSIRET><IdRoutage qualifiant="0224">SVC1</IdRoutage><Nom>Service un</Nom></CodeRoutage>
</BlocCodesRoutage>
</AnnuaireActualisation>
"""

MALFORMED = f"""<?xml version="1.0" encoding="UTF-8"?>
<AnnuaireActualisation>
<BlocCodesRoutage>
<CodeRoutage><Statut>I</Statut><IdSIRET qualifiant="0009">{E1}</IdSIRET><IdRoutage qualifiant="0224">SVC2</IdRoutage><Nom>Service deux</Nom></CodeRoutage>
<CodeRoutage><Statut>A</Statut><IdSIRET qualifiant="0009">1300000010001X</IdSIRET><IdRoutage qualifiant="0224">NEW</IdRoutage><Nom>Nouveau</Nom></CodeRoutage>
</BlocCodesRoutage>
</AnnuaireActualisation>
"""


def hub_over(store, at: datetime = TODAY):
    """What the directory's operations need: a clock, the store, the file reader."""
    return SimpleNamespace(clock=lambda: at, directory_store=store, read_directory=annuaire_files.read)


def written(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.fixture
def store(tmp_path):
    store = SqlDirectory(MemoryLedger())
    [done] = operations.import_files(hub_over(store), [written(tmp_path, "f14.xml", F14)])
    assert done.outcome == "applied", done
    return store


def invoice(buyer: str = E1, service_code: str = "", engagement: str = "", address: str = "") -> Invoice:
    return Invoice(
        syntax=Syntax.UBL, number="F-1", type_code="380", issue_date=date(2026, 6, 1), currency="EUR",
        supplier=Party("Fournitures Démo SARL", "35600000000048", "1", "FR"),
        buyer=Party("Acheteur public", buyer, "1", "FR", address=address),
        total_without_vat=None, total_with_vat=None, amount_due=None, service_code=service_code,
        engagement=engagement,
    )


def routed(store, inv: Invoice, on: date = TODAY.date()):
    findings, routing = controls.check(inv, Directory({}, {}), None, lambda *key: None, set(), Cached(store, every=0),
                                       on)
    return [f.code for f in findings if f.blocking], routing.mailbox, findings


def test_the_extract_is_imported_with_counts_and_the_record_the_rules_refuse_named_by_its_line(store, tmp_path):
    figures = operations.stats(hub_over(store))
    assert figures.kinds["siret"]["lines"] == 4 and figures.kinds["ligne"]["lines"] == 6
    assert figures.kinds["routage"]["lines"] == 3  # the fourth, under SIRET's scheme, was refused
    [again] = operations.import_files(hub_over(store), [written(tmp_path, "f14.xml", F14)])
    assert (again.outcome, again.added, again.modified, again.unchanged) == ("unchanged", 0, 0, 16)
    [(line, reason)] = [(r.line, r.reason) for r in again.refused]
    assert F14.splitlines()[line - 1].count("WRONG") == 1 and "0009" in str(reason)
    assert operations.stats(hub_over(store)).generation == figures.generation  # nothing changed, no new generation


@pytest.mark.parametrize("inv, on, blocking, mailbox", [
    (invoice(E1, "SVC1"), TODAY.date(), [], "PA0017"),  # establishment enabled, reached by its SIREN's line
    (invoice(E1), TODAY.date(), ["FCT-SERVICE-MISSING"], "PA0017"),  # its B2G data asks for a service code
    (invoice(E1, "SVC2", "EJ-1"), TODAY.date(), [], "PA0056"),  # a routing code's own line
    (invoice(E1, "SVC2"), TODAY.date(), ["FCT-ENGAGEMENT-MISSING"], "PA0056"),  # its routing code asks for one
    (invoice(E1, "NOPE"), TODAY.date(), ["FCT-SERVICE-UNKNOWN"], "PA0017"),
    (invoice(E1, "OLD"), TODAY.date(), ["FCT-SERVICE-INACTIVE"], "PA0017"),  # routing code disabled
    (invoice(E1, "SVC1"), date(2027, 2, 1), [], "PA0086"),  # a SIRET line upcoming today, in force then
    (invoice(E2, engagement="EJ-1"), TODAY.date(), [], "PA0036"),  # a SIRET's line
    (invoice(E2), TODAY.date(), ["FCT-ENGAGEMENT-MISSING"], "PA0036"),
    (invoice(E3), TODAY.date(), ["FCT-RECIPIENT-INACTIVE"], ""),  # establishment disabled
    (invoice(E4), TODAY.date(), ["FCT-RECIPIENT-UNADDRESSABLE"], ""),  # its address masked
    (invoice(E4), date(2025, 6, 1), [], "PA0017"),  # before the masking line took effect
    (invoice("", address=f"{SIREN}_{E2}"), TODAY.date(), ["FCT-ENGAGEMENT-MISSING"], "PA0036"),  # by address 0225
    (invoice("13000000100999"), TODAY.date(), ["FCT-RECIPIENT-UNKNOWN"], ""),
])
def test_an_invoice_is_routed_by_the_line_in_force_on_its_day(store, inv, on, blocking, mailbox):
    codes, routed_to, _ = routed(store, inv, on)
    assert (codes, routed_to) == (blocking, mailbox)


@pytest.mark.parametrize("buyer, address, on, blocking, mailbox", [
    (SIREN, "", TODAY.date(), [], "PA0017"),  # a SIREN alone: its legal unit, Enabled, and the SIREN's line
    (SIREN, "", date(2024, 6, 1), ["FCT-RECIPIENT-UNADDRESSABLE"], ""),  # the SIREN's line Upcoming then
    ("", SIREN, TODAY.date(), [], "PA0017"),  # the same by its electronic address
    ("", f"{SIREN}_COMPTA", date(2025, 6, 1), [], "PA0093"),  # a suffix's line Enabled: it wins over the SIREN's
    ("", f"{SIREN}_COMPTA", TODAY.date(), [], "PA0017"),  # ended (Disabled) since 2026-01-01: the SIREN's line
    ("", f"{SIREN}_COMPTA", date(2024, 6, 1), ["FCT-RECIPIENT-UNADDRESSABLE"], ""),  # Upcoming, as the SIREN's
    ("", f"{SIREN}_{E1}_SVC2", TODAY.date(), ["FCT-SERVICE-MISSING"], "PA0056"),  # the routing code's own line
    # (routed by it; the public establishment still asks for the service code in the invoice, BT-10)
    ("", f"{SIREN}_{E1}_SVC2", date(2024, 6, 1), ["FCT-RECIPIENT-UNADDRESSABLE"], ""),  # Upcoming: none in force
    ("", f"{SIREN}_{E1}_SVC1", TODAY.date(), ["FCT-SERVICE-MISSING"], "PA0017"),  # no line of its own: the SIREN's
    ("", f"{SIREN}_{E1}_SVC1", date(2027, 2, 1), ["FCT-SERVICE-MISSING"], "PA0086"),  # the SIRET's, Enabled then
    ("", f"{SIREN}_{E4}", TODAY.date(), ["FCT-RECIPIENT-UNADDRESSABLE"], ""),  # masked: no fall back to the SIREN
    ("999999999", "", TODAY.date(), ["FCT-RECIPIENT-MISSING"], ""),  # a SIREN the directory does not know
])
def test_the_most_specific_line_in_force_routes_by_siren_suffix_and_routing_code(store, buyer, address, on,
                                                                                 blocking, mailbox):
    codes, routed_to, _ = routed(store, invoice(buyer, address=address), on)
    assert (codes, routed_to) == (blocking, mailbox)


def test_a_routing_code_line_or_a_siren_line_ended_routes_no_more(store, tmp_path):
    def ending(text: str, ids: str, end: str) -> str:
        return text.replace(f"<DateDebut>20250101</DateDebut></DateEffet><InfoAdressage><Identifiant>{ids}<",
                            f"<DateDebut>20250101</DateDebut><DateFin>{end}</DateFin></DateEffet><InfoAdressage>"
                            f"<Identifiant>{ids}<")

    ended = ending(ending(F14, f"{SIREN}_{E1}_SVC2", "20260601"), SIREN, "20260610")
    [done] = operations.import_files(hub_over(store), [written(tmp_path, "f14b.xml", ended)])
    assert done.modified == 2
    by_address = invoice("", "SVC2", "EJ-1", address=f"{SIREN}_{E1}_SVC2")
    assert routed(store, by_address, date(2026, 5, 31))[:2] == ([], "PA0056")  # its own line, Enabled
    assert routed(store, by_address, date(2026, 6, 5))[:2] == ([], "PA0017")  # ended: the SIREN's line
    assert routed(store, by_address, TODAY.date())[:2] == (["FCT-RECIPIENT-UNADDRESSABLE"], "")  # both ended


def test_a_legal_unit_closed_by_a_later_extract_receives_nothing_by_its_siren(store, tmp_path):
    closing = F14.replace("<HorodateProduction>20260601", "<HorodateProduction>20260615").replace(
        '<Statut>A</Statut><IdSIREN qualifiant="0002">', '<Statut>I</Statut><IdSIREN qualifiant="0002">')
    operations.import_files(hub_over(store), [written(tmp_path, "f14b.xml", closing)])
    codes, _, findings = routed(store, invoice(SIREN))
    assert codes == ["FCT-RECIPIENT-INACTIVE"] and "15/06/2026" in findings[0].message
    assert routed(store, invoice(SIREN), date(2026, 6, 14))[:2] == ([], "PA0017")  # the day before


def test_a_masking_line_on_a_siren_leaves_its_establishments_without_their_own_line_unaddressable(store, tmp_path):
    masking = (f'<LigneAnnuaire><IdInstance>26</IdInstance><MotifPresence>C</MotifPresence><Nature>M</Nature>'
               f'<DateEffet><DateDebut>20260610</DateDebut></DateEffet><InfoAdressage><Identifiant>{SIREN}</Identifiant>'
               f'<IdLinSIREN qualifiant="0002">{SIREN}</IdLinSIREN></InfoAdressage><IdPlateforme>9998</IdPlateforme>'
               "</LigneAnnuaire>\n</BlocLignesAnnuaire>")
    masked = F14.replace("<HorodateProduction>20260601", "<HorodateProduction>20260609").replace(
        "</BlocLignesAnnuaire>", masking)
    [done] = operations.import_files(hub_over(store), [written(tmp_path, "f14m.xml", masked)])
    assert (done.outcome, done.added) == ("applied", 1)
    codes, mailbox, findings = routed(store, invoice(E1, "SVC1"))  # reached by its SIREN's line alone
    assert (codes, mailbox) == (["FCT-RECIPIENT-UNADDRESSABLE"], "")
    [finding] = [f for f in findings if f.blocking]
    assert f"{E1} (Service des achats)" in finding.message and "en vigueur le 15/06/2026" in finding.message
    assert "no addressing line of the directory is in force on 15/06/2026" in said(finding.said, "en")
    assert routed(store, invoice(SIREN))[:2] == (["FCT-RECIPIENT-UNADDRESSABLE"], "")  # the SIREN itself
    assert routed(store, invoice(E2, engagement="EJ-1"))[:2] == ([], "PA0036")  # its own SIRET line still routes
    assert routed(store, invoice(E1, "SVC1"), date(2026, 6, 9))[:2] == ([], "PA0017")  # the day before the mask


def test_a_disabled_or_upcoming_recipient_is_named_with_its_day_in_either_language(store):
    [closed] = [f for f in routed(store, invoice(E3))[2] if f.blocking]
    assert f"{E3} (Antenne fermée)" in closed.message and "au 15/06/2026" in closed.message
    assert "cannot receive invoices" in said(closed.said, "en")
    opening = annuaire.Version(annuaire.ESTABLISHMENT, E1, date(2026, 7, 1), annuaire.FOREVER, True, "Guichet neuf",
                               SIREN, {})
    upcoming = annuaire.recipient(SimpleNamespace(history=lambda kind, key: (opening,) if key == E1 else ()), E1, "",
                                  "", TODAY.date())
    assert upcoming.problem == "FCT-RECIPIENT-INACTIVE"
    assert f"{E1} (Guichet neuf) n'est pas encore ouvert dans l'annuaire au 15/06/2026" in said(upcoming.message)
    assert "is not open yet" in said(upcoming.message, "en")


@pytest.mark.parametrize("identifier, status", [
    (SIREN, "enabled"), (E1, "enabled"), (E3, "disabled"), (f"{E1}/OLD", "disabled"), (f"{E1}/SVC1", "enabled"),
    ("0017", "enabled"), ("0099", "upcoming"),  # a platform registered from 2027
    (f"{SIREN}_{E1}", "upcoming"), (f"{SIREN}_{E4}", "disabled"),  # a line to come; a masking line in force
    (f"{SIREN}_COMPTA", "disabled"),  # a suffix's line ended on 2026-01-01
])
def test_each_kind_of_line_shows_its_status_on_the_day(store, identifier, status):
    entry = operations.show(hub_over(store), identifier)
    assert entry.status == status


def test_an_update_closing_a_service_rejects_the_next_invoice_naming_the_service_and_the_day(tmp_path):
    memory = demo_hub(clock=lambda: TODAY)
    operations.import_files(hub_over(memory.directory), [written(tmp_path, "f14.xml", F14)])
    sample = (REPO / "samples" / "01-ville-ubl.xml").read_text(encoding="utf-8")
    for_svc1 = sample.replace("21750001600019", E1).replace(
        "</cbc:DocumentCurrencyCode>", "</cbc:DocumentCurrencyCode><cbc:BuyerReference>SVC1</cbc:BuyerReference>")
    before = memory.deposit(for_svc1.encode(), "avant.xml")
    assert before.status == "90" and memory.mailboxes.of("PA0017")
    [closing] = operations.import_files(hub_over(memory.directory), [written(tmp_path, "f13.xml", CLOSE_SVC1)])
    assert (closing.kind, closing.modified) == ("F12/F13", 1)
    after = memory.deposit(for_svc1.replace("DEMO-2026-0001", "DEMO-2026-0002").encode(), "apres.xml")
    [finding] = memory.ledger.flow_detail(after.flow_id).findings
    assert (after.status, finding.code) == ("93", "FCT-SERVICE-INACTIVE")
    assert "SVC1" in finding.message and "fermé depuis le 15/06/2026" in finding.message


def test_a_malformed_update_is_refused_whole_with_its_line_numbers(store, tmp_path):
    generation = store.generation()
    [done] = operations.import_files(hub_over(store), [written(tmp_path, "bad.xml", MALFORMED),
                                                       written(tmp_path, "next.xml", CLOSE_SVC1)])[:1]
    assert done.outcome == "refused" and "schéma officiel" in str(done.error)
    bad_line = next(n for n, text in enumerate(MALFORMED.splitlines(), 1) if "1300000010001X" in text)
    assert any(str(fault).startswith(f"ligne {bad_line} :") and "1300000010001X" in str(fault) for fault in done.faults)
    assert said(done.error, "en").endswith("official schema Annuaire_Actualisation_F12-F13.xsd")  # in English too
    assert store.generation() == generation
    assert operations.show(hub_over(store), f"{E1}/SVC2").status == "enabled"  # its first record was not applied
    skipped = operations.import_files(hub_over(store), [written(tmp_path, "bad.xml", MALFORMED),
                                                        written(tmp_path, "next.xml", CLOSE_SVC1)])[1]
    assert skipped.outcome == "refused" and "non importé" in str(skipped.error)


def test_an_update_keeps_the_history_and_applying_it_again_changes_nothing(store, tmp_path):
    update = written(tmp_path, "f13.xml", CLOSE_SVC1)
    [first] = operations.import_files(hub_over(store), [update])
    [second] = operations.import_files(hub_over(store, TODAY.replace(day=20)), [update])
    assert (first.outcome, second.outcome, second.unchanged) == ("applied", "unchanged", 1)
    versions = operations.show(hub_over(store), f"{E1}/SVC1").versions
    assert [(v.valid_from, v.valid_to, v.active) for v in versions] == [("", "2026-06-15", True),
                                                                       ("2026-06-15", "", False)]
    assert routed(store, invoice(E1, "SVC1"), date(2026, 6, 14))[0] == []  # the day before: still open


def test_a_line_met_twice_in_a_first_extract_is_merged_across_batches(tmp_path, monkeypatch):
    monkeypatch.setattr(sql_directory, "BATCH", 2)  # the two records of SVC1 several batches apart
    twice = F14.replace("</BlocCodesRoutage>", f"""<CodeRoutage><IdInstance>99</IdInstance><MotifPresence>C</MotifPresence>\
<Statut>I</Statut><IdSIRET qualifiant="0009">{E1}</IdSIRET><IdRoutage qualifiant="0224">SVC1</IdRoutage>\
<Nom>Service un</Nom><EngagementJuridique>false</EngagementJuridique></CodeRoutage></BlocCodesRoutage>""")
    store = SqlDirectory(MemoryLedger())
    [done] = operations.import_files(hub_over(store), [written(tmp_path, "f14.xml", twice)])
    assert (done.added, done.modified) == (16, 1)
    assert operations.show(hub_over(store), f"{E1}/SVC1").status == "disabled"


def test_the_toml_directory_is_imported_for_small_set_ups(tmp_path):
    store = SqlDirectory(MemoryLedger())
    [done] = operations.import_files(hub_over(store), [str(REPO / "config" / "directory.toml")])
    assert (done.kind, done.added) == ("TOML", 9)  # five structures, four services
    assert routed(store, invoice("11000201100044", "ANCIEN"))[0] == ["FCT-SERVICE-INACTIVE"]
    assert routed(store, invoice("26750045200011", engagement="EJ"))[1] == "CHDEMO"


def test_a_lookup_cache_sees_an_import_once_its_generation_is_read_again(store, tmp_path):
    seconds = [0.0]
    cached = Cached(store, every=5, clock=lambda: seconds[0])
    assert cached.history("routage", f"{E1}/SVC1")[-1].active
    operations.import_files(hub_over(store), [written(tmp_path, "f13.xml", CLOSE_SVC1)])
    assert cached.history("routage", f"{E1}/SVC1")[-1].active  # within the 5 seconds: as it was
    seconds[0] = 5.0
    assert not cached.history("routage", f"{E1}/SVC1")[-1].active


def test_a_replay_is_judged_on_the_directory_of_its_day(tmp_path):
    days = [TODAY]
    memory = demo_hub(clock=lambda: days[0])
    operations.import_files(hub_over(memory.directory), [written(tmp_path, "f14.xml", F14)])
    sample = (REPO / "samples" / "01-ville-ubl.xml").read_text(encoding="utf-8").replace("21750001600019", E4)
    rejected = memory.deposit(sample.encode(), "masquee.xml")
    assert rejected.status == "93"
    lifting = F14.replace('<Nature>M</Nature><DateEffet><DateDebut>20260101</DateDebut>',
                          '<Nature>M</Nature><DateEffet><DateDebut>20260101</DateDebut><DateFin>20260701</DateFin>')
    operations.import_files(hub_over(memory.directory), [written(tmp_path, "f14b.xml", lifting)])
    days[0] = datetime(2026, 7, 2, tzinfo=timezone.utc)
    from facteur.engine.runtime import replay

    [again] = replay.replay([rejected.flow_id], memory.ledger, memory.archive.read, memory.runner)
    assert again.status == "90"  # the mask ended on 1 July: routed by the SIREN's line


@pytest.mark.parametrize("name", ["F14_extrait_test.xml", "F14_demo.xml"])
def test_the_shipped_extracts_import_and_import_again_unchanged(name):
    path = _need(CORPUS / "fr-reform" / "lunatech-fixtures" / "annuaire" / name, "the PPF directory extracts")
    store = SqlDirectory(MemoryLedger())
    [first] = operations.import_files(hub_over(store), [str(path)])
    [second] = operations.import_files(hub_over(store), [str(path)])
    records = path.read_text(encoding="utf-8").count("<IdInstance>")
    assert (first.kind, first.added, first.refused) == ("F14", records, ())
    assert (second.outcome, second.unchanged) == ("unchanged", records)


def test_a_file_that_is_no_directory_is_refused_with_what_to_give(tmp_path):
    [done] = operations.import_files(hub_over(SqlDirectory(MemoryLedger())),
                                     [written(tmp_path, "x.xml", "<Invoice/>")])
    assert done.outcome == "refused" and "F14" in str(done.error)



def test_the_command_imports_in_order_and_says_in_french_what_each_file_did(hub, tmp_path):
    extract, bad, update = (written(tmp_path, name, text) for name, text in
                            [("f14.xml", F14), ("bad.xml", MALFORMED), ("f13.xml", CLOSE_SVC1)])
    code, out = hub.run("directory", "import", extract)
    assert code == 0 and "appliqué, génération 1 — 16 ajoutée(s)" in out and "ligne " in out  # the record refused
    code, out = hub.run("directory", "import", bad, update)
    assert code == 1 and "refusé en entier" in out and "f13.xml non importé" in out
    code, out = hub.run("directory", "show", f"{E1}/SVC1", "--json")
    assert code == 0 and json.loads(out)["status"] == "enabled"
    code, out = hub.run("directory", "search", "préfecture")
    assert code == 0 and SIREN in out
    code, out = hub.run("directory", "stats", "--json")
    assert json.loads(out)["kinds"]["ligne"]["lines"] == 6
    code, out = hub.run("directory", "stats")
    assert code == 0 and "ligne d'annuaire" in out and "6 lignes" in out
    code, out = hub.run("directory", "show", E1)
    assert code == 0 and out.startswith(f"établissement {E1} — Service des achats : actif le")
    assert f"code routage             {E1}/OLD" in out and "désactivé" in out
    code, out = hub.run("directory", "show", E1, "--lang", "en")
    assert code == 0 and out.startswith(f"establishment {E1} — Service des achats: enabled on")
    assert hub.run("directory", "show", "99999999999999")[0] == 2 and "n'est pas dans l'annuaire" in hub.err


NATIONAL_PORTAL = """[[structure]]
siret = "26750045200029"
name = "Centre hospitalier national"
mailbox = "CHNAT"
delivery = "portal"
payment_delay_days = 50
"""


def test_collect_and_the_payment_delays_read_a_structure_of_the_ledger_directory(hub, tmp_path):
    from helpers import Spec, ubl

    assert hub.run("directory", "import", written(tmp_path, "national.toml", NATIONAL_PORTAL))[0] == 0
    _, result = hub.process(hub.drop("NAT-1.xml", ubl(Spec("NAT-1", buyer_siret="26750045200029"))))
    assert [f["status"] for f in result["flows"]] == ["90"], result
    code, out = hub.run("collect", "26750045200029", "--json")
    assert code == 0 and [row["number"] for row in json.loads(out)["invoices"]] == ["NAT-1"], hub.err
    code, out = hub.run("dgp", "--json")
    [delay] = [d for d in json.loads(out) if d["number"] == "NAT-1"]
    assert (delay["recipient"], delay["delay_days"], delay["days_left"]) == ("CHNAT", 50, 50)


def test_the_dashboard_holds_a_buyer_of_the_ledger_directory_to_its_own_payment_delay():
    from facteur.engine.operations.dashboard import overdue
    from facteur.engine.runtime.tallies import Started

    national = annuaire.Version(annuaire.ESTABLISHMENT, "26750045200029", annuaire.SINCE_ALWAYS, annuaire.FOREVER,
                                True, "Centre hospitalier national", "267500452", {"payment_delay_days": 50})
    store = SimpleNamespace(history=lambda kind, key: (national,) if key == national.key else ())
    started = [Started("26750045200029", "2026-05-06", 2), Started(E1, "2026-05-06", 1)]  # 40 days before
    ledger = SimpleNamespace(started=lambda before: [s for s in started if s.start < before])
    assert overdue(ledger, Directory({}, {}), TODAY.date(), store).by_buyer == {E1: 1}  # 30 days by default
    later = overdue(ledger, Directory({}, {}), date(2026, 6, 26), store)  # 51 days after the start
    assert later.by_buyer == {"26750045200029": 2, E1: 1}
