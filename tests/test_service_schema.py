"""Property-based API test: schemathesis generates requests from ``/openapi.json`` and the real
server (SQLite and PostgreSQL) must never answer with a server error, nor with a status code,
content type or body that the document does not describe."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests._service_fixtures import BACKENDS, Server, service_server

#: Operations not fuzzed: revoking tokens would revoke the tests' own; runs would queue work
#: for the workers of other tests (both are tested explicitly).
SKIPPED = {
    ("DELETE", "/admin/tokens/{token_id}"),
    ("POST", "/runs"),
    ("POST", "/runs/{run_id}/retry"),
}
EXAMPLES_PER_OPERATION = 15
#: What every response must satisfy.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="session", params=BACKENDS)
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Server:
    return service_server(request.param, tmp_path_factory)


def operations(server: Server) -> list[Any]:
    with server.client() as client:
        document = client.get("/openapi.json").json()
    schema = schemathesis.openapi.from_dict(document)
    found = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    return [op for op in found if (op.method.upper(), op.path) not in SKIPPED]


def test_generated_requests_get_documented_answers_and_no_server_errors(server: Server) -> None:
    ops = operations(server)
    assert len(ops) >= 20
    whos = ["admin", "planner", "grid", sorted(server.needs["organisation_id"].unique())[0]]
    errors: list[str] = []
    for operation in ops:
        cases = st.one_of(
            operation.as_strategy(GenerationMode.POSITIVE),
            operation.as_strategy(GenerationMode.NEGATIVE),
        )

        @given(case=cases, who=st.sampled_from([*whos, None]))
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            derandomize=True,  # the same cases every run: CI does not depend on luck
            suppress_health_check=list(HealthCheck),
        )
        def check(case: Any, who: str | None) -> None:
            headers = {"Authorization": f"Bearer {server.tokens[who]}"} if who else {}
            response = case.call(base_url=server.url, headers=headers, timeout=60)
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except (Failure, FailureGroup) as failure:
                first = [line for line in str(failure).splitlines() if line.strip()][1:4]
                where = f"{case.method} {case.formatted_path}"
                errors.append(f"{where}: {response.status_code} {first}")

        check()
    assert not errors, "\n".join(errors)
