"""A person's target page: their attainment period by period, and their planned leave.

Planned leave is the days a person will not sell (holiday, training, parental leave); target
recommendations and cascades by capacity count its working days as lost capacity. Whoever
reads the person's targets sees it; the managers above them, the director and admins record
and remove it here (from htmx: the section is swapped in place; without: back to the page).
A thin skin over `targets.selectors` and `targets.services`, like the rest of the targets pages.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from dealbook.core.errors import DomainError, NotFound, PermissionDenied
from dealbook.org import selectors as org_selectors
from dealbook.org.models import User
from dealbook.targets import policies, selectors, services
from dealbook.targets.enums import LEAVE_NOTE_MAX, MetricKey, TargetStatus
from dealbook.targets.metrics import metric
from dealbook.targets.periods import PeriodKind
from dealbook.web.forms import place_errors, styled
from dealbook.web.views_targets import _metric_choices, _reader, _today, _unit_spec

HISTORY_PERIODS = 8
# The leave listed: what is still to come, and what ended in the last RECENT_LEAVE_DAYS days.
RECENT_LEAVE_DAYS = 90
LEAVE_ROWS = 50


class HistoryForm(forms.Form):
    metric = forms.ChoiceField(label=_("Metric"), required=False)
    period_kind = forms.ChoiceField(label=_("Periods"), required=False, choices=PeriodKind.choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["metric"].choices = _metric_choices()  # type: ignore[attr-defined]
        styled(self)


class LeaveForm(forms.Form):
    start_date = forms.DateField(
        label=_("First day"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end_date = forms.DateField(
        label=_("Last day"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Included."),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=LEAVE_NOTE_MAX,
        help_text=_("Holiday, training, parental leave…"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        styled(self)


def _visible_person(actor: User, user_id: int) -> User:
    """The person, when `actor` reads their targets (else a 404)."""
    try:
        person = org_selectors.user_get(actor=actor, user_id=user_id)
    except NotFound:
        raise Http404 from None
    if not policies.can_see_person(actor, person.pk):
        raise Http404
    return person


def _leave_context(
    actor: User, person: User, form: LeaveForm | None = None, *, notice: str = ""
) -> dict[str, Any]:
    today = _today(actor)
    leave = selectors.planned_leave_list(
        actor=actor, user_id=person.pk, from_date=today - dt.timedelta(days=RECENT_LEAVE_DAYS)
    )[:LEAVE_ROWS]
    return {
        "person": person,
        "leave_rows": [
            {
                "leave": entry,
                "is_past": entry.end_date < today,
                "is_now": entry.start_date <= today <= entry.end_date,
            }
            for entry in leave
        ],
        "can_set_leave": selectors.can_set_leave(actor=actor, user_id=person.pk),
        "leave_form": form or LeaveForm(),
        "leave_notice": notice,
        "recent_leave_days": RECENT_LEAVE_DAYS,
    }


def _history_page(
    request: HttpRequest, actor: User, person: User, leave_form: LeaveForm | None = None
) -> dict[str, Any]:
    """The whole page's context: the history chosen by the query string, and the leave."""
    form = HistoryForm(request.GET or None)
    cleaned = form.cleaned_data if form.is_valid() else {}
    metric_key = cleaned.get("metric") or MetricKey.REVENUE_WON.value
    period_kind = cleaned.get("period_kind") or PeriodKind.QUARTER.value
    if not form.is_bound or not form.is_valid():
        form = HistoryForm(initial={"metric": metric_key, "period_kind": period_kind})
    try:
        rows = selectors.person_history(
            actor=actor,
            user_id=person.pk,
            metric_key=metric_key,
            period_kind=period_kind,
            count=HISTORY_PERIODS,
        )
    except NotFound:
        raise Http404 from None
    chart = json.dumps(
        {
            "categories": [row.period.label for row in rows],
            "series": [
                {
                    "name": str(_("Target")),
                    "data": [None if row.amount is None else str(row.amount) for row in rows],
                },
                {"name": str(_("Actual")), "data": [str(row.actual) for row in rows]},
            ],
            "links": [
                reverse("target_detail", args=[row.target_id]) if row.target_id else None
                for row in rows
            ],
        }
    )
    return {
        "form": form,
        "metric": metric(metric_key),
        "unit_spec": _unit_spec(actor, metric_key),
        "rows": [
            {
                "period": row.period,
                "target_id": row.target_id,
                "target_status": row.target_status,
                "status_label": TargetStatus(row.target_status).label if row.target_status else "",
                "amount": row.amount,
                "actual": row.actual,
                "percent": row.percent,
            }
            for row in reversed(rows)
        ],
        "chart": chart,
        **_leave_context(actor, person, leave_form),
    }


@login_required
@require_GET
def target_person_history(request: HttpRequest, user_id: int) -> HttpResponse:
    actor = _reader(request)
    person = _visible_person(actor, user_id)
    return render(request, "web/targets/person_history.html", _history_page(request, actor, person))


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _leave_answer(
    request: HttpRequest,
    actor: User,
    person: User,
    form: LeaveForm | None = None,
    *,
    notice: str = "",
) -> HttpResponse:
    """Done (no `form`): from htmx, the refreshed leave section saying `notice`; without,
    back to the person's page. Refused (the `form` with its errors, 422): from htmx the
    section, without the whole page."""
    if _is_htmx(request):
        context = _leave_context(actor, person, form, notice=notice)
        status = 422 if form is not None else 200
        return render(request, "web/targets/partials/leave.html", context, status=status)
    if form is None:
        return HttpResponseRedirect(
            reverse("target_person_history", args=[person.pk]) + "#planned-leave"
        )
    context = _history_page(request, actor, person, form)
    return render(request, "web/targets/person_history.html", context, status=422)


@login_required
@require_POST
def target_leave_add(request: HttpRequest, user_id: int) -> HttpResponse:
    actor = _reader(request)
    person = _visible_person(actor, user_id)
    if not selectors.can_set_leave(actor=actor, user_id=person.pk):
        return HttpResponse(_("You cannot record this person's planned leave."), status=403)
    form = LeaveForm(request.POST)
    if not form.is_valid():
        return _leave_answer(request, actor, person, form)
    try:
        services.planned_leave_create(
            actor=actor,
            user_id=person.pk,
            start_date=form.cleaned_data["start_date"],
            end_date=form.cleaned_data["end_date"],
            note=form.cleaned_data["note"],
        )
    except PermissionDenied as refused:
        return HttpResponse(refused.message, status=403)
    except DomainError as error:
        place_errors(form, error, names={})
        return _leave_answer(request, actor, person, form)
    return _leave_answer(request, actor, person, notice=str(_("Planned leave recorded.")))


@login_required
@require_POST
def target_leave_delete(request: HttpRequest, user_id: int, leave_id: int) -> HttpResponse:
    actor = _reader(request)
    person = _visible_person(actor, user_id)
    try:
        leave = selectors.planned_leave_get(actor=actor, leave_id=leave_id)
    except NotFound:
        raise Http404 from None
    if leave.user_id != person.pk:
        raise Http404
    try:
        services.planned_leave_delete(actor=actor, leave_id=leave.pk)
    except PermissionDenied as refused:
        return HttpResponse(refused.message, status=403)
    except NotFound:
        raise Http404 from None
    return _leave_answer(request, actor, person, notice=str(_("Planned leave removed.")))
