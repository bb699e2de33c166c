"""Local mailboxes and the archive of originals, written so that nothing is ever
seen half-written and nothing written is lost.

Every file goes to a temporary name in its final folder, is synced, renamed into
place, and the folder is synced: a reader (a recipient polling its outbox)
sees either nothing or the whole file, and a crash leaves at worst a temporary
file that the next write of the same name replaces.

A temporary name carries the host and the process that write it, because
several workers may share these folders: a worker sweeping what a crash left
removes only the files of processes of its own host that are gone, never the
file another worker is writing now.
"""

from __future__ import annotations

import itertools
import os
import re
import socket
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import ExitStack
from functools import cache
from pathlib import Path
from typing import BinaryIO, Callable, TypeVar

from facteur.adapters.errors import UnsafeName
from facteur.adapters.processes import gone
from facteur.engine.model import Flow, Output

_SAFE_SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
WRITERS = 8  # threads syncing a group's files: syncs waited for together, a few disks' queues deep
Item = TypeVar("Item")


def safe_segment(value: str) -> str:
    """A name that may become one path segment, or UnsafeName: names that come
    from partners never become paths unchecked."""
    if not _SAFE_SEGMENT.match(value) or value in (".", ".."):
        raise UnsafeName(f"{value!r} cannot be used as a file or folder name")
    return value


def write_atomic(path: Path, content: bytes) -> None:
    write_all_atomic({path: content})


def write_all_atomic(files: dict[Path, bytes]) -> None:
    """Many files written as one group: every one is written, then every one
    synced, before any is renamed in, and each folder is synced once (before
    this returns, so before the ledger commit that says the files exist); a
    folder made for the group has its own entry synced in its parent too, or
    a crash could take the folder away with the synced files in it. The
    syncs of a group are waited for together, by a small pool of threads
    (`_each`), instead of one after the other; the writes and renames stay in
    the calling thread, so that the threads take Python's lock once per file
    only (a process busy with other threads makes each taking cost). The
    promise stays the same: a name appears only for a whole, synced file."""
    folders = {path.parent for path in files}
    suffix = f"~{socket.gethostname()}~{os.getpid()}.tmp"
    with ExitStack() as handles:
        temporaries = []
        for path, content in files.items():
            temporary = path.with_name(f".{path.name}{suffix}")
            handle = handles.enter_context(_created(temporary, folders))
            handle.write(content)
            handle.flush()
            temporaries.append((handle, temporary, path))
        _each(lambda written: os.fsync(written[0].fileno()), temporaries)
    for _, temporary, path in temporaries:
        os.replace(temporary, path)
    _each(_sync_folder, list(folders))


def _created(temporary: Path, folders: set[Path]) -> BinaryIO:
    """`temporary` opened for writing, its folder made first when missing; the
    folders whose entries changed are added to `folders`. Trying the open
    first costs nothing where the folder is there, as it is for all but a
    folder's first file (a mkdir of an existing folder is two system calls
    and an exception, for each of the some 100 files of a group)."""
    try:
        return open(temporary, "wb")
    except FileNotFoundError:
        folder = temporary.parent
        missing = list(itertools.takewhile(lambda place: not place.is_dir(), (folder, *folder.parents)))
        folder.mkdir(parents=True, exist_ok=True)
        folders.update(place.parent for place in missing)
        return open(temporary, "wb")


def _each(work: Callable[[Item], None], items: list[Item]) -> None:
    """`work` done on every item, by the writer threads when there are several,
    each thread given its share at once (a task per item cost more in handing
    over Python's lock than the syncs saved); every one waited for, so that
    none is still running when an error is raised."""
    if len(items) <= 1:
        for item in items:
            work(item)
        return
    threads = min(WRITERS, len(items))
    _all_done([_writers().submit(_every, work, items[start::threads]) for start in range(threads)])


def _every(work: Callable[[Item], None], items: list[Item]) -> None:
    """`work` on each item, the others still done when one fails; the first failure raised."""
    failures = []
    for item in items:
        try:
            work(item)
        except Exception as error:  # raised below, once the share is done
            failures.append(error)
    if failures:
        raise failures[0]


@cache
def _writers() -> ThreadPoolExecutor:
    """The threads that sync, made once per process (starting threads for
    each group costs more than a sync when the CPU is busy); a process forked
    from this one makes its own, the threads staying behind."""
    return ThreadPoolExecutor(WRITERS, thread_name_prefix="facteur-writer")


os.register_at_fork(after_in_child=_writers.cache_clear)


def _all_done(futures: list[Future]) -> None:
    """Once every one has ended, the first error, if any."""
    wait(futures)
    for future in futures:
        future.result()


def not_a_folder(path: Path) -> Path | None:
    """What stands in the way of `path` being a folder: itself, or the nearest
    of its parents, when it exists as something else (a file); None when the
    folder exists or can be made."""
    for place in (path, *path.parents):
        if place.is_dir():
            return None
        if place.exists() or place.is_symlink():
            return place
    return None


def sweep(folder: Path) -> int:
    """Remove the temporary files a crash left below `folder` (never seen by a
    reader: their final names were never made); returns how many."""
    swept = 0
    for path in folder.glob("**/.*.tmp") if folder.exists() else ():
        if path.is_file() and _abandoned(path.name):
            path.unlink(missing_ok=True)
            swept += 1
    return swept


def _abandoned(name: str) -> bool:
    """Whether the process that wrote this temporary file is gone (a name
    without a host and process is from a facteur before them: gone too)."""
    parts = name[: -len(".tmp")].rsplit("~", 2)
    if len(parts) != 3 or not parts[2].isdigit():
        return True
    _, host, pid = parts
    if host == socket.gethostname() and int(pid) == os.getpid():
        return True  # this process's own leftovers are its to remove
    return gone(host, int(pid))  # never for another machine's: that machine sweeps its own


def _sync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


class Mailboxes:
    """outbox/<partner>/<name>, one folder per partner."""

    def __init__(self, outbox: Path):
        self.outbox = outbox

    def path_of(self, output: Output) -> Path:
        return self.outbox / safe_segment(output.mailbox) / safe_segment(output.name)

    def write(self, output: Output) -> str:
        return self.write_all([output])[0]

    def write_all(self, outputs: list[Output]) -> list[str]:
        paths = [self.path_of(output) for output in outputs]
        write_all_atomic({path: output.content for path, output in zip(paths, outputs)})
        return [str(path) for path in paths]

    def to_publish(self, outputs: list[Output]) -> list[Output]:
        """Folders only: nothing goes to the broker."""
        return []


class Archive:
    """The original bytes of every flow, by flow id, kept before processing."""

    def __init__(self, folder: Path):
        self.folder = folder

    def path_of(self, flow_id: str) -> Path:
        flow_id = safe_segment(flow_id)
        return self.folder / flow_id[:2] / flow_id

    def keep(self, flow: Flow) -> str:
        return self.keep_all([flow])[0]

    def keep_all(self, flows: list[Flow]) -> list[str]:
        paths = [self.path_of(flow.id) for flow in flows]
        write_all_atomic({path: flow.content for path, flow in zip(paths, flows) if not path.exists()})
        return [str(path) for path in paths]

    def read(self, flow_id: str) -> bytes:
        return self.path_of(flow_id).read_bytes()
