"""Finding flows and replaying them from the command line, in-process: usage
errors that name the choices, days as typed, reasons in --json, a reader of
stdout that goes away, and replays that tell what they would give and do not
send the same report twice."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
from helpers import REPO, Spec, ubl

from facteur.adapters.cli import main
from facteur.adapters.cli.common import EXIT_BROKEN_PIPE, EXIT_OK, EXIT_USAGE


@pytest.fixture
def root(tmp_path, monkeypatch) -> Path:
    monkeypatch.delenv("FACTEUR_LEDGER_URL", raising=False)
    return configured(tmp_path)


@pytest.fixture
def either_root(tmp_path, ledger_backend) -> Path:
    """A root whose ledger is SQLite, then PostgreSQL (system tier)."""
    return configured(tmp_path)


def configured(folder: Path) -> Path:
    shutil.copytree(REPO / "config", folder / "config")
    return folder


def facteur(root: Path, *args: str) -> int:
    return main([*args[0].split(), *args[1:], "--config", str(root / "config" / "facteur.toml"), "--root", str(root)])


def deposit(root: Path, capsys, number: str, **spec) -> None:
    path = root / "drop" / f"{number}.xml"
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(ubl(Spec(number, **spec)))
    assert facteur(root, "process", str(path), "--sender", "DEMO01") == EXIT_OK
    capsys.readouterr()


def one_line(capsys) -> str:
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.count("\n") == 1 and "Traceback" not in captured.err
    return captured.err


@pytest.mark.parametrize("args, expected", [
    (("flows list", "--status", "foo"), "statut inconnu « foo » ; choisissez parmi : 90, 93, 96, held, pending"),
    (("flows list", "--recipient", "NOPE"), "destinataire inconnu « NOPE »"),
    (("dgp", "--recipient", "NOPE"), "structure : CCDEMO, CHDEMO"),
    (("flows list", "--since", "demain"), "date illisible « demain » : écrivez une date AAAA-MM-JJ"),
    (("dgp", "--on", "2026-02-30"), "date illisible « 2026-02-30 »"),
    (("replay", "--status", "rejected", "--until", "bientôt"), "date illisible « bientôt »"),
    (("flows show", "zz"), "aucun flux n'a l'identifiant « zz »"),
    (("replay", "zz", "--dry-run"), "aucun flux n'a l'identifiant « zz »"),
])
def test_a_filter_that_names_nothing_is_a_usage_error_of_one_line(root, capsys, args, expected):
    deposit(root, capsys, "CLI-1")
    assert facteur(root, *args) == EXIT_USAGE
    assert expected in one_line(capsys)


def test_flows_are_listed_by_number_supplier_and_days_with_their_reasons(either_root, capsys):
    root = either_root
    deposit(root, capsys, "CLI-2", buyer_siret="12345678900017")
    deposit(root, capsys, "CLI-3")
    assert facteur(root, "flows list", "--number", "cli-2", "--supplier", "35600000000048", "--since", "-3650d",
                   "--until", "today", "--json") == EXIT_OK
    [row] = json.loads(capsys.readouterr().out)
    assert (row["name"], row["codes"]) == ("CLI-2.xml", ["FCT-RECIPIENT-UNKNOWN"])
    assert "12345678900017" in row["blocking"]
    assert facteur(root, "flows list", "--since", "hier", "--until", "yesterday", "--json") == EXIT_OK
    assert json.loads(capsys.readouterr().out) == []


class ClosedPipe(io.TextIOBase):
    """A stdout whose reader has gone, as behind `| head` once it has read enough."""

    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")

    def flush(self) -> None:
        raise BrokenPipeError(32, "Broken pipe")


def test_a_reader_that_goes_away_ends_the_command_quietly(root, capsys, monkeypatch):
    deposit(root, capsys, "CLI-4")
    monkeypatch.setattr("sys.stdout", ClosedPipe())
    assert facteur(root, "dgp", "--json") == EXIT_BROKEN_PIPE
    assert facteur(root, "flows list") == EXIT_BROKEN_PIPE
    assert capsys.readouterr().err == ""


def test_a_replay_says_what_it_would_give_and_then_sends_no_identical_report(either_root, capsys):
    root = either_root
    deposit(root, capsys, "CLI-5", buyer_siret="21330063500017")
    assert facteur(root, "replay", "--status", "rejected", "--since", "2026-01-01", "--until", "today",
                   "--dry-run") == EXIT_OK
    plan = capsys.readouterr().out
    assert "donnerait maintenant : statut 93 (FCT-RECIPIENT-UNKNOWN) ; rien ne change depuis la tentative" in plan
    assert "rien n'a été rejoué ni enregistré" in plan
    assert facteur(root, "replay", "--status", "rejected") == EXIT_OK
    done = capsys.readouterr().out
    assert "rapport non renvoyé à l'expéditeur : rien n'a changé depuis la tentative" in done
    assert facteur(root, "replay", "--status", "rejected", "--json") == EXIT_OK
    [again] = json.loads(capsys.readouterr().out)["replayed"]
    assert again["same_as"] and again["outputs"] == []
    assert facteur(root, "flows show", again["flow_id"]) == EXIT_OK
    assert "unchanged  rapport non renvoyé à l'expéditeur" in capsys.readouterr().out
