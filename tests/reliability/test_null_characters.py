"""A NUL in any string input is refused with a located 422 and changes nothing.

PostgreSQL cannot store or compare a NUL, so without the API-wide refusal (core.api) each of
these was a 500 there; schemathesis found the first one. Search cleans its query itself.
"""

from __future__ import annotations

import pytest

from dealbook.core.models import AuditEvent
from dealbook.customers.models import Account
from dealbook.pipeline.models import Deal
from tests.reliability.records import build_records

pytestmark = pytest.mark.django_db


@pytest.fixture
def records():
    return build_records()


def _refused(response, field: str) -> None:
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "validation_failed"
    assert [(e["field"], e["code"]) for e in body["errors"]] == [(field, "null_characters")]


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("accounts", {"name": "Huaxin\x00 Ltd"}, "name"),
        ("leads", {"name": "Lead", "company": "\x00"}, "company"),
        ("pipelines", {"name": "P\x00"}, "name"),
        ("org/tokens", {"name": "\x00"}, "name"),
    ],
)
def test_a_nul_in_a_body_is_refused(records, api_as, path, body, field):
    world, _ = records
    events, accounts = AuditEvent.objects.count(), Account.objects.count()
    _refused(api_as(world["admin"]).post(path, body), field)
    assert (AuditEvent.objects.count(), Account.objects.count()) == (events, accounts)


def test_a_nul_in_a_nested_field_is_named_with_its_path(records, api_as):
    world, ids = records
    deal_id = ids["deal_id"][0]
    deal = Deal.objects.get(pk=deal_id)
    response = api_as(world["li.rep"]).patch(
        f"deals/{deal_id}", {"version": deal.version, "next_step": "call\x00back"}
    )
    _refused(response, "next_step")
    deal.refresh_from_db()
    assert deal.next_step == ""


@pytest.mark.parametrize(
    ("path", "field"),
    [("accounts?q=a%00", "q"), ("deals?q=%00", "q"), ("accounts/duplicates?name=%00x", "name")],
)
def test_a_nul_in_a_query_parameter_is_refused(records, api_as, path, field):
    world, _ = records
    _refused(api_as(world["admin"]).get(path), field)


def test_search_cleans_its_query_instead(records, api_as):
    world, _ = records
    response = api_as(world["admin"]).get("search?q=Tr%00ading")
    assert response.status_code == 200
    assert response.json()["query"] == "Trading"
