"""Web pages of SMART targets: the grouped list (company → teams → people) with attainment,
setting and editing a target with its recommendation dialog, approving / locking / deleting,
cascading a company's or a team's target, and a target's pacing page (a person's page — their
history and planned leave — is views_target_people).

A thin skin over `targets.selectors` and `targets.services` (the same the API uses). A role
that reads no targets (service, marketing, product) gets a 404 on every page, like a target
the user may not see.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dealbook.core.errors import DomainError, NotFound, PermissionDenied, StaleVersion
from dealbook.org import selectors as org_selectors
from dealbook.org.models import Team, User
from dealbook.org.policies import Access
from dealbook.targets import policies, selectors, services
from dealbook.targets.cascade import Method
from dealbook.targets.enums import MetricKey, ScopeKind, TargetStatus
from dealbook.targets.metrics import METRICS, available_metrics, metric
from dealbook.targets.models import Target
from dealbook.targets.periods import (
    Period,
    PeriodKind,
    local_today,
    period_containing,
    period_starting,
    periods_of_year,
)
from dealbook.web.forms import actor_of, apply_domain_error, styled, submit_edit


def _reader(request: HttpRequest) -> User:
    """The signed-in user, when their role reads targets at all (else a 404)."""
    actor = actor_of(request)
    if policies.read_access(actor.role) is Access.NONE:
        raise Http404
    return actor


def reads_targets(user: User) -> bool:
    return policies.read_access(user.role) is not Access.NONE


def _allowed(check: Any, *args: Any, **kwargs: Any) -> bool:
    try:
        check(*args, **kwargs)
    except PermissionDenied:
        return False
    return True


# --- fiscal periods ------------------------------------------------------------------------


def _today(actor: User) -> dt.date:
    return local_today(ZoneInfo(selectors.organization_of(actor).time_zone))


def _period_value(period: Period) -> str:
    return f"{period.kind}:{period.start.isoformat()}"


def _period_options(actor: User) -> list[Period]:
    """Last, this and next fiscal year: each year, its quarters and its months."""
    org = selectors.organization_of(actor)
    first = org.fiscal_year_start_month
    year = period_containing(PeriodKind.YEAR, _today(actor), first).fiscal_year
    options: list[Period] = []
    for fiscal_year in (year - 1, year, year + 1):
        for kind in (PeriodKind.YEAR, PeriodKind.QUARTER, PeriodKind.MONTH):
            options += periods_of_year(kind, fiscal_year, first)
    return options


def _period_choices(actor: User) -> list[tuple[str, str]]:
    return [(_period_value(period), period.label) for period in _period_options(actor)]


def _current_quarter(actor: User) -> Period:
    org = selectors.organization_of(actor)
    return period_containing(PeriodKind.QUARTER, _today(actor), org.fiscal_year_start_month)


def _parse_period(actor: User, value: str) -> Period | None:
    kind, _sep, start = (value or "").partition(":")
    if kind not in PeriodKind.values:
        return None
    try:
        day = dt.date.fromisoformat(start)
    except ValueError:
        return None
    first = selectors.organization_of(actor).fiscal_year_start_month
    return period_starting(kind, day, first)


def _metric_choices() -> list[tuple[str, Any]]:
    return [(m.key.value, m.name) for m in available_metrics()]


def _unit_of(metric_key: str) -> str:
    return str(METRICS[MetricKey(metric_key)].unit)


def _unit_spec(actor: User, metric_key: str) -> str:
    """The `figure` filter's argument: "money:<currency>" or "count"."""
    unit = _unit_of(metric_key)
    return f"{unit}:{selectors.organization_of(actor).currency}" if unit == "money" else unit


# --- the list -------------------------------------------------------------------------------


class TargetFilterForm(forms.Form):
    period = forms.ChoiceField(label=_("Period"), required=False)
    metric = forms.ChoiceField(label=_("Metric"), required=False)

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = _period_choices(actor)  # type: ignore[attr-defined]
        self.fields["metric"].choices = _metric_choices()  # type: ignore[attr-defined]
        styled(self)


def _row(target: Target, reached: dict[int, selectors.Reached], marked: set[int]) -> dict:
    hit = reached.get(target.pk)
    percent = hit.percent if hit else None
    return {
        "target": target,
        "actual": hit.actual if hit else None,
        "percent": percent,
        "bar": min(int(percent or 0), 100),
        "mismatch": target.pk in marked,
    }


def _mismatched_ids(actor: User, metric_key: str, period: Period) -> dict[int, Any]:
    """The targets whose parts do not add up to them (target_mismatches), by target id."""
    found = selectors.target_mismatches(
        actor=actor, metric=metric_key, period_kind=str(period.kind), start_date=period.start
    )
    return {mismatch.target_id: mismatch for mismatch in found}


def _grouped(
    targets: list[Target], teams: list[Team], reached: dict, marked: set[int]
) -> tuple[list[dict], list[dict]]:
    """Company rows, then one group per team (in tree order) with its target and the
    targets of its people."""
    company = [_row(t, reached, marked) for t in targets if t.scope == ScopeKind.COMPANY]
    team_targets = {t.team_id: t for t in targets if t.scope == ScopeKind.TEAM}
    people: dict[int | None, list[Target]] = {}
    for target in targets:
        if target.scope == ScopeKind.PERSON and target.user is not None:
            people.setdefault(target.user.team_id, []).append(target)
    groups = []
    for team in teams:
        if team.pk not in team_targets and team.pk not in people:
            continue
        members = sorted(people.get(team.pk, []), key=lambda t: str(t.user))
        groups.append(
            {
                "team": team,
                "depth": team.path.strip("/").count("/"),
                "row": _row(team_targets[team.pk], reached, marked)
                if team.pk in team_targets
                else None,
                "people": [_row(t, reached, marked) for t in members],
            }
        )
    known = {team.pk for team in teams}
    loose = [t for team_id, ts in people.items() if team_id not in known for t in ts]
    if loose:
        groups.append(
            {
                "team": None,
                "depth": 0,
                "row": None,
                "people": [_row(t, reached, marked) for t in sorted(loose, key=str)],
            }
        )
    return company, groups


@login_required
@require_GET
def target_list(request: HttpRequest) -> HttpResponse:
    actor = _reader(request)
    form = TargetFilterForm(request.GET or None, actor=actor)
    cleaned = form.cleaned_data if form.is_valid() else {}
    period = _parse_period(actor, cleaned.get("period") or "") or _current_quarter(actor)
    metric_key = cleaned.get("metric") or MetricKey.REVENUE_WON.value
    if not form.is_bound or not form.is_valid():
        form = TargetFilterForm(
            initial={"period": _period_value(period), "metric": metric_key}, actor=actor
        )
    targets = list(
        selectors.target_list(
            actor=actor,
            filters=selectors.TargetFilters(
                period_kind=str(period.kind), period_start=period.start, metric=metric_key
            ),
        )
    )
    reached = selectors.targets_reached(actor=actor, targets=targets)
    mismatches = _mismatched_ids(actor, metric_key, period) if targets else {}
    teams = list(org_selectors.team_list(actor=actor)) if targets else []
    company, groups = _grouped(targets, teams, reached, set(mismatches))
    return render(
        request,
        "web/targets/target_list.html",
        {
            "form": form,
            "period": period,
            "metric": metric(metric_key),
            "unit_spec": _unit_spec(actor, metric_key),
            "company": company,
            "groups": groups,
            "count": len(targets),
            "mismatch_count": len(mismatches),
            "can_set": actor.role in policies.SETTERS,
            "new_query": f"period={_period_value(period)}&metric={metric_key}",
        },
    )


# --- set a target and its recommendation -----------------------------------------------------


class TargetForm(forms.Form):
    metric = forms.ChoiceField(label=_("Metric"))
    scope = forms.ChoiceField(label=_("For"))
    user = forms.TypedChoiceField(label=_("Person"), required=False, coerce=int, empty_value=None)
    team = forms.TypedChoiceField(label=_("Team"), required=False, coerce=int, empty_value=None)
    period = forms.ChoiceField(label=_("Period"))
    amount = forms.DecimalField(
        label=_("Target"), min_value=Decimal(0), max_digits=14, decimal_places=2
    )
    relevant_note = forms.CharField(
        label=_("Strategy it serves"),
        required=False,
        max_length=services.MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What this target is for: the plan, market or product it supports."),
    )

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.fields["metric"].choices = _metric_choices()  # type: ignore[attr-defined]
        self.fields["scope"].choices = [  # type: ignore[attr-defined]
            (scope.value, scope.label) for scope in selectors.settable_scopes(actor=actor)
        ]
        self.fields["user"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *((str(u.pk), str(u)) for u in selectors.settable_people(actor=actor)),
        ]
        self.fields["team"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            *((str(t.pk), t.name) for t in selectors.settable_teams(actor=actor)),
        ]
        self.fields["period"].choices = _period_choices(actor)  # type: ignore[attr-defined]
        self.fields["amount"].widget.attrs.update({"inputmode": "decimal", "step": "any"})
        styled(self)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        scope = cleaned.get("scope")
        if scope == ScopeKind.PERSON and cleaned.get("user") is None:
            self.add_error("user", _("Choose the person the target is for."))
        if scope == ScopeKind.TEAM and cleaned.get("team") is None:
            self.add_error("team", _("Choose the team the target is for."))
        if cleaned.get("period") and _parse_period(self.actor, cleaned["period"]) is None:
            self.add_error("period", _("Choose a fiscal period."))
        return cleaned

    def subject(self) -> tuple[int | None, int | None]:
        scope = self.cleaned_data["scope"]
        return (
            self.cleaned_data["user"] if scope == ScopeKind.PERSON else None,
            self.cleaned_data["team"] if scope == ScopeKind.TEAM else None,
        )


FORM_FIELDS = {
    "user_id": "user",
    "team_id": "team",
    "start_date": "period",
    "period_kind": "period",
}


STALE_MESSAGE = _(
    "Someone else changed this target while you were editing it. Nothing was "
    "saved. Their changes are listed below and your values are still in the form: "
    "save again to keep yours."
)


def _apply_domain_error(form: forms.Form, error: DomainError) -> None:
    apply_domain_error(form, error, names=FORM_FIELDS, stale_message=STALE_MESSAGE)


def _definitions(selected: str) -> list[dict]:
    return [
        {"key": m.key.value, "name": m.name, "text": m.definition, "shown": m.key == selected}
        for m in available_metrics()
    ]


@login_required
@require_http_methods(["GET", "POST"])
def target_create(request: HttpRequest) -> HttpResponse:
    actor = _reader(request)
    if actor.role not in policies.SETTERS:
        return HttpResponse(_("Your role cannot set targets."), status=403)
    initial = {
        "period": request.GET.get("period") or _period_value(_current_quarter(actor)),
        "metric": request.GET.get("metric") or MetricKey.REVENUE_WON.value,
        "scope": ScopeKind.PERSON.value,
    }
    form = TargetForm(request.POST or None, initial=initial, actor=actor)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            period = _parse_period(actor, form.cleaned_data["period"])
            user_id, team_id = form.subject()
            assert period is not None  # checked in clean()
            try:
                target = services.target_create(
                    actor=actor,
                    metric=form.cleaned_data["metric"],
                    scope=form.cleaned_data["scope"],
                    period_kind=str(period.kind),
                    start_date=period.start,
                    amount=form.cleaned_data["amount"],
                    user_id=user_id,
                    team_id=team_id,
                    relevant_note=form.cleaned_data["relevant_note"],
                )
            except DomainError as error:
                _apply_domain_error(form, error)
            else:
                return HttpResponseRedirect(reverse("target_detail", args=[target.pk]) + "?saved=1")
        status = 422
    selected = form["metric"].value() or MetricKey.REVENUE_WON.value
    return render(
        request,
        "web/targets/target_form.html",
        {"form": form, "target": None, "definitions": _definitions(str(selected))},
        status=status,
    )


@login_required
@require_GET
def target_recommend(request: HttpRequest) -> HttpResponse:
    """The recommendation dialog's body (an htmx partial): the proposed figure, its range and
    the reasons with their numbers, for the subject and period chosen in the form."""
    actor = _reader(request)
    if actor.role not in policies.SETTERS:
        raise Http404
    form = TargetForm(request.GET, actor=actor)
    form.is_valid()
    cleaned = form.cleaned_data
    problems = {
        name: form.errors[name][0]
        for name in ("metric", "scope", "user", "team", "period")
        if name in form.errors
    }
    context: dict[str, Any] = {"problems": problems, "recommendation": None}
    if not problems:
        period = _parse_period(actor, cleaned["period"])
        user_id, team_id = form.subject()
        assert period is not None
        try:
            recommendation = selectors.target_recommendation(
                actor=actor,
                metric=cleaned["metric"],
                scope=cleaned["scope"],
                subject_id=user_id if cleaned["scope"] == ScopeKind.PERSON else team_id,
                period_kind=str(period.kind),
                start_date=period.start,
            )
        except DomainError as error:
            context["problems"] = {error.field or "": error.message}
        else:
            context |= {
                "recommendation": recommendation,
                "unit_spec": _unit_spec(actor, cleaned["metric"]),
                "period": period,
                "amount_value": recommendation.amount,
                "reasons": [reason.text for reason in recommendation.reasons],
            }
    labels = {name: form.fields[name].label for name in form.fields}
    context["problem_list"] = [
        {"label": labels.get(name, ""), "message": message}
        for name, message in context["problems"].items()
    ]
    return render(request, "web/targets/partials/recommendation.html", context)


# --- a target: pacing, actions, cascade -------------------------------------------------------


def _visible_target(actor: User, target_id: int) -> Target:
    try:
        return selectors.target_get(actor=actor, target_id=target_id)
    except NotFound:
        raise Http404 from None


def _chart(attainment: selectors.Attainment, labels: dict[str, str]) -> str:
    return json.dumps(
        {
            "days": [day.day.isoformat() for day in attainment.days],
            "actual": [None if d.actual is None else str(d.actual) for d in attainment.days],
            "expected": [str(day.expected) for day in attainment.days],
            "target": str(attainment.amount),
            "labels": labels,
        }
    )


class CascadeForm(forms.Form):
    method = forms.ChoiceField(
        label=_("Split"),
        choices=[(method.value, method.label) for method in Method],
        initial=Method.EVEN.value,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["method"].choices = [  # type: ignore[attr-defined]
            (method.value, method.label) for method in Method
        ]
        styled(self)


def _children(actor: User, target: Target) -> list[Target]:
    return list(
        selectors.visible_targets(actor=actor)
        .filter(parent_id=target.pk)
        .select_related("user", "team")
        .order_by("scope", "team__path", "user__display_name", "pk")
    )


def _achievability(target: Target) -> dict[str, Any]:
    """The stored achievability check, ready to show: verdict, the target as a per cent of
    the high estimate, the recommended figure and range, and the reasons as sentences."""
    stored = target.achievability or {}
    if not stored.get("verdict"):
        return {}

    def decimal(name: str) -> Decimal | None:
        value = stored.get(name)
        return None if value in (None, "") else Decimal(str(value))

    ratio = decimal("ratio")
    return {
        "verdict": stored["verdict"],
        "ratio_percent": None if ratio is None else ratio * 100,
        "recommended": decimal("recommended"),
        "low": decimal("low"),
        "high": decimal("high"),
        "reasons": [reason.text for reason in selectors.achievability_reasons(stored)],
    }


def _detail_context(
    request: HttpRequest, actor: User, target: Target, cascade_form: CascadeForm | None = None
) -> dict:
    org = selectors.organization_of(actor)
    attainment = selectors.attainment_of(target, org=org, today=_today(actor))
    children = _children(actor, target)
    children_sum = sum((child.amount for child in children), Decimal(0))
    can_change = _allowed(policies.check_can_change, actor, target)
    can_approve = _allowed(policies.check_can_approve, actor, target)
    can_cascade = (
        target.scope in (ScopeKind.COMPANY, ScopeKind.TEAM)
        and target.status != TargetStatus.LOCKED
        and actor.role in policies.SETTERS
        and can_change
    )
    labels = {
        "actual": str(_("Actual")),
        "expected": str(_("Expected")),
        "target": str(_("Target")),
    }
    achievability = _achievability(target)
    return {
        "target": target,
        "metric": metric(target.metric),
        "unit_spec": _unit_spec(actor, target.metric),
        "period": period_starting(
            target.period_kind, target.start_date, org.fiscal_year_start_month
        ),
        "attainment": attainment,
        "bar": min(int(attainment.percent or 0), 100),
        "chart": _chart(attainment, labels) if attainment.days else None,
        "milestones": list(selectors.milestone_list(actor=actor, target_id=target.pk)),
        "children": children,
        "children_sum": children_sum,
        "children_match": bool(children) and children_sum == target.amount,
        "achievability": achievability,
        "saved": request.GET.get("saved") == "1",
        "cascaded": request.GET.get("cascaded") == "1",
        "can_edit": can_change and target.status != TargetStatus.LOCKED,
        "can_delete": can_change and target.status == TargetStatus.DRAFT,
        "can_approve": can_approve and target.status == TargetStatus.DRAFT,
        "can_lock": can_approve and target.status == TargetStatus.APPROVED,
        "can_cascade": can_cascade,
        "cascade_form": cascade_form or CascadeForm(initial={"version": target.version}),
        # The target it was cascaded from, linked only where the user may open it.
        "parent_visible": target.parent_id is not None
        and selectors.visible_targets(actor=actor).filter(pk=target.parent_id or 0).exists(),
        "history_url": reverse("target_person_history", args=[target.user_id])
        if target.user_id
        else None,
    }


@login_required
@require_GET
def target_detail(request: HttpRequest, target_id: int) -> HttpResponse:
    actor = _reader(request)
    target = _visible_target(actor, target_id)
    return render(
        request, "web/targets/target_detail.html", _detail_context(request, actor, target)
    )


def _transition(request: HttpRequest, target_id: int, change: Any) -> HttpResponse:
    actor = _reader(request)
    target = _visible_target(actor, target_id)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = None
    try:
        change(actor=actor, target_id=target.pk, version=version)
    except PermissionDenied as refused:
        return HttpResponse(refused.message, status=403)
    except DomainError as error:
        context = _detail_context(request, actor, _visible_target(actor, target_id))
        context["action_error"] = error.message
        return render(request, "web/targets/target_detail.html", context, status=error.status)
    return HttpResponseRedirect(reverse("target_detail", args=[target.pk]))


@login_required
@require_POST
def target_approve(request: HttpRequest, target_id: int) -> HttpResponse:
    return _transition(request, target_id, services.target_approve)


@login_required
@require_POST
def target_lock(request: HttpRequest, target_id: int) -> HttpResponse:
    return _transition(request, target_id, services.target_lock)


@login_required
@require_POST
def target_delete(request: HttpRequest, target_id: int) -> HttpResponse:
    actor = _reader(request)
    target = _visible_target(actor, target_id)
    try:
        services.target_delete(actor=actor, target_id=target.pk)
    except PermissionDenied as refused:
        return HttpResponse(refused.message, status=403)
    except DomainError as error:
        context = _detail_context(request, actor, target)
        context["action_error"] = error.message
        return render(request, "web/targets/target_detail.html", context, status=error.status)
    period = f"{target.period_kind}:{target.start_date.isoformat()}"
    return HttpResponseRedirect(reverse("target_list") + f"?period={period}&metric={target.metric}")


@login_required
@require_POST
def target_cascade(request: HttpRequest, target_id: int) -> HttpResponse:
    """Split a company's target into its teams' or a team's into its people's (drafts)."""
    actor = _reader(request)
    target = _visible_target(actor, target_id)
    form = CascadeForm(request.POST)
    if form.is_valid():
        try:
            services.target_cascade(
                actor=actor,
                parent_id=target.pk,
                method=form.cleaned_data["method"],
                version=form.cleaned_data["version"],
            )
        except PermissionDenied as refused:
            return HttpResponse(refused.message, status=403)
        except DomainError as error:
            _apply_domain_error(form, error)
            if isinstance(error, StaleVersion):
                data = form.data.copy()  # type: ignore[attr-defined]
                data["version"] = str(error.current_version)
                form.data = data
        else:
            return HttpResponseRedirect(
                reverse("target_detail", args=[target.pk]) + "?cascaded=1#children"
            )
    context = _detail_context(request, actor, _visible_target(actor, target_id), form)
    return render(request, "web/targets/target_detail.html", context, status=422)


# --- edit ------------------------------------------------------------------------------------


class TargetEditForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Target"), min_value=Decimal(0), max_digits=14, decimal_places=2
    )
    relevant_note = forms.CharField(
        label=_("Strategy it serves"),
        required=False,
        max_length=services.MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    reason = forms.CharField(
        label=_("Reason for the change"),
        required=False,
        max_length=services.MAX_REASON,
        help_text=_("Required once the target is approved: it is kept in the target's history."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["amount"].widget.attrs.update({"inputmode": "decimal", "step": "any"})
        styled(self)


@login_required
@require_http_methods(["GET", "POST"])
def target_edit(request: HttpRequest, target_id: int) -> HttpResponse:
    actor = _reader(request)
    target = _visible_target(actor, target_id)
    if not _allowed(policies.check_can_change, actor, target):
        return HttpResponse(_("You cannot change this target."), status=403)
    initial = {
        "amount": target.amount,
        "relevant_note": target.relevant_note,
        "version": target.version,
    }
    form = TargetEditForm(request.POST or None, initial=initial)

    def save(form: TargetEditForm) -> None:
        services.target_update(
            actor=actor,
            target_id=target.pk,
            version=form.cleaned_data["version"],
            values={
                "amount": form.cleaned_data["amount"],
                "relevant_note": form.cleaned_data["relevant_note"],
            },
            reason=form.cleaned_data["reason"],
        )

    status: int | None = 200
    if request.method == "POST":
        status = submit_edit(
            form, save, actor=actor, record=target, place_error=_apply_domain_error
        )
        if status is None:
            return HttpResponseRedirect(reverse("target_detail", args=[target.pk]) + "?saved=1")
    org = selectors.organization_of(actor)
    return render(
        request,
        "web/targets/target_edit.html",
        {
            "form": form,
            "target": target,
            "metric": metric(target.metric),
            "period": period_starting(
                target.period_kind, target.start_date, org.fiscal_year_start_month
            ),
            "needs_reason": target.status == TargetStatus.APPROVED,
        },
        status=status,
    )
