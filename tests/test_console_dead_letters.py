"""The broker's dead letters in the console, on the real RabbitMQ (queues of
their own, deleted after): listed with their sender and name, one put back on
the inbound queue, one discarded, each action audited."""

from __future__ import annotations

import re
from dataclasses import replace

import pika
import pytest
from console_site import PASSWORD, site
from fastapi.testclient import TestClient
from test_amqp import broker, settings  # noqa: F401  (fixtures: the broker, and queues of this test's own)

from facteur.adapters.amqp import connect
from facteur.adapters.web.app import create_app


@pytest.fixture
def console(tmp_path, monkeypatch, settings):  # noqa: F811
    monkeypatch.delenv("FACTEUR_LEDGER_URL", raising=False)
    installed = site(tmp_path / "root")
    amqp = {"url": settings.url, "inbound_queue": settings.inbound_queue,
            "dead_letter_queue": settings.dead_letter_queue, "outbound_exchange": settings.outbound_exchange}
    client = TestClient(create_app(replace(installed.config, amqp=amqp)))
    client.post("/connexion", data={"utilisateur": "opera", "mot_de_passe": PASSWORD})
    return client


def dead(settings, message_id: str, name: str) -> None:  # noqa: F811
    """A message as the inbound queue gives it up: on the dead-letter exchange."""
    connection = connect(settings.url, "facteur test")
    channel = connection.channel()
    properties = pika.BasicProperties(message_id=message_id, user_id="guest", headers={settings.name_header: name},
                                      delivery_mode=2)
    channel.basic_publish(settings.dead_letter_queue, "", f"<Invoice>{name}</Invoice>".encode(), properties)
    connection.close()


def waiting(settings, queue: str) -> list[str]:  # noqa: F811
    connection = connect(settings.url, "facteur test")
    channel = connection.channel()
    found = []
    while True:
        method, properties, _ = channel.basic_get(queue, auto_ack=False)
        if method is None:
            break
        found.append(properties.message_id)
    connection.close()  # every message given back
    return found


def confirm_and_post(client: TestClient, url: str) -> str:
    page = client.get(url).text
    token = re.search(r'<main>.*?name="csrf" value="([^"]+)"', page, re.S).group(1)
    return client.post(url, data={"csrf": token}).text


def test_dead_letters_are_listed_requeued_and_discarded(console, settings):  # noqa: F811
    assert "est vide" in console.get("/lettres-mortes").text  # the page declares the queues, then reads them
    dead(settings, "m-requeue", "a.xml")
    dead(settings, "m-discard", "b.xml")
    page = console.get("/lettres-mortes").text
    assert "m-requeue" in page and "b.xml" in page and "guest" in page

    assert "a été remise dans la file" in confirm_and_post(console, "/lettres-mortes/m-requeue/remettre")
    assert waiting(settings, settings.inbound_queue) == ["m-requeue"]
    assert "supprimée" in confirm_and_post(console, "/lettres-mortes/m-discard/supprimer")
    assert waiting(settings, settings.dead_letter_queue) == []
    unknown = console.post("/lettres-mortes/m-none/supprimer", data={"csrf": re.search(
        r'name="csrf" value="([^"]+)"', page).group(1)})
    assert unknown.status_code == 400 and "aucune lettre morte « m-none »" in unknown.text
    journal = console.get("/journal").text
    assert journal.count("<td>réussi</td>") == 2 and "<td>échec</td>" in journal
