"""A hub as the dashboard, the metrics and the alerts see it, over the
in-memory hub of adapters/testing.py: its ledger, the shipped directory, a
clock the test moves, and a broker's queue the test sets (an exception: the
broker cannot be reached)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

from helpers import Spec, ubl

from facteur.adapters import configuration
from facteur.adapters.testing import MemoryHub, shipped_config

NOW = datetime(2026, 11, 20, 9, 30, tzinfo=timezone.utc)


@dataclass
class Observed:
    memory: MemoryHub
    moment: list = field(default_factory=lambda: [NOW])
    broker: object = None  # a QueueState, None (no broker), or the exception reaching it raises

    @property
    def ledger(self):
        return self.memory.ledger

    @property
    def directory(self):
        return configuration.load_directory(shipped_config())

    @property
    def directory_store(self):
        return self.memory.directory

    def clock(self) -> datetime:
        return self.moment[0]

    def queue(self):
        if isinstance(self.broker, Exception):
            raise self.broker
        return self.broker

    def deposit(self, number: str, at: datetime, sender: str = "DEMO01", **spec) -> str:
        """A flow of one invoice received at `at`; the clock then stands where it was."""
        before, self.moment[0] = self.moment[0], at
        try:
            return self.memory.deposit(ubl(Spec(number, **spec)), f"{number}.xml", sender).flow_id
        finally:
            self.moment[0] = before
