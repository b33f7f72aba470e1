"""Reads of notifications: a person sees their own, and nobody else's — a manager included."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from dealbook.collaboration.models import Notification
from dealbook.core.errors import NotFound
from dealbook.org.models import User


def notification_list(*, actor: User, unread_only: bool = False) -> QuerySet[Notification]:
    """The actor's notifications, newest first."""
    qs = Notification.objects.filter(org_id=actor.org_id, recipient_id=actor.pk)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at", "-id")


def unread_notifications(*, actor: User) -> QuerySet[Notification]:
    """What the bell counts (served by the partial index `notification_unread`)."""
    return Notification.objects.filter(
        org_id=actor.org_id, recipient_id=actor.pk, read_at__isnull=True
    )


def notification_get(*, actor: User, notification_id: int) -> Notification:
    found = notification_list(actor=actor).filter(pk=notification_id).first()
    if found is None:
        raise NotFound(_("Notification"))
    return found
