"""Shared fixtures: where the reference material lives, the official schemas,
and the ledger databases.

`../shared` sits beside the repository on developer machines and in CI; tests that
need it skip, saying so, when it is absent.

Test modules that exercise the ledger run on both of its databases: they use
the `ledger_backend` fixture, which gives each test an empty SQLite file under
its root, or its own schema in a PostgreSQL database made for this session
(FACTEUR_LEDGER_URL points there, for the CLI and the processes it starts).
PostgreSQL must be running (`.ci/run` starts it); FACTEUR_TEST_PG_URL names
another server.
"""

from __future__ import annotations

import compileall
import os
import uuid
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from lxml import etree

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus"
CHORUS_XSD = SHARED / "reference" / "chorus-pro-xsd"


def pytest_configure(config) -> None:
    """The sources' bytecode written once, before the tests start hundreds of
    facteur processes: where PYTHONDONTWRITEBYTECODE is set (as on the CI
    machine) no process writes it, and each would compile every module of an
    editable checkout from source again, a quarter of a second per start.
    Once per session, by the process that runs the workers."""
    if not hasattr(config, "workerinput"):
        for package in ("engine", "adapters", "bench"):
            compileall.compile_dir(REPO / package, quiet=1)


def _need(path: Path, what: str) -> Path:
    if not path.exists():
        pytest.skip(f"SKIPPED: {what} not found at {path} (../shared is absent)")
    return path


@pytest.fixture
def hub(tmp_path, capsys):
    """A facteur installation under a temporary root, driven through its CLI."""
    from helpers import Hub

    return Hub(tmp_path, capsys)


PG_URL = os.environ.get("FACTEUR_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


@pytest.fixture(scope="session")
def pg_database():
    """A fresh database for this test session, so that runs beside each other
    never meet; dropped at the end. Yields its URL."""
    name = f"facteur_test_{uuid.uuid4().hex[:12]}"
    try:
        admin = psycopg.connect(PG_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as err:
        pytest.fail(f"PostgreSQL is needed at {PG_URL} ({err}); start it (.ci/run does) or set FACTEUR_TEST_PG_URL")
    admin.execute(f'CREATE DATABASE "{name}"')
    yield PG_URL.rsplit("/", 1)[0] + "/" + name
    admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
    admin.close()


@pytest.fixture
def pg_ledger_url(pg_database):
    """An empty schema of the session's database, as a ledger URL."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_database, autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    return f"{pg_database}?options={quote(f'-csearch_path={schema}')}"


@pytest.fixture(params=["sqlite", "postgresql"])
def ledger_backend(request, monkeypatch):
    """Runs the test once per ledger database. Tests marked `sqlite_only`
    (SQLite's own file format and migrations) are skipped on PostgreSQL."""
    if request.param == "postgresql":
        if request.node.get_closest_marker("sqlite_only"):
            pytest.skip("about SQLite's own file and migrations")
        monkeypatch.setenv("FACTEUR_LEDGER_URL", request.getfixturevalue("pg_ledger_url"))
    else:
        monkeypatch.delenv("FACTEUR_LEDGER_URL", raising=False)
    return request.param


# The system tier (pyproject's `system` marker): tests that need a server, start
# processes, or wait on the operating system. `pytest -m "not system"` runs the
# rest, the fast tier. A test is of the system tier when it sits in one of these
# modules, uses one of these fixtures, or runs on the PostgreSQL ledger; a test
# that starts a process in a module that is otherwise fast says so itself
# (`@pytest.mark.system`).
SYSTEM_MODULES = {
    "test_amqp",  # RabbitMQ
    "test_console_browser",  # a headless chromium, and the console served over HTTP
    "test_console_dead_letters",  # RabbitMQ
    "test_full_disk",  # a tmpfs mounted for `facteur run`
    "test_in_flight",  # `facteur run` and `facteur worker` processes, RabbitMQ, PostgreSQL
    "test_ledger_race",  # facteur processes racing on one ledger
    "test_observe_run",  # `facteur run` serving /metrics, a private PostgreSQL and RabbitMQ taken away
    "test_outbox",  # RabbitMQ, relay and `facteur` processes
    "test_pool",  # `facteur run` and its worker processes, killed
    "test_rules_differential_corpus",  # corpus invoices through two rule runners
    "test_run",  # `facteur run` processes, killed and restarted
    "test_run_amqp",  # `facteur run` with RabbitMQ, a private broker node
    "test_run_names",  # `facteur run`, `facteur watch` and workers
    "test_workers",  # `facteur worker` processes, RabbitMQ, PostgreSQL
}
SYSTEM_FIXTURES = {
    "pg_database",  # PostgreSQL
    "pg_ledger_url",  # PostgreSQL
    "watching",  # a watcher on real folders, told by inotify or watchdog, waiting on its timers
}


def _system(item) -> bool:
    callspec = getattr(item, "callspec", None)
    return (
        item.path.stem in SYSTEM_MODULES
        or not SYSTEM_FIXTURES.isdisjoint(item.fixturenames)
        or (callspec is not None and callspec.params.get("ledger_backend") == "postgresql")
    )


def pytest_collection_modifyitems(items):
    for item in items:
        if _system(item):
            item.add_marker(pytest.mark.system)


@pytest.fixture(scope="session")
def private_broker():
    """A RabbitMQ node of this session's own (bench/private_broker.py), for the
    tests that take the broker away; the shared one is never stopped. Starting a
    node costs seconds, so the tests share it: each leaves it running, and names
    its queues and exchanges uniquely. Under pytest-xdist each worker is a session
    with its own node."""
    from bench.private_broker import BrokerUnavailable, PrivateBroker

    try:
        broker = PrivateBroker().start()
    except BrokerUnavailable as err:
        pytest.fail(f"these tests stop and start a broker, so they need a private RabbitMQ node: {err}")
    print(f"private RabbitMQ {broker.node} on port {broker.port}: started in {broker.seconds_to_start:.1f} s")
    yield broker
    broker.close()


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
# {suite name: {"as expected": n, "wrong": n}}. A test gives them to its report
# (`user_properties`), which pytest-xdist carries from the worker that ran it to
# the process that prints the summary.
CONFORMANCE: dict[str, dict[str, int]] = {}


def count_conformance(request, suite: str, as_expected: int, wrong: int) -> None:
    request.node.user_properties.append(("conformance", (suite, as_expected, wrong)))


def pytest_runtest_logreport(report):
    for name, value in report.user_properties if report.when == "call" else ():
        if name == "conformance":
            suite, as_expected, wrong = value
            CONFORMANCE[suite] = {"as expected": as_expected, "wrong": wrong}


def pytest_terminal_summary(terminalreporter):
    if not CORPUS.exists():
        terminalreporter.write_line(f"conformance: SKIPPED, the corpus is absent ({CORPUS})")
        return
    for suite, counts in sorted(CONFORMANCE.items()):
        terminalreporter.write_line(
            f"conformance {suite}: {counts['as expected']} as expected, {counts['wrong']} wrong"
        )
