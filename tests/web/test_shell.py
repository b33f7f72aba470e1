"""The shell around every page: navigation by role, the bell, the user menu."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import path
from django.utils import timezone

from dealbook.web import navigation
from tests.activities.factories import ActivityFactory
from tests.collaboration.factories import NotificationFactory
from tests.web.conftest import parse_page

pytestmark = pytest.mark.django_db

# Pages not built yet (team) show in the navigation without a link.
SALES_NAV = [
    ("home", "/"),
    ("accounts", "/accounts/"),
    ("contacts", "/contacts/"),
    ("pipeline", "/pipeline/"),
    ("leads", "/leads/"),
]
TARGETS = ("targets", "/targets/")  # everyone who reads targets: not service, marketing, product


def _nav(client) -> list[tuple[str, str | None]]:
    return parse_page(client.get("/").content.decode()).nav


@pytest.mark.parametrize(
    ("login", "expected"),
    [
        ("li.rep", [*SALES_NAV, TARGETS]),
        ("zhang.manager", [*SALES_NAV, TARGETS]),
        ("chen.director", [*SALES_NAV, TARGETS]),
        ("admin", [*SALES_NAV, TARGETS, ("admin", "/admin/")]),
        (
            "wu.finance",
            [
                ("home", "/"),
                ("accounts", "/accounts/"),
                ("contacts", "/contacts/"),
                ("pipeline", "/pipeline/"),
                TARGETS,
            ],
        ),
        ("zheng.service", [("home", "/"), ("accounts", "/accounts/"), ("contacts", "/contacts/")]),
        ("feng.marketing", [("home", "/"), ("leads", "/leads/")]),
        ("he.product", [("home", "/")]),
    ],
)
def test_navigation_follows_the_role(world, client_as, login, expected):
    assert _nav(client_as(world[login])) == expected


def test_a_page_that_gets_built_lights_up_in_the_navigation(world, settings, client_as):
    """Naming a route as the navigation expects is all a new page needs."""
    from dealbook.web import urls as web_urls
    from dealbook.web import views

    urlconf = type(
        "Urls",
        (),
        {
            "urlpatterns": [
                path("leads/", views.home, name="lead_list"),
                *web_urls.urlpatterns,
            ]
        },
    )
    settings.ROOT_URLCONF = urlconf
    links = navigation.navigation_for(world["li.rep"])
    assert [(link.key, link.url) for link in links] == [
        ("home", "/"),
        ("accounts", "/accounts/"),
        ("contacts", "/contacts/"),
        ("pipeline", "/pipeline/"),
        ("leads", "/leads/"),
        ("targets", "/targets/"),
    ]


def test_visitors_get_no_navigation_and_no_bell(client_as):
    html = client_as().get("/login/").content.decode()
    assert parse_page(html).nav == []
    assert 'class="notifications' not in html
    assert 'action="/language/"' in html


def _todo(owner, due_at, done=False):
    return ActivityFactory(
        owner=owner,
        kind="task",
        occurred_at=None,
        due_at=due_at,
        completed_at=due_at if done else None,
    )


def _badge(total: int, unread: int, due: int) -> str:
    colour = "text-bg-danger" if total else "text-bg-secondary"
    return (
        f'<span class="badge rounded-pill {colour}" data-count="{total}" '
        f'data-unread="{unread}" data-due="{due}">{total}</span>'
    )


def test_the_bell_counts_my_open_todos_overdue_or_due_today(world, client_as):
    li, wang = world["li.rep"], world["wang.rep"]
    now = timezone.now()
    _todo(li, now - dt.timedelta(days=3))  # overdue
    _todo(li, now - dt.timedelta(minutes=1))  # due a minute ago
    _todo(li, now - dt.timedelta(days=1), done=True)  # done
    _todo(li, now + dt.timedelta(days=3))  # later
    _todo(wang, now - dt.timedelta(days=1))  # someone else's
    html = client_as(li).get("/").content.decode()
    assert _badge(2, 0, 2) in html
    assert 'title="Unread notifications: 0 · To-dos overdue or due today: 2"' in html
    assert 'href="/notifications/"' in html
    assert _badge(1, 0, 1) in client_as(wang).get("/").content.decode()


def test_the_bell_adds_my_unread_notifications_and_nobody_elses(world, client_as):
    li, wang = world["li.rep"], world["wang.rep"]
    _todo(li, timezone.now() - dt.timedelta(days=1))
    for number, person in enumerate([li, li, li, wang]):
        NotificationFactory(recipient=person, key=f"k{number}")
    NotificationFactory(recipient=li, key="old", read_at=timezone.now())
    html = client_as(li).get("/").content.decode()
    assert _badge(4, 3, 1) in html
    assert 'title="Unread notifications: 3 · To-dos overdue or due today: 1"' in html


def test_the_bell_shows_zero_in_grey_for_roles_without_todos(world, client_as):
    html = client_as(world["he.product"]).get("/").content.decode()
    assert _badge(0, 0, 0) in html


def test_the_user_menu_names_the_user_and_role_and_offers_both_languages(world, client_as):
    html = client_as(world["zhang.manager"]).get("/").content.decode()
    assert '<div class="dropdown-header who">张伟 Zhang Wei · Sales manager</div>' in html
    assert 'value="en" lang="en"' in html
    assert ">English</button>" in html
    assert ">简体中文</button>" in html
    assert '<form method="post" action="/logout/" class="px-3">' in html


def test_the_phone_layout_has_a_collapsible_navigation(world, client_as):
    html = client_as(world["li.rep"]).get("/").content.decode()
    assert 'data-bs-toggle="collapse" data-bs-target="#workspace-nav"' in html
    assert '<div class="collapse navbar-collapse" id="workspace-nav">' in html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
