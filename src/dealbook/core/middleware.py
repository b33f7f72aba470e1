import re

from django.contrib.messages.middleware import MessageMiddleware as DjangoMessageMiddleware
from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.utils import translation
from django.utils.cache import patch_vary_headers

from dealbook.core.context import current_request_id, reset_request_id, set_request_id

_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestIdMiddleware:
    """Gives every request an id (or keeps a sane incoming X-Request-ID) for the audit trail."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        token = set_request_id(incoming if _SAFE_ID.match(incoming) else None)
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = current_request_id()
        finally:
            reset_request_id(token)
        return response


class QueryCountHeaderMiddleware:
    """Reports the SQL queries a request ran in `X-DB-Queries` (benchmarks read it).

    Installed only when DEALBOOK_QUERY_COUNT_HEADER is set; it costs a function call per query.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.db import connection

        count = 0

        def counter(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counter):
            response = self.get_response(request)
        response["X-DB-Queries"] = str(count)
        return response


API_PREFIX = "/api/"


class LocaleMiddleware(DjangoLocaleMiddleware):
    """Django's LocaleMiddleware for a site whose URLs carry no language prefix (no
    `i18n_patterns`): the language comes from the cookie, then Accept-Language, as there.

    Django's own looks for a language in every request's path, twice, and for an API path
    (`/api/…`, read as the language "api") pays a failed lookup each time: a tenth of a
    small API request's time. Here the path is never read. A test holds that the URLconf
    has no language prefix."""

    def process_request(self, request: HttpRequest) -> None:
        translation.activate(translation.get_language_from_request(request))
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


class MessageMiddleware(DjangoMessageMiddleware):
    """Django's MessageMiddleware for web pages only. API operations never leave a message
    for the next page (no code under `/api/` uses django.contrib.messages), and the
    storage each request otherwise gets costs a small API request 3 % of its time."""

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith(API_PREFIX):
            return self.get_response(request)
        return super().__call__(request)
