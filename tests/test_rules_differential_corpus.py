"""The fast rule runner against the official stylesheets as shipped, on the
UBL and CII documents of the corpus (EN 16931 examples, XRechnung, ZUGFeRD /
Factur-X, French reform samples): the same findings, in the same order, with
the EN 16931 and the French CTC stylesheets (bench/rules.py --corpus prints the
timings).

By default a stratified sample of about 60 of the ~393 documents: every
seventh of each stratum (syntax, corpus, collection), so that every syntax and
every folder is compared, the same documents on each run. The whole corpus
through both runners takes minutes, so it runs when asked:
`FACTEUR_TEST_FULL_CORPUS=1 pytest tests/test_rules_differential_corpus.py`.
System tier either way."""

from __future__ import annotations

import os
from collections import defaultdict
from pathlib import Path

from lxml import etree
from test_rules_differential import differences

from facteur.engine.inputs import detect
from facteur.engine.model import Syntax

FULL = os.environ.get("FACTEUR_TEST_FULL_CORPUS") == "1"
STRIDE = 7  # every seventh document of each stratum: ~60 of ~393, each stratum at least once


def invoices(corpus: Path) -> dict[tuple[str, ...], list[tuple[Path, etree._Element]]]:
    """The corpus's UBL and CII documents by stratum (syntax, corpus, collection), sorted."""
    strata = defaultdict(list)
    for path in sorted(corpus.rglob("*.xml")):
        try:
            root = etree.parse(str(path), etree.XMLParser(no_network=True, resolve_entities=False)).getroot()
        except etree.XMLSyntaxError:
            continue  # the corpus's broken files: the parsing layer's matter
        syntax = detect.classify(root)[0]
        if syntax not in (Syntax.UBL, Syntax.CII):
            continue  # PDFs' data is compared through its own files; unit-test sets by the fast tier
        folders = path.relative_to(corpus).parts[:-1]
        strata[(syntax.name, *folders[:2])].append((path, root))
    return strata


def test_corpus_invoices_have_the_same_findings(corpus):
    strata = invoices(corpus)
    assert sum(map(len, strata.values())) > 300, "the corpus's invoices were not found"
    chosen = [document for documents in strata.values() for document in (documents if FULL else documents[::STRIDE])]
    print(f"compared {len(chosen)} corpus documents from {len(strata)} strata" + ("" if FULL else " (a sample)"))
    wrong = [f"{path.relative_to(corpus)}: {d}" for path, root in chosen for d in differences(root)]
    assert wrong == []
