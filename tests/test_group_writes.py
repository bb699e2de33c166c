"""A group of files written at once (adapters/mailbox.py): every file synced,
its folder synced, and only then named; the syncs shared among the writer
threads. A sync that fails leaves no file of the group named, after every
other sync of the group was still made."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from facteur.adapters import mailbox


def group(tmp_path: Path, count: int) -> dict[Path, bytes]:
    return {tmp_path / f"box{index % 3}" / f"f{index:03d}.xml": f"<f n='{index}'/>".encode() for index in range(count)}


def watched_syncs(monkeypatch, fails: str | None = None) -> list[tuple[str, str]]:
    """(file name or folder, thread name) of every sync; the file named `fails` fails."""
    synced: list[tuple[str, str]] = []
    real = os.fsync

    def fsync(descriptor: int) -> None:
        name = os.path.basename(os.readlink(f"/proc/self/fd/{descriptor}"))
        synced.append((name, threading.current_thread().name))
        if fails is not None and name.startswith(f".{fails}~"):
            raise OSError(5, "Input/output error")
        real(descriptor)

    monkeypatch.setattr(mailbox.os, "fsync", fsync)
    return synced


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="reads the synced file's name from /proc")
def test_every_file_and_folder_of_a_group_is_synced_once_before_it_is_named(tmp_path, monkeypatch):
    files = group(tmp_path, 40)
    synced = watched_syncs(monkeypatch)
    mailbox.write_all_atomic(files)
    assert {path: path.read_bytes() for path in files} == files
    names = [name for name, _ in synced]
    assert sorted(n.split("~")[0] for n in names if n.startswith(".")) == sorted(f".{p.name}" for p in files)
    # the three folders made for the group, and the folder that holds them: its entries changed
    assert sorted(n for n in names if not n.startswith(".")) == ["box0", "box1", "box2", tmp_path.name]
    threads = {thread for _, thread in synced}
    assert 1 < len(threads) <= mailbox.WRITERS and all(t.startswith("facteur-writer") for t in threads)
    assert not list(tmp_path.glob("*/.*.tmp"))


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="reads the synced file's name from /proc")
def test_folders_made_for_a_group_are_synced_in_their_parents_and_existing_ones_only_once(tmp_path, monkeypatch):
    """A folder made for a file is an entry in its parent: synced there, or a
    crash could take it away with the synced file in it. Folders already
    there are synced once, as the files' folders, and nothing more."""
    (tmp_path / "kept").mkdir()
    files = {tmp_path / "a" / "b" / "c" / "new.xml": b"<new/>", tmp_path / "kept" / "old.xml": b"<old/>"}
    synced = watched_syncs(monkeypatch)
    mailbox.write_all_atomic(files)
    assert {path: path.read_bytes() for path in files} == files
    assert sorted(name for name, _ in synced if not name.startswith(".")) == sorted(["a", "b", "c", "kept", tmp_path.name])

    synced.clear()
    again = {tmp_path / "a" / "b" / "c" / "next.xml": b"<next/>", tmp_path / "kept" / "more.xml": b"<more/>"}
    mailbox.write_all_atomic(again)
    assert sorted(name for name, _ in synced if not name.startswith(".")) == ["c", "kept"]


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="reads the synced file's name from /proc")
def test_a_failed_sync_names_no_file_of_the_group_and_every_other_sync_was_made(tmp_path, monkeypatch):
    files = group(tmp_path, 40)
    synced = watched_syncs(monkeypatch, fails="f017.xml")
    with pytest.raises(OSError, match="Input/output error"):
        mailbox.write_all_atomic(files)
    assert len([name for name, _ in synced if name.startswith(".")]) == 40
    assert not [path for path in files if path.exists()]
