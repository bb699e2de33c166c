"""French by default, English on request: the reports sent to senders, the
command line and the ledger's findings speak the language of `[ui] language`,
or of `--lang`; both CPPStatut files stay valid against the official schema in
either language."""

from __future__ import annotations

import json
import sqlite3
import tomllib
from pathlib import Path

import pytest
from conftest import assert_valid
from helpers import REPO

from facteur.adapters.cli import main
from facteur.adapters.sql_ledger import SAID
from facteur.adapters.sqlite_ledger import MIGRATIONS, SCHEMA_VERSION

SAMPLES = REPO / "samples"
LOT = SAMPLES / "07-lot.zip"  # three invoices: two integrated, one without service code nor engagement
UNKNOWN = SAMPLES / "06-destinataire-inconnu.xml"  # a recipient the directory does not know


@pytest.fixture(autouse=True)
def _sqlite_only(monkeypatch):
    monkeypatch.delenv("FACTEUR_LEDGER_URL", raising=False)


def _run(root: Path, capsys, *args: str) -> tuple[int, str, str]:
    code = main([*args, "--root", str(root)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _reports(root: Path, status_schema, flow_id: str) -> tuple[dict, dict]:
    """The flow-level report's texts and the invoice-level statuses of a flow, each file valid against the schema."""
    flow = assert_valid(status_schema, (root / "outbox" / "DEMO01" / f"{flow_id}.flux.statut.xml").read_bytes())
    invoices = assert_valid(status_schema, (root / "outbox" / "DEMO01" / f"{flow_id}.factures.statut.xml").read_bytes())
    line = flow.find(".//LigneErreurDetail")
    texts = {field: flow.findtext(f".//DonneesStatut/{field}") for field in ("IdStatut", "ComplementStatut", "Commentaire")}
    texts |= {field: line.findtext(field) for field in ("NatureErreur", "CodeErreur", "LibelleErreur", "DescriptionErreur")}
    return texts, {"ComplementStatut": [node.text for node in invoices.iterfind(".//ComplementStatut")]}


def _flow_id(out: str) -> str:
    return json.loads(out)["flows"][0]["flow_id"]


def test_a_rejection_is_reported_to_its_sender_in_french(tmp_path, capsys, status_schema):
    code, out, _ = _run(tmp_path, capsys, "process", str(LOT), "--sender", "DEMO01", "--json")
    flow, invoices = _reports(tmp_path, status_schema, _flow_id(out))
    assert flow == {
        "IdStatut": "96",
        "ComplementStatut": "Reçu - intégration partielle",
        "Commentaire": "2 factures intégrées sur 3 dans 07-lot.zip",
        "NatureErreur": "Contrôle plateforme",
        "CodeErreur": "FCT-SERVICE-OR-ENGAGEMENT",
        # cut to 100 characters on a word boundary; the whole text is in DescriptionErreur
        "LibelleErreur": "Communauté de communes de Démo (20005372300017) exige un code service (BT-10) ou un numéro…",
        "DescriptionErreur": "Communauté de communes de Démo (20005372300017) exige un code service (BT-10) ou un "
                             "numéro d'engagement (BT-13) ; la facture n'a ni l'un ni l'autre (emplacement : BT-10/BT-13)",
    }
    assert invoices == {"ComplementStatut": ["Déposée", "Déposée"]}


def test_with_lang_en_the_same_reports_are_in_english_and_still_valid(tmp_path, capsys, status_schema):
    code, out, _ = _run(tmp_path, capsys, "process", str(LOT), "--sender", "DEMO01", "--json", "--lang", "en")
    flow, invoices = _reports(tmp_path, status_schema, _flow_id(out))
    assert flow["Commentaire"] == "2 invoices integrated out of 3 in 07-lot.zip"
    assert flow["NatureErreur"] == "Platform control"
    assert flow["DescriptionErreur"] == (
        "Communauté de communes de Démo (20005372300017) requires a service code (BT-10) or an engagement number "
        "(BT-13); the invoice has neither (location: BT-10/BT-13)"
    )
    # The schema's own labels are the schema's words, in every language.
    assert flow["ComplementStatut"] == "Reçu - intégration partielle" and invoices["ComplementStatut"] == ["Déposée"] * 2


def test_the_command_line_counts_in_words_and_shows_a_flow_in_the_language_asked(tmp_path, capsys):
    code, out, _ = _run(tmp_path, capsys, "process", str(SAMPLES / "01-ville-ubl.xml"), str(UNKNOWN), str(LOT),
                        "--sender", "DEMO01")
    assert code == 0 and out.splitlines()[-1] == "3 flux : 1 intégré, 1 rejeté, 1 partiellement intégré"
    assert "FCT-RECIPIENT-UNKNOWN: le SIRET destinataire 12345678900017 n'est pas une structure publique" in out

    code, out, _ = _run(tmp_path, capsys, "flows", "list", "--status", "rejected", "--json")
    rejected = json.loads(out)[0]["id"]
    code, french, _ = _run(tmp_path, capsys, "flows", "show", rejected)
    code, english, _ = _run(tmp_path, capsys, "--lang", "en", "flows", "show", rejected)
    assert "historique :" in french and "erreur de réception, flux rejeté" in french
    assert "bloquant   FCT-RECIPIENT-UNKNOWN: le SIRET destinataire 12345678900017 n'est pas" in french
    # The ledger kept the message's key and values: the other language is rendered from them.
    assert "timeline:" in english and "reception error, flow rejected" in english
    assert "blocking   FCT-RECIPIENT-UNKNOWN: recipient SIRET 12345678900017 is not a public structure" in english

    code, _, err = _run(tmp_path, capsys, "flows", "show", "nope")
    assert code == 2 and err.startswith("facteur: aucun flux n'a l'identifiant « nope »")
    code, _, err = _run(tmp_path, capsys, "flows", "show", "nope", "--lang", "en")
    assert code == 2 and err.startswith('facteur: no flow has the id "nope"')


def test_english_counts_and_a_usage_error_from_the_engine(tmp_path, capsys):
    code, out, _ = _run(tmp_path, capsys, "process", str(SAMPLES / "01-ville-ubl.xml"), str(UNKNOWN), str(LOT),
                        "--sender", "DEMO01", "--lang", "en")
    assert out.splitlines()[-1] == "3 flows: 1 integrated, 1 rejected, 1 partly integrated"
    code, _, err = _run(tmp_path, capsys, "flows", "list", "--since", "soon", "--lang", "en")
    assert code == 2 and err.startswith('facteur: unreadable date "soon": write a date YYYY-MM-DD')


def _configured(folder: Path, ui: str) -> Path:
    text = (REPO / "config" / "facteur.toml").read_text(encoding="utf-8")
    config = folder / "config" / "facteur.toml"
    config.parent.mkdir(parents=True)
    config.write_text(text.replace('[ui]\nlanguage = "fr"', f"[ui]\n{ui}"), encoding="utf-8")
    (folder / "config" / "directory.toml").write_bytes((REPO / "config" / "directory.toml").read_bytes())
    return config


def test_ui_language_of_the_configuration_and_lang_over_it(tmp_path, capsys):
    config = _configured(tmp_path, 'language = "en"')
    assert tomllib.loads(config.read_text())["ui"] == {"language": "en"}
    code, out, _ = _run(tmp_path, capsys, "process", str(UNKNOWN), "--sender", "DEMO01", "--config", str(config))
    assert out.splitlines()[-1] == "1 flow: 1 rejected"
    code, out, _ = _run(tmp_path, capsys, "flows", "list", "--config", str(config), "--lang", "fr")
    assert out.startswith("flux ") and "statut" in out.splitlines()[0]


def test_a_language_facteur_does_not_know_is_refused_in_french_naming_the_choices(tmp_path, capsys):
    config = _configured(tmp_path, 'language = "de"')
    code, _, err = _run(tmp_path, capsys, "flows", "list", "--config", str(config))
    assert code == 2
    assert err == f'facteur: {config} : [ui] language = "de" n\'est pas une valeur possible ; attendu : l\'une des ' \
                  'valeurs "fr", "en"\n'


def test_a_ledger_of_the_previous_schema_gains_the_messages_keys(tmp_path, capsys):
    code, out, _ = _run(tmp_path, capsys, "process", str(UNKNOWN), "--sender", "DEMO01", "--json")
    old = _flow_id(out)
    path = tmp_path / "var" / "ledger.sqlite"
    older = sqlite3.connect(path)
    older.executescript(f"""
        ALTER TABLE findings DROP COLUMN said;
        ALTER TABLE events DROP COLUMN said;
        ALTER TABLE findings DROP COLUMN read_values;
        DROP INDEX invoices_by_number_key;
        ALTER TABLE invoices DROP COLUMN number_key;
        PRAGMA user_version = {next(v for v, step in MIGRATIONS.items() if step == SAID.format(if_not_exists=""))};
    """)
    older.close()
    code, out, _ = _run(tmp_path, capsys, "flows", "show", old, "--lang", "en")  # opening migrates it
    assert code == 0 and sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    # Written before the keys were kept: shown as written, in French.
    assert "FCT-RECIPIENT-UNKNOWN: le SIRET destinataire 12345678900017" in out


def test_a_postgresql_ledger_of_the_previous_schema_gains_the_messages_keys(pg_ledger_url):
    import psycopg

    from facteur.adapters.pg_ledger import MIGRATIONS as PG_MIGRATIONS
    from facteur.adapters.pg_ledger import SCHEMA_VERSION as PG_SCHEMA_VERSION
    from facteur.adapters.pg_ledger import PgLedger

    PgLedger(pg_ledger_url).close()
    with psycopg.connect(pg_ledger_url, autocommit=True) as connection:
        connection.execute("ALTER TABLE findings DROP COLUMN said")
        connection.execute("ALTER TABLE events DROP COLUMN said")
        connection.execute("UPDATE schema_version SET version = %s",
                           (PG_MIGRATIONS.index(SAID.format(if_not_exists="IF NOT EXISTS ")),))
    PgLedger(pg_ledger_url).close()
    with psycopg.connect(pg_ledger_url, autocommit=True) as connection:
        assert connection.execute("SELECT version FROM schema_version").fetchall() == [(PG_SCHEMA_VERSION,)]
        columns = connection.execute(
            "SELECT table_name FROM information_schema.columns WHERE column_name = 'said'"
            " AND table_schema = current_schema()"
        ).fetchall()
    assert sorted(columns) == [("events",), ("findings",)]


def test_a_configuration_fault_is_told_in_the_language_asked(tmp_path, capsys):
    config = _configured(tmp_path, 'language = "fr"\nspeed = 3')
    code, _, err = _run(tmp_path, capsys, "flows", "list", "--config", str(config), "--lang", "en")
    assert code == 2
    assert err == f"facteur: {config}: [ui] speed = 3: unknown key; the possible keys of [ui] are language\n"
