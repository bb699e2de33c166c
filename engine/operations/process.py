"""Processing files as flows, and validating them without processing.

A face hands in what it received (files on disk, an upload), each as its name
and a way to read it; reading waits until the turn of the flow's group (a few
dozen files, a bounded size), so a thousand files are never all in memory.

Many files are judged in a pool of processes when the face hands one in
(`compute`, as `facteur run` does): this process then only reads, archives,
writes and commits, in groups, while the pool's processes run the pipeline;
few files are not worth starting processes for, and are judged here.
"""

from __future__ import annotations

import math
import threading
from collections import Counter
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePath
from typing import Callable

from facteur.engine import pipeline
from facteur.engine.errors import FlowAbandoned, InvalidRequest
from facteur.engine.hub.directory import PARTNER_ID
from facteur.engine.inputs import names
from facteur.engine.messages import Message, say, text
from facteur.engine.model import Flow, Value
from facteur.engine.operations.hub import Hub
from facteur.engine.runtime.runner import Handled
from facteur.engine.runtime.service import Compute, Intake, Service, resolved
from facteur.engine.statuses import FlowStatus

GROUP_FLOWS = 25  # flows synced and committed together, as `facteur run` groups them
GROUP_BYTES = 64_000_000  # read into memory at once, at most (one bigger file is a group alone)
IN_FLIGHT = 64  # flows read and not yet committed, at most, with a pool (as `[intake] max_in_flight`)


@dataclass(frozen=True)
class Submitted:
    """A file handed in: its path as given, its size, and how to read it."""

    path: str
    size: int
    read: Callable[[], bytes]

    @property
    def shown(self) -> str:
        return names.shown(self.path)


@dataclass(frozen=True)
class Processed:
    """Every flow handled, in the order handed in."""

    flows: tuple[Handled, ...]

    @property
    def counts(self) -> Counter:
        """Flows by status; a flow received again counts as a repeat."""
        return Counter("repeat" if r.repeated else r.status for r in self.flows)

    @property
    def complete(self) -> bool:
        """Whether every flow was fully integrated."""
        return all(r.status == FlowStatus.INTEGRATED for r in self.flows)


@dataclass(frozen=True)
class Finding:
    document: str
    code: str
    severity: str
    message: str
    location: str
    layer: str
    values: tuple[Value, ...] = ()  # those its rule compared


@dataclass(frozen=True)
class Validation:
    """One file judged as the pipeline would judge it, nothing recorded."""

    file: str
    syntax: tuple[str, ...]
    valid: bool
    findings: tuple[Finding, ...]
    rules_version: str


def check_sender(hub: Hub, sender: str) -> None:
    """The sender must be a partner id, and a partner of the directory unless it is open."""
    if not PARTNER_ID.match(sender):
        raise InvalidRequest(say("ops-sender-not-an-id", sender=sender))
    directory = hub.context.directory
    partners = set(directory.senders) | directory.mailboxes
    if not directory.open and sender not in partners:
        known = ", ".join(sorted(partners)) or "-"
        raise InvalidRequest(say("ops-sender-unknown", sender=sender, directory=hub.directory_source, known=known))


def process(hub: Hub, files: list[Submitted], sender: str, on_each: Callable[[], None] = lambda: None,
            compute: Compute | None = None) -> Processed:
    """Each file as a flow from `sender`, through the durable sequence to its
    commit, in groups as `facteur run` makes them (one sync and one ledger
    transaction per step for the whole group); then the outbox is published.
    `on_each` follows progress. With `compute` (a pool), the pipeline runs
    there (`_pooled`); without it, here (`Runner.handle_all`)."""
    check_sender(hub, sender)
    if compute is not None:
        handled = _pooled(hub, files, sender, compute, on_each)
    else:
        handled = []
        for group in _groups(files, hub.max_lot_bytes):
            handled += _group(hub, group, sender)
            for _ in group:
                on_each()
    hub.publish()
    return Processed(tuple(handled))


def _pooled(hub: Hub, files: list[Submitted], sender: str, compute: Compute,
            on_each: Callable[[], None]) -> list[Handled]:
    """The flows through the coordinator of `facteur run` (`Service`), the pipeline
    in the pool, so that a flow that fails or kills its worker is handled as
    there: judged again alone, then rejected with its report
    (FCT-TRAITEMENT-ECHEC) if it keeps failing; its neighbours go on. Unlike
    the service, an I/O failure ends the command (`patient=False`), as it does
    without a pool. The files are read in a thread of their own as room frees
    up (IN_FLIGHT flows, GROUP_BYTES), and committed in the order given
    (`_in_order`), so that of two files carrying the same invoice the first
    is delivered and the second is the duplicate, as without a pool. A flow
    whose rejection cannot even be committed ends the command (FlowAbandoned;
    the service would leave it to its source's quarantine)."""
    handled: dict[int, Handled] = {}
    for index, submitted in enumerate(files):
        if submitted.size > hub.max_lot_bytes:
            handled[index] = _refused(submitted, hub.max_lot_bytes, hub.context.language)
            on_each()
    service = Service(hub.runner, _in_order(compute), IN_FLIGHT, patient=False)
    room = _Room(GROUP_BYTES)
    abandoned: list[Message] = []
    failed: list[BaseException] = []
    stop = threading.Event()

    def settled(index: int, size: int) -> Callable[[Handled], None]:
        def done(result: Handled) -> None:
            handled[index] = result
            room.give(size)
            on_each()
        return done

    def abandon(size: int) -> Callable[[Message], None]:
        def given_up(reason: Message) -> None:
            abandoned.append(reason)
            room.give(size)
        return given_up

    def feed() -> None:
        try:
            for index, submitted in enumerate(files):
                if index in handled:
                    continue
                room.take(submitted.size)
                intake = Intake(_flow(hub, submitted, sender), release=lambda: None, abandon=abandon(submitted.size),
                                settled=settled(index, submitted.size))
                if not service.offer(intake):
                    return
        except BaseException as err:  # the file could not be read: the command ends on it, as without a pool
            failed.append(err)
        finally:
            stop.set()

    feeder = threading.Thread(target=feed, name="facteur-process-files", daemon=True)
    feeder.start()
    try:
        service.run(stop, stop_seconds=math.inf)  # the stop says the files are all read: every flow is waited for
    finally:
        room.close()
    feeder.join()
    if failed:
        raise failed[0]
    if abandoned:
        raise FlowAbandoned(abandoned[0])
    return [handled[index] for index in range(len(files))]


class _Room:
    """The bytes read and not yet committed, bounded: a reader waits for room
    (a file bigger than the bound goes alone)."""

    def __init__(self, limit: int):
        self.limit, self.used, self.closed = limit, 0, False
        self._changed = threading.Condition()

    def take(self, size: int) -> None:
        with self._changed:
            self._changed.wait_for(lambda: self.closed or not self.used or self.used + size <= self.limit)
            self.used += size

    def give(self, size: int) -> None:
        with self._changed:
            self.used -= size
            self._changed.notify_all()

    def close(self) -> None:
        with self._changed:
            self.closed = True
            self._changed.notify_all()


def _in_order(compute: Compute) -> Compute:
    """`compute` whose outcomes are handed back in the order the flows were
    handed in: an outcome waits for those of the flows before it, so that the
    coordinator commits the flows in that order."""
    lock = threading.Lock()
    last: list[Future] = [resolved(None)]

    def ordered(flow: Flow) -> Future:
        inner, outer = compute(flow), Future()
        with lock:
            before, last[0] = last[0], outer
        forwarded = threading.Event()

        def forward(_: Future) -> None:
            with lock:
                if forwarded.is_set() or not (before.done() and inner.done()):
                    return
                forwarded.set()
            if inner.cancelled():
                outer.cancel()
            elif inner.exception() is not None:
                outer.set_exception(inner.exception())
            else:
                outer.set_result(inner.result())

        before.add_done_callback(forward)
        inner.add_done_callback(forward)
        return outer

    return ordered


def _groups(files: list[Submitted], max_lot_bytes: int) -> list[list[Submitted]]:
    """Consecutive files, at most GROUP_FLOWS of them and GROUP_BYTES read at once
    (a file above the size limit is not read, and counts for nothing)."""
    groups: list[list[Submitted]] = [[]]
    size = 0
    for submitted in files:
        weight = submitted.size if submitted.size <= max_lot_bytes else 0
        if groups[-1] and (len(groups[-1]) >= GROUP_FLOWS or size + weight > GROUP_BYTES):
            groups.append([])
            size = 0
        groups[-1].append(submitted)
        size += weight
    return [group for group in groups if group]


def _group(hub: Hub, group: list[Submitted], sender: str) -> list[Handled]:
    flows = {id(s): _flow(hub, s, sender) for s in group if s.size <= hub.max_lot_bytes}
    handled = iter(hub.runner.handle_all(list(flows.values())))
    return [next(handled) if id(s) in flows else _refused(s, hub.max_lot_bytes, hub.context.language) for s in group]


def _flow(hub: Hub, submitted: Submitted, sender: str) -> Flow:
    name, name_raw = names.received(PurePath(submitted.path).name)
    return Flow(content=submitted.read(), sender=sender, name=name, received_at=hub.clock(), source="cli",
                name_raw=name_raw)


def _refused(submitted: Submitted, limit: int, lang: str) -> Handled:
    return Handled("", submitted.shown, FlowStatus.REJECTED.value, findings=[_oversized(submitted, limit, lang)])


def _oversized(submitted: Submitted, limit: int, lang: str) -> dict:
    return {
        "document": submitted.shown,
        "code": "FCT-SIZE",
        "severity": "blocking",
        "message": text("ops-oversized", lang, name=submitted.shown, limit=limit),
        "location": "",
        "values": [],  # the same keys as the runner's findings (runner._finding)
    }


def validate(
    context: pipeline.Context, files: list[Submitted], clock: Callable[[], datetime], max_lot_bytes: int
) -> list[Validation]:
    """Each file through the pipeline alone: findings only, nothing archived,
    recorded or written. A file above the size limit is judged empty."""
    return [_validation(context, submitted, clock(), max_lot_bytes) for submitted in files]


def _validation(context: pipeline.Context, submitted: Submitted, at: datetime, max_lot_bytes: int) -> Validation:
    content = b"" if submitted.size > max_lot_bytes else submitted.read()
    name = names.shown(PurePath(submitted.path).name)
    outcome = pipeline.process(Flow(content, "VALIDATE", name, at, "validate"), context)
    found = [(name, f) for f in outcome.findings] + [(v.document, f) for v in outcome.verdicts for f in v.findings]
    return Validation(
        file=submitted.shown,
        syntax=tuple(v.syntax.value for v in outcome.verdicts),
        valid=not any(f.blocking for _, f in found) and outcome.status is not FlowStatus.REJECTED,
        findings=tuple(Finding(d, f.code, f.severity.value, f.message, f.location, f.layer, f.values) for d, f in found),
        rules_version=outcome.rules_version,
    )
