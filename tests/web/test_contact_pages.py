"""The contacts workspace: the contacts list, a contact's page and the contact forms; merging a
duplicate account from the account page; saved views of the lists. Who may open each, who is
turned away (and that nothing changed), and list pages that cost the same queries for one row
and for thirty."""

from __future__ import annotations

import re

import pytest

from dealbook.activities.models import Activity
from dealbook.core.models import AuditEvent
from dealbook.customers import services as customer_services
from dealbook.customers.models import Account, Contact
from dealbook.org import services as org_services
from dealbook.org.models import SavedView
from dealbook.org.saved_views import PAGE_PARAMETERS
from dealbook.pipeline.models import Deal
from dealbook.web.views_contacts import ContactFilterForm
from dealbook.web.views_customers import AccountFilterForm
from dealbook.web.views_pipeline import DealFilterForm, DealListForm
from tests.activities.factories import ActivityFactory
from tests.factories import AccountFactory, ContactFactory
from tests.pipeline.factories import DealFactory, PipelineFactory
from tests.web.conftest import (
    assert_list_queries,
    assert_pages_of_25,
    assert_strict,
    csrf_client,
    parse_changes,
    row_names,
)

pytestmark = pytest.mark.django_db


def _rows(html: str) -> list[str]:
    """Contact names of the list page, in order."""
    return row_names(html, "contact-name")


@pytest.fixture
def book(world):
    PipelineFactory(org=world.org, name="Sales")
    li, wang, liu = world["li.rep"], world["wang.rep"], world["liu.rep"]
    yunfan = AccountFactory(owner=li, name="云帆信息科技")
    changjiang = AccountFactory(owner=li, name="长江物流")
    wangs = AccountFactory(owner=wang, name="王氏贸易")
    south = AccountFactory(owner=liu, name="华南电子")
    return {
        "yunfan": yunfan,
        "changjiang": changjiang,
        "wangs": wangs,
        "south_account": south,
        "wang_jl": ContactFactory(
            account=yunfan, name="王建国", title="采购经理", phone="138 0013 8000", is_primary=True
        ),
        "zhao": ContactFactory(account=changjiang, name="赵丽", email="zhao@cj.cn"),
        "wang_own": ContactFactory(account=wangs, name="王五"),
        "south": ContactFactory(account=south, name="刘南"),
        "acme": ContactFactory(
            account=AccountFactory(owner=world["acme.rep"], name="Acme"), name="Acme Bob"
        ),
    }


# --- /contacts/ -----------------------------------------------------------------------------------


def test_the_list_shows_a_rep_the_contacts_of_her_accounts_only(world, client_as, book):
    response = client_as(world["li.rep"]).get("/contacts/")
    assert response.status_code == 200
    html = response.content.decode()
    assert _rows(html) == ["王建国", "赵丽"]
    assert f'href="/contacts/{book["wang_jl"].pk}/"' in html
    assert f'href="/accounts/{book["yunfan"].pk}/"' in html
    assert "1–2 of 2" in html
    assert_strict(html)


def test_a_manager_lists_the_teams_contacts_and_service_everyones(world, client_as, book):
    east = _rows(client_as(world["zhang.manager"]).get("/contacts/").content.decode())
    assert sorted(east) == sorted(["王建国", "赵丽", "王五"])
    service = _rows(client_as(world["zheng.service"]).get("/contacts/").content.decode())
    assert sorted(service) == sorted(["王建国", "赵丽", "王五", "刘南"])


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "王"}, ["王建国"]),
        ({"q": "zhao@cj"}, ["赵丽"]),
        ({"q": "13800138000"}, ["王建国"]),
        ({"primary": "on"}, ["王建国"]),
        ({"sort": "-name"}, ["赵丽", "王建国"]),
        # A value the list does not know is dropped, not an error page.
        ({"sort": "colour"}, ["王建国", "赵丽"]),
        ({"owner": "not-a-number"}, ["王建国", "赵丽"]),
    ],
)
def test_search_filters_and_sort(world, client_as, book, params, expected):
    response = client_as(world["li.rep"]).get("/contacts/", params)
    assert response.status_code == 200
    assert _rows(response.content.decode()) == expected


def test_the_list_narrows_to_one_account_and_by_account_owner(world, client_as, book):
    manager = client_as(world["zhang.manager"])
    html = manager.get("/contacts/", {"account": book["changjiang"].pk}).content.decode()
    assert _rows(html) == ["赵丽"]
    assert "Contacts at 长江物流" in html
    html = manager.get("/contacts/", {"owner": world["wang.rep"].pk}).content.decode()
    assert _rows(html) == ["王五"]
    # Another team's account: nothing of it shows, not even its name.
    html = manager.get("/contacts/", {"account": book["south_account"].pk}).content.decode()
    assert _rows(html) == []
    assert "华南电子" not in html


def test_pages_of_25_with_links_to_the_next_and_previous(world, client_as):
    account = AccountFactory(owner=world["li.rep"], name="大客户")
    for n in range(30):
        ContactFactory(account=account, name=f"联系人 {n:02d}")
    names = [f"联系人 {n:02d}" for n in range(30)]
    assert_pages_of_25(client_as(world["li.rep"]), "/contacts/", _rows, names)


# Session, user, organisation settings, the rep's scope, the owner choices, what is shared
# with her, the rows (with their accounts and owners), the capped count, the saved views,
# the bell.
CONTACT_LIST_QUERIES = 10


@pytest.mark.parametrize("how_many", [1, 30])
def test_the_list_costs_the_same_queries_for_one_contact_and_for_thirty(
    world, client_as, django_assert_num_queries, how_many
):
    li = world["li.rep"]
    for n in range(how_many):
        ContactFactory(account=AccountFactory(owner=li, name=f"客户 {n:02d}"), name=f"人 {n:02d}")
    assert_list_queries(
        django_assert_num_queries,
        client_as(li),
        "/contacts/",
        CONTACT_LIST_QUERIES,
        _rows,
        min(how_many, 25),
    )


def test_the_list_sends_visitors_to_sign_in(client_as):
    response = client_as().get("/contacts/")
    assert (response.status_code, response["Location"]) == (302, "/login/?next=/contacts/")


@pytest.mark.parametrize("login", ["feng.marketing", "he.product"])
def test_roles_that_read_no_contacts_get_404(world, client_as, book, login):
    response = client_as(world[login]).get("/contacts/")
    assert response.status_code == 404
    assert "王建国" not in response.content.decode()


def test_the_list_refuses_post(world, client_as):
    assert client_as(world["li.rep"]).post("/contacts/").status_code == 405


# --- /contacts/<id>/ ------------------------------------------------------------------------------


def test_the_contact_page_shows_details_account_deals_and_activities(world, client_as, book):
    li, contact = world["li.rep"], book["wang_jl"]
    deal = DealFactory(owner=li, account=book["yunfan"], name="ERP 项目", amount_minor=50_000_00)
    deal.contacts.add(contact)
    DealFactory(owner=li, account=book["yunfan"], name="另一个项目")  # without this contact
    ActivityFactory(
        owner=li, account=book["yunfan"], contact=contact, subject="电话确认", kind="call"
    )
    ActivityFactory(owner=li, account=book["yunfan"], subject="与他无关", kind="note")
    response = client_as(li).get(f"/contacts/{contact.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<h1 class="h3 mb-0">王建国</h1>' in html
    assert "采购经理" in html and 'href="tel:138 0013 8000"' in html
    assert f'href="/accounts/{book["yunfan"].pk}/" class="account-link">云帆信息科技</a>' in html
    assert re.findall(r'class="deal" data-deal="(\d+)"', html) == [str(deal.pk)]
    assert "CNY 50,000.00" in html
    assert "Call: 电话确认" in html
    assert "与他无关" not in html
    assert f'href="/contacts/{contact.pk}/edit/"' in html
    assert_strict(html)


def test_service_sees_the_contact_but_not_the_deals(world, client_as, book):
    deal = DealFactory(owner=world["li.rep"], account=book["yunfan"], name="ERP 项目")
    deal.contacts.add(book["wang_jl"])
    response = client_as(world["zheng.service"]).get(f"/contacts/{book['wang_jl'].pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "王建国" in html
    assert "ERP 项目" not in html and "contact-deals" not in html
    assert "edit-contact" not in html  # service reads contacts, does not change them


@pytest.mark.parametrize("which", ["wang_own", "south", "acme"])
def test_a_rep_gets_404_for_a_contact_she_may_not_see(world, client_as, book, which):
    response = client_as(world["li.rep"]).get(f"/contacts/{book[which].pk}/")
    assert response.status_code == 404
    assert book[which].name not in response.content.decode()


def test_the_contact_page_sends_visitors_to_sign_in(client_as, book):
    path = f"/contacts/{book['wang_jl'].pk}/"
    assert client_as().get(path)["Location"] == f"/login/?next={path}"


# --- /contacts/new/ -------------------------------------------------------------------------------


def test_add_contact_from_the_account_page_creates_it_there(world, client_as, book):
    li, yunfan = world["li.rep"], book["yunfan"]
    client = client_as(li)
    account_page = client.get(f"/accounts/{yunfan.pk}/").content.decode()
    assert f'href="/contacts/new/?account={yunfan.pk}"' in account_page
    assert f'href="/contacts/{book["wang_jl"].pk}/" class="contact-link"' in account_page
    form = client.get("/contacts/new/", {"account": yunfan.pk})
    assert form.status_code == 200
    assert f'<option value="{yunfan.pk}" selected>' in form.content.decode()
    response = client.post(
        f"/contacts/new/?account={yunfan.pk}",
        {"account": yunfan.pk, "name": "李明", "title": "IT 总监", "email": "li.ming@yunfan.cn"},
    )
    contact = Contact.objects.get(name="李明")
    assert (response.status_code, response["Location"]) == (302, f"/contacts/{contact.pk}/")
    assert (contact.account, contact.title, contact.email) == (
        yunfan,
        "IT 总监",
        "li.ming@yunfan.cn",
    )
    event = AuditEvent.objects.get(object_type="contact", object_id=contact.pk)
    assert (event.verb, event.actor_id, event.changes["account_id"]) == (
        "create",
        li.pk,
        [None, yunfan.pk],
    )


def test_a_new_contact_with_errors_shows_them_by_the_fields_and_saves_nothing(
    world, client_as, book
):
    response = client_as(world["li.rep"]).post(
        "/contacts/new/", {"account": book["yunfan"].pk, "name": "", "email": "not-an-email"}
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert 'class="mb-3 field field-invalid" data-field="name"' in html
    assert 'class="mb-3 field field-invalid" data-field="email"' in html
    assert Contact.objects.count() == 5


def test_a_contact_at_an_account_she_may_not_see_is_refused_by_the_account_field(
    world, client_as, book
):
    response = client_as(world["li.rep"]).post(
        "/contacts/new/", {"account": book["south_account"].pk, "name": "潜入者"}
    )
    assert response.status_code == 422
    field = response.content.decode().split('data-field="account"')[1].split("</div>\n</div>")[0]
    assert f"Account {book['south_account'].pk} does not exist." in field
    assert not Contact.objects.filter(name="潜入者").exists()


def test_a_duplicate_contact_is_shown_and_created_only_when_confirmed(world, client_as, book):
    client = client_as(world["li.rep"])
    data = {"account": book["changjiang"].pk, "name": "赵丽丽", "email": "ZHAO@cj.cn"}
    response = client.post("/contacts/new/", data)
    assert response.status_code == 422
    html = response.content.decode()
    assert f'class="duplicate" data-contact="{book["zhao"].pk}"' in html
    assert f'href="/contacts/{book["zhao"].pk}/"' in html
    assert not Contact.objects.filter(name="赵丽丽").exists()
    response = client.post("/contacts/new/", {**data, "ignore_duplicates": "on"})
    assert response.status_code == 302
    assert Contact.objects.filter(name="赵丽丽").count() == 1


def test_the_create_form_for_an_account_she_may_not_see_is_404(world, client_as, book):
    response = client_as(world["li.rep"]).get(
        "/contacts/new/", {"account": book["south_account"].pk}
    )
    assert response.status_code == 404


def test_a_role_that_may_not_change_contacts_is_refused(world, client_as, book):
    client = client_as(world["zheng.service"])
    assert client.get("/contacts/new/").status_code == 403
    data = {"account": book["yunfan"].pk, "name": "客服加的"}
    assert client.post("/contacts/new/", data).status_code == 403
    assert not Contact.objects.filter(name="客服加的").exists()
    account_page = client.get(f"/accounts/{book['yunfan'].pk}/").content.decode()
    assert "add-contact" not in account_page


def test_the_create_form_sends_visitors_to_sign_in_and_needs_the_csrf_token(world, client_as, book):
    assert client_as().get("/contacts/new/")["Location"] == "/login/?next=/contacts/new/"
    guarded = csrf_client(world["li.rep"])
    response = guarded.post("/contacts/new/", {"account": book["yunfan"].pk, "name": "x"})
    assert response.status_code == 403
    assert not Contact.objects.filter(name="x").exists()


# --- /contacts/<id>/edit/ -------------------------------------------------------------------------


def _edit_data(contact: Contact, **changes) -> dict:
    data = {
        "account": contact.account_id,
        "name": contact.name,
        "title": contact.title,
        "phone": contact.phone,
        "email": contact.email,
        "wechat": contact.wechat,
        "notes": contact.notes,
        "version": contact.version,
    }
    if contact.is_primary:
        data["is_primary"] = "on"
    data.update(changes)
    return data


def test_the_edit_form_saves_through_the_service(world, client_as, book):
    li, contact = world["li.rep"], book["wang_jl"]
    client = client_as(li)
    form = client.get(f"/contacts/{contact.pk}/edit/")
    assert form.status_code == 200
    assert f'name="version" value="{contact.version}"' in form.content.decode()
    response = client.post(
        f"/contacts/{contact.pk}/edit/",
        _edit_data(contact, title="采购总监", account=book["changjiang"].pk),
    )
    assert (response.status_code, response["Location"]) == (302, f"/contacts/{contact.pk}/")
    saved = Contact.objects.get(pk=contact.pk)
    assert (saved.title, saved.account, saved.version) == (
        "采购总监",
        book["changjiang"],
        contact.version + 1,
    )
    event = AuditEvent.objects.get(object_type="contact", object_id=contact.pk, verb="update")
    assert event.changes["title"] == ["采购经理", "采购总监"]


def test_a_stale_edit_changes_nothing_and_says_so(world, client_as, book):
    contact = book["wang_jl"]
    stale = _edit_data(contact, title="销售总监")
    customer_services.contact_update(  # someone else, meanwhile
        actor=world["zhang.manager"],
        contact_id=contact.pk,
        version=contact.version,
        values={"title": "总经理"},
    )
    response = client_as(world["li.rep"]).post(f"/contacts/{contact.pk}/edit/", stale)
    assert response.status_code == 412
    assert (
        "Someone else changed this contact while you were editing it." in response.content.decode()
    )
    changes = parse_changes(response.content.decode())
    assert changes["edits"] == [str(world["zhang.manager"])]
    assert changes["rows"] == [["Job title", contact.title or "—", "总经理"]]
    assert (changes["inputs"]["title"], changes["inputs"]["version"]) == (
        "销售总监",
        str(contact.version + 1),
    )
    saved = Contact.objects.get(pk=contact.pk)
    assert (saved.title, saved.version) == ("总经理", contact.version + 1)
    assert AuditEvent.objects.filter(object_type="contact", object_id=contact.pk).count() == 1


def test_an_invalid_edit_shows_the_error_next_to_the_field(world, client_as, book):
    contact = book["wang_jl"]
    response = client_as(world["li.rep"]).post(
        f"/contacts/{contact.pk}/edit/", _edit_data(contact, name="  ")
    )
    assert response.status_code == 422
    assert 'class="mb-3 field field-invalid" data-field="name"' in response.content.decode()
    assert Contact.objects.get(pk=contact.pk).version == contact.version


def test_editing_another_teams_contact_is_404_and_changes_nothing(world, client_as, book):
    south = book["south"]
    client = client_as(world["li.rep"])
    assert client.get(f"/contacts/{south.pk}/edit/").status_code == 404
    response = client.post(f"/contacts/{south.pk}/edit/", _edit_data(south, name="改名"))
    assert response.status_code == 404
    assert Contact.objects.get(pk=south.pk).name == "刘南"


def test_a_read_only_role_may_not_edit_contacts(world, client_as, book):
    contact = book["wang_jl"]
    client = client_as(world["wu.finance"])
    assert client.get(f"/contacts/{contact.pk}/edit/").status_code == 403
    response = client.post(f"/contacts/{contact.pk}/edit/", _edit_data(contact, name="x"))
    assert response.status_code == 403
    assert Contact.objects.get(pk=contact.pk).name == "王建国"


def test_the_edit_form_sends_visitors_to_sign_in(client_as, book):
    path = f"/contacts/{book['wang_jl'].pk}/edit/"
    assert client_as().get(path)["Location"] == f"/login/?next={path}"


# --- merging a duplicate account --------------------------------------------------------------


@pytest.fixture
def twins(world, book):
    """Two copies of one company at team East: li's and wang's, each with records."""
    li, wang = world["li.rep"], world["wang.rep"]
    original = AccountFactory(owner=li, name="东方重工", phone="021-5555 1234")
    copy = AccountFactory(owner=wang, name="东方重工", region="上海", website="dfzg.cn")
    customer_services.account_update(
        actor=wang, account_id=copy.pk, version=copy.version, values={}, tags=["制造"]
    )
    ContactFactory(account=copy, name="钱总")
    ContactFactory(account=copy, name="孙工")
    DealFactory(owner=wang, account=copy, name="产线改造")
    ActivityFactory(owner=wang, account=copy, subject="拜访", kind="visit")
    return {"original": original, "copy": Account.objects.get(pk=copy.pk)}


def test_the_account_page_offers_the_merge_to_managers_only(world, client_as, twins):
    path = f"/accounts/{twins['original'].pk}/"
    manager_page = client_as(world["zhang.manager"]).get(path).content.decode()
    assert f'href="/accounts/{twins["original"].pk}/merge/" id="merge-duplicate"' in manager_page
    assert "merge-duplicate" not in client_as(world["li.rep"]).get(path).content.decode()


def test_the_pick_page_suggests_look_alikes_and_searches_visible_accounts(
    world, client_as, twins, book
):
    client = client_as(world["zhang.manager"])
    path = f"/accounts/{twins['original'].pk}/merge/"
    html = client.get(path).content.decode()
    suggested = re.findall(r'class="[^"]*merge-candidate" data-account="(\d+)"', html)
    assert suggested == [str(twins["copy"].pk)]
    assert f'href="/accounts/{twins["original"].pk}/merge/{twins["copy"].pk}/"' in html
    assert_strict(html)
    found = client.get(path, {"q": "长江"}).content.decode()
    assert re.findall(r'class="[^"]*merge-candidate" data-account="(\d+)"', found)[1:] == [
        str(book["changjiang"].pk)
    ]
    # Team South's look-alike is never offered to team East's manager.
    south_twin = AccountFactory(owner=world["liu.rep"], name="东方重工")
    html = client.get(path).content.decode()
    assert f'data-account="{south_twin.pk}"' not in html


def test_the_preview_shows_both_sides_and_what_moves_and_changes_nothing(world, client_as, twins):
    original, copy = twins["original"], twins["copy"]
    response = client_as(world["zhang.manager"]).get(f"/accounts/{original.pk}/merge/{copy.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    moves = dict(
        re.findall(
            r'merge-move"><span>([^<]+)</span><span class="fw-semibold move-count">(\d+)<', html
        )
    )
    assert (moves["Contacts"], moves["Deals"], moves["Activities"]) == ("2", "1", "1")
    assert "Region is empty here and becomes “上海”" in html
    assert "Website is empty here and becomes “dfzg.cn”" in html
    assert "Tags added:" in html and "制造" in html
    assert Account.objects.filter(pk=copy.pk).exists()
    assert not AuditEvent.objects.filter(verb="merge").exists()
    assert_strict(html)


def test_confirming_merges_through_the_service_and_goes_to_the_survivor(world, client_as, twins):
    manager = world["zhang.manager"]
    original, copy = twins["original"], twins["copy"]
    client = client_as(manager)
    response = client.post(f"/accounts/{original.pk}/merge/{copy.pk}/")
    assert (response.status_code, response["Location"]) == (302, f"/accounts/{original.pk}/")
    assert not Account.objects.filter(pk=copy.pk).exists()
    assert sorted(Contact.objects.filter(account=original).values_list("name", flat=True)) == [
        "孙工",
        "钱总",
    ]
    assert Deal.objects.get(name="产线改造").account_id == original.pk
    assert Activity.objects.get(subject="拜访").account_id == original.pk
    event = AuditEvent.objects.get(verb="merge")
    assert (event.object_id, event.actor_id) == (original.pk, manager.pk)
    assert event.changes["merged_account"][0]["id"] == copy.pk
    page = client.get(response["Location"]).content.decode()
    assert "东方重工 was merged into 东方重工." in page


def test_merging_an_account_into_itself_is_refused(world, client_as, twins):
    original = twins["original"]
    response = client_as(world["zhang.manager"]).post(
        f"/accounts/{original.pk}/merge/{original.pk}/"
    )
    assert response.status_code == 422
    assert "An account cannot be merged into itself." in response.content.decode()
    assert Account.objects.filter(pk=original.pk).exists()


def test_a_rep_may_not_merge(world, client_as, twins):
    original, copy = twins["original"], twins["copy"]
    client = client_as(world["li.rep"])
    assert client.get(f"/accounts/{original.pk}/merge/").status_code == 403
    # Her own account is visible, so the role is what refuses (the service's order too).
    assert client.get(f"/accounts/{original.pk}/merge/{copy.pk}/").status_code == 403
    mine = AccountFactory(owner=world["li.rep"], name="东方重工 2")
    assert client.post(f"/accounts/{original.pk}/merge/{mine.pk}/").status_code == 403
    assert Account.objects.filter(pk=mine.pk).exists()
    assert not AuditEvent.objects.filter(verb="merge").exists()


def test_a_manager_may_not_merge_another_teams_account(world, client_as, twins, book):
    original, south = twins["original"], book["south_account"]
    client = client_as(world["zhang.manager"])
    assert client.get(f"/accounts/{original.pk}/merge/{south.pk}/").status_code == 404
    assert client.post(f"/accounts/{original.pk}/merge/{south.pk}/").status_code == 404
    assert client.get(f"/accounts/{south.pk}/merge/").status_code == 404
    assert Account.objects.filter(pk=south.pk).exists()
    assert not AuditEvent.objects.filter(verb="merge").exists()


def test_merge_pages_send_visitors_to_sign_in_and_need_the_csrf_token(world, client_as, twins):
    original, copy = twins["original"], twins["copy"]
    path = f"/accounts/{original.pk}/merge/{copy.pk}/"
    assert client_as().get(path)["Location"] == f"/login/?next={path}"
    guarded = csrf_client(world["zhang.manager"])
    assert guarded.post(path).status_code == 403
    assert Account.objects.filter(pk=copy.pk).exists()


# --- saved views of the lists -----------------------------------------------------------------


def test_the_pages_filters_are_what_saved_views_accept():
    """A saved view keeps only parameters its page knows: the same names as the filters."""
    assert set(AccountFilterForm.base_fields) == PAGE_PARAMETERS["accounts"]
    assert set(ContactFilterForm.base_fields) == PAGE_PARAMETERS["contacts"]
    deal_list = {"pipeline", *DealFilterForm.base_fields, *DealListForm.base_fields} - {"page"}
    assert deal_list == PAGE_PARAMETERS["deals"]


def test_a_deal_list_view_is_saved_and_listed_above_the_deals(world, client_as, book):
    client = client_as(world["zhang.manager"])
    team = world.teams["East"].pk
    response = client.post(
        "/saved-views/",
        {"page": "deals", "name": "East by amount", "query": f"team={team}&sort=-amount"},
    )
    assert (response.status_code, response["Location"]) == (
        302,
        f"/pipeline/list/?team={team}&sort=-amount",
    )
    html = client.get(response["Location"]).content.decode()
    assert (
        f'href="/pipeline/list/?team={team}&amp;sort=-amount" aria-current="true">East by amount'
        in html
    )
    assert_strict(html)


def test_saving_the_current_filters_and_opening_the_view(world, client_as, book):
    li = world["li.rep"]
    client = client_as(li)
    response = client.post(
        "/saved-views/",
        {"page": "contacts", "name": "主要联系人", "query": "primary=on&sort=-name&page=2"},
    )
    view = SavedView.objects.get(owner=li)
    assert (view.page, view.name, view.query, view.is_shared) == (
        "contacts",
        "主要联系人",
        "primary=on&sort=-name",
        False,
    )
    assert (response.status_code, response["Location"]) == (302, "/contacts/?primary=on&sort=-name")
    html = client.get(response["Location"]).content.decode()
    assert _rows(html) == ["王建国"]
    assert 'href="/contacts/?primary=on&amp;sort=-name" aria-current="true">主要联系人' in html
    assert "Saved the view 主要联系人." in html
    assert AuditEvent.objects.filter(object_type="savedview", verb="create", actor=li).count() == 1


def test_a_shared_view_shows_to_the_team_and_only_its_owner_deletes_it(world, client_as, book):
    li, wang = world["li.rep"], world["wang.rep"]
    view = org_services.saved_view_create(
        actor=li, page="accounts", name="VIP", query="tag=VIP", is_shared=True
    )
    wang_page = client_as(wang).get("/accounts/").content.decode()
    assert 'href="/accounts/?tag=VIP"' in wang_page
    assert f'action="/saved-views/{view.pk}/delete/"' not in wang_page
    liu_page = client_as(world["liu.rep"]).get("/accounts/").content.decode()
    assert 'href="/accounts/?tag=VIP"' not in liu_page  # another team
    response = client_as(wang).post(f"/saved-views/{view.pk}/delete/", {"page": "accounts"})
    assert response.status_code == 404
    assert SavedView.objects.filter(pk=view.pk).exists()
    response = client_as(li).post(
        f"/saved-views/{view.pk}/delete/", {"page": "accounts", "query": "tag=VIP"}
    )
    assert (response.status_code, response["Location"]) == (302, "/accounts/?tag=VIP")
    assert not SavedView.objects.exists()
    assert AuditEvent.objects.filter(object_type="savedview", verb="delete", actor=li).count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"page": "accounts", "name": "", "query": "tag=VIP"}, "Name of the view: "),
        (
            {"page": "accounts", "name": "x", "query": "colour=red"},
            "The page does not know the filter colour.",
        ),
    ],
)
def test_a_view_that_cannot_be_saved_says_why_and_saves_nothing(
    world, client_as, book, data, message
):
    client = client_as(world["li.rep"])
    response = client.post("/saved-views/", data)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/?{data['query']}"
    assert message in client.get(response["Location"]).content.decode()
    assert not SavedView.objects.exists()


def test_saved_views_take_post_only_from_signed_in_users(world, client_as, book):
    view = org_services.saved_view_create(actor=world["li.rep"], page="accounts", name="x")
    assert client_as(world["li.rep"]).get("/saved-views/").status_code == 405
    assert client_as(world["li.rep"]).get(f"/saved-views/{view.pk}/delete/").status_code == 405
    anonymous = client_as().post("/saved-views/", {"page": "accounts", "name": "y"})
    assert anonymous["Location"].startswith("/login/")
    gone = client_as().post(f"/saved-views/{view.pk}/delete/", {"page": "accounts"})
    assert gone["Location"].startswith("/login/")
    assert list(SavedView.objects.values_list("name", flat=True)) == ["x"]
    guarded = csrf_client(world["li.rep"])
    assert guarded.post("/saved-views/", {"page": "accounts", "name": "z"}).status_code == 403
    assert SavedView.objects.count() == 1
