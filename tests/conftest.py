"""Shared fixtures: where the reference material lives, and the official schemas.

`../shared` sits beside the repository on developer machines and in CI; tests that
need it skip, saying so, when it is absent.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus"
CHORUS_XSD = SHARED / "reference" / "chorus-pro-xsd"


def _need(path: Path, what: str) -> Path:
    if not path.exists():
        pytest.skip(f"SKIPPED: {what} not found at {path} (../shared is absent)")
    return path


@pytest.fixture
def hub(tmp_path, capsys):
    """A facteur installation under a temporary root, driven through its CLI."""
    from helpers import Hub

    return Hub(tmp_path, capsys)


@pytest.fixture(scope="session")
def corpus() -> Path:
    return _need(CORPUS, "the sample corpus")


def _schema(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(_need(CHORUS_XSD / name, f"the Chorus Pro schema {name}"))))


@pytest.fixture(scope="session")
def pivot_schema() -> etree.XMLSchema:
    """The official CPPFacturePivot V2_02 schema."""
    return _schema("CPPFacturePivot_V2_02.xsd")


@pytest.fixture(scope="session")
def status_schema() -> etree.XMLSchema:
    """The official CPPStatutPivot V1_19 schema."""
    return _schema("CPPStatutPivot_V1_19.xsd")


def assert_valid(schema: etree.XMLSchema, xml: bytes) -> etree._Element:
    """Parse `xml`, assert it is valid against `schema` with the schema's own
    error log in the failure message, and return the root."""
    root = etree.fromstring(xml)
    if not schema.validate(root):
        raise AssertionError("not valid against the official schema:\n" + str(schema.error_log))
    return root


# Conformance counts, printed at the end of the run whatever the verbosity:
# {suite name: {"as expected": n, "wrong": n}}.
CONFORMANCE: dict[str, dict[str, int]] = {}


def count_conformance(suite: str, as_expected: int, wrong: int) -> None:
    CONFORMANCE[suite] = {"as expected": as_expected, "wrong": wrong}


def pytest_terminal_summary(terminalreporter):
    if not CORPUS.exists():
        terminalreporter.write_line(f"conformance: SKIPPED, the corpus is absent ({CORPUS})")
        return
    for suite, counts in sorted(CONFORMANCE.items()):
        terminalreporter.write_line(
            f"conformance {suite}: {counts['as expected']} as expected, {counts['wrong']} wrong"
        )
