"""The one composition root: from a configuration, the ledger, directory,
pipeline context, deliveries, archive, runner and outbox relay it names,
joined for the operations of `engine/operations/`, whatever face calls them
(the CLI today, a web console next), and for the long-running roles.

A `Wired` hub builds each part the first time an operation asks for it, so
that a command fails on the first thing it needs that is wrong (a recipient
missing from the directory before a ledger missing), and opens no ledger or
broker it does not use.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, datetime
from functools import cached_property
from pathlib import Path
from typing import Callable, Iterator

from facteur.adapters import annuaire_files, configuration
from facteur.adapters.delivery import Deliveries
from facteur.adapters.ledgers import annuaire, directory_store, existing_ledger, open_ledger
from facteur.adapters.mailbox import Archive, Mailboxes, write_atomic
from facteur.adapters.sql_directory import SqlDirectory
from facteur.engine.config import Config
from facteur.engine.errors import ConfigError, InvalidRequest, LedgerUnavailable
from facteur.engine.hub.directory import Directory
from facteur.engine.messages import say
from facteur.engine.model import Output
from facteur.engine.operations.hub import QueueState
from facteur.engine.pipeline import Context
from facteur.engine.runtime.ledger import Ledger
from facteur.engine.runtime.runner import Runner, utc_now


class Wired:
    """The hub a configuration names (`engine.operations.Hub`). `create_ledger`
    for the commands that process flows; the others read a ledger that must
    exist already, and never create an empty one."""

    def __init__(self, config: Config, create_ledger: bool = False, clock: Callable[[], datetime] = utc_now,
                 warn: Callable[[str], None] = lambda message: None):
        self.config = config
        self.create_ledger = create_ledger
        self.clock = clock
        self.warn = warn  # told when the outbox cannot be published now
        self.hub_id = config.hub_id
        self.max_lot_bytes = config.limits.max_lot_bytes
        self.directory_source = str(config.directory_file)

    @cached_property
    def ledger(self) -> Ledger:
        if self.create_ledger:
            return open_ledger(self.config)
        ledger = existing_ledger(self.config)
        if ledger is None:
            raise InvalidRequest(say("cli-no-ledger", path=self.config.ledger))
        return ledger

    @cached_property
    def directory(self) -> Directory:
        return configuration.load_directory(self.config)

    @cached_property
    def directory_store(self) -> SqlDirectory:
        return directory_store(self.ledger)

    def read_directory(self, path: str, today: date):
        return annuaire_files.read(path, today)

    @cached_property
    def context(self) -> Context:
        return configuration.context(self.config, self.ledger.known_invoice,
                                     annuaire=annuaire(self.ledger, self.config.directory_refresh_seconds))

    @cached_property
    def deliveries(self) -> Deliveries:
        return deliveries(self.config, amqp_settings(self.config) if self.config.amqp.get("url") else None)

    @cached_property
    def runner(self) -> Runner:
        return Runner(self.context, self.ledger, Archive(self.config.archive), self.deliveries, clock=self.clock,
                      lease_seconds=self.config.lease_seconds)

    @cached_property
    def accounts(self):
        from facteur.adapters.accounts import SqlAccounts

        return SqlAccounts(self.ledger)

    @cached_property
    def dead_letters(self):
        from facteur.adapters.dead_letters import BrokerDeadLetters

        return BrokerDeadLetters(amqp_settings(self.config)) if self.config.amqp.get("url") else None

    def read_archive(self, place: str) -> bytes:
        with open(place, "rb") as handle:
            return handle.read()

    def hand_over(self, mailbox: str, name: str, to: str) -> str:
        source = Mailboxes(self.config.outbox).path_of(Output(mailbox, name, b"", "pivot"))
        if not to:
            return str(source)
        folder = Path(to)
        if folder.exists() and not folder.is_dir():
            raise InvalidRequest(say("cli-to-not-a-folder", path=to))
        write_atomic(folder / source.name, source.read_bytes())
        return str(folder / source.name)

    def queue(self) -> QueueState | None:
        from facteur.adapters.amqp import queue_counts

        if not self.config.amqp.get("url"):
            return None
        return QueueState(*queue_counts(amqp_settings(self.config)))

    def publish(self) -> None:
        publish_waiting(self.config, self.ledger, self.deliveries, self.warn)

    def close(self) -> None:
        if "ledger" in self.__dict__:
            self.ledger.close()


@contextmanager
def hub(config: Config, create_ledger: bool = False, warn: Callable[[str], None] = lambda message: None
        ) -> Iterator[Wired]:
    """A hub for the time of one command; its ledger is closed after."""
    wired = Wired(config, create_ledger, warn=warn)
    try:
        yield wired
    finally:
        wired.close()


@contextmanager
def validation(config: Config) -> Iterator[Context]:
    """The pipeline's context for judging files alone: any sender, and the
    invoices of the ledger, if one exists, count as known for duplicates."""
    ledger = existing_ledger(config)
    try:
        known = ledger.known_invoice if ledger else (lambda supplier, number, year: None)
        national = annuaire(ledger, config.directory_refresh_seconds) if ledger else None
        yield configuration.context(config, known, check_sender=False, annuaire=national)
    finally:
        if ledger:
            ledger.close()


def doctor_probes(explicit: str | None, root: str | None):
    """What `facteur doctor` looks at: the installation `--config` and `--root`
    name, read by its first probe (so that a configuration that does not read
    is itself a check that fails)."""
    from facteur.adapters.probes import Installation

    return Installation(explicit, root, amqp_settings)


def amqp_settings(config: Config):
    """The broker's settings, from the [amqp] keys written."""
    from facteur.adapters.amqp import AmqpSettings

    values = {k: v for k, v in config.amqp.items() if v not in ("", None)}
    if "url" not in values:
        raise ConfigError(say("cli-no-broker", path=config.path))
    return AmqpSettings(**values)  # the configuration admits only its keys


def deliveries(config: Config, amqp) -> Deliveries:
    """Each partner's outputs where `[delivery]` sends them, and a non-partner's in
    quarantine; `amqp` is None without a broker."""
    directory = configuration.load_directory(config)
    partners = None if directory.open else {*directory.senders, *directory.mailboxes}
    try:
        return Deliveries(Mailboxes(config.outbox), config.delivery, amqp.outbound_exchange if amqp else "", partners)
    except ValueError as err:
        raise ConfigError(str(err)) from None


def relay(amqp, ledger: Ledger):
    """The outbox's relay, publishing over its own connection to the broker."""
    from facteur.adapters.amqp import AmqpPublisher
    from facteur.adapters.outbox import Relay

    return Relay(ledger, AmqpPublisher(amqp))


def publish_waiting(config: Config, ledger: Ledger, delivering: Deliveries, warn: Callable[[str], None]) -> None:
    """After a command that ran once has committed: one pass of the relay, as
    the engine's would. While the broker is away the messages wait in the
    ledger, and the next relay (a running engine's, or the next command's)
    publishes them; `warn` says so."""
    from facteur.adapters.errors import PublishFailed

    if not delivering.uses_broker:
        return
    relaying = relay(amqp_settings(config), ledger)
    try:
        relaying.publish_due()
    except (PublishFailed, LedgerUnavailable) as err:
        warn(f"messages for AMQP partners wait in the ledger's outbox ({err}); `facteur run` or "
             "`facteur worker` publishes them once the broker can be reached")
    finally:
        relaying.publisher.close()
