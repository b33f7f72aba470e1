"""Coded domain errors. Services raise them; the API and forms map them once."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str
    code: str = "invalid"


class DomainError(Exception):
    """A business rule refused the operation. `status` is the HTTP status it maps to."""

    def __init__(
        self,
        code: str,
        message: str,
        field: str | None = None,
        status: int = 400,
        errors: list[FieldError] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.status = status
        self.errors = errors or (
            [FieldError(field=field, message=message, code=code)] if field else []
        )


class NotFound(DomainError):
    def __init__(self, what: str, field: str | None = None) -> None:
        super().__init__(
            code="not_found",
            message=_("%(what)s not found.") % {"what": what},
            field=field,
            status=404,
        )


class PermissionDenied(DomainError):
    def __init__(self, message: str | None = None) -> None:
        super().__init__(
            code="permission_denied",
            message=message or _("You are not allowed to do this."),
            status=403,
        )


class StaleVersion(DomainError):
    def __init__(self, current_version: int, given_version: int) -> None:
        super().__init__(
            code="stale_version",
            message=_(
                "The record was changed by someone else (version %(current)s, you sent "
                "%(given)s). Reload and try again."
            )
            % {"current": current_version, "given": given_version},
            field="version",
            status=412,
        )
        self.current_version = current_version
        self.given_version = given_version


class ValidationFailed(DomainError):
    """Several field errors at once (form-style validation in a service)."""

    def __init__(self, errors: list[FieldError]) -> None:
        first = errors[0]
        super().__init__(
            code="validation_failed",
            message="; ".join(f"{e.field}: {e.message}" for e in errors),
            field=first.field,
            status=422,
            errors=errors,
        )
