"""Watched inboxes: inbox/<partner>/, one flat folder per partner, fed by
partners (SFTP, SMB, a copy) who give no sign that a file is finished.

A file is taken only once it has stopped changing: its size and mtime have
stayed the same for `stable_seconds` (2 s by default, for slow uploads that
pause) with no write event in between. A close-after-write event says the
writer is done: the wait is then only `CLOSE_CHECK`, after which the file must
still be unchanged (a writer that reopens to append starts the full wait
again); a file renamed in from a temporary name is complete at once. A
periodic rescan covers writers whose events never come and events lost while
down or dropped by the kernel.

Some files are refused, never read: a hard link (more than one link: its
content is also a file elsewhere, which the partner may not be entitled to
send), and a file that appears in `.claimed/` without the watcher putting it
there. Each is handed to `on_refused`, which reports it, then moves it aside
to `.refused/`. The watcher tells its own claims from foreign files, even
after a crash, by a journal of its claims (name, inode, size, mtime), synced
before each claim's rename, kept outside the partners' folders
(`inbox/.facteur/`), where a partner who can write in their own inbox cannot
forge it.

Taking a file means: read it whole, then claim it by an atomic rename into
inbox/<partner>/.claimed/. Until the rename nothing has happened to it; after
it, the file waits in .claimed/ until the caller releases it, which happens
only after the ledger commit. A crash in between leaves it in .claimed/, and
the next start offers it again: the flow id (sender + bytes) makes that second
pass a repeat, never a second delivery. So nothing is ever half-done: a file
is either still in the inbox or claimed whole.

One watcher per inbox folder: claims are serialised on the watcher's own
thread, which is what makes every file offered exactly once.
"""

from __future__ import annotations

import heapq
import os
import re
import stat
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from facteur.adapters.errors import NoFolderEvents
from facteur.adapters.folder_events import CLOSED, GONE, MOVED_IN, Change, FolderEvents, open_events
from facteur.adapters.mailbox import safe_segment, sweep, write_atomic
from facteur.engine.inputs import door, names
from facteur.engine.messages import DEFAULT, Message, say
from facteur.engine.runtime import logs

CLAIMED = ".claimed"
REFUSED = ".refused"
JOURNALS = ".facteur"  # in the inbox root, beside the partners' folders: one journal of claims per partner
CLOSE_CHECK = 0.5  # seconds a file must stay unchanged after a close-after-write event
# Names that writers and downloaders use while a file is still being written:
# the file is taken under its final name, once renamed.
_TEMPORARY_SUFFIXES = (".tmp", ".part", ".partial", ".crdownload", ".swp")
# A second file of the same name claimed while the first is still in flight is
# kept as .<n>.<name>: dot-names are never claimed from the inbox, so the
# original name can always be told back at the next start.
_DUPLICATE = re.compile(r"^\.(\d+)\.(.+)$", re.DOTALL)
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


@dataclass(frozen=True)
class Claimed:
    """A file taken from a partner's inbox, waiting in .claimed/ until its flow
    is committed."""

    partner: str
    name: str
    path: Path
    content: bytes = field(repr=False)
    mtime: float

    def release(self) -> None:
        """Deleting is enough: were the deletion lost in a crash, the file would
        be offered again and the ledger would see a repeat. Idempotent, since a
        caller retrying after an error cannot know whether it happened."""
        self.path.unlink(missing_ok=True)


@dataclass(frozen=True)
class Refused:
    """A file refused unread (`code`: engine/door.py), where it was found;
    `note` says what was seen of it, so the same file seen again after a crash
    gives the same note. `set_aside` moves it to `.refused/` once reported."""

    partner: str
    name: str
    path: Path
    code: str
    note: bytes
    mtime: float
    set_aside: Callable[[], None] = field(repr=False, compare=False)


def ignored(name: str) -> bool:
    """Dot-files, editor and download temporaries: files someone is still writing,
    or that are not meant for us."""
    return name.startswith(".") or name.endswith("~") or name.lower().endswith(_TEMPORARY_SUFFIXES)


def misplaced(inbox: Path, partners: Iterable[str]) -> list[Path]:
    """The files the watcher never takes: those directly in inbox/, and those
    in a folder of inbox/ that is no watched partner's (dot-names are
    facteur's own, or not meant for it)."""
    watched = set(partners)
    try:
        entries = sorted(os.scandir(inbox), key=lambda entry: entry.name)
    except OSError:  # no inbox yet, or none to read: the watcher says so of its partners' folders
        return []
    found = []
    for entry in entries:
        if ignored(entry.name):
            continue
        if entry.is_file(follow_symlinks=False):
            found.append(Path(entry.path))
        elif entry.is_dir(follow_symlinks=False) and entry.name not in watched:
            found += sorted(path for path in _regular_files(Path(entry.path)) if not ignored(path.name))
    return found


def misplaced_said(path: Path, inbox: Path, in_directory: Iterable[str], directory_file: Path,
                   config_file: Path) -> Message:
    """What an operator reads about a file of `misplaced`: where it is, why it
    is never taken, and what to do."""
    shown = names.shown(str(path.relative_to(inbox.parent)))
    folder = names.shown(path.parent.name)
    if path.parent == inbox:
        return say("misplaced-in-inbox", file=shown)
    if path.parent.name in set(in_directory):
        return say("misplaced-not-watched", file=shown, folder=folder, config=config_file)
    return say("misplaced-not-a-partner", file=shown, folder=folder, directory=directory_file)


def misplaced_advice(path: Path, inbox: Path, in_directory: Iterable[str], directory_file: Path,
                     config_file: Path, lang: str = DEFAULT) -> str:
    """`misplaced_said`, in `lang`: the line the watcher logs."""
    return misplaced_said(path, inbox, in_directory, directory_file, config_file).render(lang)


def original_name(claimed_name: str) -> str:
    match = _DUPLICATE.match(claimed_name)
    return match.group(2) if match else claimed_name


@dataclass
class _Pending:
    """A file seen in an inbox: `due` is when it may be taken, if unchanged."""

    partner: str
    signature: tuple[int, int]  # (size, mtime_ns)
    due: float


class InboxWatcher:
    """Offers every complete file of every partner's inbox to `on_file`, once.

    `on_file` runs on the watcher's own thread, one file at a time, and may
    block: while it does, nothing more is claimed, and files wait in the inbox
    (back-pressure). If it raises, the file stays in .claimed/ and is offered
    again at the next start.

    Files the watcher will not take stay where they are, with one log event
    each (again only if they change; a misplaced file, given `advise`, once):
    a file directly in inbox/ or in a folder of no watched partner is told
    what to do with it; a file above `max_bytes` is an error the
    operator must deal with (it is never claimed and never offered); a file
    that cannot be read (permissions) is a warning, and retried at every
    rescan until it can be; a symlink, a FIFO or anything but a regular file is
    a warning too. Sub-folders are not walked.

    A hard link in an inbox and a foreign file in `.claimed/` are handed,
    unread, to `on_refused` (on the same thread), which must report them and
    then call their `set_aside`; until then they stay where they are, and are
    not handed over again. Without `on_refused`, they are set aside at once.

    `events` opens what tells the watcher of changes in its folders (inotify
    on Linux, watchdog elsewhere: folder_events.py); if it cannot, the
    watcher says why and lists its folders at each rescan only.
    """

    def __init__(
        self,
        inbox: Path,
        partners: Iterable[str],
        on_file: Callable[[Claimed], None],
        stable_seconds: float = 2.0,
        max_bytes: int = 1_000_000_000,
        log=None,
        rescan_seconds: float = 2.0,
        on_refused: Callable[[Refused], None] | None = None,
        advise: Callable[[Path], str] | None = None,
        events: Callable[[list[str]], FolderEvents] = open_events,
    ):
        self.inbox = Path(inbox).absolute()  # event paths are matched against these folders
        self.folders = {str(self.inbox / safe_segment(p)): p for p in partners}
        self.claimed_folders = {os.path.join(folder, CLAIMED): p for folder, p in self.folders.items()}
        self.journals = {p: _Journal(self.inbox / JOURNALS / f"{p}.claims", Path(folder, CLAIMED))
                         for folder, p in self.folders.items()}
        self.on_file = on_file
        self.on_refused = (lambda refused: refused.set_aside()) if on_refused is None else on_refused
        self.advise = advise  # what to do of a misplaced file; None: misplaced files are not looked for
        self.stable_seconds = stable_seconds
        self.max_bytes = max_bytes
        self.rescan_seconds = rescan_seconds
        self.log = log or logs.get("facteur.watch")
        self._pending: dict[str, _Pending] = {}
        self._due: list[tuple[float, str]] = []  # heap; stale entries are skipped when popped
        self._noted: dict[str, tuple[str, tuple[int, int]]] = {}  # what was logged about a path
        self._refusing: set[str] = set()  # refused files not yet set aside, by another thread
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._claiming = threading.Lock()  # held across a rename, so `stop` can wait one out
        self._open_events = events
        self._events: FolderEvents | None = None
        self._worker: threading.Thread | None = None

    # -- life cycle ------------------------------------------------------------

    def start(self) -> None:
        """Watching starts before the first scan, so a file arriving during the
        scan is seen by one or the other; the worker then offers, in order, what
        was claimed before a crash, what waited in the inbox, and what comes."""
        (self.inbox / JOURNALS).mkdir(parents=True, exist_ok=True)
        sweep(self.inbox / JOURNALS)  # a journal's rewrite cut short by a crash
        for folder, partner in self.folders.items():
            if not Path(folder, CLAIMED).is_dir():  # nothing was ever claimed here: the journal starts now
                Path(folder, CLAIMED).mkdir(parents=True)
                self.journals[partner].restart({})
        self._stopping.clear()
        try:
            self._events = self._open_events([*self.folders, *self.claimed_folders])
        except NoFolderEvents as why:
            self._events = None
            self.log.warning("no file system events: files are taken at each rescan", reason=str(why),
                             rescan_seconds=self.rescan_seconds)
        self._worker = threading.Thread(target=self._run, name="facteur-watch", daemon=True)
        self._worker.start()

    def stop(self, wait: float = 0.5) -> None:
        """Once this returns, no file is claimed and `on_file` is not called
        again. An `on_file` already running gets `wait` seconds to finish; one
        that takes longer finishes on its own (daemon) thread, and its file,
        already claimed, is either released by the caller or offered again at
        the next start."""
        self._stopping.set()
        with self._claiming:
            pass  # a rename under way is over; the next one will see `_stopping`
        if self._events is not None:
            self._events.wake()
        if self._worker is not None:
            self._worker.join(wait)

    def _run(self) -> None:
        """The one thread that reads events, lists folders and claims: no lock
        is needed on what is pending, and no event waits on another thread."""
        try:
            self._offer_claimed()
            next_rescan = 0.0
            while not self._stopping.is_set():
                now = time.monotonic()
                if now >= next_rescan:
                    self._rescan()
                    next_rescan = now + self.rescan_seconds
                for path in self._take_due(now):
                    if self._stopping.is_set():
                        return
                    try:
                        self._settle(path)
                    except Exception as error:  # the watcher must outlive any one file
                        self._forget(path)
                        self.log.error("could not take a file; retried at the next rescan", path=names.shown(path),
                                       error=_describe(error))
                next_rescan = self._wait(next_rescan)
        finally:
            if self._events is not None:
                self._events.close()

    # -- what is seen ----------------------------------------------------------

    def _observe(self, path: str, written: bool, quiet: float | None = None) -> None:
        """A write event restarts the quiet period even if the size did not move;
        a rescan restarts it only if the file changed. `quiet` shortens it: a
        file renamed into the inbox is complete at once (renaming a finished
        temporary file is how a writer says it is done, and the README asks
        partners to do so); a close after writing leaves a short check. A file
        in `.claimed/` is checked at once: is it one of ours?"""
        folder, name = os.path.split(path)
        partner = self.folders.get(folder)
        if partner is None or ignored(name):
            partner = self.claimed_folders.get(folder)
            if partner is None:
                return  # anything outside a partner inbox and its .claimed/
            quiet = 0.0
        with self._lock:
            if path in self._refusing:
                return
        try:
            info = os.lstat(path)
        except OSError:
            self._forget(path)
            return
        if not stat.S_ISREG(info.st_mode):
            self._forget(path)
            if not stat.S_ISDIR(info.st_mode):
                self._note(path, _signature(info), "not a regular file; left in the inbox", "warning")
            return
        signature = _signature(info)
        known = self._pending.get(path)
        if known is not None and known.signature == signature and not written:
            return
        due = time.monotonic() + (self.stable_seconds if quiet is None else min(quiet, self.stable_seconds))
        self._pending[path] = _Pending(partner, signature, due)
        heapq.heappush(self._due, (due, path))

    def _changed(self, change: Change) -> None:
        if change.kind == GONE:
            self._forget(change.path)
        elif change.kind == MOVED_IN:
            self._observe(change.path, written=True, quiet=0.0)
        elif change.kind == CLOSED:
            self._observe(change.path, written=True, quiet=CLOSE_CHECK)
        else:
            self._observe(change.path, written=True)

    def _forget(self, path: str) -> None:
        """Also what happens to a file that cannot be taken now: out of the
        pending set until the next rescan brings it back, so it is retried at the
        rescan pace rather than in a loop."""
        self._pending.pop(path, None)

    def _rescan(self) -> None:
        if self._events is not None:
            for folder in self._events.watch_missing():
                self._note(folder, (0, 0), "folder not watched (absent, or the kernel's inotify watches are all "
                           "taken): its files are taken at each rescan", "warning")
        for folder in [*self.folders, *self.claimed_folders]:
            try:
                names = os.listdir(folder)
            except OSError as error:
                self._note(folder, (0, 0), "inbox folder cannot be listed", "error", error=_describe(error))
                continue
            for name in sorted(names):
                self._observe(os.path.join(folder, name), written=False)
        if self.advise is not None:
            for path in misplaced(self.inbox, self.folders.values()):
                self._note(str(path), (0, 0), self.advise(path), "warning")

    def _take_due(self, now: float) -> list[str]:
        due: dict[str, None] = {}  # ordered, and each path once however many events it had
        while self._due and self._due[0][0] <= now:
            _, path = heapq.heappop(self._due)
            pending = self._pending.get(path)
            if pending is not None and pending.due <= now:
                due[path] = None
        return list(due)

    def _wait(self, next_rescan: float) -> float:
        """Until the next file is due, the next rescan, a change, or `stop`;
        returns when to rescan next: at once if the kernel dropped events."""
        deadline = min(next_rescan, self._due[0][0]) if self._due else next_rescan
        timeout = max(0.0, deadline - time.monotonic())
        if self._events is None:
            self._stopping.wait(timeout)
            return next_rescan
        changes = self._events.wait(timeout)
        if changes is None:
            self.log.warning("file system events were lost while the watcher was busy; the folders are listed again")
            return 0.0
        for change in changes:
            self._changed(change)
        return next_rescan

    # -- taking a file ---------------------------------------------------------

    def _settle(self, path: str) -> None:
        """Read, check nothing moved, claim, offer. Anything that goes wrong
        before the rename leaves the file in the inbox for a later attempt."""
        pending = self._pending.get(path)
        if pending is None:
            return
        if os.path.dirname(path) in self.claimed_folders:
            self._check_claimed(path, pending.partner)
            return
        read = self._read(path, pending)
        if read is None:
            return
        content, info = read
        claimed_path = self._claim(path, info)
        if claimed_path is None:
            return
        self._noted.pop(path, None)
        name = os.path.basename(path)
        self._offer(Claimed(pending.partner, name, claimed_path, content, info.st_mtime))

    def _read(self, path: str, pending: _Pending) -> tuple[bytes, os.stat_result] | None:
        """The whole content, or None if the file is not to be claimed now. A
        change seen while reading puts it back to wait for quiet. A hard link
        is refused, and its content never read, nor kept if it became one
        while being read."""
        expected = pending.signature
        try:
            descriptor = os.open(path, _OPEN_FLAGS)
        except FileNotFoundError:
            self._forget(path)
            return None
        except OSError as error:
            self._forget(path)
            self._note(path, expected, "file cannot be read; left in the inbox, retried later", "warning",
                       error=_describe(error))
            return None
        with os.fdopen(descriptor, "rb") as handle:
            before = os.fstat(descriptor)
            if _signature(before) != expected:
                self._observe(path, written=True)
                return None
            if before.st_nlink > 1:
                self._refuse(path, pending.partner, door.HARDLINK, before)
                return None
            if before.st_size > self.max_bytes:
                self._forget(path)
                self._note(path, expected, "file too large; left in the inbox, not processed", "error",
                           size=before.st_size, max_bytes=self.max_bytes)
                return None
            try:
                content = handle.read()
            except OSError as error:
                self._forget(path)
                self._note(path, expected, "file cannot be read; left in the inbox, retried later", "warning",
                           error=_describe(error))
                return None
            after = os.fstat(descriptor)
            if _signature(after) != expected or len(content) != expected[0]:
                self._observe(path, written=True)
                return None
            if after.st_nlink > 1:
                self._refuse(path, pending.partner, door.HARDLINK, after)
                return None
        return content, before

    def _claim(self, path: str, info: os.stat_result) -> Path | None:
        """The claim is written in the journal, and synced, before the rename
        makes it: a file in `.claimed/` that the journal does not know was put
        there by someone else."""
        folder, name = os.path.split(path)
        target = _free_name(Path(folder, CLAIMED), name)
        try:
            with self._claiming:
                if self._stopping.is_set():
                    return None
                self.journals[self.folders[folder]].add(target.name, info)
                os.rename(path, target)
        except FileNotFoundError:
            self._forget(path)
            return None
        except OSError as error:
            self._forget(path)
            self._note(path, (0, 0), "file cannot be claimed; left in the inbox, retried later", "error",
                       error=_describe(error))
            return None
        self._forget(path)
        return target

    def _offer(self, claimed: Claimed) -> None:
        """A file claimed while stopping is not offered: the caller may already be
        shutting down, and the next start offers it from .claimed/."""
        if self._stopping.is_set():
            return
        try:
            self.on_file(claimed)
        except Exception as error:  # the caller's failure must not stop the watch
            self.log.error(
                "processing of a claimed file failed; it stays claimed and is offered again at the next start",
                partner=claimed.partner,
                file=names.shown(claimed.name),
                path=names.shown(str(claimed.path)),
                error=_describe(error),
            )

    def _offer_claimed(self) -> None:
        """Files claimed before a crash or a failure, oldest first; a file in
        `.claimed/` that the journal does not know is refused. A `.claimed/`
        from a facteur before journals has none: its files are taken as claims
        once, and the journal starts from them."""
        for partner_folder, partner in self.folders.items():
            journal = self.journals[partner]
            known = journal.load()
            ours, foreign = [], []
            for path in sorted(_regular_files(Path(partner_folder, CLAIMED)), key=_mtime_or_zero):
                try:
                    info = path.lstat()
                except OSError:
                    continue  # released meanwhile
                (ours if not known or journal.knows(path.name, info) else foreign).append((path, info))
            if not known and ours:
                self.log.warning("claimed files from a facteur without a journal of claims: taken as its own",
                                 partner=partner, count=len(ours))
            journal.restart({path.name: _identity(info) for path, info in ours})
            for path, info in foreign:
                self._refuse(str(path), partner, door.FOREIGN_CLAIM, info)
            for path, info in ours:
                if self._stopping.is_set():
                    return
                self._offer_again(partner, path, info)

    def _offer_again(self, partner: str, path: Path, info: os.stat_result) -> None:
        shown = names.shown(str(path))
        if info.st_size > self.max_bytes:
            self.log.error("claimed file too large; left in .claimed, not processed", path=shown, size=info.st_size,
                           max_bytes=self.max_bytes)
            return
        try:
            content = _read_no_follow(path)
        except OSError as error:
            self.log.error("claimed file cannot be read; offered again at the next start", path=shown,
                           error=_describe(error))
            return
        self._offer(Claimed(partner, original_name(path.name), path, content, info.st_mtime))

    # -- refusing a file ---------------------------------------------------------

    def _check_claimed(self, path: str, partner: str) -> None:
        self._forget(path)
        try:
            info = os.lstat(path)
        except OSError:
            return
        if stat.S_ISREG(info.st_mode) and not self.journals[partner].knows(os.path.basename(path), info):
            self._refuse(path, partner, door.FOREIGN_CLAIM, info)

    def _refuse(self, path: str, partner: str, code: str, info: os.stat_result) -> None:
        """Hands the file over unread, once, with a note of what was seen: the
        same file seen again after a crash gives the same note, hence the same
        flow, which the ledger then knows as a repeat."""
        self._forget(path)
        with self._lock:
            if path in self._refusing:
                return
            self._refusing.add(path)
        name = os.path.basename(path)
        if code == door.FOREIGN_CLAIM:
            name = original_name(name)
        shown = names.shown(name)
        seen = {"inode": info.st_ino, "taille": info.st_size, "mtime_ns": info.st_mtime_ns}
        refused = Refused(partner, name, Path(path), code, door.note(code, shown, seen), info.st_mtime,
                          set_aside=lambda: self._set_aside(path, partner))
        self.log.error("file refused unread; the partner is told, and it is moved to .refused", partner=partner,
                       file=shown, path=names.shown(path), reason=code)
        if self._stopping.is_set():
            return
        try:
            self.on_refused(refused)
        except Exception as error:  # the caller's failure must not stop the watch
            self.log.error("a refused file could not be reported; it stays where it is until the next start",
                           partner=partner, file=shown, error=_describe(error))

    def _set_aside(self, path: str, partner: str) -> None:
        """Idempotent, like a release. Were the move lost, the file would be
        refused again at the next rescan: the same flow, a repeat."""
        folder = self.inbox / safe_segment(partner) / REFUSED
        try:
            folder.mkdir(exist_ok=True)
            os.rename(path, _free_name(folder, os.path.basename(path)))
        except FileNotFoundError:
            pass
        finally:
            with self._lock:
                self._refusing.discard(path)

    # -- bookkeeping -----------------------------------------------------------

    def _note(self, path: str, signature: tuple[int, int], message: str, level: str, **details) -> None:
        """Log once per path and state: a file that stays unreadable or too big
        is seen at every rescan and must not flood the log."""
        if self._noted.get(path) == (message, signature):
            return
        self._noted[path] = (message, signature)
        partner = self.folders.get(os.path.dirname(path))
        getattr(self.log, level)(message, partner=partner, path=names.shown(path), **details)


def _signature(info: os.stat_result) -> tuple[int, int]:
    return info.st_size, info.st_mtime_ns


class _Journal:
    """The claims the watcher made into one partner's `.claimed/`: one line
    per claim (inode, size, mtime in ns, name in hex), appended and synced
    before the claim's rename, which keeps all three. Rewritten at each start,
    and when it grows, with only the claims still there. Used by the watcher's
    own thread only."""

    COMPACT_BYTES = 1 << 20

    def __init__(self, path: Path, claimed: Path):
        self.path, self.claimed = path, claimed
        self.claims: dict[str, tuple[int, int, int]] = {}

    def load(self) -> bool:
        """False when there is no journal yet. A line cut short by a crash is
        skipped: its claim's rename never happened."""
        try:
            lines = self.path.read_bytes().splitlines()
        except FileNotFoundError:
            return False
        for line in lines:
            try:
                inode, size, mtime_ns, name = line.split()
                self.claims[os.fsdecode(bytes.fromhex(name.decode()))] = (int(inode), int(size), int(mtime_ns))
            except ValueError:
                continue
        return True

    def knows(self, name: str, info: os.stat_result) -> bool:
        return self.claims.get(name) == _identity(info)

    def add(self, name: str, info: os.stat_result) -> None:
        if _size_or_zero(self.path) > self.COMPACT_BYTES:
            still_claimed = {n: i for n, i in self.claims.items() if os.path.lexists(self.claimed / n)}
            self.restart({**still_claimed, name: _identity(info)})
            return
        self.claims[name] = _identity(info)
        with open(self.path, "ab") as handle:
            handle.write(_journal_line(name, self.claims[name]))
            handle.flush()
            os.fsync(handle.fileno())

    def restart(self, claims: dict[str, tuple[int, int, int]]) -> None:
        self.claims = claims
        write_atomic(self.path, b"".join(_journal_line(name, identity) for name, identity in claims.items()))


def _identity(info: os.stat_result) -> tuple[int, int, int]:
    return info.st_ino, info.st_size, info.st_mtime_ns


def _journal_line(name: str, identity: tuple[int, int, int]) -> bytes:
    return b"%d %d %d %s\n" % (*identity, names.raw(name).hex().encode())


def _size_or_zero(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _free_name(folder: Path, name: str) -> Path:
    """Only the watcher's single thread claims into this folder, so a name found
    free stays free until the rename."""
    target = folder / name
    number = 0
    while os.path.lexists(target):
        number += 1
        target = folder / f".{number}.{name}"
    return target


def _regular_files(folder: Path) -> list[Path]:
    try:
        entries = list(os.scandir(folder))
    except FileNotFoundError:
        return []
    return [Path(entry.path) for entry in entries if entry.is_file(follow_symlinks=False)]


def _mtime_or_zero(path: Path) -> float:
    try:
        return path.lstat().st_mtime
    except OSError:
        return 0.0


def _read_no_follow(path: Path) -> bytes:
    with os.fdopen(os.open(path, _OPEN_FLAGS), "rb") as handle:
        return handle.read()


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
