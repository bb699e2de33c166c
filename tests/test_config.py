"""The configuration file as a user meets it: which file is read, where its
relative paths lead, what a wrong value says, and `facteur init` / `--version`."""

from __future__ import annotations

import json
import shutil
from dataclasses import fields
from importlib import metadata

import pytest
from helpers import REPO

from facteur.adapters.amqp import AmqpSettings
from facteur.adapters.cli import main
from facteur.engine.config import AmqpTable

SAMPLE = REPO / "samples" / "01-ville-ubl.xml"


@pytest.mark.parametrize(
    ("table", "key", "given", "expected"),
    [
        ('[directory]\nopen = "false"\n', "[directory] open", '"false"', "true ou false"),
        ('[validation]\nschematron = "no"\n', "[validation] schematron", '"no"', "true ou false"),
        ('[limits]\nmax_pdf_seconds = "abc"\n', "[limits] max_pdf_seconds", '"abc"', "un nombre"),
        ("[limits]\nmax_lot_members = -5\n", "[limits] max_lot_members", "-5", "supérieur ou égal à 1"),
        ("[recognition]\nmin_confidence = 1.5\n", "[recognition] min_confidence", "1.5", "inférieur ou égal à 1"),
        ('[pathz]\ninbox = "boxes"\n', "[pathz]", "inconnue", "[paths], [ledger], [directory]"),
        ("[directory]\nopne = true\n", "[directory] opne", "true", "file, open, open_mailbox"),
    ],
)
def test_a_wrong_value_stops_the_command_with_one_message(tmp_path, capsys, table, key, given, expected):
    config = tmp_path / "facteur.toml"
    config.write_text(table, "utf-8")
    code = main(["flows", "list", "--config", str(config), "--root", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "Traceback" not in err
    assert str(config) in err and key in err and given in err and expected in err


def test_a_configuration_that_is_not_utf8_says_so_in_one_line(tmp_path, capsys):
    config = tmp_path / "facteur.toml"
    config.write_bytes('hub_id = "FACTEUR"\n# réglages\n'.encode("latin-1"))
    code = main(["flows", "list", "--config", str(config), "--root", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and "Traceback" not in err
    assert str(config) in err and "UTF-8" in err


def test_a_quoted_false_no_longer_opens_the_directory(tmp_path, capsys):
    """The misuse that mattered: "false" read as true opened the directory to anyone."""
    config = tmp_path / "facteur.toml"
    config.write_text('[directory]\nopen = "false"\n', "utf-8")
    code = main(["process", str(SAMPLE), "--sender", "NOBODY", "--config", str(config), "--root", str(tmp_path)])
    assert code == 2 and "[directory] open" in capsys.readouterr().err
    assert not (tmp_path / "outbox").exists()


def ledger_named(capsys, *args: str) -> str:
    """The ledger the configuration in force names (`flows list` says where it looked)."""
    assert main(["flows", "list", *args]) == 2
    err = capsys.readouterr().err
    assert "pas encore de registre en " in err
    return err.split("pas encore de registre en ")[1].split(" : traitez")[0]


def test_the_configuration_is_taken_from_config_then_the_environment_then_the_folder_then_the_package(
    tmp_path, capsys, monkeypatch
):
    for place in ("cli", "env", "config"):
        (tmp_path / place).mkdir()
        (tmp_path / place / "facteur.toml").write_text(f'[paths]\nledger = "{place}.sqlite"\n', "utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FACTEUR_CONFIG", str(tmp_path / "env" / "facteur.toml"))
    assert ledger_named(capsys, "--config", "cli/facteur.toml") == str(tmp_path / "cli" / "cli.sqlite")
    assert ledger_named(capsys) == str(tmp_path / "env" / "env.sqlite")
    monkeypatch.delenv("FACTEUR_CONFIG")
    assert ledger_named(capsys) == str(tmp_path / "config" / "config.sqlite")
    shutil.rmtree(tmp_path / "config")
    # the shipped defaults: the data goes under the current folder, never inside the package
    assert ledger_named(capsys) == str(tmp_path / "var" / "ledger.sqlite")


def process(capsys, *args: str) -> dict:
    assert main(["process", str(SAMPLE), "--sender", "DEMO01", "--json", *args]) == 0
    return json.loads(capsys.readouterr().out)


def test_relative_paths_count_from_the_configuration_files_own_folder(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "somewhere" / "conf"
    folder.mkdir(parents=True)
    shutil.copy(REPO / "config" / "directory.toml", folder / "mine.toml")
    config = folder / "facteur.toml"
    config.write_text('[paths]\noutbox = "boxes/out"\nledger = "ledger.sqlite"\n[directory]\nfile = "mine.toml"\n')
    result = process(capsys, "--config", str(config))
    assert result["summary"] == {"90": 1}
    assert [p.name for p in (folder / "boxes" / "out" / "VILLEDEM").iterdir()] == [
        f"{result['flows'][0]['flow_id']}-001.pivot.xml"
    ]
    assert (folder / "ledger.sqlite").is_file()

    # [paths] root moves them all; --root moves them again, the directory stays beside the file
    config.write_text(config.read_text().replace("[paths]\n", '[paths]\nroot = ".."\n'))
    process(capsys, "--config", str(config))
    assert (tmp_path / "somewhere" / "boxes" / "out" / "VILLEDEM").is_dir()
    process(capsys, "--config", str(config), "--root", str(tmp_path / "elsewhere"))
    assert (tmp_path / "elsewhere" / "ledger.sqlite").is_file()


def test_init_makes_a_place_to_start_from_and_never_overwrites_it(tmp_path, capsys, monkeypatch):
    place = tmp_path / "hub"
    assert main(["init", str(place)]) == 0
    capsys.readouterr()
    config = place / "config" / "facteur.toml"
    assert config.read_text() == (REPO / "config" / "facteur.toml").read_text()
    assert (place / "config" / "directory.toml").is_file()
    assert (place / "inbox" / "DEMO01").is_dir() and (place / "outbox" / "VILLEDEM").is_dir()

    monkeypatch.chdir(place)
    result = process(capsys)
    assert result["summary"] == {"90": 1}
    assert (place / "outbox" / "DEMO01" / f"{result['flows'][0]['flow_id']}.flux.statut.xml").is_file()

    config.write_text("# mine\n" + config.read_text())
    assert main(["init", str(place)]) == 2
    err = capsys.readouterr().err
    assert str(config) in err and "existe déjà" in err
    assert config.read_text().startswith("# mine\n")


def test_version_is_the_installed_packages(capsys):
    with pytest.raises(SystemExit) as ended:
        main(["--version"])
    assert ended.value.code == 0
    assert capsys.readouterr().out == f"facteur {metadata.version('facteur')}\n"


def test_the_amqp_table_admits_exactly_the_broker_settings():
    """[amqp] is checked in the engine, the broker settings live in the adapter:
    a setting added to one and not the other would be refused, or unreachable."""
    assert set(AmqpTable.model_fields) == {f.name for f in fields(AmqpSettings)}
