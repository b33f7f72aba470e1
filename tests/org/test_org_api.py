from __future__ import annotations

import pytest

from dealbook.core.models import AuditEvent
from dealbook.org.models import Share
from dealbook.org.visibility import viewer_for
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


def test_viewer_scope_follows_the_team_tree(world):
    ids = {login: user.pk for login, user in world.users.items()}
    assert viewer_for(world["li.rep"]).owner_ids == {ids["li.rep"]}
    assert viewer_for(world["zhang.manager"]).owner_ids == {
        ids["zhang.manager"],
        ids["li.rep"],
        ids["wang.rep"],
    }
    director_scope = viewer_for(world["chen.director"]).owner_ids
    assert director_scope == {
        ids[login]
        for login in (
            "chen.director",
            "zhang.manager",
            "li.rep",
            "wang.rep",
            "zhao.manager",
            "liu.rep",
            "sun.manager",
            "zhou.rep",
        )
    }


def test_me_and_colleagues_stay_inside_the_organisation(world, api_as):
    me = api_as(world["li.rep"]).get("org/me").json()
    assert (me["username"], me["role"], me["team"]["name"]) == ("li.rep", "sales_rep", "East")
    huaxin = {u["username"] for u in api_as(world["li.rep"]).get("org/users").json()}
    acme = {u["username"] for u in api_as(world["acme.admin"]).get("org/users").json()}
    assert "acme.admin" not in huaxin
    assert "li.rep" in huaxin
    assert acme == {"acme.admin", "acme.rep"}
    teams = [t["name"] for t in api_as(world["li.rep"]).get("org/teams").json()]
    assert teams == ["Sales", "East", "South", "Key Accounts"]


def test_owner_shares_account_and_colleague_then_sees_it(world, api_as):
    account = AccountFactory(owner=world["li.rep"], name="Shared Co")
    wang = world["wang.rep"]
    assert api_as(wang).get(f"accounts/{account.pk}").status_code == 404
    response = api_as(world["li.rep"]).post(
        "org/shares", {"object_type": "account", "object_id": account.pk, "user_id": wang.pk}
    )
    assert response.status_code == 201, response.content
    assert api_as(wang).get(f"accounts/{account.pk}").status_code == 200
    event = AuditEvent.objects.get(object_type="share", object_id=response.json()["id"])
    assert (event.verb, event.actor_id) == ("share", world["li.rep"].pk)


def test_share_to_a_team_reaches_its_members(world, api_as):
    account = AccountFactory(owner=world["li.rep"], name="Team Shared")
    response = api_as(world["li.rep"]).post(
        "org/shares",
        {"object_type": "account", "object_id": account.pk, "team_id": world.teams["South"].pk},
    )
    assert response.status_code == 201
    assert api_as(world["liu.rep"]).get(f"accounts/{account.pk}").status_code == 200
    assert api_as(world["zhou.rep"]).get(f"accounts/{account.pk}").status_code == 404


def test_cannot_share_what_you_cannot_see(world, api_as):
    account = AccountFactory(owner=world["wang.rep"], name="Not mine")
    response = api_as(world["li.rep"]).post(
        "org/shares",
        {"object_type": "account", "object_id": account.pk, "user_id": world["li.rep"].pk},
    )
    assert response.status_code == 404
    assert not Share.objects.exists()


def test_cannot_share_with_another_organisation(world, api_as):
    account = AccountFactory(owner=world["li.rep"], name="Mine")
    response = api_as(world["li.rep"]).post(
        "org/shares",
        {"object_type": "account", "object_id": account.pk, "user_id": world["acme.rep"].pk},
    )
    assert response.status_code == 404
    assert response.json()["errors"][0]["field"] == "user_id"
    assert not Share.objects.exists()


def test_unshare_removes_access_and_is_audited(world, api_as):
    account = AccountFactory(owner=world["li.rep"], name="Shared Co")
    share = (
        api_as(world["li.rep"])
        .post(
            "org/shares",
            {"object_type": "account", "object_id": account.pk, "user_id": world["wang.rep"].pk},
        )
        .json()
    )
    denied = api_as(world["liu.rep"]).delete(f"org/shares/{share['id']}")
    assert denied.status_code == 404
    assert api_as(world["li.rep"]).delete(f"org/shares/{share['id']}").status_code == 204
    assert api_as(world["wang.rep"]).get(f"accounts/{account.pk}").status_code == 404
    assert AuditEvent.objects.filter(object_type="share", verb="unshare").count() == 1


def test_unknown_shareable_type_is_named(world, api_as):
    response = api_as(world["li.rep"]).post(
        "org/shares", {"object_type": "spaceship", "object_id": 1, "user_id": world["wang.rep"].pk}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "object_type"


def test_tokens_are_personal(world, api_as):
    created = api_as(world["li.rep"]).post("org/tokens", {"name": "laptop"}).json()
    assert created["token"].startswith("dbk_")
    assert api_as(world["wang.rep"]).get("org/tokens").json() == []
    assert api_as(world["wang.rep"]).delete(f"org/tokens/{created['id']}").status_code == 404
    listed = api_as(world["li.rep"]).get("org/tokens").json()
    assert [t["name"] for t in listed] == ["laptop"]
    assert "token" not in listed[0]


def test_token_authentication_touches_last_use_at_most_once_a_minute(world):
    import datetime as dt

    from django.test import Client
    from django.utils import timezone

    from dealbook.org.models import ApiToken
    from dealbook.org.services import api_token_create
    from dealbook.org.visibility import viewer_for

    token, raw = api_token_create(actor=world["li.rep"], name="script")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get("/api/v1/org/me").json()["username"] == "li.rep"
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first is not None
    assert client.get("/api/v1/org/me").status_code == 200
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first  # fresh: left alone
    old = timezone.now() - dt.timedelta(seconds=61)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=old)
    assert client.get("/api/v1/org/me").status_code == 200
    assert ApiToken.objects.get(pk=token.pk).last_used_at > old
    # An inactive user's token stops working; so does a token of a user moved out of its org.
    type(world["li.rep"]).objects.filter(pk=world["li.rep"].pk).update(is_active=False)
    assert client.get("/api/v1/org/me").status_code == 401
    type(world["li.rep"]).objects.filter(pk=world["li.rep"].pk).update(is_active=True)
    ApiToken.objects.filter(pk=token.pk).update(org=world.acme)
    assert client.get("/api/v1/org/me").status_code == 401
    # A manager's token finds the team it manages; a rep's needs no scope query at all.
    from dealbook.org.services import api_token_authenticate

    manager = api_token_authenticate(api_token_create(actor=world["zhang.manager"], name="m")[1])
    rep = api_token_authenticate(api_token_create(actor=world["wang.rep"], name="r")[1])
    assert viewer_for(manager).owner_ids == viewer_for(world["zhang.manager"]).owner_ids
    assert len(viewer_for(manager).owner_ids) > 1
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert viewer_for(rep).owner_ids == frozenset({world["wang.rep"].pk})
    assert len(ctx.captured_queries) == 0


@pytest.mark.parametrize("inline_max", [500, 1])
def test_shared_records_are_visible_inlined_or_through_the_share_table(
    world, monkeypatch, inline_max
):
    from dealbook.customers.selectors import visible_accounts
    from dealbook.org import visibility
    from dealbook.org.models import Share
    from tests.factories import AccountFactory

    monkeypatch.setattr(visibility, "SHARE_INLINE_MAX", inline_max)
    li, liu = world["li.rep"], world["liu.rep"]
    own = AccountFactory(owner=li)
    theirs = [AccountFactory(owner=liu) for _ in range(3)]
    for account in theirs[:2]:
        Share.objects.create(org=world.org, object_type="account", object_id=account.pk, user=li)
    reader = type(li).objects.get(pk=li.pk)  # a fresh request's user
    ids = set(
        visible_accounts(actor=reader).filter(owner__in=[li, liu]).values_list("pk", flat=True)
    )
    assert own.pk in ids
    assert {a.pk for a in theirs} & ids == {theirs[0].pk, theirs[1].pk}
    sql = str(visible_accounts(actor=reader).query)
    assert ("org_share" in sql) == (inline_max == 1)


def test_token_authentication_brings_the_shares_along(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dealbook.customers.selectors import visible_accounts
    from dealbook.org.services import api_token_authenticate, api_token_create

    li, liu = world["li.rep"], world["liu.rep"]
    to_li = AccountFactory(owner=liu)
    to_team = AccountFactory(owner=liu)
    hidden = AccountFactory(owner=liu)
    Share.objects.create(org=world.org, object_type="account", object_id=to_li.pk, user=li)
    Share.objects.create(org=world.org, object_type="account", object_id=to_team.pk, team=li.team)
    user = api_token_authenticate(api_token_create(actor=li, name="script")[1])
    with CaptureQueriesContext(connection) as ctx:
        sql = str(visible_accounts(actor=user).query)
    assert len(ctx.captured_queries) == 0  # scope and shares came with the token
    ids = set(visible_accounts(actor=user).filter(owner=liu).values_list("pk", flat=True))
    assert ids == {to_li.pk, to_team.pk}
    assert hidden.pk not in ids and "org_share" not in sql


def test_token_authentication_reads_every_persona_scope_as_the_queries_do(world):
    """The scope token authentication reads in its one statement (members of the managed
    subtrees, shares to the user, their team and the teams below; the organisation's
    settings) equals what the queries read for a fresh user — for every persona, managers of
    nested teams included."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dealbook.org import visibility
    from dealbook.org.selectors import org_settings
    from dealbook.org.services import api_token_authenticate, api_token_create

    world.org.time_zone, world.org.fiscal_year_start_month = "Asia/Tokyo", 4
    world.org.save(update_fields=["time_zone", "fiscal_year_start_month"])
    liu = world["liu.rep"]
    east, south = world["li.rep"].team, liu.team
    shared = [AccountFactory(owner=liu) for _ in range(3)]
    Share.objects.create(org=world.org, object_type="account", object_id=shared[0].pk, team=east)
    Share.objects.create(org=world.org, object_type="account", object_id=shared[1].pk, team=south)
    Share.objects.create(
        org=world.org, object_type="deal", object_id=shared[2].pk, user=world["chen.director"]
    )
    checked = 0
    for login, person in world.users.items():
        if not person.org_id or not person.is_active:
            continue
        fresh = type(person).objects.get(pk=person.pk)
        expected = viewer_for(fresh)
        expected_shares = visibility._shares_by_type(fresh, expected)
        token_user = api_token_authenticate(api_token_create(actor=person, name="scope")[1])
        with CaptureQueriesContext(connection) as ctx:
            scope = viewer_for(token_user)
            shares = visibility._shares_by_type(token_user, scope)
            settings = org_settings(actor=token_user)
        assert len(ctx.captured_queries) == 0, login
        assert settings == org_settings(actor=type(person).objects.get(pk=person.pk)), login
        assert scope == expected, login
        assert shares == expected_shares, login
        checked += 1
    assert checked >= 10
    director = viewer_for(
        api_token_authenticate(api_token_create(actor=world["chen.director"], name="d")[1])
    )
    assert {east.pk, south.pk} <= director.managed_team_ids
