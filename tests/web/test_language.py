"""The language switch: saved on the user through org.services.user_set_language, applied to
every page they open after that; visitors get the cookie or Accept-Language; the API follows
Accept-Language."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from dealbook.core.errors import DomainError, PermissionDenied
from dealbook.core.models import AuditEvent
from dealbook.org.models import User
from dealbook.org.services import user_set_language

pytestmark = pytest.mark.django_db


def _language(user: User) -> str:
    return User.objects.values_list("language", flat=True).get(pk=user.pk)


# --- the view -------------------------------------------------------------------------------


def test_switching_saves_the_language_on_the_user_and_the_next_page_is_chinese(world, client_as):
    li = world["li.rep"]
    client = client_as(li)
    response = client.post("/language/", {"language": "zh-hans", "next": "/search/?q=x"})
    assert (response.status_code, response["Location"]) == (302, "/search/?q=x")
    assert _language(li) == "zh-hans"
    assert response.cookies["django_language"].value == "zh-hans"

    # A fresh session, a browser asking for English: the saved language wins.
    fresh = client_as(li, HTTP_ACCEPT_LANGUAGE="en")
    html = fresh.get("/").content.decode()
    assert '<html lang="zh-hans">' in html
    assert "欢迎，李娜 Li Na" in html
    assert (
        '<a class="nav-link active" href="/" data-nav="home" aria-current="page">首页</a>' in html
    )
    assert "退出登录" in html


def test_the_saved_language_lasts_as_long_as_the_request(world, client_as):
    """The page and its Content-Language are the user's; the thread is back to the request's
    own language afterwards (a test or a thread serving the next request sees no Chinese)."""
    li = world["li.rep"]
    user_set_language(actor=li, language="zh-hans")
    with translation.override("en"):
        response = client_as(li, HTTP_ACCEPT_LANGUAGE="en").get("/")
        assert '<html lang="zh-hans">' in response.content.decode()
        assert response["Content-Language"] == "zh-hans"
        assert translation.get_language() == "en"
        assert str(translation.gettext_lazy("Pipeline")) == "Pipeline"


def test_switching_is_audited_once(world, client_as):
    li = world["li.rep"]
    client_as(li).post("/language/", {"language": "zh-hans"})
    client_as(li).post("/language/", {"language": "zh-hans"})  # no change, no event
    events = AuditEvent.objects.filter(object_type="user", object_id=li.pk, verb="update")
    assert [(e.actor_id, e.changes) for e in events] == [(li.pk, {"language": ["en", "zh-hans"]})]


def test_switching_by_get_is_refused(world, client_as):
    li = world["li.rep"]
    response = client_as(li).get("/language/", {"language": "zh-hans"})
    assert response.status_code == 405
    assert _language(li) == "en"


def test_an_unknown_language_is_refused_and_changes_nothing(world, client_as):
    li = world["li.rep"]
    response = client_as(li).post("/language/", {"language": "fr"})
    assert response.status_code == 400
    assert _language(li) == "en"
    assert (
        not AuditEvent.objects.filter(object_type="user", object_id=li.pk)
        .exclude(verb="create")
        .exists()
    )


def test_switching_without_the_csrf_token_is_refused(world):
    li = world["li.rep"]
    client = Client(enforce_csrf_checks=True)
    client.force_login(li)
    assert client.post("/language/", {"language": "zh-hans"}).status_code == 403
    assert _language(li) == "en"


def test_a_redirect_elsewhere_is_not_followed(world, client_as):
    response = client_as(world["li.rep"]).post(
        "/language/", {"language": "zh-hans", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_a_visitor_switches_by_cookie_only(world, client_as):
    client = client_as()
    response = client.post("/language/", {"language": "zh-hans", "next": "/login/"})
    assert (response.status_code, response["Location"]) == (302, "/login/")
    assert response.cookies["django_language"].value == "zh-hans"
    html = client.get("/login/").content.decode()
    assert "登录 Dealbook" in html
    assert not User.objects.filter(language="zh-hans").exists()


def test_visitors_get_their_browser_language(client_as):
    html = client_as(HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9").get("/login/").content.decode()
    assert '<html lang="zh-hans">' in html
    assert "登录 Dealbook" in html
    english = client_as(HTTP_ACCEPT_LANGUAGE="en-US").get("/login/").content.decode()
    assert "Sign in to Dealbook" in english


def test_the_api_follows_accept_language_not_the_saved_language(world, api_as):
    li = world["li.rep"]
    user_set_language(actor=li, language="zh-hans")
    english = api_as(li).get("accounts/999999", HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()["detail"] == "Account not found."


# --- the service ----------------------------------------------------------------------------


def test_user_set_language_saves_and_returns_the_actor(world):
    li = world["li.rep"]
    assert user_set_language(actor=li, language="zh-hans") is li
    assert (li.language, _language(li)) == ("zh-hans", "zh-hans")


def test_user_set_language_refuses_someone_else(world):
    admin, li = world["admin"], world["li.rep"]
    with pytest.raises(PermissionDenied):
        user_set_language(actor=admin, user=li, language="zh-hans")
    assert (_language(li), _language(admin)) == ("en", "en")


def test_user_set_language_refuses_a_language_we_do_not_have(world):
    li = world["li.rep"]
    with pytest.raises(DomainError) as error:
        user_set_language(actor=li, language="de")
    assert (error.value.code, error.value.field) == ("invalid", "language")
    assert _language(li) == "en"


# --- the locale middleware ------------------------------------------------------------------


def test_no_url_carries_a_language_prefix():
    """dealbook.core.middleware.LocaleMiddleware never reads the path for a language: it is
    only right while the URLconf has no i18n_patterns."""
    from django.conf import settings
    from django.conf.urls.i18n import is_language_prefix_patterns_used

    assert is_language_prefix_patterns_used(settings.ROOT_URLCONF) == (False, False)


@pytest.mark.parametrize(
    ("headers", "language", "detail"),
    [
        ({"HTTP_ACCEPT_LANGUAGE": "zh-CN,zh;q=0.9"}, "zh-hans", ("未找到", "未找到客户。")),
        ({"HTTP_ACCEPT_LANGUAGE": "fr-FR,en;q=0.5"}, "en", ("Not found", "Account not found.")),
        ({}, "en", ("Not found", "Account not found.")),
    ],
)
def test_an_api_answer_names_the_language_it_chose_from_accept_language(
    world, api_as, headers, language, detail
):
    """The problem's title and detail both come in the language chosen."""
    response = api_as(world["li.rep"]).get("accounts/999999", **headers)
    body = response.json()
    assert (response.status_code, (body["title"], body["detail"])) == (404, detail)
    assert response["Content-Language"] == language
    assert "Accept-Language" in response["Vary"].split(", ")


def test_the_language_cookie_wins_over_accept_language_on_the_api(world, api_as):
    client = api_as(world["li.rep"])
    client.client.cookies["django_language"] = "zh-hans"
    response = client.get("accounts/999999", HTTP_ACCEPT_LANGUAGE="en")
    assert (response["Content-Language"], response.json()["detail"]) == ("zh-hans", "未找到客户。")
    stale = client.patch("accounts/999999", {"version": 1, "name": "x"})
    assert (stale.status_code, stale.json()["title"]) == (404, "未找到")
