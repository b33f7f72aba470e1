"""Writes of notifications: the system notifies; a person marks their own as read."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from dealbook.collaboration.models import Notification
from dealbook.collaboration.selectors import notification_get, unread_notifications
from dealbook.core import audit
from dealbook.org.models import User


def notify(
    *,
    org_id: int,
    recipient_ids: Iterable[int],
    kind: str,
    key: str,
    params: Mapping[str, Any],
    url: str = "",
    object_type: str = "",
    object_id: int | None = None,
) -> list[Notification]:
    """Notify each recipient once per `key` (a re-run notifies nobody twice). Only active
    people of the organisation are notified. Returns the notifications created now."""
    wanted = sorted(set(recipient_ids))
    recipients = list(
        User.objects.filter(org_id=org_id, pk__in=wanted, is_active=True).values_list(
            "pk", flat=True
        )
    )
    known = set(
        Notification.objects.filter(recipient_id__in=recipients, key=key).values_list(
            "recipient_id", flat=True
        )
    )
    created = []
    for recipient_id in recipients:
        if recipient_id in known:
            continue
        try:
            with transaction.atomic():
                notification = Notification.objects.create(
                    org_id=org_id,
                    recipient_id=recipient_id,
                    kind=kind,
                    key=key,
                    params=dict(params),
                    url=url,
                    object_type=object_type,
                    object_id=object_id,
                )
                audit.record(
                    actor=None,
                    verb="notify",
                    target=notification,
                    changes={"recipient": [None, recipient_id], "kind": [None, kind]},
                )
        except IntegrityError:
            continue  # notified by a concurrent run in the meantime
        created.append(notification)
    return created


@transaction.atomic
def notification_mark_read(*, actor: User, notification_id: int) -> Notification:
    """Mark one of the actor's own notifications read (someone else's is not found)."""
    notification = notification_get(actor=actor, notification_id=notification_id)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
        audit.record(
            actor=actor,
            verb="read",
            target=notification,
            changes={"read_at": [None, audit.jsonable(notification.read_at)]},
        )
    return notification


@transaction.atomic
def notification_mark_all_read(*, actor: User) -> int:
    """Mark every unread notification of the actor read; returns how many there were."""
    now = timezone.now()
    marked = unread_notifications(actor=actor).update(read_at=now)
    if marked:
        audit.record(
            actor=actor,
            verb="read_notifications",
            target=actor,
            changes={"unread_notifications": [marked, 0]},
        )
    return marked
