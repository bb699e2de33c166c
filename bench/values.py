"""What reading the values of failed rules costs on a large invoice: every
line of a generated UBL invoice carries a unit code outside UN/ECE Rec. 20
(BR-CL-23 fails once per line), and the schematron layer is timed whole
(Saxon's run, then facteur's reading of its report: findings, their values,
their locations) next to Saxon's run alone.

    python bench/values.py [--lines 100,1000,2000] [--repeat 3]

Figures, not assertions: the machine is printed with them.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lxml import etree  # noqa: E402

from bench.generate import Spec, ubl  # noqa: E402
from bench.throughput import environment  # noqa: E402
from facteur.engine.inputs import detect  # noqa: E402
from facteur.engine.validation import rulesets, schematron  # noqa: E402


def _timed(action, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", default="100,1000,2000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(environment())
    for lines in (int(n) for n in args.lines.split(",")):
        content = ubl(Spec(f"VALUES-{lines}", lines=lines))
        content = content.replace(b'unitCode="C62"', b'unitCode="XXX"')
        root = etree.fromstring(content)
        ruleset = rulesets.for_document(detect.classify(root)[0], root)
        executable = schematron.compiled(ruleset.schematron, ruleset.codedb)
        text = etree.tostring(root, encoding="unicode")
        saxon = _timed(lambda: executable.transform_to_string(xdm_node=schematron._processor().parse_xml(xml_text=text)),
                       args.repeat)
        findings = schematron.run(root, ruleset.schematron, ruleset.codedb)
        whole = _timed(lambda: schematron.run(root, ruleset.schematron, ruleset.codedb), args.repeat)
        with_values = sum(1 for f in findings if f.values)
        print(f"{lines:6} lines: {len(findings):6} findings, {with_values:6} with values; schematron layer "
              f"{whole:6.2f} s, Saxon alone {saxon:6.2f} s, reading the report {whole - saxon:6.2f} s "
              f"({(whole - saxon) / max(len(findings), 1) * 1000:.2f} ms per finding)")


if __name__ == "__main__":
    main()
