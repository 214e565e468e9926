"""schemathesis over the whole OpenAPI document with a valid admin token: no 5xx, every response as documented.

The number of generated cases is printed (`pytest -s` shows it).
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests.interfaces.api.conftest import Api

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def test_no_server_errors_and_every_response_as_documented(api: Api) -> None:
    api.add_environment("payments-dev", "payments")
    api.add_proposal("p-payments00001", "payments-dev", "payments")
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", api.client.app)
    headers = api.headers("admin")
    counts: dict[str, int] = {}
    for found in schema.get_all_operations():
        operation = found.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case: schemathesis.Case) -> None:
            counts[case.operation.label] = counts.get(case.operation.label, 0) + 1
            case.call_and_validate(headers=headers, checks=CHECKS)

        check()
    print(f"\nschemathesis: {sum(counts.values())} generated cases over {len(counts)} operations")
    assert len(counts) >= 19, counts  # every operation ran
