"""In-memory adapters, so that the engine's rules can be exercised without a
disk, a server or a process: the fast tier of the test suite, and anyone who
wants to try the engine from Python.

The ledger is the SQLite ledger itself, on an in-memory database: the same SQL,
the same constraints (an invoice claimed by one flow only, a payment delay
start that never changes), the same transactions. A rule found to hold here
holds on the file too; only durability is given up, which no rule depends on.
The mailboxes and the archive keep what the runner writes in dictionaries,
after the same check of names as the folders make: a name that could not
become a file there is refused here too.

`demo_hub` puts them behind a `Runner` with the shipped configuration: the demo
directory (`config/directory.toml`), the validation rules, and the recognition
patterns and proprietary formats of `mappings/`.
"""

from __future__ import annotations

import errno
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable

from facteur.adapters import configuration
from facteur.adapters.mailbox import safe_segment
from facteur.adapters.sql_directory import Cached, SqlDirectory
from facteur.adapters.sqlite_ledger import SqliteLedger
from facteur.engine.config import Config
from facteur.engine.inputs import names
from facteur.engine.model import Flow, Output
from facteur.engine.runtime.runner import Handled, Runner, utc_now

MEMORY = ":memory:"


class MemoryLedger(SqliteLedger):
    """The SQLite ledger on a database that lives as long as this object."""

    def __init__(self):
        self.path = Path(MEMORY)
        self._open(self.path, readonly=False)
        self.identity = None  # no file that could be deleted or replaced under it


class MemoryMailboxes:
    """Every partner's mailbox: `files[partner][name]` holds what was written
    there. Nothing goes to a broker: every partner receives in its mailbox."""

    def __init__(self):
        self.files: dict[str, dict[str, bytes]] = {}

    def write(self, output: Output) -> str:
        return self.write_all([output])[0]

    def write_all(self, outputs: list[Output]) -> list[str]:
        """All or nothing, as the folders: every name is checked before any is written."""
        places = [(safe_segment(output.mailbox), safe_segment(output.name)) for output in outputs]
        for (mailbox, name), output in zip(places, outputs):
            self.files.setdefault(mailbox, {})[name] = output.content
        return [f"memory:{mailbox}/{name}" for mailbox, name in places]

    def to_publish(self, outputs: list[Output]) -> list[Output]:
        return []

    def of(self, partner: str) -> dict[str, bytes]:
        """What the partner's mailbox holds, by name."""
        return self.files.get(partner, {})


class MemoryArchive:
    """The original bytes of every flow, by the place `keep_all` gave it; the
    first copy is kept."""

    def __init__(self):
        self.originals: dict[str, bytes] = {}

    def keep_all(self, flows: list[Flow]) -> list[str]:
        places = [f"memory:archive/{safe_segment(flow.id)}" for flow in flows]
        for place, flow in zip(places, flows):
            self.originals.setdefault(place, flow.content)
        return places

    def read(self, place: str) -> bytes:
        """What replay reads; a place never kept is missing, as a file would be."""
        if place not in self.originals:
            raise FileNotFoundError(errno.ENOENT, "no original kept there", place)
        return self.originals[place]


@dataclass
class MemoryHub:
    """A runner and the in-memory adapters it writes to, to look at afterwards."""

    runner: Runner
    ledger: MemoryLedger
    mailboxes: MemoryMailboxes
    archive: MemoryArchive
    directory: SqlDirectory  # the national directory, in the in-memory ledger

    def deposit(self, content: bytes, name: str, sender: str = "DEMO01") -> Handled:
        """A flow received from `sender` now (by the runner's clock), handled to its commit."""
        name, name_raw = names.received(name)
        flow = Flow(content, sender, name, self.runner.clock(), source="memory", name_raw=name_raw)
        return self.runner.handle(flow)


def shipped_config() -> Config:
    """The configuration shipped inside the package, whatever the current folder."""
    return configuration.load(str(configuration.shipped_defaults() / "facteur.toml"))


def demo_hub(config: Config | None = None, clock: Callable[[], datetime] = utc_now) -> MemoryHub:
    """A hub over in-memory adapters, with the shipped configuration unless
    another is given (`load(...).with_open_directory()`, say)."""
    config = config or shipped_config()
    ledger = MemoryLedger()
    mailboxes = MemoryMailboxes()
    archive = MemoryArchive()
    store = SqlDirectory(ledger)
    context = configuration.context(config, ledger.known_invoice, annuaire=Cached(store, every=0))
    runner = Runner(context, ledger, archive, mailboxes, clock=clock, lease_seconds=config.lease_seconds)
    return MemoryHub(runner, ledger, mailboxes, archive, store)
