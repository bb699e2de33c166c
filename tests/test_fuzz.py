"""A short run of the fuzzing property of bench/fuzz.py (the script runs it for
as long as one likes): mutated flows give clean verdicts, never a crash or a
hang; and the crashes it found once stay fixed."""

from __future__ import annotations

import io
import tempfile
import zipfile
from functools import lru_cache
from pathlib import Path

from hypothesis import HealthCheck, given, settings

from helpers import Spec, ubl  # first: it puts the repository on the path, for bench
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
