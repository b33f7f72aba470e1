"""Bad input on every write operation: a 4xx naming the field, and nothing changed."""

from __future__ import annotations

import pytest
from django.db import connection

from dealbook.core.models import AuditEvent
from tests.flows.test_access_matrix import build_fixture
from tests.flows.test_audit_every_write import WRITES, _run

pytestmark = pytest.mark.django_db


def _takes_a_body(method: str, template: str) -> bool:
    from dealbook.config.api import api

    operation = api.get_openapi_schema()["paths"][template][method]
    return "requestBody" in operation


BODY_WRITES = [
    w for w in WRITES if w.method in {"post", "patch"} and _takes_a_body(w.method, w.template)
]


def _table_rows() -> dict[str, int]:
    """Row count of every Dealbook table: "nothing changed" made measurable."""
    counts = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            if table.split("_")[0] in {
                "core",
                "org",
                "customers",
                "leads",
                "pipeline",
                "activities",
                "targets",
            }:
                cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 - names from introspection
                counts[table] = cursor.fetchone()[0]
    return counts


def _with_body(write, transform):
    def request(fx):
        path, body = write.request(fx)
        return path, transform(dict(body or {}))

    return request


@pytest.mark.parametrize("write", BODY_WRITES, ids=lambda w: f"{w.method} {w.template}")
def test_unknown_field_is_named_and_changes_nothing(write, api_as):
    fx = build_fixture()
    before = _table_rows()
    status, events, body = _run(
        fx, api_as, write.persona, write.method, _with_body(write, lambda b: {**b, "colour": "red"})
    )
    assert status == 422, body
    assert b'"field": "colour"' in body
    assert events == []
    assert _table_rows() == before


@pytest.mark.parametrize(
    "write",
    [w for w in BODY_WRITES if w.method == "patch"],
    ids=lambda w: f"{w.method} {w.template}",
)
def test_stale_version_gets_412_and_changes_nothing(write, api_as):
    fx = build_fixture()
    status, events, body = _run(
        fx, api_as, write.persona, write.method, _with_body(write, lambda b: {**b, "version": 7})
    )
    assert status == 412, body
    assert b'"field": "version"' in body
    assert events == []


@pytest.mark.parametrize(
    "write",
    [w for w in BODY_WRITES if w.method == "patch"],
    ids=lambda w: f"{w.method} {w.template}",
)
def test_wrong_type_is_named(write, api_as):
    fx = build_fixture()
    status, events, body = _run(
        fx,
        api_as,
        write.persona,
        write.method,
        _with_body(write, lambda b: {**b, "version": "one"}),
    )
    assert status == 422, body
    assert b'"field": "version"' in body
    assert events == []


CREATES = [w for w in BODY_WRITES if w.verb == "create" and w.method == "post"]


@pytest.mark.parametrize("write", CREATES, ids=lambda w: w.template)
def test_missing_required_field_is_named(write, api_as):
    fx = build_fixture()
    before = _table_rows()
    status, events, body = _run(
        fx, api_as, write.persona, write.method, _with_body(write, lambda b: {})
    )
    assert status == 422, body
    assert b'"code": "missing"' in body
    assert events == []
    assert _table_rows() == before


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("contacts", {"account_id": 999_999, "name": "X"}, "account_id"),
        ("deals", {"account_id": 999_999, "name": "X"}, "account_id"),
        ("activities", {"kind": "call", "subject": "X", "account_id": 999_999}, "account_id"),
        ("activities", {"kind": "call", "subject": "X", "deal_id": 999_999}, "deal_id"),
        ("accounts", {"name": "X", "owner_id": 999_999}, "owner_id"),
        (
            "targets",
            {
                "metric": "deals_won",
                "scope": "person",
                "user_id": 999_999,
                "period_kind": "quarter",
                "start_date": "2026-04-01",
                "amount": "1",
            },
            "user_id",
        ),
        (
            "targets/planned-leave",
            {"user_id": 999_999, "start_date": "2026-07-06", "end_date": "2026-07-10"},
            "user_id",
        ),
    ],
)
def test_unknown_referenced_id_is_named(path, body, field, api_as):
    fx = build_fixture()
    before = _table_rows()
    response = api_as(fx.world["li.rep"]).post(path, body)
    assert response.status_code == 422, response.content
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert _table_rows() == before
    assert not AuditEvent.objects.filter(actor=fx.world["li.rep"]).exists()
