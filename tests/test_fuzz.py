"""A short run of the fuzzing property of bench/fuzz.py (the script runs it for
as long as one likes): mutated flows give clean verdicts, never a crash or a
hang; and the crashes it found once stay fixed."""

from __future__ import annotations

import io
import tempfile
import zipfile
from functools import lru_cache
from pathlib import Path

from helpers import Spec, ubl  # first: it puts the repository on the path, for bench
from hypothesis import HealthCheck, given, settings

from bench.fuzz import check, context, mutated  # noqa: E402


@lru_cache(maxsize=1)
def fuzz_context():
    return context(Path(tempfile.mkdtemp(prefix="facteur-fuzz-")))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(content=mutated())
def test_mutated_flows_give_clean_verdicts(content):
    check(content, fuzz_context())


def test_a_lot_with_corrupt_compressed_data_is_refused_as_corrupt():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.xml", ubl(Spec("CORRUPT-1", lines=30)))
    content = bytearray(buffer.getvalue())
    content[200:240] = bytes(40)  # inside the deflated data: "invalid distance too far back" and the like
    outcome = check(bytes(content), fuzz_context())
    assert [f.code for f in outcome.findings] == ["FCT-LOT-CORRUPT"]


def test_a_status_dated_beyond_year_9999_is_refused_not_a_crash():
    from test_lifecycle import recipient_status

    content = recipient_status("VILLEDEM", flows=[("92", "22026-11-23T10:00:00+01:00", "abc", "")])
    outcome = check(content, fuzz_context())
    assert [f.code for f in outcome.findings] == ["FCT-STATUS-TIME"]


def test_encrypted_or_oddly_compressed_lot_members_are_refused_clearly():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.xml", ubl(Spec("ODD-ZIP-1")))
    plain = buffer.getvalue()
    encrypted = plain.replace(b"PK\x03\x04\x14\x00\x00\x00", b"PK\x03\x04\x14\x00\x01\x00", 1)
    encrypted = encrypted.replace(b"PK\x01\x02\x14\x03\x14\x00\x00\x00", b"PK\x01\x02\x14\x03\x14\x00\x01\x00", 1)
    unknown_method = plain.replace(b"PK\x01\x02\x14\x03\x14\x00\x00\x00\x08\x00", b"PK\x01\x02\x14\x03\x14\x00\x00\x00\x63\x00", 1)
    assert [f.code for f in check(encrypted, fuzz_context()).findings] == ["FCT-LOT-ENCRYPTED"]
    assert [f.code for f in check(unknown_method, fuzz_context()).findings] == ["FCT-LOT-CORRUPT"]
