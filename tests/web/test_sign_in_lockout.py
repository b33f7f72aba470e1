"""django-axes: five wrong passwords for one login from one address lock that pair for 15
minutes, even against the right password; a success clears the count."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.test import Client

pytestmark = pytest.mark.django_db


def _sign_in(client: Client, login: str, password: str, **extra):
    return client.post("/login/", {"username": login, "password": password}, **extra)


def test_five_wrong_passwords_lock_the_login_even_against_the_right_one(world):
    client = Client()
    for attempt in range(1, 5):
        response = _sign_in(client, "li.rep", "wrong")
        assert response.status_code == 200, attempt
        html = response.content.decode()
        assert "Your login and password didn't match. Please try again." in html
    fifth = _sign_in(client, "li.rep", "wrong")
    assert fifth.status_code == 429
    assert "Sign-in paused" in fifth.content.decode()

    sixth = _sign_in(client, "li.rep", "dealbook-demo")
    assert sixth.status_code == 429
    html = sixth.content.decode()
    assert "Sign-in paused" in html
    assert "Failed attempts to sign in with this login from your address: 5." in html
    assert "signing in with it from here is paused for 15 min." in html
    assert "_auth_user_id" not in client.session
    assert client.get("/")["Location"] == "/login/?next=/"
    # The refused sixth attempt counts too (and restarts the 15 minutes).
    attempt = AccessAttempt.objects.get(username="li.rep")
    assert attempt.failures_since_start == 6


def test_the_lockout_page_is_translated(world):
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    for _ in range(5):
        _sign_in(client, "wang.rep", "wrong")
    response = _sign_in(client, "wang.rep", "dealbook-demo")
    assert response.status_code == 429
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "登录已暂停" in html
    assert "此登录名从您的地址登录失败的次数：5。" in html
    assert "为了您的安全，从这里用它登录已暂停 15 分钟。" in html


def test_the_lock_holds_one_login_from_one_address_only(world):
    client = Client(REMOTE_ADDR="10.0.0.1")
    for _ in range(5):
        _sign_in(client, "li.rep", "wrong")
    # Another login from the same address, and the same login from another address, still work.
    other_login = _sign_in(Client(REMOTE_ADDR="10.0.0.1"), "wang.rep", "dealbook-demo")
    assert (other_login.status_code, other_login["Location"]) == (302, "/")
    other_address = _sign_in(Client(REMOTE_ADDR="10.0.0.2"), "li.rep", "dealbook-demo")
    assert (other_address.status_code, other_address["Location"]) == (302, "/")


def test_a_success_before_the_limit_clears_the_failures(world):
    client = Client()
    for _ in range(4):
        _sign_in(client, "li.rep", "wrong")
    assert _sign_in(client, "li.rep", "dealbook-demo").status_code == 302
    assert not AccessAttempt.objects.filter(username="li.rep").exists()
    client.post("/logout/")
    for _ in range(4):
        assert _sign_in(client, "li.rep", "wrong").status_code == 200
    assert _sign_in(client, "li.rep", "dealbook-demo").status_code == 302


def test_checking_a_password_without_a_request_is_not_counted(world):
    from django.contrib.auth import authenticate

    assert authenticate(username="li.rep", password="dealbook-demo") == world["li.rep"]
    assert authenticate(username="li.rep", password="wrong") is None
    assert not AccessAttempt.objects.exists()
