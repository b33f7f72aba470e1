"""Leads and the pool on the web: the leads list, a lead's page and its actions, the lead forms,
the conversion form, and the pool — who may open each, who is turned away (and that nothing
changed), what each action writes (and audits), and list pages that cost the same queries for
one row and for thirty."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from dealbook.activities.models import Activity
from dealbook.core.models import AuditEvent
from dealbook.customers.models import Account, Contact
from dealbook.leads import services as lead_services
from dealbook.leads.models import Lead
from dealbook.pipeline import services as pipeline_services
from dealbook.pipeline.models import Deal
from tests.activities.factories import ActivityFactory
from tests.factories import AccountFactory
from tests.leads.factories import LeadFactory, set_row
from tests.web.conftest import (
    assert_list_queries,
    assert_pages_of_25,
    assert_strict,
    csrf_client,
    owner_options,
    parse_changes,
    row_names,
)

pytestmark = pytest.mark.django_db


def _rows(html: str) -> list[str]:
    """Lead names of the list page, in order."""
    return row_names(html, "lead-name")


def _pool_rows(html: str) -> list[str]:
    return row_names(html, "pool-name")


def _events(kind: str, pk: int) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type=kind, object_id=pk)
        .order_by("id")
        .values_list("verb", flat=True)
    )


@pytest.fixture
def leads(world):
    li, wang, liu = world["li.rep"], world["wang.rep"], world["liu.rep"]
    return {
        "mine": LeadFactory(
            owner=li,
            name="陈云帆",
            company="云帆教育",
            email="chen@yunfan.cn",
            phone="13800138000",
            source="website",
            region="华东",
            status="new",
        ),
        "other": LeadFactory(owner=li, name="赵长江", company="长江物流", status="contacted"),
        "wang": LeadFactory(owner=wang, name="王氏线索", company="王氏贸易"),  # East, not li's
        "south": LeadFactory(owner=liu, name="华南线索", company="华南电子"),  # team South
        "acme": LeadFactory(owner=world["acme.rep"], name="Acme lead"),
    }


# --- /leads/ -------------------------------------------------------------------------------------


def test_the_list_shows_a_rep_her_leads_only(world, client_as, leads):
    response = client_as(world["li.rep"]).get("/leads/")
    assert response.status_code == 200
    html = response.content.decode()
    assert sorted(_rows(html)) == ["赵长江", "陈云帆"]
    assert f'href="/leads/{leads["mine"].pk}/"' in html
    assert "1–2 of 2" in html
    assert 'name="owner"' not in html  # a rep has nobody else's leads to filter by
    assert_strict(html)


def test_a_manager_lists_the_team_and_a_director_and_marketing_everyone(world, client_as, leads):
    east = _rows(client_as(world["zhang.manager"]).get("/leads/").content.decode())
    assert sorted(east) == ["王氏线索", "赵长江", "陈云帆"]
    for login in ("chen.director", "feng.marketing"):
        everyone = _rows(client_as(world[login]).get("/leads/").content.decode())
        assert sorted(everyone) == ["华南线索", "王氏线索", "赵长江", "陈云帆"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "云帆"}, ["陈云帆"]),
        ({"q": "chen@yunfan"}, ["陈云帆"]),
        ({"q": "138 0013"}, ["陈云帆"]),
        ({"status": "contacted"}, ["赵长江"]),
        ({"source": "website"}, ["陈云帆"]),
        ({"sort": "name"}, ["赵长江", "陈云帆"]),
        ({"sort": "-name"}, ["陈云帆", "赵长江"]),
        # A value the list does not know is dropped, not an error page.
        ({"status": "no-such-status"}, ["赵长江", "陈云帆"]),
    ],
)
def test_search_filters_and_sort(world, client_as, leads, params, expected):
    response = client_as(world["li.rep"]).get("/leads/", params)
    assert response.status_code == 200
    html = response.content.decode()
    if "sort" in params:
        assert _rows(html) == expected
    else:
        assert sorted(_rows(html)) == sorted(expected)


def test_a_manager_filters_by_owner_among_the_people_she_sees(world, client_as, leads):
    html = (
        client_as(world["zhang.manager"])
        .get("/leads/", {"owner": world["wang.rep"].pk})
        .content.decode()
    )
    assert _rows(html) == ["王氏线索"]
    assert owner_options(html) == sorted(
        world[login].pk for login in ("zhang.manager", "li.rep", "wang.rep")
    )


def test_pages_of_25_with_links_to_the_next_and_previous(world, client_as):
    li = world["li.rep"]
    for n in range(30):
        LeadFactory(owner=li, name=f"线索 {n:02d}")
    names = [f"线索 {n:02d}" for n in range(30)]
    assert_pages_of_25(client_as(li), "/leads/", _rows, names, sort="name")


# Session, user, organisation settings, the rep's scope, what is shared with her, the rows
# (with their owners), the capped count, the bell.
LEAD_LIST_QUERIES = 8


@pytest.mark.parametrize("how_many", [1, 30])
def test_the_list_costs_the_same_queries_for_one_lead_and_for_thirty(
    world, client_as, django_assert_num_queries, how_many
):
    li = world["li.rep"]
    for n in range(how_many):
        LeadFactory(owner=li, name=f"线索 {n:02d}")
    assert_list_queries(
        django_assert_num_queries,
        client_as(li),
        "/leads/",
        LEAD_LIST_QUERIES,
        _rows,
        min(how_many, 25),
    )


def test_the_list_sends_visitors_to_sign_in(client_as):
    response = client_as().get("/leads/")
    assert (response.status_code, response["Location"]) == (302, "/login/?next=/leads/")


@pytest.mark.parametrize("login", ["zheng.service", "wu.finance", "he.product"])
def test_the_list_is_not_found_for_roles_without_leads(world, client_as, leads, login):
    assert client_as(world[login]).get("/leads/").status_code == 404


def test_the_list_refuses_post(world, client_as):
    assert client_as(world["li.rep"]).post("/leads/").status_code == 405


# --- /leads/<id>/ --------------------------------------------------------------------------------


def test_the_lead_page_shows_details_actions_and_activities(world, client_as, leads):
    li, mine = world["li.rep"], leads["mine"]
    ActivityFactory(owner=li, lead=mine, account=None, subject="首次电话", kind="call")
    response = client_as(li).get(f"/leads/{mine.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<h1 class="h3 mb-0">陈云帆</h1>' in html
    assert "云帆教育" in html and "chen@yunfan.cn" in html
    assert "Website" in html  # the source, by its label
    assert "Call: 首次电话" in html
    for action in ("qualify", "disqualify", "release"):
        assert f'action="/leads/{mine.pk}/{action}/"' in html
    assert f'href="/leads/{mine.pk}/convert/"' in html
    assert f'href="/leads/{mine.pk}/edit/"' in html
    assert_strict(html)


@pytest.mark.parametrize("which", ["wang", "south", "acme"])
def test_a_rep_gets_404_for_a_lead_she_may_not_see(world, client_as, leads, which):
    response = client_as(world["li.rep"]).get(f"/leads/{leads[which].pk}/")
    assert response.status_code == 404
    assert leads[which].name not in response.content.decode()


def test_marketing_reads_a_lead_and_may_change_it_but_not_convert_or_release(
    world, client_as, leads
):
    html = client_as(world["feng.marketing"]).get(f"/leads/{leads['mine'].pk}/").content.decode()
    assert "陈云帆" in html
    assert "/qualify/" in html
    assert "/convert/" not in html
    assert "/release/" not in html


def test_customer_service_gets_404_for_a_lead(world, client_as, leads):
    assert client_as(world["zheng.service"]).get(f"/leads/{leads['mine'].pk}/").status_code == 404


def test_the_lead_page_sends_visitors_to_sign_in(client_as, leads):
    path = f"/leads/{leads['mine'].pk}/"
    assert client_as().get(path)["Location"] == f"/login/?next={path}"


# --- qualify, disqualify, release ----------------------------------------------------------------


def test_qualifying_changes_the_status_and_is_audited(world, client_as, leads):
    mine = leads["mine"]
    client = client_as(world["li.rep"])
    response = client.post(f"/leads/{mine.pk}/qualify/", {"version": mine.version})
    assert (response.status_code, response["Location"]) == (302, f"/leads/{mine.pk}/")
    saved = Lead.objects.get(pk=mine.pk)
    assert (saved.status, saved.version) == ("qualified", mine.version + 1)
    assert _events("lead", mine.pk) == ["qualify"]
    assert "The lead is qualified." in client.get(response["Location"]).content.decode()


def test_a_stale_qualify_changes_nothing_and_says_so(world, client_as, leads):
    mine = leads["mine"]
    lead_services.lead_update(  # someone else, meanwhile
        actor=world["zhang.manager"],
        lead_id=mine.pk,
        version=mine.version,
        values={"title": "经理"},
    )
    client = client_as(world["li.rep"])
    response = client.post(f"/leads/{mine.pk}/qualify/", {"version": mine.version})
    assert response.status_code == 302
    assert Lead.objects.get(pk=mine.pk).status == "new"
    assert _events("lead", mine.pk) == ["update"]
    page = client.get(response["Location"]).content.decode()
    assert "Someone else changed this lead after you opened it." in page


def test_disqualifying_needs_a_reason_and_records_it(world, client_as, leads):
    mine = leads["mine"]
    client = client_as(world["li.rep"])
    refused = client.post(
        f"/leads/{mine.pk}/disqualify/", {"version": mine.version, "reason": "  "}
    )
    assert refused.status_code == 422
    field = refused.content.decode().split('data-field="reason"')[1].split("</div>\n</div>")[0]
    assert "This field is required." in field
    assert Lead.objects.get(pk=mine.pk).status == "new"
    response = client.post(
        f"/leads/{mine.pk}/disqualify/", {"version": mine.version, "reason": "没有预算"}
    )
    assert response.status_code == 302
    saved = Lead.objects.get(pk=mine.pk)
    assert (saved.status, saved.unqualified_reason) == ("unqualified", "没有预算")
    assert _events("lead", mine.pk) == ["disqualify"]


def test_releasing_returns_the_lead_to_the_pool(world, client_as, leads):
    mine = leads["mine"]
    client = client_as(world["li.rep"])
    response = client.post(f"/leads/{mine.pk}/release/", {"reason": "不是我的区域"})
    assert (response.status_code, response["Location"]) == (302, "/pool/")
    saved = Lead.objects.get(pk=mine.pk)
    assert (saved.owner_id, saved.released_at is not None) == (None, True)
    event = AuditEvent.objects.get(object_type="lead", object_id=mine.pk)
    assert (event.verb, event.changes["reason"]) == ("release", [None, "不是我的区域"])
    assert "陈云帆 is back in the pool." in client.get("/pool/").content.decode()


@pytest.mark.parametrize("action", ["qualify", "disqualify", "release"])
def test_actions_on_a_lead_she_may_not_see_are_404_and_change_nothing(
    world, client_as, leads, action
):
    south = leads["south"]
    response = client_as(world["li.rep"]).post(
        f"/leads/{south.pk}/{action}/", {"version": south.version, "reason": "x"}
    )
    assert response.status_code == 404
    assert Lead.objects.get(pk=south.pk).status == "new"
    assert Lead.objects.get(pk=south.pk).owner == world["liu.rep"]
    assert _events("lead", south.pk) == []


@pytest.mark.parametrize("action", ["qualify", "disqualify", "release", "convert"])
def test_actions_take_post_only_and_need_the_csrf_token(world, client_as, leads, action):
    mine = leads["mine"]
    path = f"/leads/{mine.pk}/{action}/"
    if action != "convert":
        assert client_as(world["li.rep"]).get(path).status_code == 405
    guarded = csrf_client(world["li.rep"])
    assert guarded.post(path, {"version": mine.version, "reason": "x"}).status_code == 403
    assert _events("lead", mine.pk) == []
    anonymous = client_as().post(path, {"version": mine.version})
    assert anonymous["Location"].startswith("/login/")


def test_marketing_may_not_release_a_lead(world, client_as, leads):
    mine = leads["mine"]
    response = client_as(world["feng.marketing"]).post(f"/leads/{mine.pk}/release/")
    assert response.status_code == 403
    assert Lead.objects.get(pk=mine.pk).owner == world["li.rep"]


# --- /leads/new/ and /leads/<id>/edit/ -----------------------------------------------------------


def _lead_data(**changes) -> dict:
    data = {
        "name": "周新",
        "company": "新华制造",
        "title": "",
        "phone": "",
        "email": "",
        "owner": "",
        "source": "",
        "industry": "",
        "region": "",
        "description": "",
    }
    data.update(changes)
    return data


def test_creating_a_lead_makes_it_the_reps(world, client_as):
    li = world["li.rep"]
    client = client_as(li)
    assert client.get("/leads/new/").status_code == 200
    response = client.post("/leads/new/", _lead_data(email="zhou@xinhua.cn", source="referral"))
    lead = Lead.objects.get(name="周新")
    assert (response.status_code, response["Location"]) == (302, f"/leads/{lead.pk}/")
    assert (lead.owner, lead.email, lead.source) == (li, "zhou@xinhua.cn", "referral")
    assert _events("lead", lead.pk) == ["create"]


def test_a_bad_email_is_named_and_nothing_is_created(world, client_as):
    response = client_as(world["li.rep"]).post("/leads/new/", _lead_data(email="not-an-email"))
    assert response.status_code == 422
    html = response.content.decode()
    assert 'class="mb-3 field field-invalid" data-field="email"' in html
    assert not Lead.objects.exists()


def test_a_duplicate_lead_is_shown_and_created_only_when_confirmed(world, client_as, leads):
    client = client_as(world["li.rep"])
    data = _lead_data(name="陈另一个", email="CHEN@yunfan.cn")
    response = client.post("/leads/new/", data)
    assert response.status_code == 422
    html = response.content.decode()
    assert f'class="duplicate" data-lead="{leads["mine"].pk}"' in html
    assert "An open lead with the same email or phone already exists." in html
    assert not Lead.objects.filter(name="陈另一个").exists()
    response = client.post("/leads/new/", {**data, "ignore_duplicates": "on"})
    assert response.status_code == 302
    assert Lead.objects.filter(name="陈另一个").count() == 1


def test_roles_that_may_not_create_leads_are_refused(world, client_as):
    for login in ("zheng.service", "wu.finance"):
        client = client_as(world[login])
        assert client.get("/leads/new/").status_code == 403
        assert client.post("/leads/new/", _lead_data()).status_code == 403
    assert not Lead.objects.exists()


def test_the_create_form_sends_visitors_to_sign_in(client_as):
    assert client_as().get("/leads/new/")["Location"] == "/login/?next=/leads/new/"


def _edit_data(lead: Lead, **changes) -> dict:
    data = {
        "name": lead.name,
        "company": lead.company,
        "title": lead.title,
        "phone": lead.phone,
        "email": lead.email,
        "owner": "",
        "status": lead.status,
        "source": lead.source,
        "industry": lead.industry,
        "region": lead.region,
        "description": lead.description,
        "version": lead.version,
    }
    data.update(changes)
    return data


def test_the_edit_form_saves_through_the_service(world, client_as, leads):
    mine = leads["mine"]
    client = client_as(world["li.rep"])
    form = client.get(f"/leads/{mine.pk}/edit/")
    assert form.status_code == 200
    assert f'name="version" value="{mine.version}"' in form.content.decode()
    response = client.post(
        f"/leads/{mine.pk}/edit/", _edit_data(mine, title="校长", status="contacted")
    )
    assert (response.status_code, response["Location"]) == (302, f"/leads/{mine.pk}/")
    saved = Lead.objects.get(pk=mine.pk)
    assert (saved.title, saved.status, saved.version) == ("校长", "contacted", mine.version + 1)
    event = AuditEvent.objects.get(object_type="lead", object_id=mine.pk, verb="update")
    assert event.changes["title"] == ["", "校长"]


def test_a_stale_edit_changes_nothing_and_says_so(world, client_as, leads):
    mine = leads["mine"]
    stale = _edit_data(mine, title="老师")
    lead_services.lead_update(
        actor=world["zhang.manager"],
        lead_id=mine.pk,
        version=mine.version,
        values={"title": "经理"},
    )
    response = client_as(world["li.rep"]).post(f"/leads/{mine.pk}/edit/", stale)
    assert response.status_code == 412
    assert "Someone else changed this lead while you were editing it." in (
        response.content.decode()
    )
    changes = parse_changes(response.content.decode())
    assert changes["edits"] == [str(world["zhang.manager"])]
    assert changes["rows"] == [["Job title", mine.title or "—", "经理"]]
    assert (changes["inputs"]["title"], changes["inputs"]["version"]) == (
        "老师",
        str(mine.version + 1),
    )
    saved = Lead.objects.get(pk=mine.pk)
    assert (saved.title, saved.version) == ("经理", mine.version + 1)
    assert _events("lead", mine.pk) == ["update"]


def test_an_empty_name_is_named_and_nothing_changes(world, client_as, leads):
    mine = leads["mine"]
    response = client_as(world["li.rep"]).post(f"/leads/{mine.pk}/edit/", _edit_data(mine, name=""))
    assert response.status_code == 422
    assert 'class="mb-3 field field-invalid" data-field="name"' in response.content.decode()
    assert Lead.objects.get(pk=mine.pk).version == mine.version


def test_editing_another_teams_lead_is_404_and_changes_nothing(world, client_as, leads):
    south = leads["south"]
    client = client_as(world["li.rep"])
    assert client.get(f"/leads/{south.pk}/edit/").status_code == 404
    assert client.post(f"/leads/{south.pk}/edit/", _edit_data(south, name="x")).status_code == 404
    assert Lead.objects.get(pk=south.pk).name == "华南线索"


def test_the_edit_form_sends_visitors_to_sign_in(client_as, leads):
    path = f"/leads/{leads['mine'].pk}/edit/"
    assert client_as().get(path)["Location"] == f"/login/?next={path}"


# --- /leads/<id>/convert/ ------------------------------------------------------------------------


@pytest.fixture
def pipeline(world):
    return pipeline_services.pipeline_create_default(actor=None, org=world.org)


def _counts():
    return (Account.objects.count(), Contact.objects.count(), Deal.objects.count())


def test_converting_creates_account_contact_and_deal_and_lands_on_the_account(
    world, client_as, leads, pipeline
):
    li, mine = world["li.rep"], leads["mine"]
    client = client_as(li)
    form = client.get(f"/leads/{mine.pk}/convert/")
    assert form.status_code == 200
    assert "A new account: 云帆教育" in form.content.decode()
    assert_strict(form.content.decode())
    response = client.post(
        f"/leads/{mine.pk}/convert/",
        {
            "version": mine.version,
            "account": "new",
            "create_deal": "on",
            "deal_name": "云帆 在线课程平台",
            "amount": "120000.50",
            "expected_close_date": "2030-06-30",
            "pipeline": pipeline.pk,
        },
    )
    account = Account.objects.get(name="云帆教育")
    assert (response.status_code, response["Location"]) == (302, f"/accounts/{account.pk}/")
    contact = Contact.objects.get(account=account)
    deal = Deal.objects.get(account=account)
    assert (contact.name, contact.email) == ("陈云帆", "chen@yunfan.cn")
    assert (deal.name, deal.amount_minor, deal.expected_close_date, deal.owner) == (
        "云帆 在线课程平台",
        12_000_050,
        dt.date(2030, 6, 30),
        li,
    )
    lead = Lead.objects.get(pk=mine.pk)
    assert (lead.status, lead.converted_account_id, lead.converted_deal_id) == (
        "converted",
        account.pk,
        deal.pk,
    )
    assert _events("lead", mine.pk) == ["convert"]
    assert _events("account", account.pk) == ["create"]


def test_converting_into_an_existing_account_suggested_by_name(world, client_as, leads, pipeline):
    li, mine = world["li.rep"], leads["mine"]
    existing = AccountFactory(owner=li, name="云帆教育")
    client = client_as(li)
    form = client.get(f"/leads/{mine.pk}/convert/").content.decode()
    assert f'value="{existing.pk}"' in form  # the look-alike is offered
    response = client.post(
        f"/leads/{mine.pk}/convert/", {"version": mine.version, "account": str(existing.pk)}
    )
    assert (response.status_code, response["Location"]) == (302, f"/accounts/{existing.pk}/")
    assert Account.objects.count() == 1
    assert Contact.objects.get().account == existing
    assert not Deal.objects.exists()  # "Also open a deal" was not ticked


def test_converting_into_an_account_found_by_search(world, client_as, leads, pipeline):
    li, mine = world["li.rep"], leads["mine"]
    found = AccountFactory(owner=li, name="长江集团")
    AccountFactory(owner=world["liu.rep"], name="长江南方")  # not hers: never offered
    form = client_as(li).get(f"/leads/{mine.pk}/convert/", {"account_q": "长江"}).content
    html = form.decode()
    assert f'value="{found.pk}"' in html
    assert "长江南方" not in html


def test_a_new_account_that_looks_like_an_existing_one_is_refused_and_nothing_is_created(
    world, client_as, leads, pipeline
):
    mine = leads["mine"]
    AccountFactory(owner=world["liu.rep"], name="云帆教育")  # team South's: she cannot see it
    before = _counts()
    response = client_as(world["li.rep"]).post(
        f"/leads/{mine.pk}/convert/",
        {"version": mine.version, "account": "new", "create_deal": "on", "deal_name": "x"},
    )
    assert response.status_code == 422
    html = response.content.decode()
    field = html.split('data-field="account"')[1].split("</fieldset>")[0]
    assert "field-error" in field
    assert _counts() == before
    assert Lead.objects.get(pk=mine.pk).status == "new"


def test_a_bad_amount_is_named_and_nothing_is_created(world, client_as, leads, pipeline):
    mine = leads["mine"]
    before = _counts()
    response = client_as(world["li.rep"]).post(
        f"/leads/{mine.pk}/convert/",
        {"version": mine.version, "account": "new", "create_deal": "on", "amount": "-5"},
    )
    assert response.status_code == 422
    assert 'class="mb-3 field field-invalid" data-field="amount"' in response.content.decode()
    assert _counts() == before
    assert Lead.objects.get(pk=mine.pk).status == "new"


def test_a_stale_conversion_creates_nothing(world, client_as, leads, pipeline):
    mine = leads["mine"]
    lead_services.lead_update(
        actor=world["zhang.manager"],
        lead_id=mine.pk,
        version=mine.version,
        values={"title": "经理"},
    )
    before = _counts()
    response = client_as(world["li.rep"]).post(
        f"/leads/{mine.pk}/convert/", {"version": mine.version, "account": "new"}
    )
    assert response.status_code == 412
    assert "Someone else changed this lead" in response.content.decode()
    assert _counts() == before


def test_converting_a_lead_she_may_not_see_is_404(world, client_as, leads, pipeline):
    south = leads["south"]
    client = client_as(world["li.rep"])
    assert client.get(f"/leads/{south.pk}/convert/").status_code == 404
    response = client.post(
        f"/leads/{south.pk}/convert/", {"version": south.version, "account": "new"}
    )
    assert response.status_code == 404
    assert _counts() == (0, 0, 0)


def test_marketing_may_not_convert(world, client_as, leads, pipeline):
    mine = leads["mine"]
    client = client_as(world["feng.marketing"])
    assert client.get(f"/leads/{mine.pk}/convert/").status_code == 403
    response = client.post(
        f"/leads/{mine.pk}/convert/", {"version": mine.version, "account": "new"}
    )
    assert response.status_code == 403
    assert _counts() == (0, 0, 0)


# --- /pool/ --------------------------------------------------------------------------------------


@pytest.fixture
def pool(world):
    return {
        "leads": [LeadFactory(org=world.org, owner=None, name=f"公海线索 {i}") for i in range(3)],
        "accounts": [AccountFactory(org=world.org, owner=None, name="公海客户")],
        "acme": LeadFactory(org=world.acme, owner=None, name="Acme pool"),
    }


def test_the_pool_lists_pool_leads_with_the_claim_count(world, client_as, pool):
    LeadFactory(owner=world["li.rep"], name="Claimed", claimed_at=timezone.now())
    set_row(world.org, pool_claim_limit=7)
    response = client_as(world["li.rep"]).get("/pool/")
    assert response.status_code == 200
    html = response.content.decode()
    assert sorted(_pool_rows(html)) == ["公海线索 0", "公海线索 1", "公海线索 2"]
    assert "You hold 1 of 7 claims" in html
    assert html.count('class="claim-form"') == 3
    assert_strict(html)


def test_the_pool_searches_and_shows_accounts_on_their_tab(world, client_as, pool):
    client = client_as(world["li.rep"])
    assert _pool_rows(client.get("/pool/", {"q": "线索 1"}).content.decode()) == ["公海线索 1"]
    html = client.get("/pool/", {"tab": "accounts"}).content.decode()
    assert _pool_rows(html) == ["公海客户"]
    assert f'action="/pool/accounts/{pool["accounts"][0].pk}/claim/"' in html


def test_org_wide_roles_watch_the_pool_without_claiming(world, client_as, pool):
    html = client_as(world["chen.director"]).get("/pool/").content.decode()
    assert len(_pool_rows(html)) == 3
    assert "claim-form" not in html
    assert "You hold" not in html


@pytest.mark.parametrize("login", ["zheng.service", "wu.finance", "feng.marketing", "he.product"])
def test_the_pool_is_not_found_for_other_roles(world, client_as, pool, login):
    assert client_as(world[login]).get("/pool/").status_code == 404


def test_the_pool_sends_visitors_to_sign_in(client_as):
    assert client_as().get("/pool/")["Location"] == "/login/?next=/pool/"


# Session, user, organisation settings, the rows, the capped count, the claim limit, the open
# claims, the rep's scope and the bell.
POOL_QUERIES = 9


@pytest.mark.parametrize("how_many", [1, 30])
def test_the_pool_costs_the_same_queries_for_one_lead_and_for_thirty(
    world, client_as, django_assert_num_queries, how_many
):
    for n in range(how_many):
        LeadFactory(org=world.org, owner=None, name=f"公海 {n:02d}")
    assert_list_queries(
        django_assert_num_queries,
        client_as(world["li.rep"]),
        "/pool/",
        POOL_QUERIES,
        _pool_rows,
        min(how_many, 25),
    )


def test_claiming_a_pool_lead_makes_it_hers_and_counts(world, client_as, pool):
    li = world["li.rep"]
    lead = pool["leads"][0]
    client = client_as(li)
    response = client.post(f"/pool/leads/{lead.pk}/claim/", {"q": "公海"})
    assert (response.status_code, response["Location"]) == (
        302,
        "/pool/?tab=leads&q=%E5%85%AC%E6%B5%B7",
    )
    saved = Lead.objects.get(pk=lead.pk)
    assert (saved.owner, saved.claimed_at is not None) == (li, True)
    assert _events("lead", lead.pk) == ["claim"]
    html = client.get(response["Location"]).content.decode()
    assert "You claimed 公海线索 0." in html
    assert "You hold 1 of 50 claims" in html


def test_claiming_over_the_limit_shows_the_services_error_and_claims_nothing(
    world, client_as, pool
):
    set_row(world.org, pool_claim_limit=1)
    LeadFactory(owner=world["li.rep"], name="Held", claimed_at=timezone.now())
    lead = pool["leads"][0]
    client = client_as(world["li.rep"])
    response = client.post(f"/pool/leads/{lead.pk}/claim/")
    assert response.status_code == 302
    assert Lead.objects.get(pk=lead.pk).owner is None
    assert _events("lead", lead.pk) == []
    html = client.get(response["Location"]).content.decode()
    assert "You hold 1 claimed leads, the limit is 1. Release one first." in html


def test_claiming_from_another_organisations_pool_is_404(world, client_as, pool):
    response = client_as(world["li.rep"]).post(f"/pool/leads/{pool['acme'].pk}/claim/")
    assert response.status_code == 404
    assert Lead.objects.get(pk=pool["acme"].pk).owner is None


def test_org_wide_roles_may_not_claim(world, client_as, pool):
    lead = pool["leads"][0]
    response = client_as(world["chen.director"]).post(f"/pool/leads/{lead.pk}/claim/")
    assert response.status_code == 403
    assert Lead.objects.get(pk=lead.pk).owner is None


def test_claiming_and_releasing_an_account(world, client_as, pool):
    li = world["li.rep"]
    account = pool["accounts"][0]
    client = client_as(li)
    response = client.post(f"/pool/accounts/{account.pk}/claim/")
    assert (response.status_code, response["Location"]) == (302, "/pool/?tab=accounts")
    assert Account.objects.get(pk=account.pk).owner == li
    page = client.get(f"/accounts/{account.pk}/").content.decode()
    assert f'action="/pool/accounts/{account.pk}/release/"' in page
    response = client.post(f"/pool/accounts/{account.pk}/release/")
    assert response.status_code == 302
    assert Account.objects.get(pk=account.pk).owner is None
    assert _events("account", account.pk) == ["claim", "release"]


def test_releasing_someone_elses_account_is_404(world, client_as):
    theirs = AccountFactory(owner=world["liu.rep"], name="华南电子")
    response = client_as(world["li.rep"]).post(f"/pool/accounts/{theirs.pk}/release/")
    assert response.status_code == 404
    assert Account.objects.get(pk=theirs.pk).owner == world["liu.rep"]


@pytest.mark.parametrize("path", ["/pool/leads/{lead}/claim/", "/pool/accounts/{account}/claim/"])
def test_claims_take_post_only_and_need_the_csrf_token(world, client_as, pool, path):
    url = path.format(lead=pool["leads"][0].pk, account=pool["accounts"][0].pk)
    assert client_as(world["li.rep"]).get(url).status_code == 405
    guarded = csrf_client(world["li.rep"])
    assert guarded.post(url).status_code == 403
    assert client_as().post(url)["Location"].startswith("/login/")
    assert not Lead.objects.filter(owner=world["li.rep"]).exists()
    assert not Account.objects.filter(owner=world["li.rep"]).exists()


def test_activities_of_the_lead_are_not_listed_to_another_rep(world, client_as, leads):
    """The lead page lists the lead's activities through the scoped selector."""
    ActivityFactory(owner=world["li.rep"], lead=leads["mine"], account=None, subject="内部")
    assert Activity.objects.count() == 1
    assert client_as(world["wang.rep"]).get(f"/leads/{leads['mine'].pk}/").status_code == 404
