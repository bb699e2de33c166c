"""What changed in a few folders, as the system tells it, for the watcher's
own thread to read.

The watcher needs little: which name in which folder was written, closed
after writing, renamed in, or went away. It does not need to know where a
renamed file came from, so a rename is two unrelated changes: the name that
left is forgotten, the name that arrived is complete.

On Linux the changes are read from inotify (inotify_simple) on the watcher's
thread itself. watchdog, used elsewhere (FSEvents, kqueue, Windows), pairs
the two halves of every rename in a queue that holds each change behind an
unpaired half for half a second and is searched from its start at every
rename: under a burst of files renamed into an inbox, that search took a
quarter of the engine's time, and the half second set the drop-to-pivot
latency's p90.

Where no events can be had (the kernel's limit on inotify instances reached,
say), `open_events` says why and the watcher relies on its periodic rescan
alone: files are still taken, only later.
"""

from __future__ import annotations

import os
import queue
import select
import sys
import threading
from dataclasses import dataclass
from typing import Iterable, Protocol

from facteur.adapters.errors import NoFolderEvents

# What a name's change means to the watcher:
WRITTEN = "written"  # created, written to, or its metadata changed: wait for quiet
CLOSED = "closed"  # closed after writing: a short check, then complete
MOVED_IN = "moved in"  # renamed into the folder: complete at once
GONE = "gone"  # deleted or renamed away


@dataclass(frozen=True)
class Change:
    path: str
    kind: str


class FolderEvents(Protocol):
    """Changes to the regular files of some folders (not of their sub-folders)."""

    def wait(self, timeout: float) -> list[Change] | None:
        """The changes seen within `timeout` seconds ([] if none, or woken);
        None when some were lost (the kernel's queue overflowed while the
        watcher was busy): the caller must list the folders again."""

    def watch_missing(self) -> list[str]:
        """Watches the folders not watched yet, and again those whose watch
        was lost where that can be told (removed, then made again: inotify);
        returns those that cannot be watched now."""

    def wake(self) -> None:
        """Ends a `wait` under way, from another thread; nothing once closed."""

    def close(self) -> None: ...


def open_events(folders: Iterable[str]) -> FolderEvents:
    """inotify on Linux, watchdog elsewhere; raises NoFolderEvents."""
    return InotifyEvents.open(folders) if sys.platform == "linux" else WatchdogEvents.open(folders)


class InotifyEvents:
    def __init__(self, notify, folders: Iterable[str]):
        from inotify_simple import flags

        self._flags = flags
        self._mask = (flags.CREATE | flags.MODIFY | flags.ATTRIB | flags.CLOSE_WRITE | flags.MOVED_FROM
                      | flags.MOVED_TO | flags.DELETE | flags.ONLYDIR | flags.DONT_FOLLOW | flags.EXCL_UNLINK)
        self._kinds = ((flags.MOVED_TO, MOVED_IN), (flags.CLOSE_WRITE, CLOSED), (flags.MOVED_FROM | flags.DELETE, GONE),
                       (flags.CREATE | flags.MODIFY | flags.ATTRIB, WRITTEN))
        self._notify = notify
        self._folders = list(folders)
        self._watched: dict[int, str] = {}
        self._wake_read, self._wake_write = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
        self._open = threading.Lock()  # a wake after `close` must not write to a descriptor number reused since
        self._closed = False
        self._poll = select.poll()
        self._poll.register(notify.fileno(), select.POLLIN)
        self._poll.register(self._wake_read, select.POLLIN)
        self.watch_missing()

    @classmethod
    def open(cls, folders: Iterable[str]) -> InotifyEvents:
        from inotify_simple import INotify

        try:
            return cls(INotify(), folders)
        except OSError as error:  # EMFILE: fs.inotify.max_user_instances reached
            raise NoFolderEvents(f"inotify could not be opened: {error}") from error

    def watch_missing(self) -> list[str]:
        failed = []
        for folder in sorted(set(self._folders) - set(self._watched.values())):
            try:
                self._watched[self._notify.add_watch(folder, self._mask)] = folder
            except OSError:  # absent, or fs.inotify.max_user_watches reached
                failed.append(folder)
        return failed

    def wait(self, timeout: float) -> list[Change] | None:
        if not self._poll.poll(max(0, int(timeout * 1000))):
            return []
        try:
            os.read(self._wake_read, 4096)
        except BlockingIOError:
            pass
        flags = self._flags
        changes: list[Change] = []
        for event in self._notify.read(timeout=0):
            if event.mask & flags.Q_OVERFLOW:
                return None
            if event.mask & flags.IGNORED:  # the folder was removed, or its file system unmounted
                self._watched.pop(event.wd, None)
                continue
            folder = self._watched.get(event.wd)
            if folder is None or event.mask & flags.ISDIR or not event.name:
                continue
            kind = next(kind for mask, kind in self._kinds if event.mask & mask)
            changes.append(Change(os.path.join(folder, event.name), kind))
        return changes

    def wake(self) -> None:
        with self._open:
            if self._closed:
                return
            try:
                os.write(self._wake_write, b"x")
            except BlockingIOError:  # the pipe is full: a wake is already pending
                pass

    def close(self) -> None:
        with self._open:
            self._closed = True
            self._notify.close()
            os.close(self._wake_read)
            os.close(self._wake_write)


class WatchdogEvents:
    """watchdog's observer, its events queued for the watcher's thread. A
    folder inside another of the list is watched with it (recursively), so
    that a rename between the two is paired at once, not held half a second.
    A watched folder removed and made again is no longer watched: its files
    are taken at each rescan."""

    _WOKEN = Change("", "")

    def __init__(self, folders: Iterable[str]):
        from watchdog.events import FileSystemEventHandler
        from watchdog.observers import Observer

        folders = list(folders)
        self._changes: queue.SimpleQueue[Change] = queue.SimpleQueue()
        self._tops = [folder for folder in folders if os.path.dirname(folder) not in folders]
        self._watched: set[str] = set()
        self._handler = type("Handler", (FileSystemEventHandler,), {"on_any_event": self._seen})()
        self._observer = Observer()
        self._observer.daemon = True
        self._observer.start()
        self.watch_missing()

    @classmethod
    def open(cls, folders: Iterable[str]) -> WatchdogEvents:
        try:
            return cls(folders)
        except OSError as error:
            raise NoFolderEvents(f"watchdog could not watch: {error}") from error

    def _seen(self, event) -> None:
        """Runs on watchdog's thread."""
        if event.is_directory:
            return
        source = os.fsdecode(event.src_path)
        if event.event_type == "moved":
            self._changes.put(Change(source, GONE))
            self._changes.put(Change(os.fsdecode(event.dest_path), MOVED_IN))
        elif event.event_type in ("deleted", "closed", "created", "modified", "attrib"):
            kind = {"deleted": GONE, "closed": CLOSED}.get(event.event_type, WRITTEN)
            self._changes.put(Change(source, kind))

    def watch_missing(self) -> list[str]:
        failed = []
        for folder in self._tops:
            if folder in self._watched:
                continue
            try:
                self._observer.schedule(self._handler, folder, recursive=True)
                self._watched.add(folder)
            except OSError:
                failed.append(folder)
        return failed

    def wait(self, timeout: float) -> list[Change] | None:
        try:
            changes = [self._changes.get(timeout=timeout)]
        except queue.Empty:
            return []
        while not self._changes.empty():
            changes.append(self._changes.get_nowait())
        return [change for change in changes if change is not self._WOKEN]

    def wake(self) -> None:
        self._changes.put(self._WOKEN)

    def close(self) -> None:
        self._observer.stop()
