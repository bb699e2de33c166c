"""The EN 16931 rule unit tests (CEN validation artefacts, `en16931/test-*` in the
corpus), run through facteur's schematron stage alone.

Each test of a testSet holds one small document and says which rule must fire
(`<error>`, `<warning>`) or must not (`<success>`). The fragments are not
XSD-valid on purpose, so they go to the schematron layer directly.
"""

from __future__ import annotations

from conftest import count_conformance
from lxml import etree

from facteur.engine.inputs import detect
from facteur.engine.validation import rulesets, schematron

VEFA = "{http://difi.no/xsd/vefa/validator/1.0}"
SUITES = ("test-Invoice-unit-UBL", "test-CreditNote-unit-UBL", "test-cii")


def _cases(corpus):
    for suite in SUITES:
        for path in sorted((corpus / "en16931" / suite).glob("*.xml")):
            test_set = etree.parse(str(path)).getroot()
            for number, test in enumerate(test_set.iter(f"{VEFA}test"), start=1):
                assertion = test.find(f"{VEFA}assert")
                document = next(child for child in test if isinstance(child.tag, str) and not child.tag.startswith(VEFA))
                expected = [(el.tag[len(VEFA):], el.text.strip()) for el in assertion if el.tag[len(VEFA):] in ("error", "warning", "success")]
                yield f"{suite}/{path.name}#{number}", document, expected


def _fired(document: etree._Element) -> dict[str, str]:
    root = etree.fromstring(etree.tostring(document))
    syntax, _ = detect.classify(root)
    ruleset = rulesets.for_document(syntax, root)
    return {f.code: f.severity.value for f in schematron.run(root, ruleset.schematron, ruleset.codedb)}


def test_every_rule_unit_test_gives_the_asserted_outcome(corpus, request):
    wrong, right = [], 0
    for case, document, expected in _cases(corpus):
        fired = _fired(document)
        problems = []
        for kind, rule in expected:
            if kind == "success" and rule in fired:
                problems.append(f"{rule} fired ({fired[rule]}) but must not")
            if kind == "error" and fired.get(rule) != "blocking":
                problems.append(f"{rule} must block, got {fired.get(rule, 'nothing')}")
            if kind == "warning" and rule not in fired:
                problems.append(f"{rule} must warn, got nothing")
        if problems:
            wrong.append(f"{case}: {'; '.join(problems)}")
        else:
            right += 1
    count_conformance(request, "EN 16931 rule unit tests", right, len(wrong))
    assert right > 700, "the rule unit tests were not found or not run"
    assert not wrong, "\n".join(wrong)
