"""Schemathesis against /api/v1/openapi.json, in-process, every operation, as a rep and an admin.

Each generated request runs inside a savepoint that is rolled back, so every example meets the
same records (the persona world plus a few records of each kind, whose ids are fed to the path
parameters). Counted: operations, requests, server errors, schema violations — all must be 0.
"""

from __future__ import annotations

import itertools
from collections import Counter

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.failures import Failure, FailureGroup, ServerError

from dealbook.config.wsgi import application
from dealbook.org import services as org_services
from tests.reliability.records import build_records

pytestmark = pytest.mark.django_db

MODES = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
# Random cases per operation, persona and mode, on top of the coverage phase's ~20 valid and
# ~14 invalid ones per operation: the file stays under 3 minutes on 2 cores (PostgreSQL too).
MAX_EXAMPLES = 4
FUZZ_SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    database=None,  # no example database: the same cases on every machine, in CI too
    derandomize=True,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],  # failures are collected and listed, not shrunk
    suppress_health_check=list(HealthCheck),
)

# positive_data_acceptance is left out on purpose: schema-valid input is refused for business
# reasons (412 stale version, 409 duplicate, 422 unknown id or a stage's missing required
# field, 403 for the rep), and those refusals are declared. The checks below are what the
# issue asks for: no 5xx, and every response (status, content type, headers, body) as documented.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


@pytest.fixture
def in_process_requests():
    """Keep the test's connection (and transaction) across in-process WSGI requests.

    Django closes a connection whose autocommit differs from its settings when a request starts
    or ends, which inside the test transaction would poison it; django.test.Client avoids that
    the same way.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _with_known_ids(operation, mode: GenerationMode, ids: dict[str, list[int]]):
    """Cases for `operation`, half of them aimed at records that exist."""
    generated = operation.as_strategy(generation_mode=mode)
    names = [p.name for p in operation.path_parameters]
    if not names or any(name not in ids for name in names):
        return generated
    aimed = [
        operation.as_strategy(
            generation_mode=mode, path_parameters=dict(zip(names, combo, strict=True))
        )
        for combo in itertools.product(*(ids[name] for name in names))
    ]
    return st.one_of(generated, st.one_of(aimed))


def _token(user, ids: dict[str, list[int]]) -> str:
    token, raw = org_services.api_token_create(actor=user, name="schemathesis")
    ids.setdefault("token_id", []).append(token.pk)
    return raw


# Invalid input is refused by validation before any persona-specific code runs, so the coverage
# phase's invalid cases run once, as the admin; its valid ones run for both personas.
@pytest.mark.parametrize(
    ("persona", "coverage_modes"),
    [("li.rep", [GenerationMode.POSITIVE]), ("admin", MODES)],
    ids=["li.rep", "admin"],
)
def test_every_operation_conforms(persona, coverage_modes, in_process_requests, record_figure):
    world, ids = build_records()
    headers = {"Authorization": f"Bearer {_token(world[persona], ids)}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    operations = [result.ok() for result in schema.get_all_operations()]
    statuses: Counter[int] = Counter()
    server_errors: list[str] = []
    violations: list[str] = []

    def check(case) -> None:
        """Send one case, validate the answer, undo whatever it changed."""
        with transaction.atomic():
            response = case.call(headers=headers)
            statuses[response.status_code] += 1
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except FailureGroup as group:
                for failure in group.exceptions:
                    _collect(failure, case, response, server_errors, violations)
            transaction.set_rollback(True)

    for operation in operations:
        # The coverage phase: deterministic boundary values (min / max lengths and numbers,
        # enum values, missing and wrong-typed fields, unexpected methods), valid and invalid.
        # Invalid cases come in ~3 variants per scenario (a wrong type: number, array, …); one
        # of each scenario per operation is enough, and keeps the file within its time.
        scenarios: set[tuple[str, str | None]] = set()
        for case in schema.iter_coverage_cases(
            operation,
            generation_modes=coverage_modes,
            generation_config=schema.config.generation_for(operation=operation),
        ):
            if _is_negative(case):
                scenario = (case.method, _scenario(case))
                if scenario[1] is not None and scenario in scenarios:
                    continue
                scenarios.add(scenario)
            check(case)
        # Then random cases, valid and invalid, half of them aimed at records that exist.
        for mode in MODES:
            _fuzz(_with_known_ids(operation, mode, ids), check)

    requests = sum(statuses.values())
    record_figure("schemathesis_operations", len(operations))
    record_figure("schemathesis_personas", 1)
    record_figure("schemathesis_requests", requests)
    record_figure("schemathesis_server_errors", len(server_errors))
    record_figure("schemathesis_schema_violations", len(violations))
    assert len(operations) >= 70
    assert not server_errors, "\n".join(server_errors)
    assert not violations, "\n".join(violations)
    # The requests reached the handlers, not only the validation layer.
    assert statuses[200] + statuses[201] + statuses[204] > requests // 10, statuses


def _is_negative(case) -> bool:
    return case.meta is not None and case.meta.generation.mode == GenerationMode.NEGATIVE


def _scenario(case) -> str | None:
    """What a coverage case tries ("name: Incorrect type", "Missing request body"…)."""
    return getattr(case.meta.phase.data, "description", None)


def _fuzz(strategy, check) -> None:
    @FUZZ_SETTINGS
    @given(case=strategy)
    def run(case):
        check(case)

    run()


def _collect(failure: Failure, case, response, server_errors: list[str], violations: list[str]):
    line = (
        f"{case.operation.label} [{case.meta.generation.mode.value if case.meta else '?'}] "
        f"→ {response.status_code}: {failure.title}: {failure.message[:300]} "
        f"(path={case.path_parameters} query={case.query} body={str(case.body)[:200]})"
    )
    (server_errors if isinstance(failure, ServerError) else violations).append(line)
