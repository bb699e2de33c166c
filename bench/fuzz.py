"""Fuzzing detection, parsing, validation and extraction with hypothesis, for a
fixed time: no crash, no hang, only clean verdicts.

    python bench/fuzz.py [--seconds 300] [--seed N]

Inputs are valid flows (UBL, CII, a zip lot, a recipient's status file)
mutated by hypothesis: bytes flipped, inserted, deleted, cut, blocks
duplicated, and element texts replaced by odd values (empty, huge numbers,
dates that do not exist, control characters, other scripts). Each goes through
`pipeline.process`, everything facteur does to a flow before writing. A run
passes when every input gives an outcome in which each rejection carries a
finding with a code and a message, each pivot parses, and no input takes more
than `HANG_SECONDS`. The tests run the same property for a few hundred inputs.
"""

from __future__ import annotations

import argparse
import io
import re
import signal
import sys
import tempfile
import time
import zipfile
from datetime import datetime, timezone
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from lxml import etree

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.generate import Spec, cii, ubl  # noqa: E402
from bench.throughput import environment  # noqa: E402
from facteur.adapters import configuration
from facteur.engine import pipeline
from facteur.engine.model import Flow, Outcome
from facteur.engine.statuses import FlowStatus

HANG_SECONDS = 10


class Hang(Exception):
    pass


def seeds() -> list[bytes]:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.xml", ubl(Spec("FUZZ-LOT-1", lines=2)))
        archive.writestr("b.xml", cii(Spec("FUZZ-LOT-2", lines=2)))
    status = (
        b'<?xml version="1.0" encoding="UTF-8"?><CPPStatut Version="V1_19"><Enveloppe><EnveloppeUnitaire NumOrdre="1">'
        b"<Parametres><ParametreIndiv NumOrdre=\"0001\"><Code>DtPrd</Code><Valeurparametre>2026-11-23T10:00:00+01:00"
        b"</Valeurparametre></ParametreIndiv><ParametreIndiv NumOrdre=\"0002\"><Code>IdFlx</Code><Valeurparametre>A1"
        b"</Valeurparametre></ParametreIndiv></Parametres><Partenaires><Recepteur><Id>FACTEUR</Id></Recepteur><Emetteur>"
        b"<Id>VILLEDEM</Id></Emetteur></Partenaires></EnveloppeUnitaire></Enveloppe><CPPFluxStatuts compteur=\"1\">"
        b"<CPPFluxStatutUnitaire NumOrdre=\"1\"><DonneesStatut><IdStatut>92</IdStatut><Horodatage>2026-11-23T10:00:00+01:00"
        b"</Horodatage><IdFlux>abc</IdFlux></DonneesStatut></CPPFluxStatutUnitaire></CPPFluxStatuts></CPPStatut>"
    )
    return [ubl(Spec("FUZZ-1", lines=3)), cii(Spec("FUZZ-2", lines=3)), buffer.getvalue(), status]


ODD_TEXTS = ["", " ", "0", "-0", "1e308", "99999999999999999999999.999", "NaN", "2026-02-30", "31/12/2026", "\u202e",
             "\x7f", "日本語", "𝟘𝟙", "A" * 5000, "&amp;", "<", "]]>", "\ufeff", "FR", "EUR", "380", "-1"]
_TEXT = re.compile(rb">([^<>]{1,80})</")


@st.composite
def mutated(draw) -> bytes:
    """A seed with a few mutations, byte-level or on element texts."""
    content = bytearray(draw(st.sampled_from(seeds())))
    for _ in range(draw(st.integers(1, 4))):
        position = draw(st.integers(0, max(0, len(content) - 1)))
        operation = draw(st.sampled_from(["flip", "insert", "delete", "cut", "duplicate", "text"]))
        if operation == "flip" and content:
            content[position] ^= 1 << draw(st.integers(0, 7))
        elif operation == "insert":
            content[position:position] = draw(st.binary(min_size=1, max_size=16))
        elif operation == "delete":
            del content[position : position + draw(st.integers(1, 64))]
        elif operation == "cut":
            del content[position:]
        elif operation == "duplicate":
            length = draw(st.integers(1, 256))
            content[position:position] = content[position : position + length]
        else:
            texts = list(_TEXT.finditer(bytes(content)))
            if texts:
                match = texts[draw(st.integers(0, len(texts) - 1))]
                value = draw(st.sampled_from(ODD_TEXTS)).encode("utf-8")
                content[match.start(1) : match.end(1)] = value
    return bytes(content)


def _alarm(_signum, _frame):
    raise Hang(f"one input took more than {HANG_SECONDS} s")


def check(content: bytes, context: pipeline.Context) -> Outcome:
    """The property: a clean outcome, in bounded time."""
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(HANG_SECONDS)
    try:
        outcome = pipeline.process(Flow(content, "DEMO01", "fuzz.xml", datetime.now(timezone.utc), "fuzz"), context)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    findings = outcome.findings + [f for v in outcome.verdicts for f in v.findings]
    if outcome.status in (FlowStatus.REJECTED, FlowStatus.PARTLY_INTEGRATED):
        blocking = [f for f in findings if f.blocking]
        assert blocking, "a rejection without a blocking finding"
        assert all(f.code and f.message for f in blocking), blocking
    for output in outcome.outputs:
        etree.fromstring(output.content)
    return outcome


def context(root: Path) -> pipeline.Context:
    config = configuration.load(root=str(root))
    return configuration.context(config, lambda supplier, number, year: None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--seed", type=int, help="for a run that can be repeated; default: random")
    args = parser.parse_args()
    ctx = context(Path(tempfile.mkdtemp(prefix="facteur-fuzz-")))
    counts: dict[str, int] = {}

    @settings(max_examples=200, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(content=mutated())
    def fuzz(content: bytes) -> None:
        status = check(content, ctx).status.value
        counts[status] = counts.get(status, 0) + 1

    started = time.monotonic()
    rounds = 0
    while time.monotonic() - started < args.seconds:
        (seed(args.seed + rounds)(fuzz) if args.seed is not None else fuzz)()
        rounds += 1
    elapsed = time.monotonic() - started
    total = sum(counts.values())
    print(f"machine: {environment()}")
    print(f"{total} inputs in {elapsed:.0f} s ({total / elapsed:.0f}/s), no crash, no hang; verdicts: "
          + ", ".join(f"{v} {k}" for k, v in sorted(counts.items())))


if __name__ == "__main__":
    main()
