"""The signed-in person's preferences, applied to every web page they request."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation

from dealbook.core.middleware import API_PREFIX
from dealbook.org.selectors import org_settings


def supported_language(code: str) -> str | None:
    """`code` if it is one of settings.LANGUAGES, else None."""
    return code if code in {language for language, _name in settings.LANGUAGES} else None


class UserPreferencesMiddleware:
    """After AuthenticationMiddleware: a signed-in user's pages come in the language saved on
    their profile (which wins over Accept-Language and the cookie) and show times in their
    organisation's time zone. Anonymous visitors keep LocaleMiddleware's choice (cookie, then
    Accept-Language). API requests are left alone: a client states its language per request
    (Accept-Language), and token requests have no session user here anyway."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if request.path.startswith(API_PREFIX) or not user.is_authenticated:
            return self.get_response(request)
        language = supported_language(getattr(user, "language", ""))
        previous = translation.get_language()
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        if getattr(user, "org_id", None):
            timezone.activate(org_settings(actor=user).zone)  # type: ignore[arg-type]
        try:
            response = self.get_response(request)
            if language:
                # Said here, before the language is put back: LocaleMiddleware would name the
                # one it chose for the request.
                response.headers.setdefault("Content-Language", language)
            return response
        finally:
            timezone.deactivate()
            # The thread goes back to the request's language (LocaleMiddleware's choice): a
            # user's saved language must not outlive their request — in a test's thread it
            # named the next test's standard stages in Chinese.
            if language:
                translation.activate(previous)
