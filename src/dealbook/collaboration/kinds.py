"""What each kind of notification says. Apps register a wording for their kinds at start-up
(AppConfig.ready): the notification keeps the facts, the wording happens when it is read, in
the reader's language, so this app never imports the apps that notify."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.utils.translation import gettext as _

# kind → function(params) returning the sentence shown to the reader.
_wordings: dict[str, Callable[[Mapping[str, Any]], str]] = {}


def register(kind: str, wording: Callable[[Mapping[str, Any]], str]) -> None:
    _wordings[kind] = wording


def known_kinds() -> list[str]:
    return sorted(_wordings)


def text_of(kind: str, params: Mapping[str, Any]) -> str:
    """The notification in the active language. A kind nobody registers (an app removed) or
    facts its wording cannot use (an older shape) still read as something, never an error."""
    wording = _wordings.get(kind)
    if wording is not None:
        try:
            return wording(params)
        except (KeyError, TypeError, ValueError):
            pass
    return _("You have a notification.")
