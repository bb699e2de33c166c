"""Where each partner receives its outputs: its outbox folder, the AMQP
outbound exchange (routing key = partner id), or both, as `[delivery]` says.

Folder outputs are written here, before the ledger commit. Outputs for the
broker are not published here: they are handed to the ledger commit, which
puts them in its outbox, and the relay (`outbox.py`) publishes them after it.
A crash can then repeat a publish, never publish what was not committed.
"""

from __future__ import annotations

from facteur.adapters.mailbox import Mailboxes
from facteur.engine.model import Output


class Deliveries:
    def __init__(self, mailboxes: Mailboxes, modes: dict[str, str] | None = None, exchange: str = ""):
        """`exchange` is the outbound exchange, empty when no broker is configured."""
        self.mailboxes = mailboxes
        self.modes = modes or {}
        self.exchange = exchange
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
        to_folders = [output for output in outputs if self._mode(output) in ("folder", "both")]
        folder_places = iter(self.mailboxes.write_all(to_folders))
        places = []
        for output in outputs:
            mode = self._mode(output)
            place = [next(folder_places)] if mode in ("folder", "both") else []
            if mode in ("amqp", "both"):
                place.append(f"amqp://{self.exchange}/{output.mailbox}/{output.name}")
            places.append(" + ".join(place))
        return places

    def to_publish(self, outputs: list[Output]) -> list[Output]:
        """The outputs that go to the broker, for the ledger's outbox."""
        return [output for output in outputs if self._mode(output) in ("amqp", "both")]

    def _mode(self, output: Output) -> str:
        return self.modes.get(output.mailbox, "folder")
