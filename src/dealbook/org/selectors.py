"""Reads for the organisation, scoped to the acting user's organisation."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from dealbook.core.errors import NotFound
from dealbook.org.models import ApiToken, Organization, SavedView, Share, Team, User
from dealbook.org.visibility import scoped

_SETTINGS_ATTR = "_dealbook_org_settings"


@dataclass(frozen=True)
class OrgSettings:
    """The organisation's clock and defaults, read once per request."""

    zone: ZoneInfo
    fiscal_year_start_month: int
    currency: str
    pool_claim_limit: int | None


def org_settings(*, actor: User) -> OrgSettings:
    """The acting user's organisation settings (one query, then cached on the user)."""
    cached = getattr(actor, _SETTINGS_ATTR, None)
    if cached is not None:
        return cached
    row = (
        Organization.objects.filter(pk=actor.org_id)
        .values_list("time_zone", "fiscal_year_start_month", "currency", "pool_claim_limit")
        .first()
    )
    return remember_org_settings(actor, *(row or ("UTC", 1, "CNY", None)))


# The same columns for the statement token authentication runs (org.services), over the
# organisation row `o`: a request authenticated by token needs no query for them.
ORG_SETTINGS_SQL = "o.time_zone, o.fiscal_year_start_month, o.currency, o.pool_claim_limit"


def remember_org_settings(
    actor: User, time_zone: str, first_month: int, currency: str, claim_limit: int | None
) -> OrgSettings:
    """Keep the organisation's settings, read with the user, on the user for the request."""
    settings = OrgSettings(
        zone=_zone(time_zone or "UTC"),
        fiscal_year_start_month=first_month or 1,
        currency=currency or "CNY",
        pool_claim_limit=claim_limit,
    )
    setattr(actor, _SETTINGS_ATTR, settings)
    return settings


@functools.lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def user_list(*, actor: User) -> QuerySet[User]:
    """Colleagues: everyone in the actor's organisation can see who is who."""
    return (
        scoped(User.objects.select_related("team"), actor)
        .filter(is_active=True)
        .order_by("username")
    )


def members_of(*, org_id: int, user_ids: list[int] | None) -> QuerySet[User]:
    """The organisation's users `user_ids` (None: all of them), active or not, in no order:
    the names a team view puts on the owners of the rows it summed (someone who left still
    owns deals), looked up by id."""
    qs = User.objects.filter(org_id=org_id)
    return qs if user_ids is None else qs.filter(pk__in=user_ids)


def user_get(*, actor: User, user_id: int) -> User:
    try:
        return user_list(actor=actor).get(pk=user_id)
    except User.DoesNotExist:
        raise NotFound(_("User"), field="user_id") from None


def team_list(*, actor: User) -> QuerySet[Team]:
    return scoped(Team.objects.select_related("manager", "parent"), actor).order_by("path")


def team_get(*, actor: User, team_id: int) -> Team:
    try:
        return team_list(actor=actor).get(pk=team_id)
    except Team.DoesNotExist:
        raise NotFound(_("Team"), field="team_id") from None


def api_token_list(*, actor: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=actor, revoked_at__isnull=True).order_by("-created_at")


def share_get(*, actor: User, share_id: int) -> Share:
    """A share in the actor's organisation (whether they may remove it is the record's rule)."""
    share = scoped(Share.objects.all(), actor).filter(pk=share_id).first()
    if share is None:
        raise NotFound(_("Share"))
    return share


def saved_view_list(*, actor: User, page: str | None = None) -> QuerySet[SavedView]:
    """The actor's own saved views and those their team mates shared, by name."""
    visible = Q(owner=actor)
    if actor.team_id is not None:
        visible |= Q(is_shared=True, owner__team_id=actor.team_id)
    qs = scoped(SavedView.objects.select_related("owner"), actor).filter(visible)
    if page is not None:
        qs = qs.filter(page=page)
    return qs.order_by("page", "name", "id")
