"""The watched inbox, on real folders, told of changes by inotify (as on
Linux) and by watchdog (as elsewhere), and by neither (its rescan alone)."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from facteur.adapters.errors import NoFolderEvents
from facteur.adapters.folder_events import InotifyEvents, WatchdogEvents
from facteur.adapters.watch import CLAIMED, JOURNALS, REFUSED, Claimed, InboxWatcher
from facteur.engine.errors import Refused
from facteur.engine.inputs import door
from helpers import Recorded


class Collector:
    """on_file that records what it is given, and can be told to fail."""

    def __init__(self, fail: bool = False):
        self.fail = fail
        self.files: list[Claimed] = []
        self.lock = threading.Lock()

    def __call__(self, claimed: Claimed) -> None:
        with self.lock:
            self.files.append(claimed)
        if self.fail:
            raise RuntimeError("the orchestrator failed")

    def names(self) -> list[str]:
        with self.lock:
            return sorted(f.name for f in self.files)

    def wait_for(self, count: int, timeout: float = 5.0) -> list[Claimed]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.files) >= count:
                    return list(self.files)
            time.sleep(0.01)
        raise AssertionError(f"{count} files expected, got {self.names()}")


@pytest.fixture(params=["inotify", "watchdog"])
def watching(tmp_path, request):
    """Start a watcher over partners A and B; stopped at the end of the test."""
    started: list[InboxWatcher] = []
    events = {"inotify": InotifyEvents.open, "watchdog": WatchdogEvents.open}[request.param]

    def start(collector: Collector, **options) -> InboxWatcher:
        watcher = InboxWatcher(tmp_path / "inbox", ["A", "B"], collector, **{"events": events, **options})
        watcher.start()
        started.append(watcher)
        return watcher

    yield start
    for watcher in started:
        watcher.stop()


def wait_until(predicate, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "not reached in time"
        time.sleep(0.02)


def drop(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)


def test_files_already_there_at_start_are_taken(tmp_path, watching):
    drop(tmp_path / "inbox/A/one.xml", b"<one/>")
    drop(tmp_path / "inbox/B/two.xml", b"<two/>")
    collector = Collector()
    watching(collector)
    files = collector.wait_for(2)
    by_name = {f.name: f for f in files}
    assert by_name["one.xml"].partner == "A" and by_name["one.xml"].content == b"<one/>"
    assert by_name["two.xml"].partner == "B"
    assert by_name["two.xml"].path == tmp_path / "inbox/B" / CLAIMED / "two.xml"
    assert by_name["two.xml"].path.read_bytes() == b"<two/>"
    assert not (tmp_path / "inbox/A/one.xml").exists()


def test_new_file_is_taken_within_a_second(tmp_path, watching):
    collector = Collector()
    watching(collector)
    time.sleep(0.2)
    dropped = time.monotonic()
    drop(tmp_path / "inbox/A/invoice.xml", b"<Invoice/>")
    [claimed] = collector.wait_for(1)
    assert time.monotonic() - dropped < 1.0
    assert claimed.content == b"<Invoice/>"
    assert abs(claimed.mtime - os.stat(claimed.path).st_mtime) < 1e-6


def test_temporary_names_are_ignored_until_renamed(tmp_path, watching):
    collector = Collector()
    watching(collector)
    inbox = tmp_path / "inbox/A"
    for name in [".hidden", "a.tmp", "b.part", "c.partial", "d.crdownload", "e.swp", "f.xml~", "G.TMP"]:
        drop(inbox / name, b"not yet")
    drop(inbox / "sub" / "nested.xml", b"sub-folders are not walked")
    time.sleep(1.0)
    assert collector.names() == []
    (inbox / "a.tmp").rename(inbox / "a.xml")
    [claimed] = collector.wait_for(1)
    assert claimed.name == "a.xml" and claimed.content == b"not yet"
    time.sleep(0.5)
    assert collector.names() == ["a.xml"]
    assert (inbox / "sub" / "nested.xml").exists() and (inbox / ".hidden").exists()


def test_slow_writer_is_taken_once_and_complete(tmp_path, watching):
    collector = Collector()
    watching(collector)
    path = tmp_path / "inbox/A/slow.xml"
    path.parent.mkdir(parents=True, exist_ok=True)
    expected = b""
    for chunk in range(40):  # a chunk every 50 ms for 2 s, reopening each time
        data = f"<chunk n='{chunk}'/>\n".encode()
        with open(path, "ab") as handle:
            handle.write(data)
        expected += data
        time.sleep(0.05)
    [claimed] = collector.wait_for(1)
    assert claimed.content == expected
    time.sleep(0.5)
    assert len(collector.files) == 1


def test_file_kept_open_while_written_is_taken_complete(tmp_path, watching):
    collector = Collector()
    watching(collector)
    path = tmp_path / "inbox/A/open.xml"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        for chunk in range(20):
            handle.write(b"x" * 1000)
            handle.flush()
            time.sleep(0.05)
    [claimed] = collector.wait_for(1)
    assert claimed.content == b"x" * 20_000


def test_files_left_claimed_are_offered_again_first(tmp_path, watching):
    first = watching(Collector(fail=True))
    drop(tmp_path / "inbox/A/crashed.xml", b"<crashed/>")
    wait_until(lambda: (tmp_path / "inbox/A" / CLAIMED / "crashed.xml").exists())
    drop(tmp_path / "inbox/A/crashed.xml", b"<crashed again/>")
    wait_until(lambda: (tmp_path / "inbox/A" / CLAIMED / ".1.crashed.xml").exists())
    first.stop()
    drop(tmp_path / "inbox/A/waiting.xml", b"<waiting/>")
    collector = Collector()
    watching(collector)
    files = collector.wait_for(3, timeout=15.0)  # waiting.xml is taken after its 2 s quiet period, slower under load
    assert {f.name for f in files[:2]} == {"crashed.xml"}
    assert {f.content for f in files[:2]} == {b"<crashed/>", b"<crashed again/>"}
    assert files[2].name == "waiting.xml"


def test_a_failing_callback_leaves_the_file_claimed(tmp_path, watching):
    collector = Collector(fail=True)
    watching(collector)
    drop(tmp_path / "inbox/A/x.xml", b"<x/>")
    [claimed] = collector.wait_for(1)
    time.sleep(0.3)
    assert claimed.path.read_bytes() == b"<x/>"
    assert not (tmp_path / "inbox/A/x.xml").exists()
    assert len(collector.files) == 1  # not offered again before the next start


def test_same_name_dropped_again_while_in_flight(tmp_path, watching):
    collector = Collector()
    watching(collector)
    inbox = tmp_path / "inbox/A"
    drop(inbox / "dup.xml", b"first")
    collector.wait_for(1)
    drop(inbox / "dup.xml", b"second")
    first, second = collector.wait_for(2)
    assert (first.name, second.name) == ("dup.xml", "dup.xml")
    assert first.path != second.path and second.path.parent == inbox / CLAIMED
    assert (first.path.read_bytes(), second.path.read_bytes()) == (b"first", b"second")


def test_stop_is_prompt_and_later_files_stay(tmp_path, watching):
    collector = Collector()
    watcher = watching(collector)
    time.sleep(0.2)
    began = time.monotonic()
    watcher.stop()
    assert time.monotonic() - began < 1.0
    drop(tmp_path / "inbox/A/late.xml", b"<late/>")
    time.sleep(0.8)
    assert collector.names() == []
    assert (tmp_path / "inbox/A/late.xml").read_bytes() == b"<late/>"


def test_a_blocking_callback_holds_the_rest_back_and_stop_still_returns(tmp_path, watching):
    release = threading.Event()
    collector = Collector()

    def blocking(claimed: Claimed) -> None:
        collector(claimed)
        release.wait(5)

    watcher = watching(blocking)
    inbox = tmp_path / "inbox/A"
    for name in ["1.xml", "2.xml", "3.xml"]:
        drop(inbox / name, name.encode())
    collector.wait_for(1)
    time.sleep(0.5)
    assert len(collector.files) == 1  # back-pressure: the others wait, unclaimed
    began = time.monotonic()
    watcher.stop()
    assert time.monotonic() - began < 1.0
    release.set()
    time.sleep(0.5)
    assert len(collector.files) == 1
    assert len(os.listdir(inbox)) == 3  # .claimed/ and the two files never taken


def test_many_files_are_each_claimed_exactly_once(tmp_path, watching):
    collector = Collector()
    watching(collector)
    inbox = tmp_path / "inbox/A"
    for n in range(200):
        drop(inbox / f"f{n:03}.xml", f"<f n='{n}'/>".encode())
    files = collector.wait_for(200, timeout=10)
    time.sleep(0.5)
    assert collector.names() == [f"f{n:03}.xml" for n in range(200)]
    assert all(f.content == f"<f n='{int(f.name[1:4])}'/>".encode() for f in files)
    assert sorted(os.listdir(inbox)) == [CLAIMED]


def test_too_large_file_stays_in_the_inbox(tmp_path, watching):
    collector = Collector()
    watching(collector, max_bytes=10)
    drop(tmp_path / "inbox/A/big.xml", b"x" * 11)
    drop(tmp_path / "inbox/A/small.xml", b"x" * 10)
    collector.wait_for(1)
    time.sleep(0.5)
    assert collector.names() == ["small.xml"]
    assert (tmp_path / "inbox/A/big.xml").exists()


def test_unreadable_file_is_retried_once_readable(tmp_path, watching):
    collector = Collector()
    path = tmp_path / "inbox/A/locked.xml"
    drop(path, b"<locked/>")
    path.chmod(0)
    try:
        path.read_bytes()
        pytest.skip("this user reads files whatever their permissions (root with CAP_DAC_OVERRIDE)")
    except PermissionError:
        pass
    watching(collector, rescan_seconds=0.2)
    time.sleep(0.8)
    assert collector.names() == [] and path.exists()
    path.chmod(0o644)
    [claimed] = collector.wait_for(1)
    assert claimed.content == b"<locked/>"


def test_unsafe_partner_names_are_refused(tmp_path):
    with pytest.raises(ValueError):
        InboxWatcher(tmp_path, ["../elsewhere"], Collector())


def test_release_deletes_and_may_be_repeated(tmp_path, watching):
    collector = Collector()
    watching(collector)
    drop(tmp_path / "inbox/B/r.xml", b"<r/>")
    [claimed] = collector.wait_for(1)
    claimed.release()
    claimed.release()
    assert not claimed.path.exists()


def test_a_file_renamed_in_is_complete_at_once_a_written_one_waits(tmp_path, watching):
    """Renaming a finished temporary file is the writer saying it is done: no
    quiet period. A file written in place waits for its quiet period."""
    collector = Collector()
    watching(collector, stable_seconds=3.0, rescan_seconds=60)
    time.sleep(0.2)
    drop(tmp_path / "inbox/A/.x.xml.part", b"<renamed/>")
    os.rename(tmp_path / "inbox/A/.x.xml.part", tmp_path / "inbox/A/x.xml")
    drop(tmp_path / "inbox/A/y.xml", b"<written/>")
    assert [f.name for f in collector.wait_for(1, timeout=2.0)] == ["x.xml"]
    assert "y.xml" not in collector.names()
    assert sorted(f.name for f in collector.wait_for(2, timeout=6.0)) == ["x.xml", "y.xml"]


def test_a_close_after_writing_ends_the_wait_a_file_still_open_waits(tmp_path, watching):
    collector = Collector()
    watching(collector, stable_seconds=60, rescan_seconds=60)
    time.sleep(0.2)
    inbox = tmp_path / "inbox/A"
    with open(inbox / "open.xml", "wb") as still_open:
        still_open.write(b"<open")
        still_open.flush()
        drop(inbox / "closed.xml", b"<closed/>")
        assert [f.name for f in collector.wait_for(1)] == ["closed.xml"]
        time.sleep(1.0)
        assert collector.names() == ["closed.xml"]


def test_an_upload_that_pauses_longer_than_the_close_check_is_taken_whole_once(tmp_path, watching):
    """An SFTP upload keeps its file open and may pause for a second or more
    between writes: within the stable window, nothing is taken early."""
    collector = Collector()
    watching(collector)
    time.sleep(0.2)
    with open(tmp_path / "inbox/A/upload.xml", "wb") as upload:
        for part in (b"<a>", b"<b/>", b"</a>"):
            upload.write(part)
            upload.flush()
            time.sleep(1.0)
            assert collector.names() == []
    [claimed] = collector.wait_for(1)
    assert claimed.content == b"<a><b/></a>"
    time.sleep(0.5)
    assert len(collector.files) == 1


class Refusals(list):
    """on_refused that records what it is given, then sets it aside, as the
    engine does once the refusal is reported."""

    def __call__(self, refused: Refused) -> None:
        self.append(refused)
        refused.set_aside()


def test_a_hard_link_is_refused_unread_and_set_aside(tmp_path, watching):
    outside = tmp_path / "secret.xml"
    outside.write_bytes(b"<not yours/>")
    refusals = Refusals()
    collector = Collector()
    watching(collector, on_refused=refusals)
    time.sleep(0.2)
    os.link(outside, tmp_path / "inbox/A/link.xml")
    drop(tmp_path / "inbox/A/plain.xml", b"<plain/>")
    collector.wait_for(1, timeout=60)
    set_aside = tmp_path / "inbox/A" / REFUSED / "link.xml"
    # The refusal is recorded before it is set aside (Refusals), in the watcher's
    # thread: wait for the file itself, generously, for a loaded machine is slow.
    wait_until(lambda: len(refusals) == 1 and set_aside.exists(), timeout=60)
    [refused] = refusals
    assert (refused.partner, refused.name, refused.code) == ("A", "link.xml", door.HARDLINK)
    assert b"not yours" not in refused.note
    assert collector.names() == ["plain.xml"]
    assert set_aside.read_bytes() == b"<not yours/>"
    assert not (tmp_path / "inbox/A/link.xml").exists() and outside.exists()


def test_a_file_slipped_into_claimed_is_refused_while_running_and_at_start(tmp_path, watching):
    claimed = tmp_path / "inbox/A" / CLAIMED
    drop(claimed / "before.xml", b"<before/>")
    (tmp_path / "inbox" / JOURNALS).mkdir(parents=True)
    (tmp_path / "inbox" / JOURNALS / "A.claims").write_bytes(b"")  # a facteur with journals ran before
    refusals = Refusals()
    collector = Collector(fail=True)  # ours stay claimed
    watching(collector, on_refused=refusals)
    drop(tmp_path / "inbox/A/ours.xml", b"<ours/>")
    collector.wait_for(1)
    drop(claimed / "slipped.xml", b"<slipped/>")
    refused = tmp_path / "inbox/A" / REFUSED  # a refusal is recorded, then set aside: both are waited for
    wait_until(lambda: len(refusals) == 2 and refused.is_dir() and len(os.listdir(refused)) == 2)
    assert sorted((r.name, r.code) for r in refusals) == [
        ("before.xml", door.FOREIGN_CLAIM), ("slipped.xml", door.FOREIGN_CLAIM)
    ]
    assert sorted(os.listdir(claimed)) == ["ours.xml"]
    assert sorted(os.listdir(refused)) == ["before.xml", "slipped.xml"]
    assert collector.names() == ["ours.xml"]


def test_the_same_refused_file_seen_again_gives_the_same_note(tmp_path, watching):
    """A refusal not yet set aside when facteur stops is refused again at the
    next start with the same note: the same flow, which the ledger then knows."""
    outside = tmp_path / "secret.xml"
    outside.write_bytes(b"<x/>")
    (tmp_path / "inbox/A").mkdir(parents=True)
    os.link(outside, tmp_path / "inbox/A/link.xml")
    notes = []
    for _ in range(2):
        seen = []
        watcher = watching(Collector(), on_refused=seen.append)
        wait_until(lambda: seen)
        watcher.stop()
        notes.append(seen[0].note)
    assert notes[0] == notes[1] and (tmp_path / "inbox/A/link.xml").exists()


def test_a_name_that_is_not_utf8_is_taken_and_kept_as_bytes(tmp_path, watching):
    collector = Collector()
    watching(collector)
    inbox = os.fsencode(tmp_path / "inbox/A")
    os.makedirs(inbox, exist_ok=True)
    with open(os.path.join(inbox, b"facture-\xff\x01.xml"), "wb") as handle:
        handle.write(b"<raw/>")
    [claimed] = collector.wait_for(1)
    assert os.fsencode(claimed.name) == b"facture-\xff\x01.xml" and claimed.content == b"<raw/>"


def test_without_events_files_are_taken_at_each_rescan_and_the_log_says_why(tmp_path):
    """The kernel's inotify instances all taken (or a system without events):
    the watcher still takes every file, from its rescans."""

    def none(folders):
        raise NoFolderEvents("inotify could not be opened: [Errno 24] Too many open files")

    collector, log = Collector(), Recorded()
    watcher = InboxWatcher(tmp_path / "inbox", ["A"], collector, stable_seconds=0.2, rescan_seconds=0.3, log=log,
                           events=none)
    watcher.start()
    try:
        drop(tmp_path / "inbox/A/x.xml", b"<x/>")
        assert [f.content for f in collector.wait_for(1)] == [b"<x/>"]
    finally:
        watcher.stop()
    [(level, message, details)] = [event for event in log.events if "events" in event[1]]
    assert level == "warning" and "Too many open files" in details["reason"] and details["rescan_seconds"] == 0.3


class Overflowing:
    """Events as the kernel gives them once its queue overflowed: some lost."""

    def __init__(self):
        self.waits = 0

    def wait(self, timeout):
        self.waits += 1
        time.sleep(min(timeout, 0.05))
        return None if self.waits == 3 else []

    def watch_missing(self):
        return []

    def wake(self):
        pass

    def close(self):
        pass


def test_events_lost_make_the_watcher_list_its_folders_at_once(tmp_path):
    collector, log = Collector(), Recorded()
    watcher = InboxWatcher(tmp_path / "inbox", ["A"], collector, stable_seconds=0.1, rescan_seconds=3600, log=log,
                           events=lambda folders: Overflowing())
    (tmp_path / "inbox/A").mkdir(parents=True)
    watcher.start()
    try:
        time.sleep(0.05)  # the first rescan, at start, is over: only the one after the loss can see the file
        drop(tmp_path / "inbox/A/x.xml", b"<x/>")
        assert [f.name for f in collector.wait_for(1)] == ["x.xml"]
    finally:
        watcher.stop()
    assert any("lost" in message for _, message, _ in log.events)


def test_a_partner_folder_removed_and_made_again_is_watched_again(tmp_path):
    """inotify drops the watch of a removed folder; the next rescan watches the
    new one, so a file renamed into it is again taken at once, not after its
    quiet period."""
    collector = Collector()
    watcher = InboxWatcher(tmp_path / "inbox", ["A"], collector, stable_seconds=30, rescan_seconds=0.2,
                           events=InotifyEvents.open)
    watcher.start()
    try:
        folder = tmp_path / "inbox/A"
        for path in sorted(folder.rglob("*"), reverse=True):
            path.rmdir()
        folder.rmdir()
        time.sleep(0.3)
        (folder / CLAIMED).mkdir(parents=True)
        time.sleep(0.5)  # a rescan or two
        drop(folder / ".x.xml.part", b"<x/>")
        os.rename(folder / ".x.xml.part", folder / "x.xml")
        assert [f.name for f in collector.wait_for(1, timeout=3.0)] == ["x.xml"]
    finally:
        watcher.stop()
