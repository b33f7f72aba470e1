from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dealbook.core.models import AuditEvent
from dealbook.customers.models import Contact
from tests.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db


def test_contact_follows_its_account_visibility(world, api_as):
    li_account = AccountFactory(owner=world["li.rep"], name="Li's")
    wang_account = AccountFactory(owner=world["wang.rep"], name="Wang's")
    li_contact = ContactFactory(account=li_account)
    wang_contact = ContactFactory(account=wang_account)
    li_ids = {c["id"] for c in api_as(world["li.rep"]).get("contacts").json()["items"]}
    manager_ids = {c["id"] for c in api_as(world["zhang.manager"]).get("contacts").json()["items"]}
    assert li_ids == {li_contact.pk}
    assert manager_ids == {li_contact.pk, wang_contact.pk}
    assert api_as(world["li.rep"]).get(f"contacts/{wang_contact.pk}").status_code == 404
    assert api_as(world["zheng.service"]).get(f"contacts/{wang_contact.pk}").status_code == 200


def test_create_contact_on_invisible_account_names_the_field(world, api_as):
    wang_account = AccountFactory(owner=world["wang.rep"], name="Wang's")
    response = api_as(world["li.rep"]).post(
        "contacts", {"account_id": wang_account.pk, "name": "X"}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "account_id"
    assert not Contact.objects.exists()


def test_duplicate_email_with_case_and_full_width_is_refused(world, api_as):
    account = AccountFactory(owner=world["li.rep"], name="Li's")
    ContactFactory(account=account, email="wei.zhang@example.com")
    response = api_as(world["li.rep"]).post(
        "contacts",
        {"account_id": account.pk, "name": "Zhang", "email": " Ｗｅｉ.Zhang@Example.com "},
    )
    assert response.status_code == 409
    assert response.json()["errors"][0]["field"] == "email"
    assert Contact.objects.count() == 1


def test_update_contact_is_versioned_and_audited(world, api_as):
    contact = ContactFactory(account=AccountFactory(owner=world["li.rep"], name="Li's"), title="")
    client = api_as(world["li.rep"])
    ok = client.patch(f"contacts/{contact.pk}", {"version": 1, "title": "采购经理"})
    assert ok.status_code == 200
    assert ok.json()["title"] == "采购经理"
    event = AuditEvent.objects.get(object_type="contact", object_id=contact.pk)
    assert (event.verb, event.changes) == ("update", {"title": ["", "采购经理"]})
    stale = client.patch(f"contacts/{contact.pk}", {"version": 1, "title": "CEO"})
    assert stale.status_code == 412
    contact.refresh_from_db()
    assert contact.title == "采购经理"


def test_service_reads_but_cannot_change_contacts(world, api_as):
    contact = ContactFactory(account=AccountFactory(owner=world["li.rep"], name="Li's"), title="")
    response = api_as(world["zheng.service"]).patch(
        f"contacts/{contact.pk}", {"version": 1, "title": "X"}
    )
    assert response.status_code == 403
    contact.refresh_from_db()
    assert (contact.title, contact.version) == ("", 1)


def test_contact_list_query_count_is_constant(world, api_as):
    account = AccountFactory(owner=world["li.rep"], name="Li's")
    for _ in range(40):
        ContactFactory(account=account)
    client = api_as(world["li.rep"])
    counts = []
    for limit in (5, 30):
        with CaptureQueriesContext(connection) as ctx:
            assert len(client.get("contacts", {"limit": limit}).json()["items"]) == limit
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
