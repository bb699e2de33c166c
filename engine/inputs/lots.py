"""Unpacking lots (zip, tar, tar.gz) into their member documents, defensively.

A lot comes from outside like any flow, so nothing in it is trusted: member
names never become paths, links and devices are refused, and every limit
(member count, bytes per member, bytes in all) is enforced twice: first on the
sizes the archive declares, before any member is read, so a bomb is refused
without being expanded; then on the decompressed bytes as they are read, in
case a declaration lies.
"""

from __future__ import annotations

import io
import lzma
import posixpath
import tarfile
import zipfile
import zlib
from dataclasses import dataclass
from typing import IO, Callable, Iterator

from facteur.engine.errors import LotRefused
from facteur.engine.inputs import names
from facteur.engine.inputs.detect import Kind
from facteur.engine.messages import Message, say


@dataclass(frozen=True)
class LotLimits:
    max_members: int
    max_member_bytes: int
    max_total_bytes: int


@dataclass(frozen=True)
class Member:
    name: str
    content: bytes


def _refuse(code: str, message: Message, location: str = "") -> LotRefused:
    return LotRefused(code, message, location, layer="lot")


_IGNORED_PREFIXES = ("__MACOSX/",)
_IGNORED_BASENAMES = (".DS_Store", "Thumbs.db")


def unpack(content: bytes, kind: Kind, limits: LotLimits, lot_name: str) -> list[Member]:
    """The documents of a lot, in archive order, or LotRefused for the whole lot."""
    reader = _zip_members if kind is Kind.ZIP else _tar_members
    budget = _Budget(limits, lot_name)
    try:
        admitted = []
        for member_name, size, opener in reader(content, lot_name):
            if _ignored(member_name):
                continue
            _check_name(member_name, lot_name)
            name = names.shown(member_name)  # as data from now on: escaped, for reports and messages
            budget.admit(name, size)
            admitted.append((name, opener))
        members = [Member(name, budget.read(name, opener())) for name, opener in admitted]
    except (zipfile.BadZipFile, tarfile.TarError, EOFError, OSError, ValueError, NotImplementedError, zlib.error,
            lzma.LZMAError) as err:
        if isinstance(err, LotRefused):
            raise
        raise _refuse("FCT-LOT-CORRUPT", say("lot-corrupt", lot=lot_name, reason=err)) from None
    if not members:
        raise _refuse("FCT-LOT-EMPTY", say("lot-empty", lot=lot_name))
    return members


class _Budget:
    """Counts members and decompressed bytes against the limits as they are read."""

    def __init__(self, limits: LotLimits, lot_name: str):
        self.limits = limits
        self.lot_name = lot_name
        self.members = 0
        self.declared = 0
        self.total = 0

    def admit(self, name: str, declared_size: int) -> None:
        self.members += 1
        if self.members > self.limits.max_members:
            raise _refuse(
                "FCT-LOT-TOO-MANY",
                say("lot-too-many", lot=self.lot_name, limit=self.limits.max_members),
            )
        if declared_size > self.limits.max_member_bytes:
            raise self._too_big(name)
        self.declared += declared_size
        if self.declared > self.limits.max_total_bytes:
            raise self._too_big_in_all()

    def read(self, name: str, stream: IO[bytes]) -> bytes:
        limit = self.limits.max_member_bytes
        data = stream.read(limit + 1)
        if len(data) > limit:
            raise self._too_big(name)
        self.total += len(data)
        if self.total > self.limits.max_total_bytes:
            raise self._too_big_in_all()
        return data

    def _too_big_in_all(self) -> LotRefused:
        return _refuse(
            "FCT-LOT-TOO-BIG", say("lot-too-big", lot=self.lot_name, limit=self.limits.max_total_bytes)
        )

    def _too_big(self, name: str) -> LotRefused:
        return _refuse(
            "FCT-LOT-MEMBER-TOO-BIG",
            say("lot-member-too-big", member=name, lot=self.lot_name, limit=self.limits.max_member_bytes),
            name,
        )


def _ignored(name: str) -> bool:
    return name.endswith("/") or name.startswith(_IGNORED_PREFIXES) or posixpath.basename(name) in _IGNORED_BASENAMES


def _check_name(name: str, lot_name: str) -> None:
    parts = name.replace("\\", "/").split("/")
    shown = names.shown(name)
    if name.startswith(("/", "\\")) or ".." in parts or (len(parts[0]) == 2 and parts[0][1] == ":"):
        raise _refuse(
            "FCT-LOT-PATH",
            say("lot-path-outside", lot=lot_name, member=shown),
            shown,
        )
    if any(ord(c) < 32 for c in name):
        raise _refuse("FCT-LOT-PATH", say("lot-path-control", lot=lot_name, member=shown), shown)


def _zip_members(content: bytes, lot_name: str) -> Iterator[tuple[str, int, Callable[[], IO[bytes]]]]:
    archive = zipfile.ZipFile(io.BytesIO(content))
    for info in archive.infolist():
        if info.is_dir():
            continue
        shown = names.shown(info.filename)
        if _zip_is_link(info):
            raise _refuse("FCT-LOT-LINK", say("lot-link", lot=lot_name, member=shown), shown)
        if info.flag_bits & 0x1:
            raise _refuse(
                "FCT-LOT-ENCRYPTED", say("lot-encrypted", lot=lot_name, member=shown),
                shown,
            )
        if info.compress_type not in _ZIP_METHODS:
            raise _refuse(
                "FCT-LOT-CORRUPT",
                say("lot-compression", lot=lot_name, member=shown, method=info.compress_type),
                shown,
            )
        yield info.filename, info.file_size, lambda info=info: archive.open(info)


_ZIP_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA)


def _zip_is_link(info: zipfile.ZipInfo) -> bool:
    unix_mode = info.external_attr >> 16
    return (unix_mode & 0o170000) == 0o120000


def _tar_members(content: bytes, lot_name: str) -> Iterator[tuple[str, int, Callable[[], IO[bytes]]]]:
    archive = tarfile.open(fileobj=io.BytesIO(content), mode="r:*")
    for info in archive:
        if info.isdir():
            continue
        if not info.isfile():
            shown = names.shown(info.name)
            raise _refuse(
                "FCT-LOT-LINK",
                say("lot-not-a-file", lot=lot_name, member=shown),
                shown,
            )
        yield info.name, info.size, lambda info=info: archive.extractfile(info)
