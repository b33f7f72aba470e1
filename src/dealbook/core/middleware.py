import re

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
