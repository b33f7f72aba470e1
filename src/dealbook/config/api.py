"""The REST API: one NinjaAPI at /api/v1/, one router per app, errors mapped once."""

from django.http import Http404
from ninja.errors import AuthenticationError, HttpError, ValidationError

from dealbook.activities.api import router as activities_router
from dealbook.analytics.api import router as home_router
from dealbook.collaboration.api import router as notifications_router
from dealbook.core.api import (
    ProblemJsonAPI,
    domain_error_response,
    problem,
    validation_error_response,
)
from dealbook.core.errors import DomainError
from dealbook.customers.api import router as customers_router
from dealbook.leads.api import router as leads_router
from dealbook.org.api import router as org_router
from dealbook.org.api import saved_views_router
from dealbook.org.auth import API_AUTH
from dealbook.pipeline.api import router as pipeline_router
from dealbook.search.api import router as search_router
from dealbook.targets.api import router as targets_router

api = ProblemJsonAPI(
    title="Dealbook API",
    version="1",
    description=(
        "The Dealbook REST API. Authenticate with a personal token (`Authorization: Bearer dbk_…`) "
        "or the browser session (with the CSRF token). Errors are application/problem+json with "
        "the fields at fault. Updates carry the `version` you read; a stale one gets 412."
    ),
    urls_namespace="api-v1",
    auth=API_AUTH,
    docs_url="/docs",
    openapi_url="/openapi.json",
)

api.add_exception_handler(DomainError, domain_error_response)
api.add_exception_handler(ValidationError, validation_error_response)
api.add_exception_handler(
    AuthenticationError,
    lambda request, exc: problem(401, "not_authenticated", "Sign in or send a valid API token."),
)
api.add_exception_handler(Http404, lambda request, exc: problem(404, "not_found", "Not found."))
api.add_exception_handler(
    HttpError, lambda request, exc: problem(exc.status_code, "http_error", str(exc))
)

api.add_router("/org", org_router, tags=["organisation"])
api.add_router("/saved-views", saved_views_router, tags=["saved views"])
api.add_router("/", customers_router, tags=["customers"])
api.add_router("/leads", leads_router, tags=["leads"])
api.add_router("/", pipeline_router, tags=["pipeline"])
api.add_router("/activities", activities_router, tags=["activities"])
api.add_router("/targets", targets_router, tags=["targets"])
api.add_router("/search", search_router, tags=["search"])
api.add_router("/home", home_router, tags=["home"])
api.add_router("/notifications", notifications_router, tags=["notifications"])
