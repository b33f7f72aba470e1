from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from dealbook.core.errors import StaleVersion
from dealbook.core.models import AuditEvent
from dealbook.core.money import Money, from_minor, round_to_currency, to_minor
from dealbook.core.text import fold, normalize_email, normalize_name, normalize_phone
from dealbook.core.writes import check_version


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("上海云帆科技有限公司", "上海云帆科技"),
        ("上海 云帆科技 有限公司", "上海云帆科技"),
        ("ＡＢＣ  Trading Co., Ltd.", "abctrading"),
        ("abc trading", "abctrading"),
        ("Northwind (China) Limited", "northwindchina"),
        ("华为技术有限公司", "华为技术"),
    ],
)
def test_normalize_name(raw, expected):
    assert normalize_name(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+86 138-0013-8000", "13800138000"),
        ("0086 13800138000", "13800138000"),
        ("１３８００１３８０００", "13800138000"),
        ("021-6234 5678", "02162345678"),
    ],
)
def test_normalize_phone(raw, expected):
    assert normalize_phone(raw) == expected


def test_normalize_email_and_fold():
    assert normalize_email(" Ｗｅｉ.Zhang@Example.COM ") == "wei.zhang@example.com"
    assert fold("  Hello\u3000 World ") == "hello world"


def test_money_round_trips_minor_units_exactly():
    assert to_minor(Decimal("12345.67"), "CNY") == 1234567
    assert from_minor(1234567, "CNY") == Decimal("12345.67")
    assert to_minor(Decimal("500"), "JPY") == 500
    assert Money.from_minor(199, "USD").amount == Decimal("1.99")
    assert round_to_currency(Decimal("0.125"), "CNY") == Decimal("0.13")
    # Written with the currency's places, whatever the amount (the API sends the text).
    assert [str(from_minor(m, "CNY")) for m in (0, 5, -250, 10**22)] == [
        "0.00",
        "0.05",
        "-2.50",
        "100000000000000000000.00",
    ]
    assert [str(from_minor(m, "JPY")) for m in (0, 500)] == ["0", "500"]


def test_money_refuses_sub_minor_precision_and_unknown_currency():
    with pytest.raises(ValueError, match="decimal places"):
        to_minor(Decimal("1.001"), "CNY")
    with pytest.raises(ValueError, match="Unsupported currency"):
        to_minor(Decimal(1), "XXX")


def test_check_version_refuses_stale():
    class Row:
        version = 3

    check_version(Row(), 3)
    check_version(Row(), None)
    with pytest.raises(StaleVersion) as caught:
        check_version(Row(), 2)
    assert (caught.value.status, caught.value.field, caught.value.current_version) == (
        412,
        "version",
        3,
    )


@pytest.mark.django_db
def test_audit_events_are_append_only(world):
    event = AuditEvent.objects.filter(org=world.org).first()
    assert event is not None
    event.verb = "tampered"
    with pytest.raises(TypeError, match="append-only"):
        event.save()
    with pytest.raises(TypeError, match="append-only"):
        event.delete()
    with pytest.raises(TypeError, match="append-only"):
        AuditEvent.objects.filter(pk=event.pk).update(verb="tampered")
    with pytest.raises(TypeError, match="append-only"):
        AuditEvent.objects.filter(pk=event.pk).delete()
    event.refresh_from_db()
    assert event.verb == "create"


@pytest.mark.django_db
def test_request_id_is_returned_and_recorded(world, api_as):
    response = api_as(world["li.rep"]).post(
        "accounts", {"name": "Traced Ltd"}, HTTP_X_REQUEST_ID="trace-123"
    )
    assert response.status_code == 201
    assert response["X-Request-ID"] == "trace-123"
    event = AuditEvent.objects.get(object_type="account", object_id=response.json()["id"])
    assert event.request_id == "trace-123"


@pytest.mark.django_db
def test_query_count_header_reports_the_queries_of_a_request(world, api_as, settings):
    settings.MIDDLEWARE = [
        "dealbook.core.middleware.QueryCountHeaderMiddleware",
        *settings.MIDDLEWARE,
    ]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api_as(world["li.rep"])
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("accounts")
    assert response.status_code == 200
    assert int(response["X-DB-Queries"]) == len(ctx.captured_queries)
    assert int(response["X-DB-Queries"]) > 0


@pytest.mark.parametrize(
    "value",
    [
        Decimal("118162720.00"),
        Decimal("-0.5"),
        dt.datetime(2026, 3, 5, 3, 30, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 5, 3, 30, 1, 123456, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 5, 11, 30, 0, 999, tzinfo=ZoneInfo("Asia/Shanghai")),
        dt.datetime(2026, 3, 5, 3, 30),
        dt.datetime(2026, 3, 5, 3, 30, 0, 500),
        dt.datetime(2026, 12, 31, 23, 59, 59, 999999, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
        dt.date(2026, 3, 5),
    ],
)
def test_the_api_writes_amounts_and_instants_as_ninjas_encoder_does(value):
    """The renderer's shortcuts for Decimals, dates and datetimes write the same text as the
    encoder they stand in for."""
    from ninja.responses import NinjaJSONEncoder

    from dealbook.core.api import OrjsonRenderer

    rendered = OrjsonRenderer().render(None, {"v": value}, response_status=200)
    assert json.loads(rendered)["v"] == NinjaJSONEncoder().default(value)
