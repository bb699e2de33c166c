"""Where each partner receives its outputs: its outbox folder, the AMQP
outbound exchange (routing key = partner id), or both, as `[delivery]` says.

Folder outputs are written here, before the ledger commit. Outputs for the
broker are not published here: they are handed to the ledger commit, which
puts them in its outbox, and the relay (`outbox.py`) publishes them after it.
A crash can then repeat a publish, never publish what was not committed.

An output for someone who is not a partner (the rejection report of a flow
whose sender the directory does not know: an AMQP user, a `--sender` mistyped)
gets no outbox folder of its own, which would look like a partner's and be
polled by nobody: it is kept in `outbox/.quarantine/<sender>/`, with a log line
saying what to do, and the ledger records that place.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from facteur.adapters.mailbox import Mailboxes, write_all_atomic
from facteur.engine.hub.annuaire import PLATFORM_MAILBOX
from facteur.engine.model import Output
from facteur.engine.runtime import logs

QUARANTINE = ".quarantine"  # a dot-name: never a partner id (mailbox.safe_segment)
log = logs.get("facteur.delivery")


class Deliveries:
    def __init__(
        self,
        mailboxes: Mailboxes,
        modes: dict[str, str] | None = None,
        exchange: str = "",
        partners: Collection[str] | None = None,
    ):
        """`exchange` is the outbound exchange, empty when no broker is configured;
        `partners` the mailboxes that may have a folder, None for any (an open directory),
        besides those of the receiving platforms of the national directory (`PA` and its number)."""
        self.mailboxes = mailboxes
        self.quarantine = Mailboxes(mailboxes.outbox / QUARANTINE)
        self.modes = modes or {}
        self.exchange = exchange
        self.partners = None if partners is None else frozenset(partners) | frozenset(self.modes)
        if self.uses_broker and not exchange:
            needing_broker = sorted(p for p, mode in self.modes.items() if mode != "folder")
            raise ValueError(
                f"partners {', '.join(needing_broker)} receive over AMQP ([delivery]) but no broker is "
                "configured: set [amqp] url, or deliver them to their folder"
            )

    @property
    def uses_broker(self) -> bool:
        return any(mode != "folder" for mode in self.modes.values())

    def write(self, output: Output) -> str:
        return self.write_all([output])[0]

    def write_all(self, outputs: list[Output]) -> list[str]:
        """The folder outputs are written as one group; each output's place
        names its folder file, its message on the exchange, or both."""
        paths = {index: self._folder(output) for index, output in enumerate(outputs) if self._mode(output) != "amqp"}
        write_all_atomic({path: outputs[index].content for index, path in paths.items()})
        for index, path in paths.items():
            if self._mode(outputs[index]) == "quarantine":
                log.warning(
                    "sortie mise en quarantaine : son destinataire n'est pas un partenaire de l'annuaire ; "
                    "déclarez-le ([[sender]] ou [[structure]]) puis rejouez le flux (facteur replay), "
                    "ou supprimez le fichier",
                    destinataire=outputs[index].mailbox, fichier=str(path),
                )
        places = []
        for index, output in enumerate(outputs):
            mode = self._mode(output)
            place = [str(paths[index])] if index in paths else []
            if mode in ("amqp", "both"):
                place.append(f"amqp://{self.exchange}/{output.mailbox}/{output.name}")
            places.append(" + ".join(place))
        return places

    def to_publish(self, outputs: list[Output]) -> list[Output]:
        """The outputs that go to the broker, for the ledger's outbox."""
        return [output for output in outputs if self._mode(output) in ("amqp", "both")]

    def _mode(self, output: Output) -> str:
        if self.partners is not None and output.mailbox not in self.partners and not PLATFORM_MAILBOX.match(
            output.mailbox
        ):
            return "quarantine"
        return self.modes.get(output.mailbox, "folder")

    def _folder(self, output: Output) -> Path:
        return (self.quarantine if self._mode(output) == "quarantine" else self.mailboxes).path_of(output)
