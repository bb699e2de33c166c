"""The message catalogue (engine/locales/<lang>/*.ftl, engine/messages.py): both
languages hold the same messages with the same variables, every key the code
names exists and is given its variables, no message is left unused, and the
summaries count in words with their plurals."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from fluent.syntax import FluentParser, ast as fluent_ast
from fluent.syntax.visitor import Visitor

from facteur.engine import messages
from facteur.engine.messages import say, said, text
from facteur.engine.statuses import counted

REPO = Path(__file__).resolve().parents[1]
LOCALES = REPO / "engine" / "locales"
CALLS = {"text", "say"}  # the functions that name a message by its key, first


class _Variables(Visitor):
    def __init__(self):
        self.names: set[str] = set()

    def visit_VariableReference(self, node):
        self.names.add(node.id.name)


def _catalogue(lang: str) -> dict[str, set[str]]:
    """Each message of `lang` with the variables it uses; a file Fluent cannot read fails."""
    found: dict[str, set[str]] = {}
    for path in sorted((LOCALES / lang).glob("*.ftl")):
        resource = FluentParser().parse(path.read_text(encoding="utf-8"))
        junk = [entry.content for entry in resource.body if isinstance(entry, fluent_ast.Junk)]
        assert not junk, f"{path}: Fluent cannot read {junk[0]!r}"
        for entry in resource.body:
            if isinstance(entry, fluent_ast.Message):
                assert entry.id.name not in found, f"{path}: {entry.id.name} is defined twice"
                variables = _Variables()
                variables.visit(entry)
                found[entry.id.name] = variables.names
    return found


def _sources():
    for folder in ("engine", "adapters"):
        for path in sorted((REPO / folder).rglob("*.py")):
            yield path, ast.parse(path.read_text(encoding="utf-8"))


def _calls():
    """(where, key, keyword names or None when **args are passed) of every text()/say() naming a key."""
    for path, tree in _sources():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            first = node.args[0]
            if name in CALLS and isinstance(first, ast.Constant) and isinstance(first.value, str):
                keywords = None if any(k.arg is None for k in node.keywords) else {k.arg for k in node.keywords}
                yield f"{path.relative_to(REPO)}:{node.lineno}", first.value, keywords


def _literals() -> set[str]:
    return {node.value for _, tree in _sources() for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)}


def test_both_languages_hold_the_same_messages_with_the_same_variables():
    french, english = _catalogue("fr"), _catalogue("en")
    assert sorted(set(french) - set(english)) == [] and sorted(set(english) - set(french)) == []
    assert {key: (french[key], english[key]) for key in french if french[key] != english[key]} == {}
    assert len(french) > 100


@pytest.mark.parametrize("lang", messages.LANGUAGES)
def test_each_file_is_read_when_one_of_its_messages_is_first_asked_for(lang):
    """The catalogue reads a file only when one of its messages is asked for;
    it finds where each message is without Fluent's parser, and must find
    every message Fluent finds."""
    catalogue = messages._Catalogue(lang)
    assert set(catalogue._unread) == set(_catalogue(lang))
    assert catalogue.message("report-comment").id.name == "report-comment"
    assert "report-comment" not in catalogue._unread and len(catalogue._unread) < len(_catalogue(lang))
    with pytest.raises(KeyError, match="no message 'no-such-message'"):
        catalogue.message("no-such-message")


def test_every_key_the_code_names_exists_and_is_given_its_variables():
    french = _catalogue("fr")
    calls = list(_calls())
    assert len(calls) > 100
    assert [(where, key) for where, key, _ in calls if key not in french] == []
    assert [(where, key, sorted(given), sorted(french[key])) for where, key, given in calls
            if key in french and given is not None and given - {"lang"} != french[key]] == []


def test_no_message_is_left_unused():
    # A key is used where the code writes it: in a text()/say() call, or in a table
    # such as the statuses' (`engine/statuses.py`) that hands it to one.
    assert sorted(set(_catalogue("fr")) - _literals()) == []


def test_summaries_count_in_words_with_their_plurals():
    assert counted({"90": 6, "93": 3, "96": 1}, "fr") == "6 intégrés, 3 rejetés, 1 partiellement intégré"
    assert counted({"90": 1, "96": 2}, "fr") == "1 intégré, 2 partiellement intégrés"
    assert counted({"93": 1, "repeat": 2}, "fr") == "1 rejeté, 2 déjà traités"
    assert counted({"90": 2, "93": 1, "96": 1}, "en") == "2 integrated, 1 rejected, 1 partly integrated"
    assert counted({}, "fr") == "aucun flux"
    assert text("report-comment", "fr", n=0, total=1, name="f.xml") == "0 facture intégrée sur 1 dans f.xml"
    assert text("report-comment", "fr", n=2, total=3, name="lot.zip") == "2 factures intégrées sur 3 dans lot.zip"
    assert text("report-comment", "en", n=1, total=2, name="lot.zip") == "1 invoice integrated out of 2 in lot.zip"


def test_numbers_are_written_as_they_are_and_messages_render_in_the_language_asked():
    assert text("report-comment", "fr", n=1234, total=2026, name="x") == "1234 factures intégrées sur 2026 dans x"
    error = ValueError(say("dispute-unexplained", gap=say("explanation-no-reason", )))
    assert str(error).startswith("dites pourquoi la facture est contestée (--reason) : aucun motif")
    assert said(error, "en").startswith("say why the invoice is disputed (--reason): no reason is given")
    assert said(ValueError("plain"), "en") == "plain"
    assert messages.Message.from_data(say("lot-nested", document="a.zip").data()) == say("lot-nested", document="a.zip")


def test_an_unknown_language_or_key_is_refused_naming_the_choices():
    with pytest.raises(ValueError, match="la langue de n'est pas connue de facteur ; choisissez l'une de : fr, en"):
        messages.check_language("de")
    with pytest.raises(KeyError):
        text("no-such-message", "fr")


def test_a_value_of_any_length_is_rendered_cut_at_fluents_limit():
    """An archive's error may quote kilobytes of raw bytes (found by the fuzzer)."""
    flood = "\\xc5W" * 2000
    rendered = text("lot-corrupt", "fr", lot="07-lot.zip", reason=flood)
    assert rendered.startswith("le lot 07-lot.zip ne peut pas être lu comme une archive (\\xc5W")
    assert rendered.endswith("…)") and len(rendered) < 1100
    assert text("lot-corrupt", "fr", lot="a.zip", reason=say("lot-corrupt", lot="b.zip", reason=flood)).endswith("…)")
