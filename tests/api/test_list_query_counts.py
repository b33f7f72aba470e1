"""Every paginated list endpoint costs no more queries for 20 rows than for 2."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from dealbook.demo.build import build_demo
from dealbook.org.models import User

pytestmark = pytest.mark.django_db


def _paginated_lists() -> list[str]:
    openapi = Client().get("/api/v1/openapi.json").json()
    schemas = openapi["components"]["schemas"]
    paths = []
    for path, item in openapi["paths"].items():
        operation = item.get("get")
        if operation is None or "{" in path:
            continue
        ref = operation["responses"]["200"]["content"]["application/json"]["schema"].get("$ref", "")
        properties = schemas.get(ref.rsplit("/", 1)[-1], {}).get("properties", {})
        if {"items", "has_more", "count"} <= set(properties):
            paths.append(path)
    return sorted(paths)


def test_the_paginated_lists_are_found():
    assert {"/api/v1/accounts", "/api/v1/deals", "/api/v1/leads", "/api/v1/activities"} <= set(
        _paginated_lists()
    )


@pytest.mark.parametrize("login", ["admin", "zhang.manager", "li.rep"])
def test_list_query_counts_do_not_grow_with_page_size(login, api_as):
    build_demo(seed=7, scale=0.05)
    client = api_as(User.objects.get(username=login))
    problems = []
    for path in _paginated_lists():
        counts = []
        for limit in (2, 20):
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(path, {"limit": limit})
            assert response.status_code == 200, (path, response.content)
            counts.append((len(ctx.captured_queries), len(response.json()["items"])))
        (small, small_rows), (large, large_rows) = counts
        # A page that holds every match skips the count query, so it may cost one less.
        if large > small or (large_rows == 20 and large != small):
            problems.append(
                f"{path}: {small} queries for {small_rows} rows, {large} for {large_rows}"
            )
    assert problems == []
