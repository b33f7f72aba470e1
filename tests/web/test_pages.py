"""Every page of the shell: who may open it, who is turned away, and that each answer carries
the strict Content-Security-Policy with nothing in the HTML that it would refuse."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.urls import URLPattern, reverse

import dealbook.web
from dealbook.web import urls as web_urls
from tests.web.conftest import parse_page

pytestmark = pytest.mark.django_db

TEMPLATES = Path(dealbook.web.__file__).parent / "templates"


# --- allowed and denied, page by page -------------------------------------------------------


def test_login_page_is_open_to_visitors(client_as):
    response = client_as().get("/login/")
    assert response.status_code == 200
    assert response.templates[0].name == "registration/login.html"
    assert b'name="username"' in response.content


def test_login_page_sends_someone_signed_in_home(world, client_as):
    response = client_as(world["li.rep"]).get("/login/")
    assert (response.status_code, response["Location"]) == (302, "/")


def test_home_is_for_signed_in_users(world, client_as):
    response = client_as(world["li.rep"]).get("/")
    assert response.status_code == 200
    assert "Welcome, 李娜 Li Na" in response.content.decode()


def test_home_sends_visitors_to_sign_in(client_as):
    response = client_as().get("/")
    assert (response.status_code, response["Location"]) == (302, "/login/?next=/")


def test_search_is_for_signed_in_users(world, client_as):
    response = client_as(world["li.rep"]).get("/search/", {"q": "x"})
    assert response.status_code == 200
    assert response.templates[0].name == "web/search.html"


def test_search_sends_visitors_to_sign_in(client_as):
    response = client_as().get("/search/", {"q": "abc"})
    assert (response.status_code, response["Location"]) == (302, "/login/?next=/search/%3Fq%3Dabc")


def test_search_refuses_post(world, client_as):
    assert client_as(world["li.rep"]).post("/search/", {"q": "x"}).status_code == 405


def test_sign_out_by_post_ends_the_session(world, client_as):
    client = client_as(world["li.rep"])
    response = client.post("/logout/")
    assert (response.status_code, response["Location"]) == (302, "/login/")
    assert client.get("/")["Location"] == "/login/?next=/"


def test_sign_out_by_get_is_refused_and_keeps_the_session(world, client_as):
    client = client_as(world["li.rep"])
    assert client.get("/logout/").status_code == 405
    assert client.get("/").status_code == 200


def test_sign_out_without_csrf_token_is_refused(world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world["li.rep"])
    assert client.post("/logout/").status_code == 403
    assert client.get("/").status_code == 200


# --- the Content-Security-Policy on every page ----------------------------------------------


def _csp_directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def _assert_strict_page(response, where: str) -> None:
    directives = _csp_directives(response)
    header = response["Content-Security-Policy"]
    assert "'unsafe-inline'" not in header, where
    assert "'unsafe-eval'" not in header, where
    assert directives["script-src"] == ["'self'"], where
    assert directives["style-src"] == ["'self'"], where
    assert directives["default-src"] == ["'self'"], where
    if response["Content-Type"].startswith("text/html"):
        page = parse_page(response.content.decode())
        assert page.inline_scripts == [], where
        assert page.style_attributes == [], where
        assert page.style_elements == 0, where
        assert page.event_handler_attributes == [], where


def _routes() -> list[str]:
    """Every named route of the web workspace: the shell's and each area's module."""
    names = []
    for pattern in web_urls.urlpatterns:
        if isinstance(pattern, URLPattern):
            names.append(pattern.name)
        else:
            names += [p.name for p in pattern.url_patterns if isinstance(p, URLPattern)]
    return names


@pytest.fixture
def records(world):
    """An account and a deal of li.rep's, for the routes that take an id."""
    from dealbook.org.services import saved_view_create
    from tests.collaboration.factories import NotificationFactory
    from tests.factories import AccountFactory, ContactFactory
    from tests.leads.factories import LeadFactory
    from tests.pipeline.factories import DealFactory

    deal = DealFactory(owner=world["li.rep"])
    lead = LeadFactory(owner=world["li.rep"])
    return {
        "account": deal.account_id,
        "deal": deal.pk,
        "lead": lead.pk,
        "contact": ContactFactory(account=deal.account).pk,
        "other_account": AccountFactory(owner=world["li.rep"]).pk,
        "saved_view": saved_view_create(actor=world["li.rep"], page="accounts", name="v").pk,
        "target": _target_of(world["li.rep"]),
        "user": world["li.rep"].pk,
        "leave": _leave_of(world["li.rep"]),
        "notification": NotificationFactory(recipient=world["li.rep"]).pk,
    }


def _leave_of(user) -> int:
    """A day of planned leave of `user`."""
    import datetime as dt

    from dealbook.targets.models import PlannedLeave

    day = dt.date(2026, 7, 6)
    return PlannedLeave.objects.create(org=user.org, user=user, start_date=day, end_date=day).pk


def _target_of(user) -> int:
    """A draft revenue target of `user` for this fiscal quarter."""
    from dealbook.targets import selectors, services
    from dealbook.targets.periods import local_today, period_containing

    org = selectors.organization_of(user)
    today = local_today(ZoneInfo(org.time_zone))
    quarter = period_containing("quarter", today, org.fiscal_year_start_month)
    return services.target_create(
        actor=user.team.manager,
        metric="revenue_won",
        scope="person",
        user_id=user.pk,
        period_kind="quarter",
        start_date=quarter.start,
        amount=Decimal("100000"),
    ).pk


# Routes that change something: opened with GET they answer 405, with the same policy.
POST_ONLY = {"account_log", "deal_move", "deal_win", "deal_lose"}
POST_ONLY |= {"lead_qualify", "lead_disqualify", "lead_release"}
POST_ONLY |= {"pool_lead_claim", "pool_account_claim", "pool_account_release"}
POST_ONLY |= {"saved_view_create", "saved_view_delete"}
POST_ONLY |= {"target_approve", "target_lock", "target_delete", "target_cascade"}
POST_ONLY |= {"target_leave_add", "target_leave_delete"}
POST_ONLY |= {"notification_read", "notification_read_all"}
# Pages a persona of the walk may not open: (route, persona) → the answer.
REFUSED = {
    ("account_merge_pick", "li.rep"): 403,  # reps do not merge accounts
    ("account_merge_confirm", "li.rep"): 403,
    ("target_create", "li.rep"): 403,  # reps do not set targets
    ("target_recommend", "li.rep"): 404,
    ("target_edit", "li.rep"): 403,
}


def _requests_for(name: str, records: dict[str, int]) -> list[tuple[str, str, dict]]:
    """How to call each named route: (method, path, data)."""
    arguments = {
        "account_detail": [records["account"]],
        "account_edit": [records["account"]],
        "account_log": [records["account"]],
        "deal_detail": [records["deal"]],
        "deal_edit": [records["deal"]],
        "deal_move": [records["deal"]],
        "deal_win": [records["deal"]],
        "deal_lose": [records["deal"]],
        "lead_detail": [records["lead"]],
        "lead_edit": [records["lead"]],
        "lead_convert": [records["lead"]],
        "lead_qualify": [records["lead"]],
        "lead_disqualify": [records["lead"]],
        "lead_release": [records["lead"]],
        "pool_lead_claim": [records["lead"]],
        "pool_account_claim": [records["account"]],
        "pool_account_release": [records["account"]],
        "contact_detail": [records["contact"]],
        "contact_edit": [records["contact"]],
        "account_merge_pick": [records["account"]],
        "account_merge_confirm": [records["account"], records["other_account"]],
        "saved_view_delete": [records["saved_view"]],
        "target_detail": [records["target"]],
        "target_edit": [records["target"]],
        "target_approve": [records["target"]],
        "target_lock": [records["target"]],
        "target_delete": [records["target"]],
        "target_cascade": [records["target"]],
        "target_person_history": [records["user"]],
        "target_leave_add": [records["user"]],
        "target_leave_delete": [records["user"], records["leave"]],
        "notification_read": [records["notification"]],
    }
    path = reverse(name, args=arguments.get(name, []))
    return {
        "logout": [("post", path, {})],
        "set_language": [("post", path, {"language": "zh-hans", "next": "/"})],
        "search": [("get", path, {}), ("get", path, {"q": "云帆"})],
    }.get(name, [("get", path, {})])


def test_every_route_is_covered_below():
    names = set(_routes())
    assert {"login", "logout", "set_language", "search", "healthz", "home"} <= names
    assert {"account_list", "account_detail", "pipeline_board", "deal_detail"} <= names
    assert names >= POST_ONLY


@pytest.mark.parametrize("name", _routes())
@pytest.mark.parametrize("persona", [None, "li.rep", "admin"])
def test_every_page_has_the_strict_csp_and_no_inline_script_or_style(
    world, client_as, records, name, persona
):
    for method, path, data in _requests_for(name, records):
        client = client_as(world[persona] if persona else None)
        response = getattr(client, method)(path, data)
        _assert_strict_page(response, f"{persona} {method} {path}")
        # Follow redirects (sign-in, after sign-out, after switching language) to the page.
        hops = 0
        while response.status_code in (301, 302) and hops < 3:
            response = client.get(response["Location"])
            _assert_strict_page(response, f"{persona} → {response.request['PATH_INFO']}")
            hops += 1
        expected = 405 if name in POST_ONLY and persona else REFUSED.get((name, persona), 200)
        assert response.status_code == expected, (name, persona, response.status_code)


def test_error_pages_have_the_strict_csp(world, client_as):
    response = client_as(world["li.rep"]).get("/no-such-page/")
    assert response.status_code == 404
    _assert_strict_page(response, "404")


def test_no_template_of_the_shell_has_inline_script_style_or_event_handler():
    for template in TEMPLATES.rglob("*.html"):
        page = parse_page(template.read_text(encoding="utf-8"))
        assert page.inline_scripts == [], template
        assert page.style_attributes == [], template
        assert page.style_elements == 0, template
        assert page.event_handler_attributes == [], template


def test_htmx_is_configured_without_inline_indicator_css(world, client_as):
    html = client_as(world["li.rep"]).get("/").content.decode()
    assert """<meta name="htmx-config" content='{"includeIndicatorCSS": false}'>""" in html
    assert '<meta name="csrf-token" content="' in html
    assert 'src="/static/vendor/htmx/htmx.min.js"' in html
    assert 'src="/static/web/js/dealbook.js"' in html
