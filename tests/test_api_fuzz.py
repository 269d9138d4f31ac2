"""Schemathesis fuzzes every operation of the OpenAPI schema against the live server: valid and invalid inputs,
bounded in examples. No answer may be a server error, and every answer must conform to the schema (status code,
content type, body)."""

import pytest
import schemathesis
from django.conf import settings as settings_module
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from outcomes import api_params, openapi
from tests.corpus import corpus_fixture  # noqa: F401

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = 20  # per operation and mode: enough to reach every parameter, small enough for the suite
ON_POSTGRESQL = pytest.mark.skipif(
    not settings_module.DATABASES["default"]["ENGINE"].endswith("postgresql"),
    reason="fuzzed once, on PostgreSQL (the production database); tests/test_api_contract.py runs on both",
)


def cases():
    """(path, name, mode) for every operation; invalid inputs only where there are parameters to make invalid."""
    for path, name, path_names in openapi.api_paths():
        yield path, name, GenerationMode.POSITIVE
        if path_names or api_params.list_parameters(name):
            yield path, name, GenerationMode.NEGATIVE


# The live server reads committed data: each test commits, then the database is flushed (tests/conftest.py puts
# back the data migrations' rows, countries and groups).
@ON_POSTGRESQL
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path, name, mode", list(cases()))
def test_no_input_breaks_the_api(corpus, live_server, path, name, mode):
    schema = schemathesis.openapi.from_dict(openapi.schema())
    operation = schema[path]["GET"]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
    def call(case):
        case.call_and_validate(base_url=live_server.url, checks=CHECKS)

    call()
