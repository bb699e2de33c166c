"""The console's pages and JSON API in process (FastAPI's TestClient): log-in,
roles, a partner's scope enforced by the query, CSRF refusal, the actions and
their audit trail, the invoice read from its pivot, and `facteur users`."""

from __future__ import annotations

import re
from contextlib import closing

import pytest
from console_site import MISSING_SIRET, PASSWORD, REJECTED_NUMBER, copy, site
from fastapi.testclient import TestClient
from helpers import REPO

from facteur.adapters.cli import main
from facteur.adapters.web.app import create_app
from facteur.engine import operations

FLOW_LINK = re.compile(r'href="/flux/([0-9a-f]{24})"')


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("FACTEUR_LEDGER_URL", raising=False)
        return site(tmp_path_factory.mktemp("console") / "root")


@pytest.fixture
def installed(template, tmp_path, monkeypatch):
    monkeypatch.delenv("FACTEUR_LEDGER_URL", raising=False)
    return copy(template, tmp_path / "root")


def browser(installed, name: str | None = None) -> TestClient:
    """A client of the console, logged in as `name` when given."""
    client = TestClient(create_app(installed.config))
    if name:
        answer = client.post("/connexion", data={"utilisateur": name, "mot_de_passe": PASSWORD}, follow_redirects=False)
        assert answer.status_code == 303
    return client


def csrf(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def api(installed, name: str) -> TestClient:
    with closing(installed.hub()) as hub:
        token = operations.issue_token(hub, name)
    return TestClient(create_app(installed.config), headers={"Authorization": f"Bearer {token}"})


def test_a_page_without_a_session_sends_to_the_log_in_and_a_wrong_password_is_refused(installed):
    client = browser(installed)
    assert client.get("/flux", follow_redirects=False).headers["location"] == "/connexion"
    refused = client.post("/connexion", data={"utilisateur": "opera", "mot_de_passe": "pas-le-bon-mot"})
    assert refused.status_code == 403 and "identifiant ou mot de passe incorrect" in refused.text
    unknown = client.post("/connexion", data={"utilisateur": "personne", "mot_de_passe": PASSWORD})
    assert unknown.status_code == 403 and "identifiant ou mot de passe incorrect" in unknown.text


def test_the_dashboard_shows_the_hub_at_a_glance_but_not_to_a_partner(installed):
    board = browser(installed, "lecteur").get("/")
    assert "Tableau de bord" in board.text and "FCT-RECIPIENT-UNKNOWN" in board.text and "DEMO01" in board.text
    assert browser(installed, "ville").get("/", follow_redirects=False).headers["location"] == "/flux"
    assert browser(installed).get("/healthz").json() == {"status": "ok"}


def test_a_rejected_flow_is_found_by_its_invoice_number_with_its_finding_and_values(installed):
    client = browser(installed, "lecteur")
    found = client.get("/flux", params={"numero": REJECTED_NUMBER.lower()})
    [flow_id] = set(FLOW_LINK.findall(found.text))
    page = client.get(f"/flux/{flow_id}").text
    assert "FCT-RECIPIENT-UNKNOWN" in page and MISSING_SIRET in page and "rejeté (93)" in page
    assert client.get("/flux", params={"code": "FCT-RECIPIENT-UNKNOWN", "statut": "93"}).text.count(flow_id) >= 1
    assert "Aucun flux" in client.get("/flux", params={"numero": "N-EXISTE-PAS"}).text


def test_a_viewer_may_look_but_not_act_and_its_attempt_is_audited(installed):
    flow_id = installed.flow_of(REJECTED_NUMBER)
    client = browser(installed, "lecteur")
    token = csrf(client.get("/flux").text)
    assert client.get(f"/flux/{flow_id}/rejouer").status_code == 403
    refused = client.post(f"/flux/{flow_id}/rejouer", data={"csrf": token})
    assert refused.status_code == 403 and "il faut operator ou admin" in refused.text
    with closing(installed.hub()) as hub:
        [entry] = operations.audit_trail(hub)
        assert not operations.show_flow(hub.ledger, flow_id).replays  # nothing was replayed
    assert (entry.user, entry.action, entry.outcome) == ("lecteur", "rejouer", "refusé")
    assert client.get("/utilisateurs").status_code == 403


def test_a_form_posted_without_its_csrf_token_is_refused(installed):
    flow_id = installed.flow_of(REJECTED_NUMBER)
    client = browser(installed, "opera")
    for data in ({}, {"csrf": "un-autre-jeton"}):
        refused = client.post(f"/flux/{flow_id}/rejouer", data=data)
        assert refused.status_code == 403 and "jeton CSRF" in refused.text
    with closing(installed.hub()) as hub:
        assert not operations.show_flow(hub.ledger, flow_id).replays


def test_an_operator_replays_after_the_directory_is_mended_and_the_action_is_audited(installed):
    flow_id = installed.flow_of(REJECTED_NUMBER)
    client = browser(installed, "opera")
    preview = client.get(f"/flux/{flow_id}/rejouer")
    assert preview.status_code == 200 and "FCT-RECIPIENT-UNKNOWN" in preview.text  # still rejected: nothing mended yet
    installed.mend_directory()
    preview = client.get(f"/flux/{flow_id}/rejouer")
    assert "intégré (90)" in preview.text
    done = client.post(f"/flux/{flow_id}/rejouer", data={"csrf": csrf(preview.text)})
    assert done.status_code == 200 and "intégré (90)" in done.text
    [attempt] = FLOW_LINK.findall(done.text)
    assert "intégré (90)" in client.get(f"/flux/{attempt}").text
    journal = client.get("/journal").text
    assert "rejouer" in journal and "réussi" in journal and f"flux {flow_id}" in journal


def test_a_search_s_results_are_replayed_together(installed):
    installed.mend_directory()
    client = browser(installed, "opera")
    criteria = {"statut": "93"}
    preview = client.get("/rejouer", params=criteria)
    assert "Rejouer ces 1 flux" in preview.text
    done = client.post("/rejouer", data={"csrf": csrf(preview.text), **criteria})
    assert done.status_code == 200 and done.text.count("intégré (90)") == 1


def test_a_partner_sees_only_the_flows_it_sent_or_received(installed):
    city_flow = installed.flow_of("DEMO-2026-0001")  # an invoice for VILLEDEM
    other_flow = installed.flow_of(REJECTED_NUMBER)
    client = browser(installed, "ville")
    listed = set(FLOW_LINK.findall(client.get("/flux").text))
    assert listed == {city_flow}
    assert set(FLOW_LINK.findall(client.get("/flux", params={"partenaire": "DEMO01"}).text)) == {city_flow}
    hidden = client.get(f"/flux/{other_flow}")
    assert hidden.status_code == 400 and "aucun flux" in hidden.text
    assert client.get(f"/flux/{other_flow}/original").status_code == 400
    assert client.get("/journal").status_code == 403
    assert set(FLOW_LINK.findall(browser(installed, "fourn").get("/flux").text)) == set()


def test_the_api_answers_a_token_with_its_role_and_scope(installed):
    other_flow = installed.flow_of(REJECTED_NUMBER)
    assert TestClient(create_app(installed.config)).get("/api/flows").status_code == 401
    everything = api(installed, "lecteur").get("/api/flows").json()
    assert len(everything) == 3
    partner = api(installed, "ville")
    assert [row["id"] for row in partner.get("/api/flows").json()] == [installed.flow_of("DEMO-2026-0001")]
    assert partner.get(f"/api/flows/{other_flow}").status_code == 400
    assert partner.get("/api/audit").status_code == 403
    refused = api(installed, "lecteur").post(f"/api/flows/{other_flow}/replay", params={"dry_run": True})
    assert refused.status_code == 403 and "operator" in refused.json()["erreur"]
    installed.mend_directory()
    operator = api(installed, "opera")
    planned = operator.post(f"/api/flows/{other_flow}/replay", params={"dry_run": True}).json()
    assert [p["would_status"] for p in planned["planned"]] == ["90"] and planned["replayed"] == []
    done = operator.post(f"/api/flows/{other_flow}/replay").json()
    assert [h["status"] for h in done["replayed"]] == ["90"]
    assert {e["action"] for e in operator.get("/api/audit").json()} == {"rejouer", "rejouer (essai)"}
    everything = operator.post("/api/replay", params={"dry_run": True})
    assert everything.status_code == 400 and "au moins un critère" in everything.json()["erreur"]


def test_an_invoice_is_read_from_its_pivot_and_its_pivot_resent(installed):
    flow_id = installed.flow_of("DEMO-2026-0001")
    client = browser(installed, "opera")
    page = client.get(f"/flux/{flow_id}/factures/1").text
    for shown in ("DEMO-2026-0001", "35851.72", "17558.65", "1755.87", "REF-3", "Fournitures Démo SARL"):
        assert shown in page
    confirm = client.get(f"/flux/{flow_id}/factures/1/renvoyer")
    done = client.post(f"/flux/{flow_id}/factures/1/renvoyer", data={"csrf": csrf(confirm.text)})
    assert done.status_code == 200 and "VILLEDEM" in done.text
    assert "resent" in client.get(f"/flux/{flow_id}").text
    pivot = client.get(f"/flux/{flow_id}/sorties/{flow_id}-001.pivot.xml")
    assert pivot.status_code == 200 and b"<CPPFacturePivot" in pivot.content
    assert client.get(f"/flux/{flow_id}/original").content == (REPO / "samples" / "01-ville-ubl.xml").read_bytes()


def test_collecting_for_a_portal_recipient_starts_its_payment_delays(installed):
    client = browser(installed, "opera")
    listing = client.get("/collecte").text
    assert "CHDEMO" in listing
    confirm = client.get("/collecte/CHDEMO")
    assert "1 facture(s)" in confirm.text
    done = client.post("/collecte/CHDEMO", data={"csrf": csrf(confirm.text)})
    assert done.status_code == 200 and "1 facture(s) mises à disposition de CHDEMO" in done.text
    flow_id = installed.flow_of("DEMO-2026-0003")
    assert "échéance" in client.get(f"/flux/{flow_id}").text


def test_without_a_broker_the_dead_letters_page_says_so(installed):
    assert "Aucun courtier AMQP" in browser(installed, "opera").get("/lettres-mortes").text
    assert api(installed, "opera").get("/api/dead-letters").json() == {"queue": "", "letters": []}
    refused = api(installed, "opera").post("/api/dead-letters/m-1/requeue")
    assert refused.status_code == 409 and "aucun courtier" in refused.json()["erreur"]


def test_an_admin_manages_users_from_the_console(installed):
    client = browser(installed, "admin")
    page = client.get("/utilisateurs").text
    added = client.post("/utilisateurs", data={"csrf": csrf(page), "nom": "nouveau", "mot_de_passe": PASSWORD,
                                               "role": "viewer"})
    assert added.status_code == 200 and "nouveau" in added.text
    short = client.post("/utilisateurs", data={"csrf": csrf(page), "nom": "court", "mot_de_passe": "court",
                                               "role": "viewer"})
    assert short.status_code == 400 and "mot de passe trop court" in short.text
    browser(installed, "nouveau")  # logs in


def test_users_are_managed_from_the_command_line(installed, capsys, monkeypatch):
    import io

    config = ["--config", str(installed.config.path), "--root", str(installed.root)]
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["users", "add", "cli", "--role", "partner", "--partner", "CHDEMO", *config]) == 0
    assert main(["users", "list", *config]) == 0
    assert re.search(r"cli\s+partner\s+CHDEMO", capsys.readouterr().out)
    assert main(["users", "add", "xavier", "--role", "partner", "--partner", "NOPE", *config]) == 2
    assert "partenaire inconnu « NOPE »" in capsys.readouterr().err
    assert main(["users", "token", "cli", *config]) == 0
    token = capsys.readouterr().out.strip()
    client = TestClient(create_app(installed.config), headers={"Authorization": f"Bearer {token}"})
    assert client.get("/api/me").json() == {"name": "cli", "role": "partner", "partner": "CHDEMO"}
    assert main(["users", "remove", "cli", *config]) == 0
    assert client.get("/api/me").status_code == 401
    assert main(["users", "remove", "cli", *config]) == 2


@pytest.mark.usefixtures("ledger_backend")
def test_users_sessions_tokens_and_the_audit_trail_live_in_either_ledger(tmp_path):
    installed = site(tmp_path / "root")
    client = browser(installed, "opera")
    flow_id = installed.flow_of(REJECTED_NUMBER)
    preview = client.get(f"/flux/{flow_id}/rejouer")
    assert client.post(f"/flux/{flow_id}/rejouer", data={"csrf": csrf(preview.text)}).status_code == 200
    assert [row["id"] for row in api(installed, "ville").get("/api/flows").json()] == [installed.flow_of("DEMO-2026-0001")]
    with closing(installed.hub()) as hub:
        assert [(e.user, e.action, e.outcome) for e in operations.audit_trail(hub)] == [("opera", "rejouer", "réussi")]
        operations.change_password(hub, "opera", PASSWORD + "-2")
    assert client.get("/flux", follow_redirects=False).status_code == 303  # a new password ends the sessions


def test_a_structure_page_shows_its_versions_b2g_data_and_lines_and_a_flow_links_to_it(installed, tmp_path):
    from test_annuaire import E1, F14, SIREN, written  # the national directory's test extract

    with closing(installed.hub()) as hub:
        [done] = operations.import_files(hub, [written(tmp_path, "f14.xml", F14)])
    assert done.outcome == "applied"
    client = browser(installed, "lecteur")
    page = client.get(f"/annuaire/{E1}").text
    assert "Service des achats" in page and "actif le" in page
    assert "service : <code>True</code>" in page  # its B2G data: a service code required
    assert f'id="ligne-{E1}/SVC1"' in page and f'id="ligne-{E1}/OLD"' in page  # its routing codes
    assert f'id="ligne-{SIREN}_{E1}"' in page and "2027-01-01" in page  # its own line, upcoming
    assert f'id="ligne-{SIREN}_COMPTA"' in page and f'id="ligne-{SIREN}_13000000100029"' not in page
    unit = client.get(f"/annuaire/{SIREN}").text
    assert f'href="/annuaire/{E1}"' in unit  # the legal unit lists its establishments
    missing = client.get("/annuaire/99999999999999")
    assert missing.status_code == 400 and "facteur directory search" in missing.text
    flow = installed.flow_of("DEMO-2026-0001")  # sample 01, to the demo city
    assert 'href="/annuaire/21750001600019"' in client.get(f"/flux/{flow}").text
