"""The customers workspace: the accounts list, an account's page, its quick log form and the
account forms — who may open each, who is turned away (and that nothing changed), and a list
page that costs the same queries for one account and for thirty."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from dealbook.activities.models import Activity
from dealbook.core.models import AuditEvent
from dealbook.customers import services as customer_services
from dealbook.customers.models import Account
from tests.activities.factories import ActivityFactory
from tests.factories import AccountFactory, ContactFactory
from tests.pipeline.factories import DealFactory, PipelineFactory
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

HTMX = {"HTTP_HX_REQUEST": "true"}


def _rows(html: str) -> list[str]:
    """Account names of the list page, in order."""
    return row_names(html, "account-name")


@pytest.fixture
def accounts(world):
    PipelineFactory(org=world.org, name="Sales")
    li, wang, liu = world["li.rep"], world["wang.rep"], world["liu.rep"]
    mine = AccountFactory(
        owner=li, name="云帆信息科技", industry="technology", lifecycle_stage="customer"
    )
    other = AccountFactory(owner=li, name="长江物流", industry="logistics")
    customer_services.account_update(
        actor=li, account_id=other.pk, version=other.version, values={}, tags=["VIP"]
    )
    return {
        "mine": mine,
        "other": other,
        "wang": AccountFactory(owner=wang, name="王氏贸易"),  # team East, not li's
        "south": AccountFactory(owner=liu, name="华南电子"),  # team South
        "acme": AccountFactory(owner=world["acme.rep"], name="Acme Corp"),
    }


# --- /accounts/ ---------------------------------------------------------------------------------


def test_the_list_shows_a_rep_her_accounts_only(world, client_as, accounts):
    response = client_as(world["li.rep"]).get("/accounts/")
    assert response.status_code == 200
    html = response.content.decode()
    assert sorted(_rows(html)) == ["云帆信息科技", "长江物流"]
    assert f'href="/accounts/{accounts["mine"].pk}/"' in html
    assert "1–2 of 2" in html
    assert_strict(html)


def test_a_manager_lists_the_team_and_a_director_everyone(world, client_as, accounts):
    east = _rows(client_as(world["zhang.manager"]).get("/accounts/").content.decode())
    assert sorted(east) == ["云帆信息科技", "王氏贸易", "长江物流"]
    everyone = _rows(client_as(world["chen.director"]).get("/accounts/").content.decode())
    assert sorted(everyone) == ["云帆信息科技", "华南电子", "王氏贸易", "长江物流"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "云帆"}, ["云帆信息科技"]),
        ({"industry": "logistics"}, ["长江物流"]),
        ({"lifecycle_stage": "customer"}, ["云帆信息科技"]),
        ({"tag": "VIP"}, ["长江物流"]),
        ({"sort": "name", "q": ""}, ["云帆信息科技", "长江物流"]),
        ({"sort": "-name"}, ["长江物流", "云帆信息科技"]),
        # A value the list does not know is dropped, not an error page.
        ({"industry": "no-such-industry"}, ["长江物流", "云帆信息科技"]),
    ],
)
def test_search_filters_and_sort(world, client_as, accounts, params, expected):
    response = client_as(world["li.rep"]).get("/accounts/", params)
    assert response.status_code == 200
    assert _rows(response.content.decode()) == expected


def test_the_owner_filter_offers_only_people_the_user_sees(world, client_as, accounts):
    manager = client_as(world["zhang.manager"])
    html = manager.get("/accounts/", {"owner": world["wang.rep"].pk}).content.decode()
    assert _rows(html) == ["王氏贸易"]
    assert owner_options(html) == sorted(
        world[login].pk for login in ("zhang.manager", "li.rep", "wang.rep")
    )


def test_pages_of_25_with_links_to_the_next_and_previous(world, client_as):
    li = world["li.rep"]
    for n in range(30):
        AccountFactory(owner=li, name=f"客户 {n:02d}")
    names = [f"客户 {n:02d}" for n in range(30)]
    assert_pages_of_25(client_as(li), "/accounts/", _rows, names, sort="name")


# Session, user, organisation settings, the rep's scope, the owner choices, what is shared
# with her, the rows (with their owners), their tags, the capped count, the saved views, the bell.
ACCOUNT_LIST_QUERIES = 11


@pytest.mark.parametrize("how_many", [1, 30])
def test_the_list_costs_the_same_queries_for_one_account_and_for_thirty(
    world, client_as, django_assert_num_queries, how_many
):
    li = world["li.rep"]
    for n in range(how_many):
        account = AccountFactory(owner=li, name=f"客户 {n:02d}")
        account.tags.set([customer_services._tags(world.org.pk, [f"tag {n % 3}"])[0]])
    assert_list_queries(
        django_assert_num_queries,
        client_as(li),
        "/accounts/",
        ACCOUNT_LIST_QUERIES,
        _rows,
        min(how_many, 25),
    )


def test_the_list_sends_visitors_to_sign_in(client_as):
    response = client_as().get("/accounts/")
    assert (response.status_code, response["Location"]) == (302, "/login/?next=/accounts/")


def test_the_list_refuses_post(world, client_as):
    assert client_as(world["li.rep"]).post("/accounts/").status_code == 405


# --- /accounts/<id>/ ------------------------------------------------------------------------------


def test_the_account_page_shows_details_contacts_deals_and_timeline(world, client_as, accounts):
    li = world["li.rep"]
    mine = accounts["mine"]
    ContactFactory(account=mine, name="王经理", title="采购经理")
    deal = DealFactory(owner=li, account=mine, name="ERP 项目", amount_minor=1_234_567_00)
    ActivityFactory(owner=li, account=mine, subject="首次拜访", kind="visit")
    response = client_as(li).get(f"/accounts/{mine.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<h1 class="h3 mb-0">云帆信息科技</h1>' in html
    assert "王经理" in html and "采购经理" in html
    assert f'data-deal="{deal.pk}"' in html and "CNY 1,234,567.00" in html
    assert "Customer visit: 首次拜访" in html
    assert f'hx-post="/accounts/{mine.pk}/log/"' in html
    assert f'href="/accounts/{mine.pk}/edit/"' in html
    assert_strict(html)


def test_customer_service_sees_the_account_but_not_its_deals(world, client_as, accounts):
    DealFactory(owner=world["li.rep"], account=accounts["mine"], name="ERP 项目")
    html = client_as(world["zheng.service"]).get(f"/accounts/{accounts['mine'].pk}/").content
    assert "云帆信息科技" in html.decode()
    assert "ERP 项目" not in html.decode()
    assert b"account-deals" not in html


@pytest.mark.parametrize("which", ["wang", "south", "acme"])
def test_a_rep_gets_404_for_an_account_she_may_not_see(world, client_as, accounts, which):
    response = client_as(world["li.rep"]).get(f"/accounts/{accounts[which].pk}/")
    assert response.status_code == 404
    assert accounts[which].name not in response.content.decode()


def test_the_account_page_sends_visitors_to_sign_in(client_as, accounts):
    path = f"/accounts/{accounts['mine'].pk}/"
    response = client_as().get(path)
    assert (response.status_code, response["Location"]) == (302, f"/login/?next={path}")


def test_the_account_page_refuses_post(world, client_as, accounts):
    path = f"/accounts/{accounts['mine'].pk}/"
    assert client_as(world["li.rep"]).post(path).status_code == 405


# --- /accounts/<id>/log/ --------------------------------------------------------------------------


def test_logging_a_call_creates_it_through_the_service_and_returns_the_entry(
    world, client_as, accounts
):
    li, mine = world["li.rep"], accounts["mine"]
    response = client_as(li).post(
        f"/accounts/{mine.pk}/log/",
        {"kind": "call", "subject": "确认报价", "body": "下周再联系"},
        **HTMX,
    )
    assert response.status_code == 200
    activity = Activity.objects.get(account=mine)
    assert (activity.kind, activity.subject, activity.body, activity.owner) == (
        "call",
        "确认报价",
        "下周再联系",
        li,
    )
    assert activity.completed_at is not None
    assert (
        AuditEvent.objects.filter(
            object_type="activity", object_id=activity.pk, verb="create", actor=li
        ).count()
        == 1
    )
    html = response.content.decode()
    # The fresh form (the main swap) and the timeline, out of band, with the new entry marked.
    assert html.lstrip().startswith('<form id="log-form"')
    assert "Logged: 确认报价" in html
    assert 'id="account-timeline" aria-labelledby="timeline-title" hx-swap-oob="true"' in html
    new = re.findall(r'class="[^"]*timeline-entry[^"]*is-new" [^>]*data-object="([^"]+)"', html)
    assert new == [f"activity:{activity.pk}"]
    assert "Call: 确认报价" in html
    assert Account.objects.get(pk=mine.pk).last_activity_at == activity.completed_at


def test_a_task_gets_its_due_day_in_the_organisations_time_zone(world, client_as, accounts):
    mine = accounts["mine"]
    response = client_as(world["li.rep"]).post(
        f"/accounts/{mine.pk}/log/",
        {"kind": "task", "subject": "发送合同", "due_date": "2030-05-06"},
        **HTMX,
    )
    assert response.status_code == 200
    task = Activity.objects.get(account=mine)
    local = timezone.localtime(task.due_at, ZoneInfo(world.org.time_zone))
    assert (local.date(), local.hour) == (dt.date(2030, 5, 6), 18)
    assert task.completed_at is None


def test_an_invalid_entry_answers_422_with_the_error_next_to_the_field(world, client_as, accounts):
    mine = accounts["mine"]
    response = client_as(world["li.rep"]).post(
        f"/accounts/{mine.pk}/log/", {"kind": "call", "subject": "  "}, **HTMX
    )
    assert response.status_code == 422
    html = response.content.decode()
    field = html.split('data-field="subject"')[1].split("</div>\n</div>")[0]
    assert "This field is required." in field or "Subject is required." in field
    assert "hx-swap-oob" not in html
    assert not Activity.objects.filter(account=mine).exists()


def test_an_unknown_kind_is_refused_and_nothing_is_logged(world, client_as, accounts):
    mine = accounts["mine"]
    response = client_as(world["li.rep"]).post(
        f"/accounts/{mine.pk}/log/", {"kind": "telepathy", "subject": "x"}, **HTMX
    )
    assert response.status_code == 422
    assert 'data-field="kind"' in response.content.decode()
    assert not Activity.objects.exists()


def test_without_htmx_the_log_form_returns_to_the_account_page(world, client_as, accounts):
    mine = accounts["mine"]
    response = client_as(world["li.rep"]).post(
        f"/accounts/{mine.pk}/log/", {"kind": "note", "subject": "备注"}
    )
    assert (response.status_code, response["Location"]) == (302, f"/accounts/{mine.pk}/#timeline")
    assert Activity.objects.get(account=mine).kind == "note"


def test_logging_at_another_teams_account_is_404_and_logs_nothing(world, client_as, accounts):
    response = client_as(world["li.rep"]).post(
        f"/accounts/{accounts['south'].pk}/log/", {"kind": "call", "subject": "x"}, **HTMX
    )
    assert response.status_code == 404
    assert not Activity.objects.exists()


def test_a_role_that_may_not_log_activities_is_refused(world, client_as, accounts):
    """Finance reads every account, and may not log activities."""
    response = client_as(world["wu.finance"]).post(
        f"/accounts/{accounts['mine'].pk}/log/", {"kind": "call", "subject": "x"}, **HTMX
    )
    assert response.status_code == 403
    assert not Activity.objects.exists()


def test_the_log_form_takes_post_only(world, client_as, accounts):
    path = f"/accounts/{accounts['mine'].pk}/log/"
    assert client_as(world["li.rep"]).get(path).status_code == 405
    assert not Activity.objects.exists()


def test_the_log_form_needs_a_signed_in_user_and_the_csrf_token(world, client_as, accounts):
    path = f"/accounts/{accounts['mine'].pk}/log/"
    response = client_as().post(path, {"kind": "call", "subject": "x"})
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    guarded = csrf_client(world["li.rep"])
    assert guarded.post(path, {"kind": "call", "subject": "x"}, **HTMX).status_code == 403
    assert not Activity.objects.exists()


# --- /accounts/<id>/edit/ ------------------------------------------------------------------------


def _edit_data(account: Account, **changes) -> dict:
    data = {
        "name": account.name,
        "owner": account.owner_id or "",
        "lifecycle_stage": account.lifecycle_stage,
        "industry": account.industry,
        "size": account.size,
        "source": account.source,
        "region": account.region,
        "phone": account.phone,
        "website": account.website,
        "address": account.address,
        "tags": "",
        "description": account.description,
        "version": account.version,
    }
    data.update(changes)
    return data


def test_the_edit_form_saves_through_the_service(world, client_as, accounts):
    li, mine = world["li.rep"], accounts["mine"]
    client = client_as(li)
    form = client.get(f"/accounts/{mine.pk}/edit/")
    assert form.status_code == 200
    assert f'name="version" value="{mine.version}"' in form.content.decode()
    response = client.post(
        f"/accounts/{mine.pk}/edit/", _edit_data(mine, region="上海", tags="重点, VIP")
    )
    assert (response.status_code, response["Location"]) == (302, f"/accounts/{mine.pk}/")
    saved = Account.objects.get(pk=mine.pk)
    assert (saved.region, saved.version) == ("上海", mine.version + 1)
    assert sorted(tag.name for tag in saved.tags.all()) == ["VIP", "重点"]
    event = AuditEvent.objects.get(object_type="account", object_id=mine.pk, verb="update")
    assert event.changes["region"] == ["", "上海"]


def test_a_stale_edit_changes_nothing_and_says_so(world, client_as, accounts):
    li, mine = world["li.rep"], accounts["mine"]
    stale = _edit_data(mine, region="北京")
    customer_services.account_update(  # someone else, meanwhile
        actor=world["zhang.manager"],
        account_id=mine.pk,
        version=mine.version,
        values={"region": "上海"},
    )
    response = client_as(li).post(f"/accounts/{mine.pk}/edit/", stale)
    assert response.status_code == 412
    assert (
        "Someone else changed this account while you were editing it." in response.content.decode()
    )
    saved = Account.objects.get(pk=mine.pk)
    assert (saved.region, saved.version) == ("上海", mine.version + 1)
    assert AuditEvent.objects.filter(object_type="account", object_id=mine.pk).count() == 1


def test_a_stale_edit_shows_what_the_others_changed_and_keeps_the_users_values(
    world, client_as, accounts
):
    li, zhang, mine = world["li.rep"], world["zhang.manager"], accounts["mine"]
    stale = _edit_data(mine, region="北京", website="https://mine.example")
    customer_services.account_update(
        actor=zhang, account_id=mine.pk, version=mine.version, values={"region": "上海"}
    )
    customer_services.account_update(
        actor=zhang,
        account_id=mine.pk,
        version=mine.version + 1,
        values={"lifecycle_stage": "partner", "industry": "retail"},
    )
    response = client_as(li).post(f"/accounts/{mine.pk}/edit/", stale)
    assert response.status_code == 412
    page = parse_changes(response.content.decode())
    assert page["edits"] == [str(zhang), str(zhang)]
    assert page["rows"] == [
        ["Region", "—", "上海"],
        # Within an edit, in the model's field order (whatever order the audit stored).
        ["Industry", "Technology", "Retail"],
        ["Lifecycle stage", "Customer", "Partner"],
    ]
    # The user's values stay in the form, which now carries the current version.
    assert page["inputs"]["region"] == "北京"
    assert page["inputs"]["website"] == "https://mine.example"
    assert page["inputs"]["version"] == str(mine.version + 2)
    assert Account.objects.get(pk=mine.pk).region == "上海"


def test_saving_again_after_seeing_the_changes_is_a_deliberate_overwrite(
    world, client_as, accounts
):
    li, mine = world["li.rep"], accounts["mine"]
    customer_services.account_update(
        actor=world["zhang.manager"],
        account_id=mine.pk,
        version=mine.version,
        values={"region": "上海"},
    )
    client = client_as(li)
    refused = client.post(f"/accounts/{mine.pk}/edit/", _edit_data(mine, region="北京"))
    resent = parse_changes(refused.content.decode())["inputs"]
    assert resent["version"] == str(mine.version + 1)
    response = client.post(
        f"/accounts/{mine.pk}/edit/", _edit_data(mine, region="北京", version=resent["version"])
    )
    assert response.status_code == 302
    assert Account.objects.get(pk=mine.pk).region == "北京"


def test_an_invalid_edit_shows_the_error_next_to_the_field(world, client_as, accounts):
    mine = accounts["mine"]
    response = client_as(world["li.rep"]).post(
        f"/accounts/{mine.pk}/edit/", _edit_data(mine, name="")
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert 'class="mb-3 field field-invalid" data-field="name"' in html
    assert Account.objects.get(pk=mine.pk).version == mine.version


def test_renaming_to_a_look_alike_warns_and_saves_only_when_confirmed(world, client_as, accounts):
    li, mine, other = world["li.rep"], accounts["mine"], accounts["other"]
    client = client_as(li)
    response = client.post(f"/accounts/{mine.pk}/edit/", _edit_data(mine, name="长江物流"))
    assert response.status_code == 422
    assert f'class="duplicate" data-account="{other.pk}"' in response.content.decode()
    assert Account.objects.get(pk=mine.pk).name == "云帆信息科技"
    confirmed = _edit_data(mine, name="长江物流", ignore_duplicates="on")
    assert client.post(f"/accounts/{mine.pk}/edit/", confirmed).status_code == 302
    assert Account.objects.get(pk=mine.pk).name == "长江物流"


def test_editing_another_teams_account_is_404_and_changes_nothing(world, client_as, accounts):
    south = accounts["south"]
    client = client_as(world["li.rep"])
    assert client.get(f"/accounts/{south.pk}/edit/").status_code == 404
    response = client.post(f"/accounts/{south.pk}/edit/", _edit_data(south, name="改名"))
    assert response.status_code == 404
    assert Account.objects.get(pk=south.pk).name == "华南电子"


def test_a_read_only_role_may_not_edit(world, client_as, accounts):
    mine = accounts["mine"]
    client = client_as(world["wu.finance"])
    assert client.get(f"/accounts/{mine.pk}/edit/").status_code == 403
    assert client.post(f"/accounts/{mine.pk}/edit/", _edit_data(mine, name="x")).status_code == 403
    assert Account.objects.get(pk=mine.pk).name == "云帆信息科技"


def test_the_edit_form_sends_visitors_to_sign_in(client_as, accounts):
    path = f"/accounts/{accounts['mine'].pk}/edit/"
    assert client_as().get(path)["Location"] == f"/login/?next={path}"


# --- /accounts/new/ -------------------------------------------------------------------------------


def test_creating_an_account_makes_it_the_reps(world, client_as):
    li = world["li.rep"]
    client = client_as(li)
    assert client.get("/accounts/new/").status_code == 200
    response = client.post(
        "/accounts/new/",
        {
            "name": "东方重工",
            "lifecycle_stage": "prospect",
            "phone": "021-5555 1234",
            "tags": "制造",
        },
    )
    account = Account.objects.get(name="东方重工")
    assert (response.status_code, response["Location"]) == (302, f"/accounts/{account.pk}/")
    assert account.owner == li
    assert [tag.name for tag in account.tags.all()] == ["制造"]
    assert AuditEvent.objects.filter(object_type="account", object_id=account.pk).count() == 1


def test_a_duplicate_is_shown_and_created_only_when_confirmed(world, client_as, accounts):
    client = client_as(world["li.rep"])
    data = {"name": "华南电子", "lifecycle_stage": "prospect"}  # team South's customer
    response = client.post("/accounts/new/", data)
    assert response.status_code == 422
    html = response.content.decode()
    assert f'class="duplicate" data-account="{accounts["south"].pk}"' in html
    assert "not shared with you" in html  # named, but not linked: she may not open it
    assert f'href="/accounts/{accounts["south"].pk}/"' not in html
    assert Account.objects.filter(name="华南电子").count() == 1
    response = client.post("/accounts/new/", {**data, "ignore_duplicates": "on"})
    assert response.status_code == 302
    assert Account.objects.filter(name="华南电子").count() == 2


def test_a_role_that_may_not_create_accounts_is_refused(world, client_as):
    client = client_as(world["zheng.service"])
    assert client.get("/accounts/new/").status_code == 403
    assert (
        client.post("/accounts/new/", {"name": "x", "lifecycle_stage": "prospect"}).status_code
        == 403
    )
    assert not Account.objects.exists()


def test_the_create_form_sends_visitors_to_sign_in(client_as):
    assert client_as().get("/accounts/new/")["Location"] == "/login/?next=/accounts/new/"
