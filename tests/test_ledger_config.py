"""Choosing the ledger's database, and what a user is told when it is wrong
or away: the file and key, or the server and what to do; nothing lost."""

from __future__ import annotations

from helpers import Spec, ledger_rows, ubl

from facteur.adapters.pg_ledger import SCHEMA_VERSION


def test_a_ledger_url_that_is_not_postgresql_is_a_configuration_error(hub, tmp_path, monkeypatch):
    monkeypatch.delenv("FACTEUR_LEDGER_URL", raising=False)
    config = tmp_path / "conf" / "facteur.toml"
    config.parent.mkdir()
    config.write_text('[ledger]\nurl = "mysql://db/facteur"\n')
    assert hub.run("flows", "list", "--config", str(config))[0] == 2
    assert str(config) in hub.err and "[ledger] url" in hub.err and "postgresql://" in hub.err


def test_a_lease_that_is_not_a_positive_number_of_seconds_is_a_configuration_error(hub, tmp_path):
    config = tmp_path / "conf" / "facteur.toml"
    config.parent.mkdir()
    for value in ('"soixante"', "0"):
        config.write_text(f"[ledger]\nlease_seconds = {value}\n")
        assert hub.run("flows", "list", "--config", str(config))[0] == 2
        assert str(config) in hub.err and "[ledger] lease_seconds" in hub.err and value.strip('"') in hub.err


def test_an_unreachable_ledger_server_is_named_with_what_to_do(hub, monkeypatch):
    monkeypatch.setenv("FACTEUR_LEDGER_URL", "postgresql://facteur:secret@127.0.0.1:9/facteur")
    dropped = hub.drop("u.xml", ubl(Spec("UNREACH-1")))
    assert hub.run("process", str(dropped), "--sender", "DEMO01")[0] == 1
    assert "postgresql://facteur@127.0.0.1:9/facteur" in hub.err and "secret" not in hub.err
    assert "vérifiez que PostgreSQL y tourne" in hub.err
    assert dropped.exists() and not (hub.root / "outbox").exists()  # nothing taken, nothing written


def test_the_ledger_url_selects_postgresql(hub, pg_ledger_url, monkeypatch):
    monkeypatch.setenv("FACTEUR_LEDGER_URL", pg_ledger_url)
    _, result = hub.process(hub.drop("p.xml", ubl(Spec("PG-1"))))
    assert result["summary"] == {"90": 1}
    assert not (hub.root / "var" / "ledger.sqlite").exists()
    code, out = hub.run("flows", "list")
    assert code == 0 and "p.xml" in out


def test_a_postgresql_ledger_written_by_a_newer_facteur_is_refused(hub, pg_ledger_url, monkeypatch):
    monkeypatch.setenv("FACTEUR_LEDGER_URL", pg_ledger_url)
    hub.process(hub.drop("n.xml", ubl(Spec("NEWER-1"))))
    assert ledger_rows(hub.root, "SELECT version FROM schema_version") == [(SCHEMA_VERSION,)]
    ledger_rows(hub.root, "UPDATE schema_version SET version = version + 1")
    assert hub.run("flows", "list")[0] == 1
    assert f"facteur plus récent (schéma {SCHEMA_VERSION + 1})" in hub.err and "mettez facteur à jour" in hub.err
