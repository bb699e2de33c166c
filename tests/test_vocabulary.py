"""One vocabulary of statuses (engine/statuses.py) and one home for exceptions
(engine/errors.py, adapters/errors.py): what the rest of the code reads from
them agrees with them, and no other module defines its own."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import facteur.adapters
import facteur.engine
from facteur.engine import statuses
from facteur.engine.errors import FacteurError
from facteur.engine.hub.lifecycle import NEXT
from facteur.engine.messages import text


def test_the_command_line_takes_flow_statuses_by_code_or_by_name():
    assert statuses.flow_code("rejected") == "93"
    assert statuses.flow_code("partly") == "96"
    assert statuses.flow_code("93") == "93"
    assert statuses.flow_status_help() == "90, 93, 96, held, pending, integrated, rejected, partly"


def test_every_verdict_of_the_pipeline_has_a_name_words_and_a_timeline_entry():
    for status in statuses.FlowStatus:
        entry = statuses.FLOW_CODES[status.value]
        assert entry.name and entry.words in statuses.COUNTED.values() and entry.timeline, status
        assert text(entry.words, "fr", n=2) and text(entry.timeline, "en")


def test_the_final_invoice_statuses_are_those_no_status_may_follow():
    assert {code for code, after in NEXT.items() if not after} == statuses.FINAL
    assert set(NEXT).union(*NEXT.values()) <= set(statuses.INVOICE_CODES)
    assert not statuses.SET_BY_HUB & set().union(*NEXT.values()) - {"03"}  # 03 follows the recipient's 92


def _modules():
    for package in (facteur.engine, facteur.adapters):
        for found in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if not found.name.endswith("__main__"):  # `python -m facteur.adapters.cli` runs the command
                yield importlib.import_module(found.name)


# The command line's own usage error, which the operations layer is taking over.
ELSEWHERE = {"UsageError"}


def test_exceptions_are_defined_in_the_errors_modules_only():
    homes = {"facteur.engine.errors", "facteur.adapters.errors"}
    strays = [
        f"{module.__name__}.{name}"
        for module in _modules()
        for name, value in vars(module).items()
        if inspect.isclass(value) and issubclass(value, BaseException) and value.__module__ == module.__name__
        and module.__name__ not in homes and not name.startswith("_") and name not in ELSEWHERE
    ]
    assert strays == []
    for home in homes:
        classes = [value for value in vars(importlib.import_module(home)).values()
                   if inspect.isclass(value) and issubclass(value, BaseException) and value.__module__ == home]
        assert classes and all(issubclass(value, FacteurError) and value.__doc__ for value in classes)
