"""The mechanics every update service shares: lock, version check, apply, audit."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.utils.translation import gettext as _

from dealbook.core import audit
from dealbook.core.errors import DomainError, NotFound, StaleVersion


def lock[M: models.Model](queryset: models.QuerySet[M], pk: int, what: str) -> M:
    """The row, locked for this transaction (SQLite: the IMMEDIATE transaction already is).
    Only the row itself (FOR UPDATE OF): the rows a select_related joins stay unlocked, and
    PostgreSQL refuses to lock the nullable side of an outer join."""
    try:
        return queryset.select_for_update(of=("self",)).get(pk=pk)
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


def refuse_unknown_fields(values: dict[str, Any], allowed: frozenset[str]) -> None:
    """A service's update takes only the fields it knows (the API forbids extras already)."""
    unknown = sorted(set(values) - allowed)
    if unknown:
        raise DomainError(
            "unknown_field",
            _("Unknown field %(name)s.") % {"name": unknown[0]},
            field=unknown[0],
            status=422,
        )


def creation_changes(values: dict[str, Any]) -> dict[str, list[Any]]:
    """The audit changes of a new record: every given field as [None, value].

    Empty values and derived search keys (`*_normalized`) are left out.
    """
    return {
        name: [None, audit.jsonable(value)]
        for name, value in values.items()
        if not name.endswith("_normalized") and value not in ("", None, False)
    }
