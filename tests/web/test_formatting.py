"""The `dealbook` template filters: money in the active language, dates in the org's zone."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.http import HttpResponse
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone, translation

from dealbook.core.money import Money
from dealbook.org.models import Organization, User
from dealbook.web.middleware import UserPreferencesMiddleware
from dealbook.web.templatetags.dealbook import minutes


def render(source: str, language: str = "en", zone: str = "Asia/Shanghai", **context) -> str:
    with translation.override(language), timezone.override(ZoneInfo(zone)):
        return Template("{% load dealbook %}" + source).render(Context(context))


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_money_groups_thousands_with_the_currencys_decimals(language):
    assert render("{{ m|money }}", language, m=Money(Decimal("1234567.5"), "CNY")) == (
        "CNY 1,234,567.50"
    )
    assert render("{{ a|money:'JPY' }}", language, a=Decimal("1234567")) == "JPY 1,234,567"
    assert render("{{ a|money:'USD' }}", language, a=Decimal("-999.999")) == "USD -1,000.00"
    assert render("{{ a|money_minor:'CNY' }}", language, a=123456789) == "CNY 1,234,567.89"
    assert render("{{ a|money }}", language, a=Decimal("12")) == "CNY 12.00"


def test_money_leaves_what_is_not_an_amount():
    assert render("[{{ a|money }}]", a=None) == "[]"
    assert render("{{ a|money }}", a="n/a") == "n/a"
    assert render("[{{ a|money_minor }}]", a="") == "[]"


def test_dates_and_times_are_shown_in_the_current_zone_in_the_language_format():
    moment = dt.datetime(2026, 3, 31, 17, 30, tzinfo=dt.UTC)  # 01:30 on 1 April in Shanghai
    assert render("{{ t|date }}", "en", t=moment) == "April 1, 2026"
    assert render("{{ t|date }}", "zh-hans", t=moment) == "2026年4月1日"
    assert render("{{ t|datetime }}", "zh-hans", t=moment) == "2026年4月1日 01:30"
    assert render("{{ t|date }}", "en", zone="Europe/London", t=moment) == "March 31, 2026"
    assert render('{{ t|date:"Y-m-d H:i" }}', "en", t=moment) == "2026-04-01 01:30"
    assert render("{{ d|date }}", "zh-hans", d=dt.date(2026, 9, 5)) == "2026年9月5日"
    assert render("[{{ t|datetime }}]", t=None) == "[]"


@pytest.mark.django_db
def test_pages_of_a_signed_in_user_use_their_organisations_zone(world, settings):
    """The middleware turns the organisation's zone on for the request, and off after it."""
    Organization.objects.filter(pk=world.org.pk).update(time_zone="America/New_York")
    request = RequestFactory().get("/")
    request.user = User.objects.get(pk=world["li.rep"].pk)
    middleware = UserPreferencesMiddleware(
        lambda request: HttpResponse(str(timezone.get_current_timezone()))
    )
    assert middleware(request).content.decode() == "America/New_York"
    assert str(timezone.get_current_timezone()) == settings.TIME_ZONE


def test_minutes():
    assert minutes(dt.timedelta(minutes=15)) == 15
    assert minutes(dt.timedelta(seconds=61)) == 2
    assert minutes(None) == 0
