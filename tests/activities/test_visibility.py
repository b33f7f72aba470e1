from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

HUAXIN_ALL = {
    "a_li_call",
    "a_wang_call",
    "a_liu_call",
    "a_li_deal",
    "a_zheng_note",
    "a_wang_on_li_deal",
    "a_liu_lead",
    "a_zhou_shared",
    "a_zhou_deal",
}

EXPECTED = {
    # own, plus: her deal (wang's meeting on it), her account (zheng's note), the shared
    # account (zhou's call) — but not zhou's deal on that account (the deal decides).
    "li.rep": {"a_li_call", "a_li_deal", "a_zheng_note", "a_wang_on_li_deal", "a_zhou_shared"},
    "wang.rep": {"a_wang_call", "a_wang_on_li_deal"},
    "zhang.manager": {"a_li_call", "a_wang_call", "a_li_deal", "a_zheng_note", "a_wang_on_li_deal"},
    "zhao.manager": {"a_liu_call", "a_liu_lead"},
    "chen.director": HUAXIN_ALL,
    "admin": HUAXIN_ALL,
    # own note, plus every activity on an account that is not tied to a deal (no leads).
    "zheng.service": {"a_li_call", "a_wang_call", "a_liu_call", "a_zheng_note", "a_zhou_shared"},
    "wu.finance": set(),
    "feng.marketing": set(),
    "he.product": set(),
    "acme.admin": {"a_acme"},
}


def _names(scene, ids: set[int]) -> set[str]:
    by_id = {getattr(scene, name).pk: name for name in vars(scene) if name.startswith("a_")}
    return {by_id[pk] for pk in ids}


@pytest.mark.parametrize("login", sorted(EXPECTED))
def test_activity_list_shows_exactly_what_each_persona_may_see(world, api_as, scene, login):
    response = api_as(world[login]).get("activities", {"limit": 200})
    assert response.status_code == 200, response.content
    ids = {item["id"] for item in response.json()["items"]}
    assert _names(scene, ids) == EXPECTED[login]


@pytest.mark.parametrize("login", sorted(EXPECTED))
def test_activity_get_is_404_outside_the_visible_set(world, api_as, scene, login):
    client = api_as(world[login])
    for name in (*HUAXIN_ALL, "a_acme"):
        response = client.get(f"activities/{getattr(scene, name).pk}")
        expected = 200 if name in EXPECTED[login] else 404
        assert response.status_code == expected, (login, name, response.content)


def test_get_returns_the_linked_records(world, api_as, scene):
    response = api_as(world["li.rep"]).get(f"activities/{scene.a_wang_on_li_deal.pk}")
    body = response.json()
    assert body["owner"]["username"] == "wang.rep"
    assert body["deal"] == {"id": scene.deal_li.pk, "name": "Deal Li"}
    assert body["account"] == {"id": scene.acc_li.pk, "name": "Li Account"}
    assert (body["kind"], body["is_done"], body["contact"], body["lead"]) == (
        "meeting",
        True,
        None,
        None,
    )


def test_filters_narrow_the_visible_set(world, api_as, scene):
    client = api_as(world["zhang.manager"])

    def names(params):
        response = client.get("activities", {"limit": 200, **params})
        assert response.status_code == 200, response.content
        return _names(scene, {item["id"] for item in response.json()["items"]})

    assert names({"kind": "note"}) == {"a_li_deal", "a_zheng_note"}
    assert names({"owner_id": world["wang.rep"].pk}) == {"a_wang_call", "a_wang_on_li_deal"}
    assert names({"deal_id": scene.deal_li.pk}) == {"a_li_deal", "a_wang_on_li_deal"}
    assert names({"account_id": scene.acc_li.pk}) == {
        "a_li_call",
        "a_li_deal",
        "a_zheng_note",
        "a_wang_on_li_deal",
    }
    assert names({"q": "WANG"}) == {"a_wang_call", "a_wang_on_li_deal"}
    assert names({"is_done": "false"}) == set()
    # A filter on something invisible shows nothing rather than leaking it.
    assert names({"account_id": scene.acc_liu.pk}) == set()


def test_list_is_sorted_newest_first_by_default(world, api_as, scene):
    response = api_as(world["wang.rep"]).get("activities")
    assert [item["subject"] for item in response.json()["items"]] == [
        "wang on li deal",
        "wang call",
    ]
    response = api_as(world["wang.rep"]).get("activities", {"sort": "occurred_at"})
    assert [item["subject"] for item in response.json()["items"]] == [
        "wang call",
        "wang on li deal",
    ]
