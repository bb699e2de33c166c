"""The Factur-X / ZUGFeRD 2 container rules: what the specification requires of
the PDF around its CII data, judged before (and beside) the data itself.

A Factur-X PDF is a PDF/A-3 file that carries its invoice as an associated
file, and describes it in its XMP metadata. facteur judges the container by
the rules of two texts, each check with a stable code, the severity the text
gives (a "shall" blocks, a "should" warns) and its source in its docstring:

- Factur-X 1.0.07 (the same text as ZUGFeRD 2.3, FNFE-MPE and FeRD), chapter 6
  on the PDF: § 6.1 a PDF/A-3 conformant structure; § 6.2 embedding the XML
  file (its name); § 6.2.1 the relationship of embedded files (the /AF
  association); § 6.2.2 the data relationship (AFRelationship); § 6.3 the
  PDF/A extension schema that describes the XML (DocumentType,
  DocumentFileName, Version, ConformanceLevel). ZUGFeRD's technical
  supplement, part A, has the same sections under chapter 2 (2.1 to 2.3);
- ISO 19005-3:2012 (PDF/A-3): 6.2.3 and 6.2.4.3 the output intent; 6.6.2.1
  the metadata stream; 6.6.4 the PDF/A identification schema (pdfaid:part,
  pdfaid:conformance); 6.8 embedded files (each associated with the document
  through /AF, each file specification with an /AFRelationship).

These rules apply to a PDF whose invoice data is CII (CrossIndustryInvoice:
Factur-X, ZUGFeRD 2, XRechnung in a PDF): that is what Factur-X defines.
ZUGFeRD 1.0 PDFs follow the older ZUGFeRD 1.0 text, whose XMP level alone is
compared (`validate`); UBL in a PDF is no Factur-X. facteur is no PDF/A
validator: it checks what identifies a PDF/A-3 invoice container, not the
fonts and colour spaces of its pages.

The profile comes from the XML's specification identifier (BT-24), read by the
factur-x library (`get_level`, which the rule sets use too); one facteur does
not know is refused, naming it and the known ones, since the profile decides
the file name, the XMP level and the rules the data is judged by.

Every message a person reads is here, in French, in `MESSAGES`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from facteur.engine.inputs import embedded
from facteur.engine.inputs.pdf import EmbeddedFile, PdfContents
from facteur.engine.model import Finding, Severity
from facteur.engine.validation import rulesets

LAYER = "container"
PROFILE = "FCT-FX-PROFILE"
FILENAME = "FCT-FX-FILENAME"
AFRELATIONSHIP = "FCT-FX-AFRELATIONSHIP"
AF = "FCT-FX-AF"
XMP = "FCT-FX-XMP"
XMP_LEVEL = "FCT-FX-XMP-LEVEL"
XMP_TYPE = "FCT-FX-XMP-TYPE"
XMP_FILENAME = "FCT-FX-XMP-FILENAME"
XMP_VERSION = "FCT-FX-XMP-VERSION"
PDFA = "FCT-FX-PDFA"
OUTPUT_INTENT = "FCT-FX-OUTPUTINTENT"

MESSAGES = {
    PROFILE: "{pdf} : l'identifiant de spécification (BT-24) de {file} est « {found} », un profil que facteur ne "
    "connaît pas ; profils connus : {known}. Émettez la facture à l'un de ces profils",
    FILENAME: "{pdf} : la facture est jointe sous le nom « {found} » ; au profil {profile}, la spécification "
    "Factur-X impose {expected}. Joignez-la sous ce nom",
    AFRELATIONSHIP + "/absent": "{pdf} : la pièce jointe {file} n'a pas de relation /AFRelationship ; PDF/A-3 "
    "l'exige et Factur-X veut l'une de {allowed}. Générez le PDF à nouveau avec un outil Factur-X",
    AFRELATIONSHIP + "/attachment": "{pdf} : la pièce jointe {file} n'a pas de relation /AFRelationship, que PDF/A-3 "
    "exige de chaque fichier joint (Supplement ou Unspecified pour un justificatif). Générez le PDF à nouveau avec "
    "un outil Factur-X",
    AFRELATIONSHIP: "{pdf} : la pièce jointe {file} a la relation /AFRelationship « {found} » ; Factur-X veut l'une "
    "de {allowed}. Générez le PDF à nouveau avec un outil Factur-X",
    AF: "{pdf} : la pièce jointe {file} n'est pas référencée par le tableau /AF du catalogue du document, ce que "
    "PDF/A-3 exige d'un fichier associé. Générez le PDF à nouveau avec un outil Factur-X",
    XMP + "/absent": "{pdf} n'a pas de métadonnées XMP ; un PDF Factur-X doit en avoir, qui déclarent son profil "
    "et sa conformité PDF/A-3. Générez le PDF à nouveau avec un outil Factur-X",
    XMP: "{pdf} : ses métadonnées XMP ne contiennent pas le schéma d'extension Factur-X ({schema}) qui décrit la "
    "facture jointe. Générez le PDF à nouveau avec un outil Factur-X",
    XMP_LEVEL: "{pdf} : les métadonnées XMP déclarent le profil (fx:ConformanceLevel) « {found} », mais {file} "
    "déclare {profile} (BT-24 « {guideline} ») ; attendu : {expected}",
    XMP_TYPE: "{pdf} : les métadonnées XMP déclarent le type de document (fx:DocumentType) « {found} » ; attendu : "
    "INVOICE pour une facture",
    XMP_FILENAME: "{pdf} : les métadonnées XMP nomment la facture jointe (fx:DocumentFileName) « {found} », mais elle "
    "est jointe sous le nom « {file} »",
    XMP_VERSION: "{pdf} : les métadonnées XMP déclarent la version (fx:Version) « {found} », mais {file} déclare "
    "{profile} (BT-24 « {guideline} ») ; attendu : {expected}",
    PDFA: "{pdf} : ses métadonnées XMP l'identifient comme PDF/A partie « {part} », conformité « {conformance} » ; "
    "un PDF Factur-X doit être PDF/A-3 (pdfaid:part 3, conformité A, B ou U). Convertissez-le en PDF/A-3",
    OUTPUT_INTENT: "{pdf} n'a pas de mode de sortie PDF/A (/OutputIntents GTS_PDFA1) ; PDF/A-3 l'exige dès qu'une "
    "page emploie des couleurs dépendantes du périphérique, ce qui est le cas de presque tous les PDF",
}
ABSENT = "absent"

PDFA_CONFORMANCES = ("A", "B", "U")
FACTURX_VERSION = "1.0"  # fx:Version of every Factur-X 1.0.x profile
_XRECHNUNG = re.compile(r"xrechnung_(\d+(?:\.\d+)*)", re.IGNORECASE)
_GUIDELINE = etree.XPath(
    "/*/*[local-name()='ExchangedDocumentContext']/*[local-name()='GuidelineSpecifiedDocumentContextParameter']"
    "/*[local-name()='ID']"
)
# The specification identifiers facteur knows, for the message that refuses another one.
KNOWN = (
    ("MINIMUM", "urn:factur-x.eu:1p0:minimum"),
    ("BASIC WL", "urn:factur-x.eu:1p0:basicwl"),
    ("BASIC", "urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p0:basic"),
    ("EN 16931", "urn:cen.eu:en16931:2017"),
    ("EXTENDED", "urn:cen.eu:en16931:2017#conformant#urn:factur-x.eu:1p0:extended"),
    ("EXTENDED-CTC-FR", "urn:cen.eu:en16931:2017#conformant#urn.cpro.gouv.fr:1p0:extended-ctc-fr"),
    ("XRECHNUNG", "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0"),
)


@dataclass(frozen=True)
class Profile:
    """What the XML's specification identifier implies for its container."""

    guideline: str  # BT-24 as written
    level: str  # the rule sets' level name (minimum ... extended-ctc-fr)
    xmp_level: str  # the fx:ConformanceLevel it goes with
    file_names: tuple[str, ...]  # the names the XML may be embedded under
    version: str | None  # the fx:Version it goes with; None when it implies none


def _finding(code: str, severity: Severity, location: str, variant: str = "", **values: object) -> Finding:
    """A finding of this layer, its message the one of `MESSAGES` for `code` (and `variant`) with `values`."""
    message = MESSAGES[f"{code}/{variant}" if variant else code].format(**values)
    return Finding(code, severity, message, location, LAYER)


def _guideline(root: etree._Element) -> str:
    found = _GUIDELINE(root)
    return " ".join((found[0].text or "").split()) if found else ""


def profile_of(root: etree._Element) -> Profile | None:
    """The profile a CII document declares, when it is one facteur knows."""
    declared = _guideline(root)
    try:
        level = rulesets.facturx_tables().get_level(root, "factur-x")
    except Exception:  # the library raises ValueError, and Exception for what it cannot parse
        return None
    if level not in rulesets.CII_LEVELS:
        return None
    xrechnung = _XRECHNUNG.search(declared)
    if xrechnung and level == "en16931":
        return Profile(declared, level, "XRECHNUNG", ("xrechnung.xml",), xrechnung.group(1))
    # § 6.3 lists no ConformanceLevel of its own for EXTENDED-CTC-FR, an EXTENDED for the French reform.
    xmp_level = rulesets.facturx_tables().FACTURX_LEVEL2xmp.get(level, "EXTENDED")
    return Profile(declared, level, xmp_level, ("factur-x.xml", "zugferd-invoice.xml"), FACTURX_VERSION)


def unknown_profile(pdf: str, data: EmbeddedFile, root: etree._Element) -> Finding:
    """FCT-FX-PROFILE, blocking. Factur-X 1.0.07 defines its profiles (MINIMUM,
    BASIC WL, BASIC, EN 16931, EXTENDED, and XRECHNUNG), each declared in BT-24
    and repeated in the XMP ConformanceLevel (§ 6.3), whose values are only
    those. For any other facteur cannot choose a file name, an XMP level or
    the rules to judge the data by, so it refuses rather than judge it as
    EN 16931 (which a future or private profile need not follow)."""
    known = "; ".join(f"{name} ({urn})" for name, urn in KNOWN)
    return _finding(PROFILE, Severity.BLOCKING, "BT-24", pdf=pdf, file=data.name,
                    found=_guideline(root) or "(vide)", known=known)


def check(pdf: str, contents: PdfContents, data: EmbeddedFile, profile: Profile | None) -> list[Finding]:
    """Every container rule on a PDF whose invoice data is `data` (CII), at
    `profile` (None when it is unknown: the rules that need it are skipped,
    `unknown_profile` says why)."""
    xmp = embedded.read_xmp(contents.xmp)
    return [
        *_file_name(pdf, data, profile, xmp),
        *_relationship(pdf, data),
        *_associated(pdf, data),
        *(finding for f in contents.files if f is not data for finding in _other_file(pdf, f)),
        *_metadata(pdf, data, profile, xmp),
        *_pdfa(pdf, xmp),
        *_output_intent(pdf, contents),
    ]


def _file_name(pdf: str, data: EmbeddedFile, profile: Profile | None, xmp: embedded.Xmp | None) -> list[Finding]:
    """FCT-FX-FILENAME, blocking. Factur-X 1.0.07 § 6.2: the embedded XML
    shall be named factur-x.xml, xrechnung.xml for the XRECHNUNG profile;
    ZUGFeRD 2.0 named it zugferd-invoice.xml (with its own XMP schema, which
    then fixes that name). Compared without case, as producers vary it."""
    if profile is None:
        return []
    names = profile.file_names
    if xmp is not None and xmp.schema == embedded.ZUGFERD2_XMP and profile.xmp_level != "XRECHNUNG":
        names = ("zugferd-invoice.xml",)
    elif xmp is not None and xmp.schema == embedded.FACTURX_XMP:
        names = tuple(n for n in names if n != "zugferd-invoice.xml")
    if data.name.lower() in names:
        return []
    expected = " ou ".join(f"« {n} »" for n in names)
    return [_finding(FILENAME, Severity.BLOCKING, data.name, pdf=pdf, found=data.name, profile=profile.xmp_level,
                     expected=expected)]


def _relationships() -> tuple[str, ...]:
    """The relationships Factur-X allows for the invoice XML, as PDF names (the factur-x library lists them)."""
    return tuple(value.capitalize() for value in rulesets.facturx_tables().XML_AFRelationship)


def _relationship(pdf: str, data: EmbeddedFile) -> list[Finding]:
    """FCT-FX-AFRELATIONSHIP, blocking. ISO 19005-3 6.8: the file
    specification of an embedded file shall have an /AFRelationship key;
    Factur-X 1.0.07 § 6.2.2: for the invoice XML it shall be Data, Source or
    Alternative (Supplement and Unspecified are for other attachments)."""
    relationships = _relationships()
    allowed = ", ".join(relationships)
    if not data.relationship:
        return [_finding(AFRELATIONSHIP, Severity.BLOCKING, "/AFRelationship", ABSENT, pdf=pdf, file=data.name,
                         allowed=allowed)]
    if data.relationship not in relationships:
        return [_finding(AFRELATIONSHIP, Severity.BLOCKING, "/AFRelationship", pdf=pdf, file=data.name,
                         found=data.relationship, allowed=allowed)]
    return []


def _associated(pdf: str, data: EmbeddedFile) -> list[Finding]:
    """FCT-FX-AF, blocking. ISO 19005-3 6.8: an embedded file shall be
    associated with the document or a part of it through an /AF array;
    Factur-X 1.0.07 § 6.2.1 associates the invoice XML with the whole
    document, so the catalog's /AF shall reference its file specification
    (or another specification of the same embedded stream)."""
    if data.associated:
        return []
    return [_finding(AF, Severity.BLOCKING, data.name, pdf=pdf, file=data.name)]


def _other_file(pdf: str, f: EmbeddedFile) -> list[Finding]:
    """FCT-FX-AFRELATIONSHIP and FCT-FX-AF on every other embedded file (a
    supporting document), blocking: ISO 19005-3 6.8 requires of each embedded
    file an /AFRelationship (any value; Factur-X 1.0.07 § 6.2.2 suggests
    Supplement or Unspecified for these) and its association through /AF."""
    missing = [] if f.relationship else [
        _finding(AFRELATIONSHIP, Severity.BLOCKING, f.name, "attachment", pdf=pdf, file=f.name)
    ]
    return missing + _associated(pdf, f)


def _metadata(pdf: str, data: EmbeddedFile, profile: Profile | None, xmp: embedded.Xmp | None) -> list[Finding]:
    """FCT-FX-XMP, blocking: ISO 19005-3 6.6.2.1, the catalog shall have a
    metadata stream; Factur-X 1.0.07 § 6.3, it shall hold the Factur-X
    extension schema (fx, urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#;
    ZUGFeRD 2.0's zf schema is taken too) with the four properties below.

    Each property shall describe the embedded XML (§ 6.3), all blocking:
    FCT-FX-XMP-TYPE, DocumentType INVOICE; FCT-FX-XMP-FILENAME,
    DocumentFileName the name it is embedded under; FCT-FX-XMP-LEVEL,
    ConformanceLevel the profile its BT-24 declares (a PDF that says one
    profile and carries another misleads whoever reads only the PDF);
    FCT-FX-XMP-VERSION, Version 1.0 for Factur-X profiles and, for XRECHNUNG,
    the XRechnung version its BT-24 names (ZUGFeRD 2.0's schema gives no rule
    for it: only its presence is checked then)."""
    if xmp is None:
        return [_finding(XMP, Severity.BLOCKING, "/Root/Metadata", ABSENT, pdf=pdf)]
    if not xmp.schema or xmp.schema == embedded.ZUGFERD1_XMP:
        return [_finding(XMP, Severity.BLOCKING, "/Root/Metadata", pdf=pdf, schema=embedded.FACTURX_XMP)]
    findings = []
    if xmp.document_type != "INVOICE":
        findings.append(_finding(XMP_TYPE, Severity.BLOCKING, "fx:DocumentType", pdf=pdf,
                                 found=xmp.document_type or ABSENT))
    if (xmp.document_file_name or "").lower() != data.name.lower():
        findings.append(_finding(XMP_FILENAME, Severity.BLOCKING, "fx:DocumentFileName", pdf=pdf,
                                 found=xmp.document_file_name or ABSENT, file=data.name))
    if profile is None:
        return findings
    about = dict(pdf=pdf, file=data.name, profile=profile.xmp_level, guideline=profile.guideline)
    level = (xmp.conformance_level or "").upper()
    allowed_levels = {profile.xmp_level} | ({"COMFORT"} if xmp.schema == embedded.ZUGFERD2_XMP and
                                            profile.level == "en16931" else set())
    if level not in allowed_levels:
        findings.append(_finding(XMP_LEVEL, Severity.BLOCKING, "fx:ConformanceLevel",
                                 found=xmp.conformance_level or ABSENT,
                                 expected=" ou ".join(sorted(allowed_levels)), **about))
    expected_version = profile.version if xmp.schema == embedded.FACTURX_XMP else None
    if not xmp.version or (expected_version is not None and xmp.version != expected_version):
        findings.append(_finding(XMP_VERSION, Severity.BLOCKING, "fx:Version", found=xmp.version or ABSENT,
                                 expected=expected_version or "une version", **about))
    return findings


def _pdfa(pdf: str, xmp: embedded.Xmp | None) -> list[Finding]:
    """FCT-FX-PDFA, blocking. Factur-X 1.0.07 § 6.1: the invoice shall be a
    PDF/A-3 file (A, B or U; PDF/A-1 allows no embedded file, PDF/A-2 only
    PDF/A ones); ISO 19005-3 6.6.4: the version and conformance level shall be
    declared in the XMP with the PDF/A identification schema (pdfaid:part 3,
    pdfaid:conformance). A PDF without XMP gets FCT-FX-XMP, not this too."""
    if xmp is None:
        return []
    part, conformance = xmp.pdfa_part, (xmp.pdfa_conformance or "").upper()
    if part == "3" and conformance in PDFA_CONFORMANCES:
        return []
    return [_finding(PDFA, Severity.BLOCKING, "pdfaid:part", pdf=pdf, part=part or ABSENT,
                     conformance=xmp.pdfa_conformance or ABSENT)]


def _output_intent(pdf: str, contents: PdfContents) -> list[Finding]:
    """FCT-FX-OUTPUTINTENT, a warning. ISO 19005-3 6.2.4.3 requires a PDF/A
    output intent (6.2.3: /OutputIntents with /S /GTS_PDFA1) only when a page
    uses a device-dependent colour space; facteur does not analyse the pages'
    colours (it is no PDF/A validator), so a missing output intent is a strong
    sign of a PDF that is not PDF/A, not a proof: the text's condition makes
    it a warning. (The reference PDFs of ZUGFeRD 2.x, in the conformance
    corpus, have none.)"""
    if "GTS_PDFA1" in contents.output_intents:
        return []
    return [_finding(OUTPUT_INTENT, Severity.WARNING, "/Root/OutputIntents", pdf=pdf)]
