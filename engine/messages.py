"""The catalogue of messages: every text facteur writes for a person, in French
by default, in English on request.

The texts live in Project Fluent files, `engine/locales/<lang>/*.ftl`, one
message per key, with its variables (`{ $name }`) and its plurals
(`{ $n -> [one] intégré *[other] intégrés }`); `fluent.runtime` renders them,
with the plural rules of each language (in French, 0 and 1 are singular).

The API, for every module that writes a text:

- `text(key, lang, **args) -> str`: the message `key` in `lang` ("fr" or
  "en"), its variables filled from `args`. Integers select plurals and are
  written without grouping (a year, a count: "2026", "1234"); anything else is
  written with `str()`, a `Message` in the same language, a list or tuple as
  its items joined by commas.
- `say(key, **args) -> Message`: the same message not rendered yet, for what
  is rendered later or in several languages: a `Finding`'s message (the
  finding keeps the key and the arguments, so that a face can show it in the
  other language), or an exception's (`raise InvalidRequest(say(...))`;
  `str(err)` is French, `said(err, "en")` English).
- `said(value, lang) -> str`: an exception, a `Message` or a plain text, in
  `lang` when it carries a `Message`, else as it is.

A missing key or variable raises `KeyError`: tests/test_messages.py checks
that every key the code names exists in both languages with the same
variables, so that it never happens at run time.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

from fluent.runtime import FluentBundle, FluentResource
from fluent.runtime.types import fluent_number

LANGUAGES = ("fr", "en")
PLACEABLE_MAX = 1000  # fluent.runtime's own limit on one variable's text
DEFAULT = "fr"


@dataclass(frozen=True)
class Message:
    """A message of the catalogue and its arguments, rendered when asked."""

    key: str
    args: tuple[tuple[str, Any], ...] = ()

    def render(self, lang: str = DEFAULT) -> str:
        return text(self.key, lang, **dict(self.args))

    def __str__(self) -> str:
        return self.render(DEFAULT)

    def data(self) -> dict:
        """The key and arguments as JSON-ready data (nested messages included), for the ledger."""
        return {"key": self.key, "args": {name: _data(value) for name, value in self.args}}

    @classmethod
    def from_data(cls, data: dict) -> "Message":
        return say(data["key"], **{name: _from_data(value) for name, value in data.get("args", {}).items()})


def say(key: str, /, **args) -> Message:
    """`key` with `args`, to render later; values other than numbers and messages are kept as text."""
    return Message(key, tuple((name, _kept(value)) for name, value in args.items()))


def text(key: str, lang: str = DEFAULT, /, **args) -> str:
    """The message `key` in `lang`, with `args`."""
    catalogue = _catalogue(lang)
    message = catalogue.message(key)
    values = {name: _value(value, lang) for name, value in args.items()}
    rendered, errors = catalogue.bundle.format_pattern(message.value, values)
    if errors:
        raise KeyError(f"message {key!r} ({lang}): {errors[0]}")
    return rendered


def said(value: Any, lang: str = DEFAULT) -> str:
    """An exception, a `Message` or a text, in `lang` when it carries a message of the catalogue."""
    if isinstance(value, BaseException) and len(value.args) == 1:
        value = value.args[0]
    return value.render(lang) if isinstance(value, Message) else str(value)


def check_language(lang: str) -> str:
    """`lang` when the catalogue has it; a ValueError naming the choices otherwise."""
    if lang not in LANGUAGES:
        raise ValueError(text("language-unknown", DEFAULT, value=lang, choices=", ".join(LANGUAGES)))
    return lang


def _kept(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return tuple(_kept(item) for item in value)
    return value if isinstance(value, (int, Message)) and not isinstance(value, bool) else str(value)


def _data(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_data(item) for item in value]
    return value.data() if isinstance(value, Message) else value


def _from_data(value: Any) -> Any:
    if isinstance(value, list):
        return [_from_data(item) for item in value]
    return Message.from_data(value) if isinstance(value, dict) else value


def _value(value: Any, lang: str) -> Any:
    if isinstance(value, tuple):
        return _clipped(", ".join(str(_value(item, lang)) for item in value))
    if isinstance(value, Message):
        return _clipped(value.render(lang))
    if isinstance(value, int) and not isinstance(value, bool):
        return fluent_number(value, useGrouping=False)
    return _clipped(str(value))


def _clipped(text: str) -> str:
    """A value cut to fluent's limit, its end marked: what comes from
    outside (an archive's error quoting raw bytes, a value read in an invoice)
    may be any length, and fluent refuses a placeable over 1 000 characters
    rather than cut it."""
    return text if len(text) <= PLACEABLE_MAX else text[: PLACEABLE_MAX - 1] + "…"


class _Catalogue:
    """The messages of one language, each file of it read by Fluent the first
    time one of its messages is asked for. Reading them all cost every
    process some 90 ms at its start (fluent's parser is Python): the help of
    the command line is one file, a pool worker writes the messages of a few.
    The files neither define terms nor name one another's messages, so a file
    read alone renders as it would among the others."""

    def __init__(self, lang: str):
        self.lang = lang
        self.bundle = FluentBundle([lang], use_isolating=False)
        self._unread: dict[str, str] = {}  # a message's key -> the text of its file, not yet read
        self._lock = threading.Lock()
        folder = files("facteur.engine") / "locales" / lang
        for resource in sorted(folder.iterdir(), key=lambda entry: entry.name):
            if resource.name.endswith(".ftl"):
                source = resource.read_text(encoding="utf-8")
                self._unread.update(dict.fromkeys(_MESSAGE_KEY.findall(source), source))

    def message(self, key: str):
        """The message `key` (fluent's), its file read first when it is not yet; KeyError when there is none."""
        if key in self._unread:
            with self._lock:
                source = self._unread.get(key)
                if source is not None:
                    self.bundle.add_resource(FluentResource(source))
                    self._unread = {other: text for other, text in self._unread.items() if text is not source}
        if not self.bundle.has_message(key):
            raise KeyError(f"no message {key!r} in the {self.lang} catalogue")
        return self.bundle.get_message(key)


# A message's key, where Fluent starts one: at the start of a line, before "=" (terms, "-name", are not used).
_MESSAGE_KEY = re.compile(r"^([a-zA-Z][a-zA-Z0-9_-]*) *=", re.MULTILINE)


@cache
def _catalogue(lang: str) -> _Catalogue:
    return _Catalogue(check_language(lang))
