"""The validation layers' own promises: fail closed when the official rules
cannot run, warnings never block, the French CTC rules only when asked, and
the rule-set version recorded with each verdict."""

from __future__ import annotations

import json

import pytest
from helpers import Spec, blocking_codes, cii, only_flow, ubl


@pytest.mark.parametrize("name", ["Extended_fremdwaehrung.xml", "line-total-4-decimals.xml"])
def test_rules_that_raise_are_a_blocking_finding_not_a_pass(corpus, name):
    """The official XSLT raises a Saxon runtime error on these two documents
    (corpus README); the schematron stage must turn that into a blocking finding."""
    from facteur.engine.inputs import detect
    from facteur.engine.inputs.parse import parse_xml
    from facteur.engine.validation import rulesets, schematron

    path = corpus / "mustang" / "library" / name
    root = parse_xml(path.read_bytes(), name, 10**8)
    ruleset = rulesets.for_document(detect.classify(root)[0], root)
    findings = schematron.run(root, ruleset.schematron, ruleset.codedb)
    errors = [f for f in findings if f.code == "FCT-RULES-ERROR"]
    assert errors and errors[0].blocking
    assert "n'ont pas pu être appliquées" in errors[0].message


def test_warnings_never_block(hub):
    # An empty element is a warning of the CII rules (PEPPOL-EN16931-R008).
    content = cii(Spec("W-1")).replace(b"<ram:ApplicableHeaderTradeDelivery>", b"<ram:ApplicableHeaderTradeDelivery><ram:ShipToTradeParty/>", 1)
    _, result = hub.process(hub.drop("w.xml", content))
    flow = only_flow(result)
    assert flow["status"] == "90"
    assert any(f["severity"] == "warning" for f in flow["findings"])


def test_french_ctc_rules_apply_only_when_configured(hub, tmp_path):
    content = ubl(Spec("CTC-1"))
    default = hub.run("validate", str(hub.drop("c.xml", content)), "--json")[1]
    assert not any(f["code"].startswith("BR-FR") for f in json.loads(default)[0]["findings"])

    config = tmp_path / "conf" / "facteur.toml"
    config.parent.mkdir()
    from helpers import REPO

    config.write_text(
        (REPO / "config" / "facteur.toml").read_text().replace("french_ctc = false", "french_ctc = true")
        + "\n"
    )
    (config.parent / "directory.toml").write_text((REPO / "config" / "directory.toml").read_text())
    code, out = hub.run("validate", str(hub.root / "drop" / "c.xml"), "--json", "--config", str(config))
    codes = {f["code"] for f in json.loads(out)[0]["findings"]}
    assert any(c.startswith("BR-FR") for c in codes), codes


def test_each_verdict_records_the_rule_set_version(hub):
    _, result = hub.process(hub.drop("v.xml", ubl(Spec("RV-1"))))
    _, out = hub.run("flows", "show", only_flow(result)["flow_id"], "--json")
    version = json.loads(out)["rules_version"]
    assert version.startswith("factur-x ") and "saxonche" in version


def test_xsd_errors_stop_before_the_schematron(hub):
    content = ubl(Spec("X-1")).replace(b"<cbc:IssueDate>", b"<cbc:Bogus>1</cbc:Bogus><cbc:IssueDate>", 1)
    _, result = hub.process(hub.drop("x.xml", content))
    flow = only_flow(result)
    assert blocking_codes(flow) == ["XSD"]
    assert all(f["location"].startswith("ligne ") for f in flow["findings"])
