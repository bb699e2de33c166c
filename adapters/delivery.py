"""Where each partner receives its outputs: its outbox folder, the AMQP
outbound exchange (routing key = partner id), or both, as `[delivery]` says.

A publish that is not confirmed is a failure of the moment (the broker is
away), not of the flow: it is raised as a ConnectionError so the coordinator
keeps the flow and retries it, and the flow is committed only once delivered.
"""

from __future__ import annotations

from facteur.engine.model import Output

from .mailbox import Mailboxes


class Deliveries:
    def __init__(self, mailboxes: Mailboxes, publisher=None, modes: dict[str, str] | None = None, exchange: str = ""):
        self.mailboxes = mailboxes
        self.publisher = publisher
        self.modes = modes or {}
        self.exchange = exchange
        needing_broker = sorted(p for p, mode in self.modes.items() if mode != "folder")
        if needing_broker and publisher is None:
            raise ValueError(
                f"partners {', '.join(needing_broker)} receive over AMQP ([delivery]) but no broker is "
                "configured: set [amqp] url, or deliver them to their folder"
            )

    def write(self, output: Output) -> str:
        return self.write_all([output])[0]

    def write_all(self, outputs: list[Output]) -> list[str]:
        """The folder outputs are written as one group, then the AMQP ones published."""
        modes = [self.modes.get(output.mailbox, "folder") for output in outputs]
        to_folders = [output for output, mode in zip(outputs, modes) if mode in ("folder", "both")]
        folder_places = iter(self.mailboxes.write_all(to_folders))
        places = []
        for output, mode in zip(outputs, modes):
            place = [next(folder_places)] if mode in ("folder", "both") else []
            if mode in ("amqp", "both"):
                place.append(self._publish(output))
            places.append(" + ".join(place))
        return places

    def _publish(self, output: Output) -> str:
        try:
            self.publisher.publish(output.mailbox, output.name, output.content, output.kind)
        except Exception as err:
            raise ConnectionError(f"could not deliver {output.name} to {output.mailbox} over AMQP: {err}") from err
        return f"amqp://{self.exchange}/{output.mailbox}/{output.name}"
