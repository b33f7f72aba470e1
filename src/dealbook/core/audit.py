"""Recording business writes. Services call `record` inside their transaction."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from django.db import models

from dealbook.core.context import current_request_id
from dealbook.core.models import AuditEvent


def jsonable(value: Any) -> Any:
    """A value as it should appear in the audit trail (exact, readable, JSON-safe)."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(item) for item in value]
    return value


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for every field whose value differs."""
    changes = {}
    for key in after:
        old, new = jsonable(before.get(key)), jsonable(after[key])
        if old != new:
            changes[key] = [old, new]
    return changes


def record(
    *,
    actor: Any,
    verb: str,
    target: models.Model,
    changes: dict[str, list[Any]] | None = None,
    object_type: str | None = None,
) -> AuditEvent:
    """Append one audit event for `target`. `object_type` defaults to the model's name."""
    return AuditEvent.objects.create(
        org_id=target.org_id,  # type: ignore[attr-defined]
        actor=actor if getattr(actor, "pk", None) else None,
        verb=verb,
        object_type=object_type or target._meta.model_name or "",
        object_id=target.pk,
        object_repr=str(target)[:200],
        changes=changes or {},
        request_id=current_request_id(),
    )


def snapshot(instance: models.Model, fields: list[str]) -> dict[str, Any]:
    return {name: getattr(instance, name) for name in fields}


def recent_events(*, org_id: int, object_type: str, object_id: int, limit: int) -> list[AuditEvent]:
    """A record's last `limit` audit events, oldest first, with their actors. Callers have
    read the record through the acting user's scoped selector: its history is theirs to see."""
    newest = (
        AuditEvent.objects.filter(org_id=org_id, object_type=object_type, object_id=object_id)
        .select_related("actor")
        .order_by("-created_at", "-id")[:limit]
    )
    return list(reversed(newest))
