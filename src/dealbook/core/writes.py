"""The mechanics every update service shares: lock, version check, apply, audit."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db import models

from dealbook.core import audit
from dealbook.core.errors import NotFound, StaleVersion


def lock[M: models.Model](queryset: models.QuerySet[M], pk: int, what: str) -> M:
    """The row, locked for this transaction (SQLite: the IMMEDIATE transaction already is)."""
    try:
        return queryset.select_for_update().get(pk=pk)
    except ObjectDoesNotExist:
        raise NotFound(what) from None


def check_version(instance: models.Model, expected_version: int | None) -> None:
    current = instance.version  # type: ignore[attr-defined]
    if expected_version is not None and expected_version != current:
        raise StaleVersion(current_version=current, given_version=expected_version)


def apply_changes[M: models.Model](
    instance: M,
    *,
    actor: Any,
    values: dict[str, Any],
    verb: str = "update",
    extra_audit: dict[str, list[Any]] | None = None,
) -> dict[str, list[Any]]:
    """Set `values` on a locked, version-checked instance; bump version; save; audit once.

    Returns the {field: [old, new]} changes (empty when nothing changed: then nothing is
    saved and nothing is audited).
    """
    before = audit.snapshot(instance, list(values))
    changes = audit.diff(before, values)
    if extra_audit:
        changes.update(extra_audit)
    if not changes:
        return {}
    for name, value in values.items():
        setattr(instance, name, value)
    instance.version += 1  # type: ignore[attr-defined]
    instance.save(update_fields=[*values, "version", "updated_at"])
    audit.record(actor=actor, verb=verb, target=instance, changes=changes)
    return changes
