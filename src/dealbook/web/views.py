from __future__ import annotations

import datetime as dt
import json
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from dealbook.activities.enums import ActivityKind
from dealbook.analytics import selectors as analytics_selectors
from dealbook.org import services as org_services
from dealbook.org.models import User
from dealbook.search import selectors as search_selectors
from dealbook.web.middleware import supported_language
from dealbook.web.navigation import record_url, url_or_none

SEARCH_HITS_PER_TYPE = 10
IDLE_DAYS_MIN, IDLE_DAYS_MAX = 1, 3650  # as the home API accepts
SEARCH_GROUP_TITLES = {
    "account": _("Accounts"),
    "contact": _("Contacts"),
    "deal": _("Deals"),
    "lead": _("Leads"),
}
# Shown under a hit that matched on something other than its name.
MATCHED_ON_LABELS = {
    "phone": _("phone"),
    "email": _("e-mail"),
    "company": _("company"),
}


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The signed-in user's day (to-dos, deals closing this month, customers gone quiet) and,
    for whoever sees a team, the team's pipeline, week and slipped deals."""
    user = request.user
    summary = analytics_selectors.home_summary(
        actor=user,  # type: ignore[arg-type]
        idle_days=_idle_days(request.GET.get("idle_days")),
    )
    return render(request, "web/home.html", home_context(user, summary))  # type: ignore[arg-type]


def _idle_days(raw: str | None) -> int:
    """?idle_days=N, within what the API accepts; the selector's default otherwise."""
    try:
        days = int(raw or analytics_selectors.DEFAULT_IDLE_DAYS)
    except ValueError:
        return analytics_selectors.DEFAULT_IDLE_DAYS
    return min(max(days, IDLE_DAYS_MIN), IDLE_DAYS_MAX)


def _link(url_name: str, *args: object, **params: object) -> str | None:
    """The page `url_name` with GET `params`, or None while that page does not exist."""
    url = url_or_none(url_name, *args)
    if url is None or not params:
        return url
    return f"{url}?{urlencode(params)}"


def _deal_rows(deals: list[dict]) -> list[dict]:
    return [
        {
            "deal": deal,
            "url": _link("deal_detail", deal["id"]),
            "account_url": _link("account_detail", deal["account_id"]),
        }
        for deal in deals
    ]


def _chart(categories: list[str], totals: list[list], links: list[str | None]) -> str:
    """A bar chart's data for static/web/js/home.js: one series per currency (major units,
    as text: the chart only draws them), the deal counts, and where each bar leads."""
    currencies = sorted({total.currency for group in totals for total in group})
    series = [
        {
            "name": currency,
            "data": [
                next((str(t.amount) for t in group if t.currency == currency), "0")
                for group in totals
            ],
        }
        for currency in currencies
    ]
    return json.dumps(
        {"categories": categories, "series": series, "links": links}, ensure_ascii=False
    )


def _kind_counts(owner: analytics_selectors.OwnerActivity) -> list[tuple[str, int]]:
    """(kind, count) for every kind of activity, in the kinds' order, zeros included."""
    counts = {kind["kind"]: kind["count"] for kind in owner.by_kind}
    return [(kind, counts.get(kind, 0)) for kind in ActivityKind.values]


def _team_context(team: analytics_selectors.TeamSummary, today: dt.date) -> dict:
    by_stage = team.pipeline_by_stage
    several_pipelines = len({stage.pipeline_id for stage in by_stage}) > 1
    stage_rows: list[dict[str, Any]] = [
        {
            "stage": stage,
            # Stage and pipeline names as the board shows them: the standard ones translated.
            "label": f"{gettext(stage.pipeline_name)} · {gettext(stage.stage_name)}"
            if several_pipelines
            else gettext(stage.stage_name),
            "url": _link(
                "pipeline_list", pipeline=stage.pipeline_id, stage=stage.stage_id, status="open"
            ),
        }
        for stage in by_stage
    ]
    owner_rows: list[dict[str, Any]] = [
        {
            "owner": owner,
            "url": _link("pipeline_list", owner=owner.owner_id, status="open"),
            "accounts_url": _link("account_list", owner=owner.owner_id),
        }
        for owner in team.pipeline_by_owner.owners
    ]
    return {
        "stages": stage_rows,
        "owners": owner_rows,
        "owners_have_more": team.pipeline_by_owner.has_more,
        "stage_chart": _chart(
            [row["label"] for row in stage_rows],
            [stage.totals for stage in by_stage],
            [row["url"] for row in stage_rows],
        ),
        "owner_chart": _chart(
            [row["owner"].owner_name for row in owner_rows],
            [row["owner"].totals for row in owner_rows],
            [row["url"] for row in owner_rows],
        ),
        "week": team.activities_this_week,
        "week_rows": [
            {
                "owner": owner,
                "counts": _kind_counts(owner),
                "accounts_url": _link("account_list", owner=owner.owner_id),
            }
            for owner in team.activities_this_week.owners
        ],
        "kinds": ActivityKind.choices,
        "slipped": team.slipped,
        "slipped_url": _link(
            "pipeline_list",
            status="open",
            close_to=(today - dt.timedelta(days=1)).isoformat(),
            sort="expected_close_date",
        ),
        "slipped_rows": _deal_rows(team.slipped.items),
        "team_rows": [
            {
                "team": row,
                "url": _link("pipeline_list", team=row.team_id, status="open")
                if row.team_id is not None
                else None,
            }
            for row in team.by_team
        ],
    }


def home_context(user: User, summary: analytics_selectors.HomeSummary) -> dict:
    agenda = summary.agenda
    idle = summary.idle_customers
    return {
        "user": user,
        "summary": summary,
        "agenda_rows": [
            {
                "activity": activity,
                "kind_label": ActivityKind(activity["kind"]).label,
                "is_overdue": activity["due_at"] is not None
                and timezone.localdate(activity["due_at"]) < summary.today,
                "account_url": _link("account_detail", activity["account_id"])
                if activity["account_id"]
                else None,
                "deal_url": _link("deal_detail", activity["deal_id"])
                if activity["deal_id"]
                else None,
            }
            for activity in agenda.items
        ],
        "agenda_total": agenda.overdue_count + agenda.due_today_count,
        "closing_rows": _deal_rows(summary.closing_this_month.items),
        "closing_url": _link(
            "pipeline_list",
            owner=user.pk,
            status="open",
            close_from=summary.month_start.isoformat(),
            close_to=summary.month_end.isoformat(),
            sort="expected_close_date",
        ),
        "idle_rows": [
            {"account": account, "url": _link("account_detail", account["id"])}
            for account in idle.items
        ],
        # Mine with no contact for that many days (or never), the longest without first.
        "idle_url": _link(
            "account_list", owner=user.pk, idle=idle.idle_days, sort="last_activity_at"
        ),
        "idle_days_min": IDLE_DAYS_MIN,
        "idle_days_max": IDLE_DAYS_MAX,
        "team": _team_context(summary.team, summary.today) if summary.team else None,
    }


@login_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """Accounts, contacts, deals and leads the user may see whose name (phone, e-mail,
    company) holds the query, grouped by type."""
    query = request.GET.get("q", "")[: search_selectors.MAX_QUERY_LENGTH]
    results = search_selectors.search(
        actor=request.user,  # type: ignore[arg-type]
        query=query,
        limit=SEARCH_HITS_PER_TYPE,
    )
    groups = [
        {
            "type": group.type,
            "title": SEARCH_GROUP_TITLES[group.type],
            "has_more": group.has_more,
            "hits": [
                {
                    "title": hit.title,
                    "subtitle": hit.subtitle,
                    "matched_on": MATCHED_ON_LABELS.get(hit.matched_on, ""),
                    "url": record_url(hit.type, hit.id),
                }
                for hit in group.hits
            ],
        }
        for group in results.groups
    ]
    return render(
        request,
        "web/search.html",
        {
            "search_query": results.query,
            "groups": groups,
            "has_hits": any(g["hits"] for g in groups),
        },
    )


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.headers.get("referer") or "/"
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the language: saved on the signed-in user (their pages follow it from then on),
    and in the language cookie (for the sign-in page, and for visitors not signed in)."""
    language = supported_language(request.POST.get("language", ""))
    if language is None:
        return HttpResponseBadRequest(_("Unknown language."))
    if request.user.is_authenticated:
        org_services.user_set_language(actor=request.user, language=language)  # type: ignore[arg-type]
    translation.activate(language)
    response = HttpResponseRedirect(_safe_next(request))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
