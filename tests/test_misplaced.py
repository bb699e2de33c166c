"""Nothing ignored silently: a file the watcher never takes (directly in
inbox/, or in a folder of no partner) is logged once, saying what to do; a
file where a data folder must be is one line, never a traceback."""

from __future__ import annotations

from pathlib import Path

from facteur.adapters.cli import main
from helpers import Recorded
from facteur.adapters.watch import InboxWatcher, misplaced, misplaced_advice


def inbox_with_strays(tmp_path: Path) -> Path:
    inbox = tmp_path / "inbox"
    for name in ("DEMO01/ok.xml", "XYZ/a.xml", "XYZ/.a.xml.part", "FOURN01/b.xml", "loose.xml", ".facteur/x"):
        (inbox / name).parent.mkdir(parents=True, exist_ok=True)
        (inbox / name).write_bytes(b"<x/>")
    return inbox


def test_files_outside_a_watched_partner_folder_are_found(tmp_path):
    inbox = inbox_with_strays(tmp_path)
    assert misplaced(inbox, ["DEMO01"]) == [inbox / "FOURN01" / "b.xml", inbox / "XYZ" / "a.xml", inbox / "loose.xml"]


def test_each_says_where_it_is_and_what_to_do(tmp_path):
    inbox = inbox_with_strays(tmp_path)
    advice = {path.name: misplaced_advice(path, inbox, {"DEMO01", "FOURN01"}, Path("config/directory.toml"),
                                          Path("config/facteur.toml")) for path in misplaced(inbox, ["DEMO01"])}
    assert advice["a.xml"] == (
        "inbox/XYZ/a.xml : le dossier XYZ n'est pas un partenaire de l'annuaire config/directory.toml ; "
        "ajoutez-le à l'annuaire ou déplacez le fichier dans inbox/<partenaire>/"
    )
    assert advice["b.xml"].startswith("inbox/FOURN01/b.xml : le dossier FOURN01 n'est pas surveillé ([intake] partners")
    assert advice["loose.xml"].startswith("inbox/loose.xml : un fichier posé directement dans inbox/ n'est jamais pris")


def test_the_watcher_logs_each_misplaced_file_once_not_at_every_scan(tmp_path):
    inbox = inbox_with_strays(tmp_path)
    log = Recorded()
    watcher = InboxWatcher(inbox, ["DEMO01"], on_file=lambda claimed: None, log=log,
                           advise=lambda path: f"conseil pour {path.name}")
    watcher._rescan()
    watcher._rescan()
    told = sorted(message for level, message, _ in log.events if level == "warning")
    assert told == ["conseil pour a.xml", "conseil pour b.xml", "conseil pour loose.xml"]


def test_root_that_is_a_file_is_one_line_and_exit_2(tmp_path, capsys):
    (tmp_path / "afile").write_bytes(b"")
    assert main(["flows", "list", "--root", str(tmp_path / "afile")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{tmp_path / 'afile'} est un fichier" in err


def test_an_outbox_that_is_a_file_is_one_line_and_exit_2(tmp_path, capsys):
    site = tmp_path / "site"
    assert main(["init", str(site)]) == 0
    (site / "outbox" / "VILLEDEM").rmdir()
    (site / "outbox" / "VILLEDEM").write_bytes(b"")
    sample = Path(__file__).resolve().parents[1] / "samples" / "01-ville-ubl.xml"
    capsys.readouterr()
    code = main(["process", "--config", str(site / "config" / "facteur.toml"), "--sender", "DEMO01", str(sample)])
    err = capsys.readouterr().err
    assert code == 2
    assert err == (f"facteur: {site / 'outbox' / 'VILLEDEM'} est un fichier, là où facteur attend un dossier ; "
                   "déplacez ce fichier, ou changez [paths] dans la configuration\n")


def test_run_with_an_outbox_that_is_a_file_stops_at_once_saying_so(tmp_path, capsys):
    site = tmp_path / "site"
    assert main(["init", str(site)]) == 0
    for path in (site / "outbox").iterdir():
        path.rmdir()
    (site / "outbox").rmdir()
    (site / "outbox").write_bytes(b"")
    capsys.readouterr()
    assert main(["run", "--config", str(site / "config" / "facteur.toml")]) == 2
    err = capsys.readouterr().err
    assert f"{site / 'outbox'} ([paths] outbox de {site / 'config' / 'facteur.toml'}) ne peut pas être un dossier" in err
