"""Form helpers the web workspace's pages share.

The accounts, contacts, leads, targets and merge pages build their forms the same way:
Bootstrap classes on the widgets, a blank first choice, the owner choices a user may pick
from, and a service's refusal shown next to the field it names. One copy of each lives here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django import forms
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from dealbook.core.errors import DomainError, PermissionDenied, StaleVersion
from dealbook.org import selectors as org_selectors
from dealbook.org.models import User
from dealbook.org.policies import Access, Entity, read_access
from dealbook.org.visibility import viewer_for
from dealbook.web.navigation import url_or_none
from dealbook.web.stale import show_stale


def actor_of(request: HttpRequest) -> User:
    """The signed-in user (the views are behind ``login_required``)."""
    return request.user  # type: ignore[return-value]


def with_blank(choices: list[tuple[str, Any]], label: Any) -> list[tuple[str, Any]]:
    """The choices with a blank first option labelled ``label`` ("Any …", "Anyone")."""
    return [("", label), *choices]


def styled(form: forms.Form) -> None:
    """Bootstrap's classes on the widgets (the templates render them as they are)."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.RadioSelect | forms.HiddenInput):
            continue
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        widget.attrs["class"] = css


def visible_people(actor: User, entity: Entity) -> list[User]:
    """Colleagues whose records of ``entity`` the actor may see by ownership (everyone for
    org-wide readers): the owner choices of the list filters and of the record forms."""
    users = org_selectors.user_list(actor=actor)
    if actor.is_org_wide or read_access(actor.role, entity) is Access.ALL:
        return list(users)
    return list(users.filter(pk__in=sorted(viewer_for(actor).owner_ids)))


def owner_choices(people: list[User], owner: User | None) -> list[User]:
    """The owner choices of an edit form: the record's owner stays among them even when the
    actor would not otherwise see them."""
    if owner is not None and owner not in people:
        return [owner, *people]
    return people


def blank_owner_label(owner_id: int | None) -> Any:
    """The blank owner choice of an edit form: leave the record where it is."""
    return _("Nobody (in the pool)") if owner_id is None else _("Keep the owner")


def place_errors(form: forms.Form, error: DomainError, names: dict[str, str]) -> None:
    """Show a service's refusal next to the field it names (or above the form). ``names``
    maps service field names to form field names where they differ."""
    placed = False
    for field_error in error.errors:
        name = names.get(field_error.field, field_error.field)
        if name in form.fields:
            form.add_error(name, field_error.message)
            placed = True
    if not placed:
        form.add_error(None, error.message)


def apply_domain_error(
    form: forms.Form, error: DomainError, *, names: dict[str, str], stale_message: Any
) -> None:
    """A service's refusal on the form: a stale version says someone else changed the record
    (above the form), any other refusal goes next to the fields it names."""
    if isinstance(error, StaleVersion):
        form.add_error(None, stale_message)
        return
    place_errors(form, error, names)


def is_stale(form: forms.Form) -> bool:
    """Whether the form was refused because someone else saved the record meanwhile."""
    return getattr(form, "is_stale", False)


def duplicate_rows(
    matches: Iterable[Any], url_name: str, linked_id: Callable[[Any], int | None]
) -> list[dict]:
    """The look-alikes a service refused a save for, each linked where the user may open it
    (``linked_id`` gives the id to link to, or None for a match the user may not open)."""
    rows = []
    for match in matches:
        record_id = linked_id(match)
        url = url_or_none(url_name, record_id) if record_id is not None else None
        rows.append({"match": match, "url": url})
    return rows


def refuse_edit[F: forms.Form](
    form: F,
    error: DomainError,
    *,
    actor: User,
    record: models.Model,
    place_error: Callable[[F, DomainError], None],
) -> None:
    """An edit form's save the service refused: a role that may not change the record says
    so above the form, anything else goes where ``place_error`` puts it, and a stale version
    also lists what someone else saved meanwhile (the user's values stay in the form)."""
    if isinstance(error, PermissionDenied):
        form.add_error(None, error.message)
        return
    place_error(form, error)
    if isinstance(error, StaleVersion):
        show_stale(form, actor=actor, record=record, error=error)


def submit_edit[F: forms.Form](
    form: F,
    save: Callable[[F], Any],
    *,
    actor: User,
    record: models.Model,
    place_error: Callable[[F, DomainError], None],
) -> int | None:
    """A posted edit form: once it is valid, ``save(form)`` calls the service. None when the
    service saved; otherwise the status to answer with the form — 412 when someone else saved
    the record meanwhile (what they changed is listed), 422 for anything else refused."""
    if form.is_valid():
        try:
            save(form)
        except DomainError as error:
            refuse_edit(form, error, actor=actor, record=record, place_error=place_error)
        else:
            return None
    return 412 if is_stale(form) else 422
