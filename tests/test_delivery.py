"""Where outputs go (adapters/delivery.py): a partner's to its outbox folder, and
an output for someone the directory does not know (the rejection report of an
unknown AMQP sender) to the quarantine, with no folder made in its name."""

from __future__ import annotations

from pathlib import Path

from structlog.testing import capture_logs

from facteur.adapters.delivery import QUARANTINE, Deliveries
from facteur.adapters.mailbox import Mailboxes
from facteur.engine.model import Output


def outputs() -> list[Output]:
    return [Output("DEMO01", "f1.flux.statut.xml", b"<a/>", "flow-status"),
            Output("guest", "f2.flux.statut.xml", b"<b/>", "flow-status"),
            Output("VILLEDEM", "f3.pivot.xml", b"<c/>", "pivot")]


def test_an_output_for_a_non_partner_is_quarantined_and_said(tmp_path: Path) -> None:
    deliveries = Deliveries(Mailboxes(tmp_path), partners={"DEMO01", "VILLEDEM"})
    with capture_logs() as logged:
        places = deliveries.write_all(outputs())
    assert places == [str(tmp_path / "DEMO01" / "f1.flux.statut.xml"),
                      str(tmp_path / QUARANTINE / "guest" / "f2.flux.statut.xml"),
                      str(tmp_path / "VILLEDEM" / "f3.pivot.xml")]
    assert [Path(place).read_bytes() for place in places] == [b"<a/>", b"<b/>", b"<c/>"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [QUARANTINE, "DEMO01", "VILLEDEM"]
    [warning] = logged
    assert warning["log_level"] == "warning" and warning["destinataire"] == "guest"
    assert "quarantaine" in warning["event"] and "facteur replay" in warning["event"]


def test_a_partner_named_only_in_delivery_modes_keeps_its_folder(tmp_path: Path) -> None:
    deliveries = Deliveries(Mailboxes(tmp_path), {"guest": "folder"}, partners={"DEMO01", "VILLEDEM"})
    assert deliveries.write_all(outputs())[1] == str(tmp_path / "guest" / "f2.flux.statut.xml")


def test_an_open_directory_gives_every_sender_its_folder(tmp_path: Path) -> None:
    places = Deliveries(Mailboxes(tmp_path)).write_all(outputs())
    assert [Path(place).parent.name for place in places] == ["DEMO01", "guest", "VILLEDEM"]
    assert not (tmp_path / QUARANTINE).exists()
