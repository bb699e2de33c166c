"""Report fields cut to their length on a word boundary (engine/outputs/fit.py),
the lengths read from the official Chorus Pro schemas, and the CPPStatut files
written with long messages still valid against CPPStatutPivot V1_19."""

from __future__ import annotations

import re

import pytest
from conftest import CHORUS_XSD, assert_valid
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from facteur.engine.model import Finding, Severity
from facteur.engine.outputs import pivot, status
from facteur.engine.outputs.fit import ELLIPSIS, fit
from facteur.engine.statuses import FLOW_STATUS_LABELS
from test_status import flow_status

XS = "{http://www.w3.org/2001/XMLSchema}"
# Words as findings have them: codes, business terms, French words, values.
WORDS = st.one_of(
    st.sampled_from(["BT-12", "BR-CO-16", "FCT-RECIPIENT-UNKNOWN", "(BT-1)", "référence", "l'acheteur", "12,50",
                     "Écart", "montant;", "a", "de", "«", "»"]),
    st.text(st.characters(blacklist_categories=("Cs", "Z", "Cc")), min_size=1, max_size=30),
)
TEXTS = st.lists(WORDS, max_size=40).flatmap(
    lambda words: st.lists(st.sampled_from([" ", "  ", "\n", " \t"]), min_size=len(words), max_size=len(words)).map(
        lambda spaces: "".join(w + s for w, s in zip(words, spaces)).strip()
    )
)


def assert_cut_well(original: str, shortened: str, limit: int) -> None:
    assert len(shortened) <= limit
    if len(original) <= limit:
        assert shortened == original
        return
    assert shortened.endswith(ELLIPSIS)
    head = shortened[: -len(ELLIPSIS)]
    assert original.startswith(head), "the shortened text is a prefix of the original up to the cut"
    rest = original[len(head):]
    assert head == "" or re.match(r"[,;:]*\s", rest), f"cut inside a word: {head!r} + {rest[:20]!r}"


@settings(deadline=None, max_examples=300)  # no timed assert on a shared machine
@given(TEXTS, st.integers(min_value=1, max_value=120))
def test_a_text_is_cut_between_words_to_fit(text: str, limit: int) -> None:
    assert_cut_well(text, fit(text, limit), limit)


@pytest.mark.parametrize("limit", range(1, 90))
def test_a_code_is_never_shown_cut(limit: int) -> None:
    text = "the invoice has no buyer reference (BT-10); FCT-RECIPIENT-UNKNOWN for SIRET 21420218600099"
    shortened = fit(text, limit)
    assert_cut_well(text, shortened, limit)
    for token in shortened.rstrip(ELLIPSIS).split():
        assert token in text.split() or token + ";" in text.split()


def test_the_longest_run_of_words_that_fits_is_kept() -> None:
    assert fit("Montant erroné sur la ligne 3, voir BT-131", 30) == "Montant erroné sur la ligne…"
    assert fit("Montant erroné, voir BT-131", 20) == "Montant erroné…"
    assert fit("FCT-RECIPIENT-UNKNOWN est inconnu", 10) == ELLIPSIS


def test_a_field_too_short_for_an_ellipsis_is_refused() -> None:
    with pytest.raises(ValueError, match="0 character"):
        fit("texte", 0)


def _max_lengths(schema: str) -> dict[str, set[int]]:
    """Element name -> the maxLength values the schema gives it (named or anonymous types)."""
    lengths: dict[str, set[int]] = {}
    for element in etree.parse(str(CHORUS_XSD / schema)).iter(f"{XS}element"):
        for facet in element.iter(f"{XS}maxLength"):
            lengths.setdefault(element.get("name"), set()).add(int(facet.get("value")))
    return lengths


def test_the_limits_are_the_official_schemas() -> None:
    statut = _max_lengths("CPPStatutPivot_V1_19.xsd")
    assert statut["ComplementStatut"] == {status.MAX_FLOW_COMPLEMENT}
    assert "LibelleErreur" not in statut and "DescriptionErreur" not in statut and "Commentaire" not in statut
    facture = _max_lengths("CPPFacturePivot_V2_02.xsd")
    assert facture["Id"] >= {pivot.MAX_NUMBER} and facture["IdFactureOrigine"] == {pivot.MAX_NUMBER}
    assert facture["NumeroMarche"] == facture["NumeroEngagement"] == {pivot.MAX_REFERENCE}
    assert facture["CodeService"] == {pivot.MAX_SERVICE_CODE}
    assert facture["NomPJ"] == facture["NomPJOrigine"] == {pivot.MAX_ATTACHMENT_NAME}
    assert all(len(label) <= status.MAX_FLOW_COMPLEMENT for label in FLOW_STATUS_LABELS.values())


def test_a_long_error_keeps_its_codes_whole_and_its_whole_text_in_the_description(status_schema) -> None:
    message = ("the invoice has no buyer reference and no purchase order reference, one of which is required "
               "(BT-10 or BT-13); add it")
    location = "/Invoice/cbc:BuyerReference"
    errors = [("1", Finding("BR-FR-01", Severity.BLOCKING, message, location, layer="schematron")),
              ("1", Finding("FCT-W", Severity.WARNING, message, location, layer="pivot"))]
    root = assert_valid(status_schema, flow_status("93", errors=errors))
    clause = message.split("; ")[0]
    labels = [line.findtext("LibelleErreur") for line in root.iter("LigneErreurDetail")]
    assert labels == ["the invoice has no buyer reference and no purchase order reference, one of which is required "
                      "(BT-10…",
                      "Avertissement : the invoice has no buyer reference and no purchase order reference, one of "
                      "which is…"]
    for label, full in zip(labels, (clause, f"Avertissement : {clause}"), strict=True):
        assert_cut_well(full, label, status.MAX_ERROR_LABEL)
    assert {line.findtext("DescriptionErreur") for line in root.iter("LigneErreurDetail")} == {
        f"{message} (emplacement : {location})"}
