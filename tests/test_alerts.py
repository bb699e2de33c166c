"""Alerts: the episodes of each condition as pure steps over observations,
and their alerts delivered to a webhook (a local HTTP server) and by e-mail
(a local SMTP sink, aiosmtpd): one alert when an episode opens, one when it
ends, however many observations it lasts."""

from __future__ import annotations

import json
import socket
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller
from observed import NOW, Observed

from facteur.adapters.alerts import Sender, Watch
from facteur.adapters.testing import demo_hub
from facteur.engine.config import AlertSettings
from facteur.engine.errors import LedgerUnavailable, Unavailable
from facteur.engine.operations import QueueState, alerts
from facteur.engine.operations.alerts import Observation
from facteur.engine.runtime import logs

RULES = AlertSettings(rejection_rate=0.5, rejection_min_flows=4, rejection_window_minutes=60, retrying_minutes=30)


def steps(*observations: Observation, rules: AlertSettings = RULES) -> list[alerts.Alert]:
    episodes, sent = {}, []
    for seen in observations:
        episodes, due = alerts.step(episodes, seen, rules)
        sent += due
    return sent


def test_a_high_rejection_rate_opens_one_episode_and_closes_it_once():
    def seen(minutes: int, flows: int, rejected: int) -> Observation:
        return Observation(NOW + timedelta(minutes=minutes), window_flows=flows, window_rejected=rejected, pending=0)

    sent = steps(seen(0, 10, 2), seen(1, 10, 6), seen(2, 12, 9), seen(3, 20, 1), seen(4, 30, 3), seen(5, 3, 3))
    assert [(a.condition, a.opened) for a in sent] == [("rejets", True), ("rejets", False)]
    opened, closed = sent
    assert opened.subject == "[facteur] alerte : taux de rejet élevé"
    assert opened.text.startswith("60% des flux reçus ces 60 dernières minutes sont rejetés (6 sur 10), au-delà du "
                                  "seuil de 50%.\nDepuis le 20/11/2026 à 09:31:00 UTC")
    assert closed.subject == "[facteur] fin d'alerte : taux de rejet élevé"
    assert closed.text.startswith("Terminé le 20/11/2026 à 09:33:00 UTC, après 2 min")  # 3 flows later: too few to judge


def test_the_ledger_away_opens_its_episode_and_leaves_the_others_as_they_stand():
    stuck = Observation(NOW, pending=2, oldest_pending=NOW - timedelta(minutes=45))
    away = Observation(NOW + timedelta(minutes=1), ledger_error="connexion refusée")
    back = Observation(NOW + timedelta(minutes=2), pending=0)
    sent = steps(stuck, away, away, back)
    assert [(a.condition, a.opened) for a in sent] == [
        ("flux-en-attente", True), ("registre", True), ("registre", False), ("flux-en-attente", False)
    ]
    assert sent[0].text.startswith("2 flux en attente, le plus ancien reçu il y a 45 min (seuil : 30 min)")
    assert sent[1].text.startswith("le registre ne répond pas : connexion refusée")


def test_conditions_switched_off_are_not_watched():
    quiet = AlertSettings(dead_letters=False, unreachable=False)
    assert steps(Observation(NOW, ledger_error="x", broker_error="y", dead_letters=3), rules=quiet) == []


def test_observing_the_hub_counts_the_window_and_the_broker(tmp_path):
    moment = [NOW]
    hub = Observed(demo_hub(clock=lambda: moment[0]), moment, broker=QueueState(depth=0, dead_letters=1))
    hub.deposit("W-1", NOW - timedelta(minutes=10))
    hub.deposit("W-2", NOW - timedelta(minutes=20), buyer_siret="12345678900017")
    hub.deposit("W-3", NOW - timedelta(minutes=90))  # before the window
    seen = alerts.observe(hub, 60)
    assert (seen.window_flows, seen.window_rejected, seen.pending, seen.dead_letters) == (2, 1, 0, 1)
    hub.broker = Unavailable("le courtier AMQP amqp://x est injoignable")
    assert alerts.observe(hub, 60).broker_error == "le courtier AMQP amqp://x est injoignable"


class _Ledger:
    def __getattr__(self, name):
        raise LedgerUnavailable("the ledger at postgresql://x cannot be reached")


@pytest.fixture
def webhook():
    """A local HTTP server; yields its URL and the JSON bodies POSTed to it."""
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/alertes", received
    server.shutdown()
    server.server_close()


@pytest.fixture
def mailbox():
    """A local SMTP sink; yields its port and the messages it received."""
    received = []

    class Sink:
        async def handle_DATA(self, server, session, envelope):
            received.append((envelope.rcpt_tos, envelope.content.decode()))
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Sink(), hostname="127.0.0.1", port=port)
    controller.start()
    yield port, received
    controller.stop()


def test_an_episode_sends_one_webhook_and_one_mail_when_it_opens_and_when_it_ends(webhook, mailbox):
    url, posted = webhook
    port, mails = mailbox
    settings = AlertSettings(webhooks=[url], smtp_host="127.0.0.1", smtp_port=port, mail_to=["ops@example.org"])
    moment = [NOW]
    hub = Observed(demo_hub(clock=lambda: moment[0]), moment, broker=QueueState(depth=5, dead_letters=2))
    watch = Watch(hub, settings, Sender(settings, "FACTEUR", logs.get("test")))

    for minutes, dead in ((0, 2), (1, 3), (2, 3), (3, 0), (4, 0)):
        moment[0] = NOW + timedelta(minutes=minutes)
        hub.broker = QueueState(depth=5, dead_letters=dead)
        watch.tick()

    assert [(p["condition"], p["state"]) for p in posted] == [("lettres-mortes", "ouverte"),
                                                              ("lettres-mortes", "terminée")]
    assert posted[0]["hub"] == "FACTEUR" and posted[0]["text"].startswith(
        "2 message(s) dans la file des lettres mortes du courtier")
    assert len(mails) == 2 and all(to == ["ops@example.org"] for to, _ in mails)
    assert "Subject: [facteur] alerte : lettres mortes dans le courtier" in mails[0][1]
    assert "Subject: [facteur] fin d'alerte : lettres mortes dans le courtier" in mails[1][1]


def test_a_webhook_that_fails_is_logged_and_the_watch_goes_on(capsys):
    settings = AlertSettings(webhooks=["http://127.0.0.1:9/nothing-listens"])
    moment = [NOW]
    hub = Observed(demo_hub(clock=lambda: moment[0]), moment)
    hub.memory.ledger = _Ledger()
    logs.configure("info")
    watch = Watch(hub, settings, Sender(settings, "FACTEUR", logs.get("test")))
    [alert] = watch.tick()
    assert alert.condition == "registre" and alert.opened
    logged = json.loads(capsys.readouterr().err.splitlines()[-1])
    assert logged["event"].startswith("alerte non envoyée par le webhook http://127.0.0.1:9/nothing-listens")


class _Sent(list):
    """A sender that keeps what it is handed."""

    def send(self, alert: alerts.Alert) -> None:
        self.append((alert.condition, alert.opened))


def test_a_restart_during_an_episode_alerts_neither_again_nor_twice_when_it_ends(tmp_path):
    moment = [NOW]
    hub = Observed(demo_hub(clock=lambda: moment[0]), moment, broker=QueueState(depth=0, dead_letters=2))
    before = _Sent()
    Watch(hub, RULES, before).tick()
    assert before == [("lettres-mortes", True)]

    after = _Sent()
    restarted = Watch(hub, RULES, after)  # a new process: nothing in memory, the same ledger
    for minutes, dead in ((1, 3), (2, 0), (3, 0)):
        moment[0] = NOW + timedelta(minutes=minutes)
        hub.broker = QueueState(depth=0, dead_letters=dead)
        restarted.tick()
    assert after == [("lettres-mortes", False)]
    assert hub.ledger.episodes() == {}


def test_episodes_opened_while_the_ledger_is_away_are_kept_once_it_is_back():
    moment = [NOW]
    hub = Observed(demo_hub(clock=lambda: moment[0]), moment, broker=QueueState(depth=0, dead_letters=1))
    ledger, hub.memory.ledger = hub.memory.ledger, _Ledger()
    sent = _Sent()
    watch = Watch(hub, RULES, sent)
    watch.tick()  # the ledger away: its episode and the dead letters' opened, kept in memory
    hub.memory.ledger = ledger
    moment[0] = NOW + timedelta(minutes=1)
    watch.tick()
    assert sent == [("registre", True), ("lettres-mortes", True), ("registre", False)]
    assert list(ledger.episodes()) == ["lettres-mortes"]
    Watch(hub, RULES, sent).tick()  # restarted: the episode goes on, silently
    assert len(sent) == 3
