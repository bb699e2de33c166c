"""`facteur doctor`: every check passes on a fresh `facteur init` folder, and
each fault is one failing line that names it (exit 1)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from facteur.adapters.cli import main
from facteur.engine.operations import doctor


@pytest.fixture
def site(tmp_path, monkeypatch, capsys) -> Path:
    monkeypatch.delenv("FACTEUR_LEDGER_URL", raising=False)
    monkeypatch.delenv("FACTEUR_CONFIG", raising=False)
    root = tmp_path / "site"
    assert main(["init", str(root)]) == 0
    capsys.readouterr()
    return root


def diagnosed(site: Path, capsys) -> tuple[int, dict[str, str]]:
    """The exit code, and each check's line by its name."""
    code = main(["doctor", "--config", str(site / "config" / "facteur.toml")])
    lines = capsys.readouterr().out.splitlines()
    return code, {line[:21].strip(): line[21:].strip() for line in lines[:-1]}


def configure(site: Path, old: str, new: str) -> None:
    config = site / "config" / "facteur.toml"
    text = config.read_text(encoding="utf-8")
    assert old in text
    config.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_fresh_installation_passes_every_check(site, capsys):
    code, checks = diagnosed(site, capsys)
    assert code == 0
    assert set(checks) == {"configuration", "annuaire", "dossier inbox", "dossier outbox", "dossier archive",
                           "permissions", "fichiers mal placés", "registre", "courtier AMQP", "règles de validation",
                           "espace disque"}
    assert not [line for line in checks.values() if line.startswith("ÉCHEC")]
    assert checks["registre"].startswith("ok : ") and "créé au premier flux" in checks["registre"]


def test_a_ledger_url_that_cannot_be_reached_fails_naming_it(site, capsys):
    configure(site, 'url = ""                    # empty: the SQLite file',
              'url = "postgresql://nobody@127.0.0.1:1/nowhere"  # the SQLite file')
    code, checks = diagnosed(site, capsys)
    assert code == 1
    assert checks["registre"].startswith("ÉCHEC : le registre postgresql://nobody@127.0.0.1:1/nowhere est injoignable")
    assert "vérifiez [ledger] url" in checks["registre"]


def test_a_ledger_in_use_is_read_with_its_schema(site, capsys):
    sample = Path(__file__).resolve().parents[1] / "samples" / "01-ville-ubl.xml"
    assert main(["process", "--config", str(site / "config" / "facteur.toml"), "--sender", "DEMO01", str(sample)]) == 0
    capsys.readouterr()
    code, checks = diagnosed(site, capsys)
    assert code == 0
    assert checks["registre"].startswith(f"ok : {site / 'var' / 'ledger.sqlite'} : 1 flux, schéma ")
    assert checks["registre"].endswith(", à jour")


def test_a_lost_ledger_beside_an_archive_of_flows_fails(site, capsys):
    (site / "var" / "archive" / "DEMO01").mkdir(parents=True)
    (site / "var" / "archive" / "DEMO01" / "flow").write_bytes(b"<x/>")
    code, checks = diagnosed(site, capsys)
    assert code == 1
    assert checks["registre"].startswith(f"ÉCHEC : le registre {site / 'var' / 'ledger.sqlite'} manque, alors que "
                                         f"l'archive {site / 'var' / 'archive'} garde des flux")


def test_an_outbox_that_cannot_be_written_fails_naming_it(site, capsys):
    shutil.rmtree(site / "outbox")
    (site / "outbox").write_bytes(b"")
    code, checks = diagnosed(site, capsys)
    assert code == 1
    assert checks["dossier outbox"] == (f"ÉCHEC : {site / 'outbox'} : {site / 'outbox'} est un fichier, pas un dossier ; "
                                        f"déplacez ce fichier, ou changez [paths] outbox dans "
                                        f"{site / 'config' / 'facteur.toml'}")


def test_a_partner_outbox_that_is_a_file_fails_the_permissions(site, capsys):
    (site / "outbox" / "VILLEDEM").rmdir()
    (site / "outbox" / "VILLEDEM").write_bytes(b"")
    code, checks = diagnosed(site, capsys)
    assert code == 1
    assert checks["permissions"] == f"ÉCHEC : {site / 'outbox' / 'VILLEDEM'} est un fichier, pas un dossier : déplacez-le"


def test_an_unknown_partner_folder_fails_naming_it_and_what_to_do(site, capsys):
    (site / "inbox" / "XYZ").mkdir()
    (site / "inbox" / "XYZ" / "a.xml").write_bytes(b"<x/>")
    (site / "inbox" / "VIDE").mkdir()
    code, checks = diagnosed(site, capsys)
    assert code == 1
    line = checks["fichiers mal placés"]
    assert line.startswith("ÉCHEC : 2 fichiers ne seront jamais pris : inbox/XYZ/a.xml : le dossier XYZ n'est pas un "
                           "partenaire de l'annuaire")
    assert "inbox/VIDE/ : le dossier VIDE n'est celui d'aucun partenaire surveillé" in line


def test_json_carries_every_check_and_the_verdict(site, capsys):
    (site / "inbox" / "loose.xml").write_bytes(b"<x/>")
    code = main(["doctor", "--json", "--config", str(site / "config" / "facteur.toml")])
    report = json.loads(capsys.readouterr().out)
    assert code == 1 and report["passed"] is False
    [failed] = [check for check in report["checks"] if check["state"] == "échec"]
    assert failed["name"] == "fichiers mal placés" and "inbox/loose.xml" in failed["detail"]


def test_a_configuration_that_does_not_read_is_the_only_line(tmp_path, capsys):
    bad = tmp_path / "facteur.toml"
    bad.write_text("[intake]\nstop_seconds = \"30\"\n", encoding="utf-8")
    assert main(["doctor", "--config", str(bad)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2 and lines[0].startswith("configuration         ÉCHEC : ") and "stop_seconds" in lines[0]


class Probes:
    """Probes that find everything well, but what a test changes."""

    def configuration(self): return "lue"
    def directory(self): return "lu"
    def folder(self, role): return role
    def permissions(self): return "ok"
    def misplaced(self): return []
    def ledger(self): return "à jour"
    def broker(self): return None
    def rule_sets(self): return "chargées"
    def free_bytes(self): return "/data", 5_000_000_000


def test_little_free_space_warns_and_still_passes():
    class Full(Probes):
        def free_bytes(self):
            return "/data", 200_000_000

    diagnosis = doctor.diagnose(Full())
    [disk] = [check for check in diagnosis.checks if check.name == "espace disque"]
    assert disk.state == doctor.WARNING and "0.2 Go libres sous /data" in disk.detail
    assert diagnosis.passed


def test_a_probe_that_raises_fails_its_check_only():
    class Away(Probes):
        def broker(self):
            raise ConnectionError("amqp://h injoignable : démarrez le courtier")

    diagnosis = doctor.diagnose(Away())
    assert [(c.name, c.detail) for c in diagnosis.checks if c.state == doctor.FAILED] == [
        ("courtier AMQP", "amqp://h injoignable : démarrez le courtier")]
    assert not diagnosis.passed and len(diagnosis.checks) == 11


@pytest.mark.system
def test_the_broker_is_reached_when_configured(site, capsys):
    configure(site, 'url = ""                    # empty: no broker', 'url = "amqp://guest:guest@127.0.0.1:5672/%2F" #')
    code, checks = diagnosed(site, capsys)
    assert checks["courtier AMQP"] == "ok : amqp://guest@127.0.0.1:5672/%2F joint"
    assert code == 0
