"""What someone else changed while a form was open.

A form carries the version of the record it was loaded from. When the service refuses it as
stale, the page shows the edits saved since — who, when, each field from → to — next to the
user's own values, which the form keeps. The form then carries the current version, so
saving again is a decision taken with the other edits in view; nothing was overwritten.

Every versioned write bumps the version by one and appends one audit event (core.writes),
so the edits since version v are the record's last (current − v) audit events.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db import models
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from dealbook.core.audit import recent_events
from dealbook.core.errors import StaleVersion
from dealbook.customers import selectors as customer_selectors
from dealbook.customers.models import Account, Contact
from dealbook.org import selectors as org_selectors
from dealbook.org.models import Team, User

MOST_EDITS_SHOWN = 20


@dataclass(frozen=True)
class FieldChange:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class Edit:
    who: str
    at: dt.datetime
    fields: list[FieldChange]


def _shown(field: models.Field | None, value: Any, names: dict[tuple[type, Any], str]) -> str:
    if value in (None, ""):
        return "—"
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field is not None and field.is_relation and field.related_model is not None:
        return names.get((field.related_model, value), str(value))
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or "—"
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    return str(value)


def _field(model: type[models.Model], name: str) -> models.Field | None:
    for field in model._meta.concrete_fields:
        if name in (field.name, field.attname):
            return field
    return None


def _position(model: type[models.Model], name: str) -> tuple[int, str]:
    for index, field in enumerate(model._meta.concrete_fields):
        if name in (field.name, field.attname):
            return index, name
    return len(model._meta.concrete_fields), name


# The records a changed foreign key may point at, each read through its own selector: a name
# is shown only where the actor may see the record (an account moved to one they cannot see
# stays a number).
_NAMED: dict[type[models.Model], Callable[[User], QuerySet]] = {
    User: lambda actor: org_selectors.user_list(actor=actor),
    Team: lambda actor: org_selectors.team_list(actor=actor),
    Account: lambda actor: customer_selectors.visible_accounts(actor=actor),
    Contact: lambda actor: customer_selectors.visible_contacts(actor=actor),
}


def _related_names(
    model: type[models.Model], events: list[Any], actor: User
) -> dict[tuple[type, Any], str]:
    """The names of the records the changed foreign keys point at: one query per kind."""
    wanted: dict[type[models.Model], set[Any]] = {}
    for event in events:
        for name, values in event.changes.items():
            field = _field(model, name)
            if field is not None and field.related_model in _NAMED:
                wanted.setdefault(field.related_model, set()).update(
                    value for value in values if value is not None
                )
    names: dict[tuple[type, Any], str] = {}
    for related, ids in wanted.items():
        rows = _NAMED[related](actor).filter(pk__in=sorted(ids))
        names.update({(related, row.pk): str(row) for row in rows})
    return names


def edits_since(*, actor: User, record: models.Model, error: StaleVersion) -> list[Edit]:
    """The edits saved on `record` (already read through the actor's scoped selector)
    after the version the refused form was loaded from, oldest first."""
    count = min(max(error.current_version - error.given_version, 0), MOST_EDITS_SHOWN)
    if count == 0:
        return []
    model = type(record)
    events = recent_events(
        org_id=actor.org_id,
        object_type=model._meta.model_name or "",
        object_id=record.pk,
        limit=count,
    )
    names = _related_names(model, events, actor)
    edits = []
    for event in events:
        fields = []
        # In the model's field order (PostgreSQL's jsonb does not keep the keys' order).
        for name, (before, after) in sorted(
            event.changes.items(), key=lambda item: _position(model, item[0])
        ):
            field = _field(model, name)
            label = str(field.verbose_name) if field is not None else name.replace("_", " ")
            fields.append(
                FieldChange(label, _shown(field, before, names), _shown(field, after, names))
            )
        who = str(event.actor) if event.actor is not None else str(_("the system"))
        edits.append(Edit(who=who, at=event.created_at, fields=fields))
    return edits


def show_stale(form: forms.Form, *, actor: User, record: models.Model, error: StaleVersion) -> None:
    """Mark `form` stale: the edits since its version for the template, and the current
    version in its hidden field so that saving again is a choice made with them in view."""
    form.is_stale = True  # type: ignore[attr-defined]
    form.edits_since = edits_since(actor=actor, record=record, error=error)  # type: ignore[attr-defined]
    data = form.data.copy()  # type: ignore[attr-defined]
    data["version"] = str(error.current_version)
    form.data = data
