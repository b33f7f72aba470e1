"""Which record types can be shared, and how to find one the actor may change.

Domain apps register their types at start-up (AppConfig.ready), so the organisation app
offers one share endpoint without importing the apps above it.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import models
from django.utils.translation import gettext as _

from dealbook.core.errors import DomainError
from dealbook.org.models import User

# object_type → function(actor, object_id) returning the record, raising NotFound /
# PermissionDenied when the actor may not change it.
_getters: dict[str, Callable[[User, int], models.Model]] = {}


def register(object_type: str, getter: Callable[[User, int], models.Model]) -> None:
    _getters[object_type] = getter


def shareable_types() -> list[str]:
    return sorted(_getters)


def get_for_change(*, actor: User, object_type: str, object_id: int) -> models.Model:
    getter = _getters.get(object_type)
    if getter is None:
        raise DomainError(
            "invalid",
            _("Records of type %(type)s cannot be shared.") % {"type": object_type},
            field="object_type",
        )
    return getter(actor, object_id)
