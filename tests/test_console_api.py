"""The JSON API tested from its own OpenAPI description (schemathesis): every
operation, with requests generated from the description, answers as the
description says (no server error, a documented status, a body of the
documented shape), for an operator's token and for a partner's. Kept to a
few examples per operation so that the module takes seconds."""

from __future__ import annotations

from contextlib import closing

import pytest
import schemathesis
from console_site import site
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from facteur.adapters.web.app import create_app
from facteur.engine import operations

EXAMPLES = 8  # per operation
# A reference well formed that names nothing (a flow, a recipient, a dead letter) is a 400 whose message
# names what exists: no description can say in advance which values those are, so a well-formed request
# answered 400 is not counted as a failure; every other check holds (no 5xx, documented statuses and bodies).
ACCEPTANCE = positive_data_acceptance


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("FACTEUR_LEDGER_URL", raising=False)
        yield site(tmp_path_factory.mktemp("api") / "root")


@pytest.fixture(scope="module")
def api_schema(installed):
    return schemathesis.openapi.from_asgi("/api/openapi.json", create_app(installed.config))


@pytest.fixture(scope="module")
def tokens(installed):
    with closing(installed.hub()) as hub:
        return {name: operations.issue_token(hub, name) for name in ("opera", "ville")}


SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
                    database=None)


def check_every_operation(api_schema, token: str) -> int:
    """Each operation of the description, with cases drawn from it; the number of operations."""
    operations_seen = 0
    for result in api_schema.get_all_operations():
        operation = result.ok()
        operations_seen += 1

        @given(case=operation.as_strategy())
        @SETTINGS
        def answers_as_described(case):
            case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, excluded_checks=[ACCEPTANCE])

        answers_as_described()
    return operations_seen


def test_every_operation_answers_an_operator_as_its_description_says(api_schema, tokens):
    assert check_every_operation(api_schema, tokens["opera"]) >= 10


def test_every_operation_answers_a_partner_as_its_description_says(api_schema, tokens):
    assert check_every_operation(api_schema, tokens["ville"]) >= 10
