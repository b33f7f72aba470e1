"""Planned leave in Chromium: a manager records a week of his rep's leave on her target page
and removes it, the section swapped in place by htmx (no page load); a refused entry shows its
error next to the field. The CSP refuses nothing."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from dealbook.targets.models import PlannedLeave
from dealbook.targets.periods import local_today
from tests.personas import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_records_and_removes_leave_in_place(live_server, page, sign_in, csp_violations):
    world = build_world()
    li = world["li.rep"]
    first = local_today(ZoneInfo(world.org.time_zone)) + dt.timedelta(days=14)
    sign_in(page, "zhang.manager")
    page.goto(f"{live_server.url}/targets/people/{li.pk}/")
    page.evaluate("window.notReloaded = true")  # gone if the page loads again
    section = page.locator("#planned-leave")
    assert section.locator(".leave-empty").inner_text() == "No planned leave."

    page.fill("#id_start_date", (first + dt.timedelta(days=4)).isoformat())
    page.fill("#id_end_date", first.isoformat())
    page.click("#leave-submit")
    error = page.locator('[data-field="end_date"] .field-error')
    error.wait_for()
    assert error.inner_text() == "The last day cannot be before the first day."
    assert PlannedLeave.objects.count() == 0

    page.fill("#id_start_date", first.isoformat())
    page.fill("#id_end_date", (first + dt.timedelta(days=6)).isoformat())
    page.fill("#id_note", "Annual leave")
    page.click("#leave-submit")
    page.locator(".leave-notice").wait_for()
    assert page.locator(".leave-notice").inner_text() == "Planned leave recorded."
    row = page.locator(".leave-row")
    assert row.count() == 1
    assert row.get_attribute("data-start") == first.isoformat()
    assert "Annual leave" in row.inner_text()
    assert page.locator(".field-error").count() == 0
    assert page.input_value("#id_start_date") == ""
    entry = PlannedLeave.objects.get()
    assert (entry.user_id, entry.note) == (li.pk, "Annual leave")

    page.click(".leave-delete")
    page.locator(".leave-empty").wait_for()
    assert page.locator(".leave-notice").inner_text() == "Planned leave removed."
    assert PlannedLeave.objects.count() == 0
    assert page.evaluate("window.notReloaded") is True
    assert csp_violations == []
