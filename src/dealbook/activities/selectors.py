"""Reads of activities and timelines, already scoped to what the actor may see.

An activity is visible to its owner's scope (owner, managers above, shares, org-wide roles)
and to whoever sees its parent: the deal when there is one, else the account, else the lead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal
from zoneinfo import ZoneInfo

from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from dealbook.activities import policies
from dealbook.activities.enums import ActivityKind
from dealbook.activities.models import Activity, ActivityDayCount, ActivityWeekCount
from dealbook.core.errors import NotFound
from dealbook.core.models import AuditEvent
from dealbook.core.prepared import Prepared
from dealbook.customers import selectors as customer_selectors
from dealbook.leads import selectors as lead_selectors
from dealbook.org.models import User
from dealbook.org.policies import Access, Entity, read_access
from dealbook.org.selectors import org_settings
from dealbook.org.visibility import (
    by_owners,
    marked_user,
    owned_by,
    owned_q,
    owner_scope,
    scope_values,
    scoped,
)
from dealbook.pipeline import selectors as pipeline_selectors

ACTIVITY_SORTS = {
    "occurred_at": F("occurred_at").asc(nulls_last=True),
    "-occurred_at": F("occurred_at").desc(nulls_last=True),
    "due_at": F("due_at").asc(nulls_last=True),
    "-due_at": F("due_at").desc(nulls_last=True),
    "created_at": F("created_at").asc(),
    "-created_at": F("created_at").desc(),
    "updated_at": F("updated_at").asc(),
    "-updated_at": F("updated_at").desc(),
}
DEFAULT_SORT = "-occurred_at"
LIST_RELATED = ("owner", "account", "contact", "deal", "lead")


@dataclass(frozen=True)
class ActivityFilters:
    kind: str = ""
    owner_id: int | None = None
    account_id: int | None = None
    deal_id: int | None = None
    lead_id: int | None = None
    contact_id: int | None = None
    is_done: bool | None = None
    due_before: dt.datetime | None = None
    due_after: dt.datetime | None = None
    q: str = ""


def visible_activities(*, actor: User) -> QuerySet[Activity]:
    """Activities the actor may read: one query, parents checked by id subqueries."""
    qs = scoped(Activity.objects.all(), actor)
    access = read_access(actor.role, Entity.ACTIVITY)
    if access is Access.ALL:
        return qs
    if access is Access.NONE:
        return qs.none()
    deal_ids = pipeline_selectors.visible_deals(actor=actor).values("pk")
    account_ids = customer_selectors.visible_accounts(actor=actor).values("pk")
    lead_ids = lead_selectors.visible_leads(actor=actor).values("pk")
    through_parent = (
        Q(deal_id__in=deal_ids)
        | Q(deal__isnull=True, account_id__in=account_ids)
        | Q(deal__isnull=True, account__isnull=True, lead_id__in=lead_ids)
    )
    return qs.filter(owned_q(actor, Entity.ACTIVITY) | through_parent)


def owned_activities(*, actor: User, owner_ids: frozenset[int] | None) -> QuerySet[Activity]:
    """Activities owned by `owner_ids` (None: every owner, for org-wide readers), for team
    views."""
    return owned_by(Activity.objects.all(), actor, Entity.ACTIVITY, owner_ids)


def completed_per_day(
    *, org_id: int, owners: frozenset[int] | list[int] | None, first: dt.date, last: dt.date
) -> QuerySet[ActivityDayCount]:
    """Activities `owners` completed on the organisation's local days `first` … `last`, per
    owner, day and kind, from the roll-up (ActivityDayCount). `owners` as
    `org.visibility.owner_scope` computed them for the actor (None: every owner)."""
    return by_owners(ActivityDayCount.objects.all(), org_id, owners).filter(
        day__gte=first, day__lte=last, activity_count__gt=0
    )


def completed_in_week(
    *, org_id: int, owners: frozenset[int] | list[int] | None, monday: dt.date
) -> QuerySet[ActivityWeekCount]:
    """Activities `owners` completed in the organisation's local week starting `monday`,
    per owner and kind, from the weekly roll-up (ActivityWeekCount). `owners` as
    `org.visibility.owner_scope` computed them for the actor (None: every owner)."""
    return by_owners(ActivityWeekCount.objects.all(), org_id, owners).filter(
        week=monday, activity_count__gt=0
    )


def open_todos(
    *, org_id: int, owners: frozenset[int] | list[int] | None, due_before: dt.datetime
) -> QuerySet[Activity]:
    """Open to-dos of `owners` (as `owner_scope` computed them) due before `due_before`,
    overdue first, with what a list shows of their parents."""
    return (
        by_owners(Activity.objects.all(), org_id, owners)
        .filter(completed_at__isnull=True, due_at__lt=due_before)
        .select_related(*LIST_RELATED)
        .order_by("due_at", "id")
    )


def activity_list(
    *, actor: User, filters: ActivityFilters | None = None, sort: str = DEFAULT_SORT
) -> QuerySet[Activity]:
    filters = filters or ActivityFilters()
    qs = visible_activities(actor=actor).select_related(*LIST_RELATED)
    for name in ("kind", "owner_id", "account_id", "deal_id", "lead_id", "contact_id"):
        value = getattr(filters, name)
        if value not in (None, ""):
            qs = qs.filter(**{name: value})
    if filters.is_done is not None:
        qs = qs.filter(completed_at__isnull=not filters.is_done)
    if filters.due_before is not None:
        qs = qs.filter(due_at__lt=filters.due_before)
    if filters.due_after is not None:
        qs = qs.filter(due_at__gte=filters.due_after)
    if filters.q:
        qs = qs.filter(Q(subject__icontains=filters.q) | Q(body__icontains=filters.q))
    return qs.order_by(ACTIVITY_SORTS.get(sort, ACTIVITY_SORTS[DEFAULT_SORT]), "-id")


def activity_get(*, actor: User, activity_id: int) -> Activity:
    activity = (
        visible_activities(actor=actor).select_related(*LIST_RELATED).filter(pk=activity_id).first()
    )
    if activity is None:
        raise NotFound(_("Activity"))
    return activity


def activity_get_for_change(*, actor: User, activity_id: int) -> Activity:
    """A visible activity the actor may change (403 when visible but not theirs to change)."""
    activity = activity_get(actor=actor, activity_id=activity_id)
    policies.check_can_change_activity(actor, activity)
    return activity


def _org_zone(actor: User) -> ZoneInfo:
    return org_settings(actor=actor).zone


def _mine(actor: User) -> QuerySet[Activity]:
    """The actor's own activities: visible by ownership to anyone who may read activities,
    so no parent check is needed (the same rows as visible_activities + owner = actor)."""
    return owned_activities(actor=actor, owner_ids=frozenset({actor.pk}))


def my_agenda(*, actor: User, today: dt.date | None = None) -> QuerySet[Activity]:
    """My open to-dos due by the end of `today` (default: today in the organisation's time
    zone), overdue first."""
    zone = _org_zone(actor)
    if today is None:
        today = timezone.localdate(timezone=zone)
    end_of_today = dt.datetime.combine(today + dt.timedelta(days=1), dt.time.min, zone)
    owners = owner_scope(actor, Entity.ACTIVITY, frozenset({actor.pk}))
    if owners is not None and not owners:
        return Activity.objects.none()
    return open_todos(org_id=actor.org_id or 0, owners=owners, due_before=end_of_today)


def reminders_due(*, actor: User, now: dt.datetime) -> QuerySet[Activity]:
    """My open activities whose reminder time has come and that were not reminded yet."""
    return (
        _mine(actor)
        .filter(
            completed_at__isnull=True,
            remind_at__lte=now,
            reminded_at__isnull=True,
        )
        .select_related(*LIST_RELATED)
        .order_by("remind_at", "id")
    )


# --- the timeline ---------------------------------------------------------------------

TimelineKind = Literal["activity", "stage_change", "audit"]


@dataclass(frozen=True)
class TimelineEntry:
    at: dt.datetime
    kind: TimelineKind
    title: str
    detail: str
    actor_name: str
    object_type: str
    object_id: int
    activity_kind: str = ""


DETAIL_MAX_CHARS = 500


def _verb_label(verb: str) -> str:
    labels = {
        "create": _("Created"),
        "update": _("Updated"),
        "delete": _("Deleted"),
        "complete": _("Completed"),
        "reopen": _("Reopened"),
        "merge": _("Merged"),
        "claim": _("Claimed"),
        "release": _("Released"),
        "reclaim": _("Returned to the pool"),
    }
    return labels.get(verb, verb.replace("_", " ").capitalize())


def _type_label(object_type: str) -> str:
    labels = {
        "account": _("account"),
        "contact": _("contact"),
        "deal": _("deal"),
        "activity": _("activity"),
        "lead": _("lead"),
    }
    return labels.get(object_type, object_type)


def _shown(value: Any) -> str:
    return "—" if value in (None, "") else str(value)


def _changes_detail(changes: dict[str, Any]) -> str:
    parts = []
    for field in sorted(changes):
        pair = changes[field]
        if isinstance(pair, list | tuple) and len(pair) == 2:
            parts.append(f"{field}: {_shown(pair[0])} → {_shown(pair[1])}")
        else:
            parts.append(f"{field}: {_shown(pair)}")
    return "; ".join(parts)[:DETAIL_MAX_CHARS]


def _user_name(user: User | None) -> str:
    return str(user) if user is not None else ""


def _activity_rows(qs: QuerySet[Activity], limit: int) -> QuerySet[Activity]:
    return (
        qs.select_related("owner")
        .annotate(timeline_at=Coalesce("occurred_at", "created_at"))
        .order_by("-timeline_at", "-id")[:limit]
    )


def _activity_entries(rows: Iterable[Any]) -> list[TimelineEntry]:
    """Timeline entries of activities annotated with `timeline_at` (_activity_rows)."""
    return [
        TimelineEntry(
            at=activity.timeline_at,
            kind="activity",
            title=_("%(kind)s: %(subject)s")
            % {"kind": ActivityKind(activity.kind).label, "subject": activity.subject},
            detail="\n".join(part for part in (activity.outcome, activity.body) if part)[
                :DETAIL_MAX_CHARS
            ],
            actor_name=_user_name(activity.owner),
            object_type="activity",
            object_id=activity.pk,
            activity_kind=activity.kind,
        )
        for activity in rows
    ]


def _stage_rows(qs: QuerySet, limit: int) -> QuerySet:
    return qs.select_related("deal", "stage", "from_stage", "changed_by").order_by(
        "-entered_at", "-id"
    )[:limit]


def _stage_entries(rows: Iterable[Any]) -> list[TimelineEntry]:
    entries = []
    for row in rows:
        if row.from_stage_id is None:
            title = _("%(deal)s entered %(stage)s") % {
                "deal": row.deal.name,
                "stage": row.stage.name,
            }
        else:
            title = _("%(deal)s moved from %(from_stage)s to %(stage)s") % {
                "deal": row.deal.name,
                "from_stage": row.from_stage.name,
                "stage": row.stage.name,
            }
        entries.append(
            TimelineEntry(
                at=row.entered_at,
                kind="stage_change",
                title=title,
                detail="",
                actor_name=_user_name(row.changed_by),
                object_type="deal",
                object_id=row.deal_id,
            )
        )
    return entries


def _audit_rows(actor: User, subjects: list[Q], limit: int) -> QuerySet[AuditEvent]:
    """The newest `limit` audit events about any of `subjects` (one Q per object type).

    One query: each subject's newest `limit` events come from the (org, object_type,
    object_id, created_at) index, and their UNION ALL is sorted — scanning the audit
    trail by time and testing every event against every subject grows with the trail.
    """
    newest = [
        AuditEvent.objects.filter(
            pk__in=AuditEvent.objects.filter(subject, org_id=actor.org_id)
            # An activity's own "create" is the activity entry itself; listing it twice
            # is noise.
            .exclude(object_type="activity", verb="create")
            .order_by("-created_at", "-id")
            .values("pk")[:limit]
        ).values("pk")
        for subject in subjects
    ]
    chosen = newest[0].union(*newest[1:], all=True) if len(newest) > 1 else newest[0]
    return (
        AuditEvent.objects.filter(org_id=actor.org_id, pk__in=chosen)
        .select_related("actor")
        .order_by("-created_at", "-id")[:limit]
    )


def _audit_entries(rows: Iterable[AuditEvent]) -> list[TimelineEntry]:
    return [
        TimelineEntry(
            at=event.created_at,
            kind="audit",
            title=_("%(verb)s %(type)s %(name)s")
            % {
                "verb": _verb_label(event.verb),
                "type": _type_label(event.object_type),
                "name": event.object_repr,
            },
            detail=_changes_detail(event.changes or {}),
            actor_name=_user_name(event.actor),
            object_type=event.object_type,
            object_id=event.object_id,
        )
        for event in rows
    ]


def _merge(*streams: list[TimelineEntry], limit: int) -> list[TimelineEntry]:
    """Newest first; equal times keep the order of the streams (sorted is stable)."""
    entries = [entry for stream in streams for entry in stream]
    return sorted(entries, key=lambda entry: entry.at, reverse=True)[:limit]


def _account_activities(actor: User, account_id: int) -> QuerySet[Activity]:
    """The activities at an account the actor can see (the caller checked that): those on no
    deal follow the account; those on a deal follow that deal; own and shared ones too.

    The same rows as `visible_activities(...).filter(account_id=…)`, but each parent check
    looks only at this account's own deals, not at every deal the actor may see.
    """
    qs = scoped(Activity.objects.all(), actor).filter(account_id=account_id)
    access = read_access(actor.role, Entity.ACTIVITY)
    if access is Access.ALL:
        return qs
    if access is Access.NONE:
        return qs.none()
    their_deals = scoped(Activity.objects.all(), actor).filter(
        account_id=account_id, deal__isnull=False
    )
    visible_deal_ids = pipeline_selectors.visible_deals(actor=actor).filter(
        pk__in=their_deals.values("deal_id")
    )
    return qs.filter(
        Q(deal__isnull=True)
        | Q(deal_id__in=visible_deal_ids.values("pk"))
        | owned_q(actor, Entity.ACTIVITY)
    )


_TIMELINE_ENTITIES = (Entity.ACTIVITY, Entity.DEAL, Entity.CONTACT, Entity.ACCOUNT)


def _account_timeline_query(shape: tuple, *, account_id: int, **scope: Any) -> QuerySet:
    """One of an account timeline's three reads (`part`), for a prepared read's stand-in."""
    scope_shape, part, limit = shape
    actor = marked_user(scope_shape, **scope)
    if part == "account":
        return customer_selectors.visible_accounts(actor=actor).filter(pk=account_id).values("pk")
    activities = _account_activities(actor, account_id)
    if part == "activities":
        return _activity_rows(activities, limit)
    if part == "stages":
        stays = pipeline_selectors.stage_history_list(actor=actor, account_id=account_id)
        return _stage_rows(stays, limit)
    deal_ids = pipeline_selectors.visible_deals(actor=actor).filter(account_id=account_id)
    contact_ids = customer_selectors.visible_contacts(actor=actor, account_id=account_id)
    subjects = [
        Q(object_type="account", object_id=account_id),
        Q(object_type="deal", object_id__in=deal_ids.values("pk")),
        Q(object_type="contact", object_id__in=contact_ids.values("pk")),
        Q(object_type="activity", object_id__in=activities.values("pk")),
    ]
    return _audit_rows(actor, subjects, limit)


_account_timeline_read = Prepared(_account_timeline_query)


def account_timeline(*, actor: User, account_id: int, limit: int = 50) -> list[TimelineEntry]:
    """What happened at a visible account: its activities, its deals' stage changes, and the
    audit trail of the account and of its visible deals, contacts and activities.

    Four prepared reads (core.prepared): the account's own visibility check, then the
    three streams."""
    shape, scope = scope_values(actor, *_TIMELINE_ENTITIES)

    def read(part: str) -> list:
        return _account_timeline_read((shape, part, limit), account_id=account_id, **scope)

    if not read("account"):
        raise NotFound(_("Account"))
    return _merge(
        _activity_entries(read("activities")),
        _stage_entries(read("stages")),
        _audit_entries(read("audit")),
        limit=limit,
    )


def deal_timeline(*, actor: User, deal_id: int, limit: int = 50) -> list[TimelineEntry]:
    """What happened on a visible deal: its activities, stage changes and audit trail."""
    deal = pipeline_selectors.deal_get(actor=actor, deal_id=deal_id)
    activities = visible_activities(actor=actor).filter(deal_id=deal.pk)
    subjects = [
        Q(object_type="deal", object_id=deal.pk),
        Q(object_type="activity", object_id__in=activities.values("pk")),
    ]
    stages = pipeline_selectors.stage_history_list(actor=actor, deal_id=deal.pk)
    return _merge(
        _activity_entries(_activity_rows(activities, limit)),
        _stage_entries(_stage_rows(stages, limit)),
        _audit_entries(_audit_rows(actor, subjects, limit)),
        limit=limit,
    )
