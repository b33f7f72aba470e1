"""API conventions shared by every router: problem+json errors, pages, list parameters."""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Annotated, Any

import orjson
from django.core.exceptions import ImproperlyConfigured
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, NinjaAPI, Schema
from ninja.openapi.schema import OpenAPISchema
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder
from pydantic import BaseModel, BeforeValidator, ConfigDict, create_model

from dealbook.core.errors import DomainError, FieldError
from dealbook.core.pagination import Page

MAX_ID = 9_223_372_036_854_775_807  # the largest BigAutoField id
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _integer_only(value: Any) -> Any:
    """JSON integers only: pydantic's lax mode would take true / "5" for 1 / 5."""
    if isinstance(value, bool | str):
        raise ValueError("Input should be a valid integer")
    return value


def _iso_date_only(value: Any) -> Any:
    """YYYY-MM-DD only: pydantic's lax mode would read 0 or "0" as 1970-01-01."""
    if isinstance(value, dt.date) or (isinstance(value, str) and _ISO_DATE.fullmatch(value)):
        return value
    raise ValueError("Input should be a date as YYYY-MM-DD")


JsonInt = Annotated[int, BeforeValidator(_integer_only)]
DateValue = Annotated[dt.date, BeforeValidator(_iso_date_only)]

PROBLEM_CONTENT_TYPE = "application/problem+json"
# Each problem's title, in the language of the request like its detail (RFC 9457: it may
# change between occurrences for localisation only).
TITLES = {
    400: gettext_lazy("Bad request"),
    401: gettext_lazy("Authentication required"),
    403: gettext_lazy("Forbidden"),
    404: gettext_lazy("Not found"),
    405: gettext_lazy("Method not allowed"),
    409: gettext_lazy("Conflict"),
    412: gettext_lazy("Precondition failed"),
    422: gettext_lazy("Unprocessable entity"),
    429: gettext_lazy("Too many requests"),
}


class FieldErrorOut(Schema):
    field: str
    message: str
    code: str


class ProblemOut(Schema):
    """RFC 9457 problem details, with the fields at fault."""

    type: str
    title: str
    status: int
    code: str
    detail: str
    errors: list[FieldErrorOut]


# Declared on every operation, so clients (and schemathesis) know each 4xx.
READ_ERRORS = {401: ProblemOut, 403: ProblemOut, 404: ProblemOut, 422: ProblemOut}
WRITE_ERRORS = {
    400: ProblemOut,
    401: ProblemOut,
    403: ProblemOut,
    404: ProblemOut,
    409: ProblemOut,
    412: ProblemOut,
    422: ProblemOut,
}
LIST_ERRORS = {400: ProblemOut, 401: ProblemOut, 403: ProblemOut, 422: ProblemOut}


def problem(
    status: int, code: str, detail: str, errors: list[FieldError] | None = None
) -> HttpResponse:
    body = {
        "type": f"https://dealbook.dev/problems/{code}",
        "title": str(TITLES.get(status, gettext_lazy("Error"))),
        "status": status,
        "code": code,
        "detail": detail,
        "errors": [{"field": e.field, "message": e.message, "code": e.code} for e in errors or []],
    }
    return HttpResponse(
        json.dumps(body, ensure_ascii=False), status=status, content_type=PROBLEM_CONTENT_TYPE
    )


def domain_error_response(_request: HttpRequest, exc: DomainError) -> HttpResponse:
    return problem(exc.status, exc.code, exc.message, exc.errors)


def _field_path(loc: tuple[Any, ...] | list[Any]) -> str:
    """('body', 'payload', 'lines', 0, 'amount') → 'lines[0].amount'; query/path params by name."""
    parts = list(loc)
    if parts and parts[0] in {"body", "query", "path", "header", "cookie", "form"}:
        source = parts.pop(0)
        if source == "body" and len(parts) > 1 and parts[0] == "payload":
            parts.pop(0)
        elif source == "body" and len(parts) == 1 and parts[0] == "payload":
            parts = ["body"]
    path = ""
    for part in parts:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "body"


def validation_error_response(_request: HttpRequest, exc: Any) -> HttpResponse:
    errors = [
        FieldError(
            field=_field_path(err.get("loc", ())),
            message=err.get("msg", "Invalid value."),
            code=str(err.get("type", "invalid")),
        )
        for err in exc.errors
    ]
    detail = "; ".join(f"{e.field}: {e.message}" for e in errors) or "Invalid input."
    return problem(422, "validation_failed", detail, errors)


class _UniqueNamesOpenAPISchema(OpenAPISchema):
    """ninja files every schema component under its class name, and a second, different class
    of the same name silently replaces the first (then an endpoint is documented with another's
    shape). Refuse that instead: name the classes apart."""

    def add_schema_definitions(self, definitions: dict) -> None:
        for name, definition in definitions.items():
            known = self.schemas.get(name)
            if known is not None and known != definition:
                raise ImproperlyConfigured(
                    f"Two different API schemas are both named {name!r}; rename one of them."
                )
        super().add_schema_definitions(definitions)


def _null_character_fields(value: Any, path: str) -> Iterator[str]:
    """The paths (as validation errors name them) of the strings in `value` holding a NUL."""
    if isinstance(value, str):
        if "\x00" in value:
            yield path or "body"
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _null_character_fields(getattr(value, name), f"{path}.{name}".lstrip("."))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _null_character_fields(str(key), path)
            yield from _null_character_fields(item, f"{path}.{key}".lstrip("."))
    elif isinstance(value, list | tuple | set | frozenset):
        for index, item in enumerate(value):
            yield from _null_character_fields(item, f"{path}[{index}]")


def null_characters_allowed[F: Callable[..., Any]](view: F) -> F:
    """Mark an operation that cleans NULs out of its input itself (e.g. a forgiving search)."""
    view.null_characters_allowed = True  # type: ignore[attr-defined]
    return view


def refuse_null_characters(view: Callable[..., Any]) -> Callable[..., Any]:
    """422 for a NUL in any string input, as Django's form fields do: PostgreSQL cannot store
    one (nor compare with one), so it would otherwise surface as a 500 there."""
    if getattr(view, "null_characters_allowed", False):
        return view

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        fields = [
            field
            for name, value in kwargs.items()
            for field in _null_character_fields(value, "" if isinstance(value, BaseModel) else name)
        ]
        if fields:
            message = _("Null characters are not allowed.")
            errors = [FieldError(field=f, message=message, code="null_characters") for f in fields]
            detail = "; ".join(f"{e.field}: {e.message}" for e in errors)
            return problem(422, "validation_failed", detail, errors)
        return view(request, *args, **kwargs)

    return wrapper


_ninja_encoder = NinjaJSONEncoder()


def _json_default(value: Any) -> Any:
    """What ninja's encoder writes for `value`. Amounts, days and instants, most of a list's
    values orjson leaves to us, skip ninja's own type tests: a Decimal is its text, a date or
    a datetime goes straight to Django's encoder (whose first tests they are)."""
    kind = type(value)
    if kind is Decimal:
        return str(value)
    if kind is dt.datetime or kind is dt.date:
        return DjangoJSONEncoder.default(_ninja_encoder, value)
    return _ninja_encoder.default(value)


class OrjsonRenderer(JSONRenderer):
    """ninja's JSON, written by orjson: the same document (dates, times, Decimals and lazy
    strings still go through ninja's encoder), in a tenth of the time for a page of deals."""

    def render(self, request: HttpRequest, data: Any, *, response_status: int) -> Any:
        return orjson.dumps(data, default=_json_default, option=orjson.OPT_PASSTHROUGH_DATETIME)


def json_answer(data: Any, *, status: int = 200) -> HttpResponse:
    """An answer already built in its schema's shape (see analytics.schemas.home_answer),
    written as the renderer writes every other: for the few answers whose validation cost
    more than their reads. Tests hold each such answer equal to its schema's."""
    renderer = OrjsonRenderer()
    return HttpResponse(
        renderer.render(None, data, response_status=status),  # type: ignore[arg-type]
        status=status,
        content_type=f"{renderer.media_type}; charset={renderer.charset}",
    )


class OutModel(BaseModel):
    """An answer read straight from a model's attributes by pydantic's core.

    ninja's Schema wraps every object (nested ones too) in a Python attribute getter with
    resolvers; for the lists and details read most, that costs more than the query. These
    answers take their computed values from model properties instead.
    """

    model_config = ConfigDict(from_attributes=True)


class ProblemJsonAPI(NinjaAPI):
    """A NinjaAPI whose OpenAPI document says what error responses really are.

    ninja documents every response as application/json; errors are sent (by `problem`) as
    application/problem+json, so every 4xx/5xx response is re-labelled here, once for all.
    Component names are checked to be unique (see _UniqueNamesOpenAPISchema). Every
    operation refuses NUL characters in its input (see refuse_null_characters).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("renderer", OrjsonRenderer())
        super().__init__(*args, **kwargs)
        # "operation": after authentication and validation, on the validated values.
        self.add_decorator(refuse_null_characters, mode="operation")

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> Any:
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        schema = _UniqueNamesOpenAPISchema(api=self, path_prefix=path_prefix)
        for item in schema.get("paths", {}).values():
            for operation in item.values():
                responses = operation.get("responses", {}) if isinstance(operation, dict) else {}
                for status, response in responses.items():
                    content = response.get("content")
                    if str(status)[:1] in {"4", "5"} and content and "application/json" in content:
                        content[PROBLEM_CONTENT_TYPE] = content.pop("application/json")
        return schema


class InSchema(Schema):
    """Base of every input schema: unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class VersionedPatch(InSchema):
    version: JsonInt = Field(
        ..., ge=1, le=2_000_000_000, description="The version you read; a stale one gets 412."
    )


def page_schema(item: type[Schema], name: str) -> type[Schema]:
    return create_model(  # type: ignore[call-overload]
        name,
        __base__=Schema,
        items=(list[item], ...),  # type: ignore[valid-type]
        count=(int, Field(..., description="Matching rows, capped at 1000 unless count_is_exact.")),
        count_is_exact=(bool, ...),
        limit=(int, ...),
        offset=(int, ...),
        has_more=(bool, ...),
    )


def page_out(page: Page) -> dict[str, Any]:
    return {
        "items": page.items,
        "count": page.count,
        "count_is_exact": page.count_is_exact,
        "limit": page.limit,
        "offset": page.offset,
        "has_more": page.has_more,
    }


class PageParams(Schema):
    limit: int = Field(25, ge=1, le=200)
    offset: int = Field(0, ge=0, le=100_000)
