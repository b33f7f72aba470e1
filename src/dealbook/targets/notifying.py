"""Milestone notifications: who hears that a target reached 50 / 90 / 100 %, and how it reads.

The people told: the target's own — the person, the team's manager, or for the company's
targets the director(s) (admins when the organisation has no director) — and the manager
above it, who approved it. The notification keeps the facts (metric, period, subject name,
threshold) and is worded when read, in the reader's language (collaboration.kinds).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from dealbook.collaboration import services as collaboration_services
from dealbook.org.enums import Role
from dealbook.org.models import Organization, User
from dealbook.targets import policies
from dealbook.targets.enums import MetricKey, ScopeKind
from dealbook.targets.metrics import METRICS
from dealbook.targets.models import Target
from dealbook.targets.periods import period_starting

KIND = "target_milestone"


def recipients(target: Target) -> set[int]:
    people: set[int] = set()
    if target.scope == ScopeKind.PERSON and target.user_id is not None:
        people.add(target.user_id)
    elif target.scope == ScopeKind.TEAM and target.team is not None:
        if target.team.manager_id is not None:
            people.add(target.team.manager_id)
    elif target.scope == ScopeKind.COMPANY:
        leaders = User.objects.filter(org_id=target.org_id, is_active=True)
        people.update(leaders.filter(role=Role.EXECUTIVE).values_list("pk", flat=True))
        if not people:
            people.update(leaders.filter(role=Role.ADMIN).values_list("pk", flat=True))
    approver = policies.manager_above(target)
    if approver is not None:
        people.add(approver)
    return people


def subject_name(target: Target, org: Organization) -> str:
    if target.scope == ScopeKind.PERSON and target.user is not None:
        return str(target.user)
    if target.scope == ScopeKind.TEAM and target.team is not None:
        return target.team.name
    return org.name


def notify_milestone(target: Target, *, org: Organization, threshold: int) -> int:
    """Tell the target's people that it reached `threshold` %; returns how many were told
    now (none a second time)."""
    created = collaboration_services.notify(
        org_id=org.pk,
        recipient_ids=recipients(target),
        kind=KIND,
        key=f"{KIND}:{target.pk}:{threshold}",
        params={
            "threshold": threshold,
            "metric": str(target.metric),
            "scope": str(target.scope),
            "subject": subject_name(target, org),
            "period_kind": str(target.period_kind),
            "start": target.start_date.isoformat(),
            "first_month": org.fiscal_year_start_month,
        },
        url=reverse("target_detail", args=[target.pk]),
        object_type="target",
        object_id=target.pk,
    )
    return len(created)


def wording(params: Mapping[str, Any]) -> str:
    metric = METRICS[MetricKey(params["metric"])].name
    period = period_starting(
        params["period_kind"], dt.date.fromisoformat(params["start"]), params["first_month"]
    )
    values = {
        "subject": params["subject"],
        "percent": number_format(params["threshold"]),
        "metric": metric,
        "period": period.label if period is not None else params["start"],
    }
    if params["scope"] == ScopeKind.COMPANY:
        return (
            _("The company reached %(percent)s%% of its %(metric)s target for %(period)s.") % values
        )
    return _("%(subject)s reached %(percent)s%% of the %(metric)s target for %(period)s.") % values
