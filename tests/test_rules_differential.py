"""The fast rule runner (`rewrite.py`) against the official stylesheets as
shipped (`rules = "reference"`): the same findings (code, location, severity),
in the same order, on the samples, the EN 16931 rule unit tests and mutations
generated from valid invoices. The whole corpus is compared in the system tier
(test_rules_differential_corpus.py)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from helpers import Spec, cii, ubl
from lxml import etree

from facteur.engine.inputs import detect
from facteur.engine.model import Syntax
from facteur.engine.validation import rewrite, rulesets, schematron

REPO = Path(__file__).resolve().parents[1]
VEFA = "{http://difi.no/xsd/vefa/validator/1.0}"
SUITES = ("test-Invoice-unit-UBL", "test-CreditNote-unit-UBL", "test-cii")


def differences(root: etree._Element, french_ctc: bool = True) -> list[str]:
    """What the two runners disagree on for one UBL or CII document, empty when
    they agree: each stylesheet of its rule set, the French CTC one included."""
    syntax, _ = detect.classify(root)
    assert syntax in (Syntax.UBL, Syntax.CII), f"not an invoice: {syntax}"
    ruleset = rulesets.for_document(syntax, root)
    wanted = [(ruleset.schematron, ruleset.codedb)] + ([(ruleset.french_ctc, None)] if french_ctc else [])
    found = []
    for xslt, codedb in wanted:
        if xslt is None:
            continue
        fast, reference = ([(f.code, f.location, f.severity) for f in schematron.run(root, xslt, codedb, rules)]
                           for rules in ("fast", "reference"))
        if fast != reference:
            found.append(f"{xslt.name}: fast {fast} / reference {reference}")
    return found


def test_the_rewrite_reaches_every_en16931_pattern():
    """Every pattern of the EN 16931 stylesheets (UBL, CII) selects its contexts directly."""
    for syntax, tag in ((Syntax.UBL, "{urn:oasis:names:specification:ubl:schema:xsd:Invoice-2}Invoice"),
                        (Syntax.CII, "CrossIndustryInvoice")):
        xslt = rulesets.for_document(syntax, etree.Element(tag)).schematron
        tree = etree.parse(str(xslt))
        modes = {c.get("mode") for c in tree.iter(rewrite._APPLY) if c.get("select") == "/"} - {None}
        assert rewrite.direct(tree.getroot()) == len(modes) > 0


SKELETON = """<xsl:stylesheet xmlns:xsl="http://www.w3.org/1999/XSL/Transform" version="2.0">
  <xsl:template match="/"><out><xsl:apply-templates select="/" mode="M1"/></out></xsl:template>
  <xsl:template match="{match}" mode="M1" priority="1000"><hit/><xsl:apply-templates select="{walk}" mode="M1"/></xsl:template>
  <xsl:template match="text()" priority="-1" mode="M1"/>
  <xsl:template match="@*|node()" priority="-2" mode="M1"><xsl:apply-templates select="{walk}" mode="M1"/></xsl:template>
</xsl:stylesheet>"""


@pytest.mark.parametrize("match, walk, select", [
    ("a/b[@c = 'x|y']", "@*|*", "//a/b[@c = 'x|y']"),
    ("/r | b/@c", "@*|*", "(/r, //b/@c)/."),
    ("b/@c", "*", None),  # the walk does not go on to attributes
    ("b/text()", "@*|*", None),  # the walk never reaches text nodes
    ("b[. = current()/d]", "@*|*", None),  # current() means another node in an expression
    ("ancestor::a", "@*|*", None),
])
def test_a_pattern_is_selected_directly_only_when_that_means_the_same(match, walk, select):
    stylesheet = etree.fromstring(SKELETON.format(match=match, walk=walk))
    shipped = etree.tostring(stylesheet)
    assert rewrite.direct(stylesheet) == (select is not None)
    if select is None:
        assert etree.tostring(stylesheet) == shipped
    else:
        call = next(stylesheet.iter(rewrite._APPLY))
        assert call.get("select") == select and len(list(stylesheet.iter(rewrite._TEMPLATE))) == 2
        assert len(list(stylesheet.iter(rewrite._APPLY))) == 1  # the rule no longer walks on


def test_the_ubl_code_lists_become_maps():
    xslt = rulesets.for_document(Syntax.UBL, etree.Element("{urn:oasis:names:specification:ubl:schema:xsd:Invoice-2}Invoice"))
    assert rewrite.code_lists(etree.parse(str(xslt.schematron)).getroot()) >= 10


LISTED = """<xsl:stylesheet xmlns:xsl="http://www.w3.org/1999/XSL/Transform" version="2.0">
  <xsl:template match="/"><out><xsl:for-each select="//v"><xsl:choose>
    <xsl:when test="not(contains(normalize-space(.), ' ')) and contains(' AA AB C62 ', concat(' ', normalize-space(.), ' '))"><in/></xsl:when>
    <xsl:when test="contains(' AA AB C62 ', concat(' ', normalize-space(.), ' '))"><in-as-two/></xsl:when>
    <xsl:otherwise><no/></xsl:otherwise>
  </xsl:choose></xsl:for-each></out></xsl:template>
</xsl:stylesheet>"""


def test_a_code_list_looked_up_in_a_map_says_what_the_scan_says():
    """Codes, near misses, an empty value, spaces, and two codes in a row
    (which the shipped scan finds, so the rewrite must too)."""
    values = ["AB", " AB ", "ab", "A", "B", "AA AB", "AB C62", "AA C62", "", "C6", "62", "AA\tAB"]
    document = "<r>" + "".join(f"<v>{value}</v>" for value in values) + "</r>"
    rewritten = etree.fromstring(LISTED)
    assert rewrite.code_lists(rewritten) == 1
    assert "contains(' AA AB C62 ', concat(" not in "".join(e.get("test") for e in rewritten.iter(f"{{{rewrite.XSL}}}when"))
    shipped, fast = (_transformed(text, document) for text in (LISTED, etree.tostring(rewritten, encoding="unicode")))
    assert fast == shipped
    assert [e.tag for e in etree.fromstring(fast.encode())] == ["in", "in", "no", "no", "no", "in-as-two", "in-as-two", "no",
                                                        "no", "no", "no", "in-as-two"]


def test_the_factur_x_code_database_lists_become_maps():
    ruleset = rulesets.for_document(Syntax.CII, etree.Element("CrossIndustryInvoice"), "en16931")
    assert rewrite.code_lists(etree.parse(str(ruleset.schematron)).getroot(), ruleset.codedb) >= 10


CODEDB = """<codedb><cl id="1"><enumeration value="EUR"/><enumeration value="A'B"/></cl>
  <cl id="01"><enumeration value="USD"/></cl><cl id="2"><enumeration value="XXX"/></cl></codedb>"""
LOOKED_UP = """<xsl:stylesheet xmlns:xsl="http://www.w3.org/1999/XSL/Transform" version="2.0">
  <xsl:template match="/"><out><xsl:for-each select="//v">
    <xsl:variable name="codeValue1" select="@c"/>
    <xsl:variable name="computed" select="string(@c)"/>
    <xsl:choose>
      <xsl:when test="string-length($codeValue1)=0 or document('db.xml')/codedb/cl[@id=1]/enumeration[@value=$codeValue1]"><in/></xsl:when>
      <xsl:otherwise><no/></xsl:otherwise>
    </xsl:choose>
    <xsl:if test="false() or document('db.xml')/codedb/cl[@id=1]/enumeration[@value=$computed]"><also/></xsl:if>
  </xsl:for-each></out></xsl:template>
</xsl:stylesheet>"""


def test_a_code_database_list_looked_up_in_a_map_says_what_the_path_says(tmp_path):
    """Listed codes (in either list whose id equals 1, "01" included), a code
    of another list, a near miss, a quote, an absent attribute; a variable
    that is not a node is left as shipped."""
    (tmp_path / "db.xml").write_text(CODEDB)
    values = ["EUR", "USD", "XXX", "eur", "EUR ", "A'B", None]
    document = "<r>" + "".join("<v/>" if v is None else f'<v c="{v.replace(chr(39), "&apos;")}"/>' for v in values) + "</r>"
    rewritten = etree.fromstring(LOOKED_UP)
    assert rewrite.code_lists(rewritten, tmp_path / "db.xml") == 1
    tests = [e.get("test") for e in rewritten.iter(f"{{{rewrite.XSL}}}when", f"{{{rewrite.XSL}}}if")]
    assert "document(" not in tests[0] and "enumeration[@value=$computed]" in tests[1]
    shipped, fast = (_transformed(text, document, tmp_path)
                     for text in (LOOKED_UP, etree.tostring(rewritten, encoding="unicode")))
    assert fast == shipped
    assert [e.tag for e in etree.fromstring(fast.encode())] == [
        "in", "also", "in", "also", "no", "no", "no", "in", "also", "in"]


def _transformed(stylesheet: str, document: str, folder: Path | None = None) -> str:
    processor = schematron._processor()
    compiler = processor.new_xslt30_processor()
    if folder is not None:
        compiler.set_cwd(str(folder))
    executable = compiler.compile_stylesheet(stylesheet_text=stylesheet)
    return executable.transform_to_string(xdm_node=processor.parse_xml(xml_text=document))


def _invoice(path: Path) -> etree._Element | None:
    try:
        root = etree.parse(str(path)).getroot()
    except etree.XMLSyntaxError:
        return None  # the truncated sample
    return root if detect.classify(root)[0] in (Syntax.UBL, Syntax.CII) else None


def test_samples_have_the_same_findings():
    invoices = list(filter(lambda root: root is not None, map(_invoice, sorted((REPO / "samples").glob("*.xml")))))
    assert len(invoices) >= 5
    assert [d for root in invoices for d in differences(root)] == []


def test_rule_unit_tests_have_the_same_findings(corpus):
    compared, wrong = 0, []
    for suite in SUITES:
        for path in sorted((corpus / "en16931" / suite).glob("*.xml")):
            for number, test in enumerate(etree.parse(str(path)).getroot().iter(f"{VEFA}test"), start=1):
                document = next(c for c in test if isinstance(c.tag, str) and not c.tag.startswith(VEFA))
                root = etree.fromstring(etree.tostring(document))
                wrong += [f"{suite}/{path.name}#{number}: {d}" for d in differences(root, french_ctc=False)]
                compared += 1
    assert compared > 700, "the rule unit tests were not found"
    assert wrong == []


def _mutants(root: etree._Element, seed: int, count: int):
    """Copies of `root` each changed in one place: an element removed,
    duplicated, emptied, or given a wrong amount, code or date."""
    rng = random.Random(seed)
    for _ in range(count):
        mutant = etree.fromstring(etree.tostring(root))
        target = rng.choice([e for e in mutant.iter() if isinstance(e.tag, str) and e is not mutant])
        kind = rng.choice(("remove", "duplicate", "empty", "amount", "code", "date"))
        if kind == "remove":
            target.getparent().remove(target)
        elif kind == "duplicate":
            target.addnext(etree.fromstring(etree.tostring(target)))
        elif kind == "empty":
            target.text = ""
        else:
            target.text = {"amount": "-1234.567", "code": "ZZ", "date": "2024-02-30"}[kind]
        yield kind, target.tag, mutant


@pytest.mark.parametrize("make", [ubl, cii], ids=["ubl", "cii"])
def test_generated_mutations_have_the_same_findings(make):
    spec = Spec(number="MUT-1", lines=3)
    root = etree.fromstring(make(spec))
    wrong = [f"{kind} {tag}: {d}" for kind, tag, mutant in _mutants(root, seed=18, count=40)
             for d in differences(mutant)]
    assert wrong == []
