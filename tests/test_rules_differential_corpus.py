"""The fast rule runner against the official stylesheets as shipped, on every
UBL and CII document of the corpus (EN 16931 examples, XRechnung, ZUGFeRD /
Factur-X, French reform samples): the same findings, in the same order, with
the EN 16931 and the French CTC stylesheets. Several hundred documents through
both runners: the system tier (bench/rules.py --corpus prints the timings)."""

from __future__ import annotations

from lxml import etree
from test_rules_differential import differences

from facteur.engine.inputs import detect
from facteur.engine.model import Syntax


def test_every_corpus_invoice_has_the_same_findings(corpus):
    compared, wrong = 0, []
    for path in sorted(corpus.rglob("*.xml")):
        try:
            root = etree.parse(str(path), etree.XMLParser(no_network=True, resolve_entities=False)).getroot()
        except etree.XMLSyntaxError:
            continue  # the corpus's broken files: the parsing layer's matter
        if detect.classify(root)[0] not in (Syntax.UBL, Syntax.CII):
            continue  # PDFs' data is compared through its own files; unit-test sets by the fast tier
        compared += 1
        wrong += [f"{path.relative_to(corpus)}: {d}" for d in differences(root)]
    assert compared > 300, "the corpus's invoices were not found"
    assert wrong == []
