"""Invariants every demo build must satisfy, checked with a fixed number of queries."""

from __future__ import annotations

import hashlib
import itertools
from collections import defaultdict

from dealbook.activities.models import Activity
from dealbook.activities.services import INTERACTION_KINDS
from dealbook.core.text import normalize_email, normalize_name, normalize_phone
from dealbook.customers.models import Account, Contact
from dealbook.leads.models import Lead
from dealbook.pipeline.models import Deal, DealLineItem, StageHistory


def digest() -> str:
    """A fingerprint of what was generated, free of primary keys and load-time stamps."""
    parts = [
        list(
            Account.objects.order_by("id").values_list(
                "name",
                "owner__username",
                "region",
                "size",
                "industry",
                "source",
                "lifecycle_stage",
                "phone",
            )
        ),
        list(
            Contact.objects.order_by("id").values_list(
                "account__name", "name", "title", "phone", "email"
            )
        ),
        list(
            Deal.objects.order_by("id").values_list(
                "name",
                "account__name",
                "owner__username",
                "pipeline__name",
                "stage__name",
                "status",
                "amount_minor",
                "expected_close_date",
                "lost_reason__name",
            )
        ),
        list(
            DealLineItem.objects.order_by("id").values_list(
                "deal__name", "name", "quantity", "amount_minor"
            )
        ),
        list(
            Lead.objects.order_by("id").values_list("name", "company", "status", "owner__username")
        ),
        list(
            Activity.objects.order_by("id").values_list(
                "kind", "subject", "owner__username", "due_at"
            )
        ),
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def check_deals() -> None:
    deals = list(Deal.objects.select_related("stage", "pipeline", "account").order_by("id"))
    history: dict[int, list[StageHistory]] = defaultdict(list)
    for row in StageHistory.objects.select_related("stage", "from_stage").order_by(
        "deal_id", "entered_at", "id"
    ):
        history[row.deal_id].append(row)
    line_totals: dict[int, int] = defaultdict(int)
    for deal_id, amount, quantity, unit, discount in DealLineItem.objects.values_list(
        "deal_id", "amount_minor", "quantity", "unit_price_minor", "discount_percent"
    ):
        assert amount == quantity * unit * (100 - discount) / 100
        line_totals[deal_id] += amount
    contacts_of: dict[int, set[int]] = defaultdict(set)
    for deal_id, account_id in Deal.contacts.through.objects.values_list(
        "deal_id", "contact__account_id"
    ):
        contacts_of[deal_id].add(account_id)
    assert deals
    for deal in deals:
        rows = history[deal.pk]
        assert deal.status == deal.stage.kind, deal
        assert deal.stage.pipeline_id == deal.pipeline_id
        assert deal.probability == deal.stage.probability
        assert deal.owner_id == deal.account.owner_id
        assert deal.amount_minor == line_totals[deal.pk] > 0
        assert (deal.closed_at is None) == (deal.status == "open")
        assert deal.expected_close_date is not None
        assert (deal.lost_reason_id is not None) == (deal.status == "lost")
        # Every deal has contacts of its own account (Proposal requires contacts).
        assert contacts_of[deal.pk] == {deal.account_id}
        # The walk starts at the pipeline's first stage and moves forward one stage at a time.
        assert rows[0].stage.order == 1 and rows[0].from_stage_id is None
        assert rows[0].entered_at == deal.created_at
        for before, after in itertools.pairwise(rows):
            assert before.left_at == after.entered_at
            assert (
                before.duration_seconds == (before.left_at - before.entered_at).total_seconds() > 0
            )
            assert after.from_stage_id == before.stage_id
            assert after.stage.order > before.stage.order
        assert rows[-1].left_at is None and rows[-1].duration_seconds is None
        assert rows[-1].stage_id == deal.stage_id
        assert deal.stage_entered_at == rows[-1].entered_at
        if deal.closed_at is not None:
            assert deal.closed_at == rows[-1].entered_at
        open_rows = [r for r in rows if r.stage.kind == "open"]
        assert [r.stage.order for r in open_rows] == list(range(1, len(open_rows) + 1))


def check_names_and_keys() -> None:
    accounts = list(
        Account.objects.values_list("name", "name_normalized", "phone", "phone_normalized")
    )
    keys = [normalize_name(name) for name, *_rest in accounts]
    assert len(set(keys)) == len(keys)
    for name, name_key, phone, phone_key in accounts:
        assert name_key == normalize_name(name)
        assert phone_key == normalize_phone(phone)
    contacts = list(
        Contact.objects.values_list(
            "name", "name_normalized", "phone", "phone_normalized", "email", "email_normalized"
        )
    )
    for name, name_key, phone, phone_key, email, email_key in contacts:
        assert name_key == normalize_name(name)
        assert phone_key == normalize_phone(phone) and len(phone_key) == 11 and phone_key[0] == "1"
        assert email_key == normalize_email(email)
    phones = [row[3] for row in contacts] + [row[3] for row in accounts]
    emails = [row[5] for row in contacts]
    assert len(set(phones)) == len(phones)
    assert len(set(emails)) == len(emails)


def check_activities() -> None:
    latest: dict[tuple[str, int], object] = {}
    for activity in Activity.objects.select_related("deal", "contact").order_by("id"):
        if activity.deal_id is not None:
            assert activity.owner_id == activity.deal.owner_id
            assert activity.account_id == activity.deal.account_id
        if activity.contact_id is not None:
            assert activity.contact.account_id == activity.account_id
        assert (activity.due_at is not None) == (activity.kind == "task")
        # As the activity service counts it: completed interactions touch their parents.
        if activity.kind in INTERACTION_KINDS and activity.completed_at is not None:
            moment = activity.occurred_at
            for parent, key in ((activity.account_id, "account"), (activity.lead_id, "lead")):
                if parent is not None:
                    latest[key, parent] = max(latest.get((key, parent), moment), moment)
    for account_id, last_activity_at in Account.objects.values_list("id", "last_activity_at"):
        assert last_activity_at == latest.get(("account", account_id))
    for lead_id, last_activity_at in Lead.objects.values_list("id", "last_activity_at"):
        assert last_activity_at == latest.get(("lead", lead_id))


def check_leads() -> None:
    for lead in Lead.objects.select_related("converted_deal", "converted_contact"):
        if lead.status == "converted":
            assert lead.converted_deal.account_id == lead.converted_account_id
            assert lead.converted_contact.account_id == lead.converted_account_id
            assert lead.converted_at == lead.converted_deal.created_at
            assert lead.owner_id == lead.converted_deal.owner_id
        else:
            assert lead.converted_account_id is None and lead.converted_deal_id is None


def check_all() -> None:
    check_deals()
    check_names_and_keys()
    check_activities()
    check_leads()
