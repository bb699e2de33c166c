"""Sending the alerts of `engine/operations/alerts.py`: a JSON POST to each
webhook of `[alerts] webhooks`, an e-mail through `[alerts] smtp_host` to
`mail_to`; and the watch that `facteur run` keeps in a thread of its own,
observing the hub every `[alerts] every_seconds`.

A webhook or a mail server that fails is logged, and that alert is not sent
again: the next one (the episode's end) goes out on its own. The episodes
open are read from the ledger at each observation and kept there before their
alerts are sent, so a restarted `facteur run` goes on with them: no second
alert for an episode that began before, one when it ends. While the ledger
cannot be reached, they live in this process, and are kept once it is back.
"""

from __future__ import annotations

import json
import smtplib
import threading
import urllib.request
from email.message import EmailMessage
from typing import Callable

from facteur.adapters import wiring
from facteur.engine.config import AlertSettings, Config
from facteur.engine.errors import FacteurError, Unavailable
from facteur.engine.operations import alerts
from facteur.engine.operations.hub import Hub
from facteur.engine.runtime.ledger import Episode

SEND_TIMEOUT = 10.0  # seconds a webhook or the mail server may take before the alert is given up


class Sender:
    """Where alerts go, as `[alerts]` says; `log` is told of what could not be sent."""

    def __init__(self, settings: AlertSettings, hub_id: str, log):
        self.settings, self.hub_id, self.log = settings, hub_id, log

    def send(self, alert: alerts.Alert) -> None:
        for url in self.settings.webhooks:
            self._attempt(alert, f"le webhook {url}", lambda url=url: self._post(url, alert))
        if self.settings.smtp_host and self.settings.mail_to:
            self._attempt(alert, f"le serveur de courrier {self.settings.smtp_host}:{self.settings.smtp_port}",
                          lambda: self._mail(alert))

    def _attempt(self, alert: alerts.Alert, where: str, send: Callable[[], None]) -> None:
        try:
            send()
        except (OSError, smtplib.SMTPException) as err:
            self.log.error(f"alerte non envoyée par {where} ({err}) : vérifiez [alerts] dans la configuration, "
                           "et que ce service répond", alert=alert.subject)

    def _post(self, url: str, alert: alerts.Alert) -> None:
        body = json.dumps({
            "hub": self.hub_id, "condition": alert.condition, "state": "ouverte" if alert.opened else "terminée",
            "at": alert.at.isoformat(), "subject": alert.subject, "text": alert.text,
        }, ensure_ascii=False).encode()
        request = urllib.request.Request(url, body, {"Content-Type": "application/json; charset=utf-8"})
        with urllib.request.urlopen(request, timeout=SEND_TIMEOUT) as answer:
            answer.read()

    def _mail(self, alert: alerts.Alert) -> None:
        message = EmailMessage()
        message["Subject"] = alert.subject
        message["From"] = self.settings.mail_from
        message["To"] = ", ".join(self.settings.mail_to)
        message.set_content(f"{alert.text}\n\nHub : {self.hub_id}\n")
        with smtplib.SMTP(self.settings.smtp_host, self.settings.smtp_port, timeout=SEND_TIMEOUT) as smtp:
            if self.settings.smtp_starttls:
                smtp.starttls()
            if self.settings.smtp_user:
                smtp.login(self.settings.smtp_user, self.settings.smtp_password)
            smtp.send_message(message)


class Watch:
    """The conditions observed on `hub` at each `tick`, the alerts of the
    episodes that start or end sent by `sender`."""

    def __init__(self, hub: Hub, settings: AlertSettings, sender: Sender):
        self.hub, self.settings, self.sender = hub, settings, sender
        self.episodes: dict[str, Episode] = {}
        self.unkept = False  # episodes changed while the ledger could not keep them

    def tick(self) -> list[alerts.Alert]:
        seen = alerts.observe(self.hub, self.settings.rejection_window_minutes)
        before = self._open()
        self.episodes, due = alerts.step(before, seen, self.settings)
        if self.episodes != before or self.unkept:
            try:
                self.hub.ledger.keep_episodes(self.episodes)
                self.unkept = False
            except Unavailable:
                self.unkept = True
        for alert in due:
            self.sender.send(alert)
        return due

    def _open(self) -> dict[str, Episode]:
        """The episodes open: the ledger's (another engine's on the same
        ledger, or this one's before a restart), with those this process
        opened while the ledger could not keep them."""
        try:
            kept = self.hub.ledger.episodes()
        except Unavailable:
            return self.episodes
        return {**kept, **self.episodes} if self.unkept else kept

    def run(self, stop: threading.Event, log) -> None:
        while not stop.wait(self.settings.every_seconds):
            try:
                self.tick()
            except FacteurError as err:  # the ledger not there yet, say: the next tick looks again
                log.error(f"conditions d'alerte non observées : {err}")


def start(config: Config, log, stop: threading.Event) -> Callable[[], None]:
    """The watch of `facteur run`, in a thread of its own until `stop` is set;
    returns what waits for it to end."""
    hub = wiring.Wired(config)
    watch = Watch(hub, config.alerts, Sender(config.alerts, config.hub_id, log))
    thread = threading.Thread(target=watch.run, args=(stop, log), name="facteur-alerts", daemon=True)
    thread.start()
    log.info("alertes surveillées", every_seconds=config.alerts.every_seconds, webhooks=len(config.alerts.webhooks),
             mail=bool(config.alerts.smtp_host and config.alerts.mail_to))

    def stopped() -> None:
        thread.join(SEND_TIMEOUT * 2)
        hub.close()

    return stopped
