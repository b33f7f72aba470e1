"""Reads for the organisation, scoped to the acting user's organisation."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from dealbook.core.errors import NotFound
from dealbook.org.models import ApiToken, Share, Team, User
from dealbook.org.visibility import scoped


def user_list(*, actor: User) -> QuerySet[User]:
    """Colleagues: everyone in the actor's organisation can see who is who."""
    return (
        scoped(User.objects.select_related("team"), actor)
        .filter(is_active=True)
        .order_by("username")
    )


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
