"""Saved views of list pages through the API: a user saves filters under a name, sees their
own views and those their team shared, and only the owner deletes one (anyone else: 404)."""

from __future__ import annotations

import pytest

from dealbook.core.models import AuditEvent
from dealbook.org import services
from dealbook.org.models import SavedView

pytestmark = pytest.mark.django_db


def _save(user, name="VIP customers", page="accounts", query="tag=VIP&sort=name", **kw):
    return services.saved_view_create(actor=user, page=page, name=name, query=query, **kw)


def test_saving_a_view_stores_the_known_filters_and_is_audited(world, api_as):
    li = world["li.rep"]
    response = api_as(li).post(
        "saved-views",
        {"page": "accounts", "name": "VIP", "query": "?tag=VIP&sort=name&page=3&region="},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["page"], body["name"], body["query"], body["is_shared"], body["is_mine"]) == (
        "accounts",
        "VIP",
        "tag=VIP&sort=name",  # the page number and empty values are not part of a view
        False,
        True,
    )
    view = SavedView.objects.get(pk=body["id"])
    assert (view.owner, view.org_id) == (li, world.org.pk)
    event = AuditEvent.objects.get(object_type="savedview", object_id=view.pk)
    assert (event.verb, event.actor_id, event.changes["query"]) == (
        "create",
        li.pk,
        [None, "tag=VIP&sort=name"],
    )


@pytest.mark.parametrize(
    ("body", "field", "status"),
    [
        ({"page": "accounts", "name": "x", "query": "colour=red"}, "query", 422),
        ({"page": "accounts", "name": "x", "query": "stage=3"}, "query", 422),  # a deals filter
        ({"page": "nowhere", "name": "x", "query": ""}, "page", 422),
        ({"page": "accounts", "name": "", "query": ""}, "name", 422),
        ({"page": "accounts", "name": "   ", "query": ""}, "name", 422),
        ({"page": "accounts", "name": "x" * 61, "query": ""}, "name", 422),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(world, api_as, body, field, status):
    response = api_as(world["li.rep"]).post("saved-views", body)
    assert response.status_code == status, response.content
    assert [error["field"] for error in response.json()["errors"]] == [field]
    assert not SavedView.objects.exists()
    assert not AuditEvent.objects.filter(object_type="savedview").exists()


def test_a_second_view_of_the_same_name_on_the_same_page_is_refused(world, api_as):
    li = world["li.rep"]
    _save(li, name="VIP")
    response = api_as(li).post("saved-views", {"page": "accounts", "name": "VIP", "query": ""})
    assert response.status_code == 409
    assert response.json()["errors"][0]["field"] == "name"
    assert SavedView.objects.count() == 1
    # The same name on another page is another view.
    other = api_as(li).post("saved-views", {"page": "contacts", "name": "VIP", "query": "q=王"})
    assert other.status_code == 201


def test_the_list_holds_mine_and_my_teams_shared_views_only(world, api_as):
    li, wang, liu = world["li.rep"], world["wang.rep"], world["liu.rep"]
    _save(li, name="Mine")
    _save(wang, name="Wang shared", is_shared=True)
    _save(wang, name="Wang private")
    _save(liu, name="South shared", is_shared=True)  # another team
    _save(world["acme.rep"], name="Acme shared", is_shared=True)
    _save(li, name="Contacts", page="contacts", query="q=王")
    listed = api_as(li).get("saved-views", {"page": "accounts"}).json()
    assert [(v["name"], v["is_mine"]) for v in listed] == [("Mine", True), ("Wang shared", False)]
    everything = api_as(li).get("saved-views").json()
    assert [v["name"] for v in everything] == ["Mine", "Wang shared", "Contacts"]


def test_the_owner_deletes_a_view_and_the_deletion_is_audited(world, api_as):
    li = world["li.rep"]
    view = _save(li)
    response = api_as(li).delete(f"saved-views/{view.pk}")
    assert response.status_code == 204
    assert not SavedView.objects.exists()
    event = AuditEvent.objects.get(object_type="savedview", verb="delete")
    assert (event.object_id, event.actor_id) == (view.pk, li.pk)


@pytest.mark.parametrize("persona", ["wang.rep", "zhang.manager", "admin", "acme.admin"])
def test_nobody_but_the_owner_deletes_a_view_not_even_a_teammate_it_is_shared_with(
    world, api_as, persona
):
    view = _save(world["li.rep"], is_shared=True)
    response = api_as(world[persona]).delete(f"saved-views/{view.pk}")
    assert response.status_code == 404
    assert SavedView.objects.filter(pk=view.pk).exists()
    assert not AuditEvent.objects.filter(object_type="savedview", verb="delete").exists()


def test_saved_views_need_a_signed_in_user(world, api_as):
    view = _save(world["li.rep"])
    anonymous = api_as()
    assert anonymous.get("saved-views").status_code == 401
    assert anonymous.post("saved-views", {"page": "accounts", "name": "x"}).status_code == 401
    assert anonymous.delete(f"saved-views/{view.pk}").status_code == 401
    assert SavedView.objects.count() == 1
