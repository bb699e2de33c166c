"""What a facteur process imports before it has a document to read. Every
command, pool worker and `facteur worker` starts by importing the command
line; the libraries only some documents need are imported with the first of
them: factur-x (its tables of rule sets, and with it requests, pypdf and
iso4217) when a rule set is first looked for, pypdf when a PDF is first read.
Together 0.15-0.2 s of each start on a 2-core machine (`python -X importtime`),
paid by `facteur status`, the console and the engine beside its pool for
nothing."""

from __future__ import annotations

import subprocess
import sys

from helpers import REPO

PROGRAM = """
import sys
import facteur.adapters.cli
print(sorted(name for name in ("facturx", "pypdf", "requests") if name in sys.modules))
from facteur.engine.validation import rulesets
from facteur.engine.model import Syntax
from lxml import etree
rule_set = rulesets.for_document(Syntax.UBL, etree.fromstring(b"<Invoice/>"))
print(rule_set.xsd.is_file(), rule_set.schematron.is_file(), "facturx" in sys.modules)
"""


def test_the_command_line_imports_neither_facturx_nor_pypdf_until_a_document_needs_them():
    run = subprocess.run([sys.executable, "-c", PROGRAM], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == ["[]", "True True True"]
