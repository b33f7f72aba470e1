from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from dealbook.org import services as org_services
from dealbook.search import selectors as search_selectors
from dealbook.web.middleware import supported_language
from dealbook.web.navigation import record_url

SEARCH_HITS_PER_TYPE = 10
SEARCH_GROUP_TITLES = {
    "account": _("Accounts"),
    "contact": _("Contacts"),
    "deal": _("Deals"),
    "lead": _("Leads"),
}
# Shown under a hit that matched on something other than its name.
MATCHED_ON_LABELS = {
    "phone": _("phone"),
    "email": _("e-mail"),
    "company": _("company"),
}


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/home.html", {"user": request.user})


@login_required
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """Accounts, contacts, deals and leads the user may see whose name (phone, e-mail,
    company) holds the query, grouped by type."""
    query = request.GET.get("q", "")[: search_selectors.MAX_QUERY_LENGTH]
    results = search_selectors.search(
        actor=request.user,  # type: ignore[arg-type]
        query=query,
        limit=SEARCH_HITS_PER_TYPE,
    )
    groups = [
        {
            "type": group.type,
            "title": SEARCH_GROUP_TITLES[group.type],
            "has_more": group.has_more,
            "hits": [
                {
                    "title": hit.title,
                    "subtitle": hit.subtitle,
                    "matched_on": MATCHED_ON_LABELS.get(hit.matched_on, ""),
                    "url": record_url(hit.type, hit.id),
                }
                for hit in group.hits
            ],
        }
        for group in results.groups
    ]
    return render(
        request,
        "web/search.html",
        {
            "search_query": results.query,
            "groups": groups,
            "has_hits": any(g["hits"] for g in groups),
        },
    )


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.headers.get("referer") or "/"
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the language: saved on the signed-in user (their pages follow it from then on),
    and in the language cookie (for the sign-in page, and for visitors not signed in)."""
    language = supported_language(request.POST.get("language", ""))
    if language is None:
        return HttpResponseBadRequest(_("Unknown language."))
    if request.user.is_authenticated:
        org_services.user_set_language(actor=request.user, language=language)  # type: ignore[arg-type]
    translation.activate(language)
    response = HttpResponseRedirect(_safe_next(request))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})
