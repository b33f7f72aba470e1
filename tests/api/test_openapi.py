"""The OpenAPI document describes every operation with typed request and response schemas."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

# Every operation the core issue promises: CRUD for each entity and the domain actions.
EXPECTED_OPERATIONS = {
    ("get", "/api/v1/accounts"),
    ("post", "/api/v1/accounts"),
    ("get", "/api/v1/accounts/{account_id}"),
    ("patch", "/api/v1/accounts/{account_id}"),
    ("delete", "/api/v1/accounts/{account_id}"),
    ("post", "/api/v1/accounts/{account_id}/merge"),
    ("post", "/api/v1/accounts/{account_id}/claim"),
    ("post", "/api/v1/accounts/{account_id}/release"),
    ("get", "/api/v1/accounts/pool"),
    ("get", "/api/v1/accounts/duplicates"),
    ("get", "/api/v1/contacts"),
    ("post", "/api/v1/contacts"),
    ("get", "/api/v1/contacts/{contact_id}"),
    ("patch", "/api/v1/contacts/{contact_id}"),
    ("delete", "/api/v1/contacts/{contact_id}"),
    ("get", "/api/v1/leads"),
    ("post", "/api/v1/leads"),
    ("get", "/api/v1/leads/{lead_id}"),
    ("patch", "/api/v1/leads/{lead_id}"),
    ("delete", "/api/v1/leads/{lead_id}"),
    ("post", "/api/v1/leads/{lead_id}/qualify"),
    ("post", "/api/v1/leads/{lead_id}/disqualify"),
    ("post", "/api/v1/leads/{lead_id}/convert"),
    ("post", "/api/v1/leads/{lead_id}/claim"),
    ("post", "/api/v1/leads/{lead_id}/release"),
    ("get", "/api/v1/leads/pool"),
    ("get", "/api/v1/leads/assignment-rules"),
    ("post", "/api/v1/leads/assignment-rules"),
    ("get", "/api/v1/pipelines"),
    ("get", "/api/v1/pipelines/{pipeline_id}/stages"),
    ("get", "/api/v1/deals"),
    ("post", "/api/v1/deals"),
    ("get", "/api/v1/deals/{deal_id}"),
    ("patch", "/api/v1/deals/{deal_id}"),
    ("delete", "/api/v1/deals/{deal_id}"),
    ("post", "/api/v1/deals/{deal_id}/move"),
    ("post", "/api/v1/deals/{deal_id}/win"),
    ("post", "/api/v1/deals/{deal_id}/lose"),
    ("get", "/api/v1/deals/{deal_id}/history"),
    ("get", "/api/v1/deals/{deal_id}/line-items"),
    ("post", "/api/v1/deals/{deal_id}/line-items"),
    ("get", "/api/v1/activities"),
    ("post", "/api/v1/activities"),
    ("get", "/api/v1/activities/{activity_id}"),
    ("patch", "/api/v1/activities/{activity_id}"),
    ("delete", "/api/v1/activities/{activity_id}"),
    ("post", "/api/v1/activities/{activity_id}/complete"),
    ("get", "/api/v1/activities/timeline/account/{account_id}"),
    ("get", "/api/v1/activities/timeline/deal/{deal_id}"),
    ("post", "/api/v1/org/shares"),
    ("post", "/api/v1/org/tokens"),
    ("get", "/api/v1/org/me"),
}


@pytest.fixture(scope="module")
def openapi():
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def _operations(openapi):
    for path, item in openapi["paths"].items():
        for method, operation in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield method, path, operation


def test_every_promised_operation_is_documented(openapi):
    documented = {(method, path) for method, path, _ in _operations(openapi)}
    assert EXPECTED_OPERATIONS - documented == set()


def test_every_operation_has_typed_schemas_and_declared_errors(openapi):
    problems = []
    for method, path, operation in _operations(openapi):
        name = f"{method.upper()} {path}"
        success = [code for code in operation["responses"] if code.startswith("2")]
        if len(success) != 1:
            problems.append(f"{name}: success responses {success}")
            continue
        code = success[0]
        if code != "204":
            content = operation["responses"][code].get("content", {})
            schema = content.get("application/json", {}).get("schema", {})
            if not schema:
                problems.append(f"{name}: untyped {code} response")
        for error in ("401", "404" if "{" in path else "401"):
            if error not in operation["responses"]:
                problems.append(f"{name}: {error} not declared")
        if method in {"post", "patch", "put"} and "requestBody" in operation:
            body = operation["requestBody"]["content"]["application/json"]["schema"]
            if "$ref" not in body:
                problems.append(f"{name}: request body is not a named schema")
        if method == "patch":
            ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
            schema = openapi["components"]["schemas"][ref.rsplit("/", 1)[1]]
            if "version" not in schema.get("required", []):
                problems.append(f"{name}: version is not required")
        if not operation.get("summary"):
            problems.append(f"{name}: no summary")
    assert problems == []


def test_input_schemas_forbid_unknown_fields(openapi):
    inputs = [
        (name, schema)
        for name, schema in openapi["components"]["schemas"].items()
        if name.endswith(("In", "Patch"))
    ]
    assert len(inputs) >= 10
    assert [
        name for name, schema in inputs if schema.get("additionalProperties") is not False
    ] == []


def test_docs_page_renders_locally():
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui-bundle.js" in html
    assert "cdn." not in html
    assert Client().get("/static/ninja/swagger-ui-bundle.js").status_code == 200
