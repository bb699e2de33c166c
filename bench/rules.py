"""The cost of the EN 16931 business rules per invoice, for each rule runner.

    python bench/rules.py [--count 200] [--lines 1-20] [--big 5000] [--memory 2000] [--corpus]

On generated invoices (UBL and CII alternately), times separately, per invoice:
handing the document to Saxon (serialised by lxml, parsed by Saxon), the
transform, and reading the report; for three runners of the same stylesheets:
- reference: as shipped (`[validation] rules = "reference"`);
- before: facteur's stylesheets before the rewrite (SVRL bookkeeping dropped,
  the code database passed once), each pattern still walking the whole
  document and each code list still scanned;
- fast: the same with each pattern selecting its contexts and the code lists
  looked up in maps (`rewrite.py`).
Then a `--big`-line invoice fully validated (parse, XSD, rules) with each
runner, the resident memory over `--memory` invoices, what a one-shot command
pays before its first invoice (imports, the XSD and the stylesheet compiled, in
a fresh process; Saxon-HE cannot export a compiled stylesheet, so nothing of it
can be cached on disk), and with `--corpus` the
fast and reference findings compared on every UBL and CII document of
../shared/corpus. Figures, not assertions; the machine is printed with them.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.generate import Spec, make  # noqa: E402
from bench.throughput import corpus, environment  # noqa: E402
from facteur.engine.inputs import detect
from facteur.engine.inputs.parse import parse_xml
from facteur.engine.model import Syntax
from facteur.engine.validation import rewrite, rulesets, schematron
from facteur.engine.validation.validate import Rules, check_document

CORPUS = Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus"
RUNNERS = ("reference", "before", "fast")


def executable(ruleset: rulesets.RuleSet, runner: str):
    if runner != "before":
        return schematron.compiled(ruleset.schematron, ruleset.codedb, runner)
    with mock.patch.object(rewrite, "direct", lambda stylesheet: 0), \
            mock.patch.object(rewrite, "code_lists", lambda stylesheet, codedb=None: 0):
        schematron._slim.cache_clear()  # the stylesheet's text made again, without the rewrite, and not kept
        try:
            return schematron._compile(ruleset.schematron, ruleset.codedb, "fast")
        finally:
            schematron._slim.cache_clear()


def per_invoice(docs, runner: str) -> dict[str, dict[str, float]]:
    """Milliseconds per invoice of each step, by syntax."""
    from lxml import etree

    spent: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    counts: dict[str, int] = defaultdict(int)
    compiled = {}
    clock = time.perf_counter
    for name, content, _ in docs:
        root = parse_xml(content, name, 10**8)
        syntax = detect.classify(root)[0].name
        ruleset = rulesets.for_document(detect.classify(root)[0], root)
        run = compiled.get(ruleset.schematron) or compiled.setdefault(ruleset.schematron, executable(ruleset, runner))
        t = clock()
        node = schematron._processor().parse_xml(xml_text=etree.tostring(root, encoding="unicode"))
        t1 = clock()
        report = run.transform_to_string(xdm_node=node)
        t2 = clock()
        findings = schematron._findings(etree.fromstring(report.encode("utf-8")), ruleset.schematron, root)
        t3 = clock()
        assert not any(f.blocking for f in findings), (name, findings)
        for step, seconds in (("to Saxon", t1 - t), ("transform", t2 - t1), ("report", t3 - t2)):
            spent[syntax][step] += seconds * 1000
        counts[syntax] += 1
    return {s: {step: ms / counts[s] for step, ms in steps.items()} for s, steps in spent.items()}


def big_invoice(lines: int) -> None:
    for syntax in ("ubl", "cii"):
        content = make(syntax, Spec(number=f"BIG-{lines}", lines=lines))
        for runner in ("reference", "fast"):
            rules = Rules(runner=runner)
            check_document("warm.xml", make(syntax, Spec(number="W", lines=1)), rules)
            t = time.perf_counter()
            checked = check_document(f"big.{syntax}.xml", content, rules)
            elapsed = time.perf_counter() - t
            print(f"  {syntax.upper()} {lines} lines ({len(content) / 1e6:.1f} MB), {runner:9}: {elapsed:6.2f} s "
                  f"fully validated, {len(checked.findings)} findings")


def memory(count: int) -> None:
    docs = corpus(count, (1, 20), 11)
    marks = []
    for index, (name, content, _) in enumerate(docs, start=1):
        check_document(name, content, Rules())
        if index % max(1, count // 5) == 0:
            marks.append(f"{index}: {_resident_mib():.0f} MiB")
    print("  resident memory (fully validated, fast runner) after " + ", ".join(marks))


def _resident_mib() -> float:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * resource.getpagesize() / 2**20


COLD = """
import time
t = time.perf_counter()
import facteur.adapters.cli
from facteur.engine.model import Syntax
from facteur.engine.validation import rulesets, schematron, xsd
from lxml import etree
t1 = time.perf_counter()
ruleset = rulesets.for_document(Syntax.{syntax}, etree.Element("{tag}"))
xsd.load(ruleset.xsd)
t2 = time.perf_counter()
schematron.compiled(ruleset.schematron, ruleset.codedb, "fast")
t3 = time.perf_counter()
print(f"imports {{t1 - t:.2f}} s, XSD {{t2 - t1:.2f}} s, stylesheet {{t3 - t2:.2f}} s")
"""


def cold_start() -> None:
    for syntax, tag in (("UBL", "{urn:oasis:names:specification:ubl:schema:xsd:Invoice-2}Invoice"),
                        ("CII", "CrossIndustryInvoice")):
        t = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", COLD.format(syntax=syntax, tag=tag)], capture_output=True,
                             text=True, check=True).stdout.strip()
        print(f"  one-shot {syntax}, fresh process: {out}; {time.perf_counter() - t:.2f} s in all")


def compare_corpus(corpus_dir: Path) -> None:
    from lxml import etree

    compared, differing, timing = 0, [], {"fast": 0.0, "reference": 0.0}
    for path in sorted(corpus_dir.rglob("*.xml")):
        try:
            root = etree.parse(str(path), etree.XMLParser(no_network=True, resolve_entities=False)).getroot()
        except etree.XMLSyntaxError:
            continue
        syntax = detect.classify(root)[0]
        if syntax not in (Syntax.UBL, Syntax.CII) or root.tag.startswith("{http://difi.no"):
            continue
        ruleset = rulesets.for_document(syntax, root)
        for xslt, codedb in ((ruleset.schematron, ruleset.codedb), (ruleset.french_ctc, None)):
            if xslt is None:
                continue
            seen = {}
            for runner in ("fast", "reference"):
                t = time.perf_counter()
                seen[runner] = [(f.code, f.location, f.severity) for f in schematron.run(root, xslt, codedb, runner)]
                timing[runner] += time.perf_counter() - t
            compared += 1
            if seen["fast"] != seen["reference"]:
                differing.append(f"{path.relative_to(corpus_dir)} ({xslt.name})")
    print(f"  {compared} runs (EN 16931 and French CTC stylesheets) on {corpus_dir}: {len(differing)} differ; "
          f"fast {timing['fast'] * 1000 / max(compared, 1):.1f} ms, reference "
          f"{timing['reference'] * 1000 / max(compared, 1):.1f} ms per run (compilations included)")
    for name in differing:
        print(f"    differs: {name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--lines", default="1-20")
    parser.add_argument("--big", type=int, default=5000)
    parser.add_argument("--memory", type=int, default=2000)
    parser.add_argument("--corpus", action="store_true")
    args = parser.parse_args()
    low, high = (int(x) for x in args.lines.split("-"))
    docs = corpus(args.count, (low, high), 7)
    print(f"machine: {environment()}")
    print(f"invoices: {len(docs)} (UBL and CII alternately), lines {low}-{high}, "
          f"mean {statistics.mean(n for *_, n in docs):.1f}; one process, one thread")
    for runner in RUNNERS:
        per_invoice(docs[:4], runner)  # compiled and warm
        for syntax, steps in sorted(per_invoice(docs, runner).items()):
            detail = ", ".join(f"{step} {ms:.2f}" for step, ms in steps.items())
            print(f"  {runner:9} {syntax}: {sum(steps.values()):6.2f} ms/invoice ({detail})")
    cold_start()
    if args.memory:
        memory(args.memory)
    if args.big:
        big_invoice(args.big)
    if args.corpus:
        if CORPUS.is_dir():
            compare_corpus(CORPUS.resolve())
        else:
            print(f"  corpus comparison skipped: {CORPUS} is absent")


if __name__ == "__main__":
    main()
