"""Records of every kind in the persona world, made through services, with their ids."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from dealbook.activities import services as activity_services
from dealbook.customers import services as customer_services
from dealbook.leads import services as lead_services
from dealbook.org import services as org_services
from dealbook.pipeline import services as pipeline_services
from dealbook.targets import services as target_services
from tests.personas import build_world


def build_records() -> tuple[Any, dict[str, list[int]]]:
    """The persona world plus records of every kind; returns path parameter → known ids."""
    world = build_world()
    org = world.org
    admin, li, wang = world["admin"], world["li.rep"], world["wang.rep"]
    pipeline = pipeline_services.pipeline_create_default(actor=None, org=org)
    stages = list(pipeline.stages.order_by("order"))
    product = pipeline_services.product_create(
        actor=admin, name="Sensor kit", unit_price=Decimal("1200.00")
    )
    pipeline_services.competitor_create(actor=admin, name="Rival Co")
    pipeline_services.lost_reason_create(actor=admin, name="Price")
    ids: dict[str, list[int]] = {
        "pipeline_id": [pipeline.pk],
        "stage_id": [stages[0].pk, stages[-1].pk],
    }
    now = timezone.now()
    for n, owner in enumerate((li, wang)):
        account = customer_services.account_create(
            actor=owner, name=f"{owner.username} Trading {n}", phone=f"+86 21 5555 010{n}"
        )
        contact = customer_services.contact_create(
            actor=owner,
            account_id=account.pk,
            name=f"Contact {n}",
            email=f"contact{n}@example.com",
        )
        deal = pipeline_services.deal_create(
            actor=owner,
            account_id=account.pk,
            name=f"Deal {n}",
            amount=Decimal("50000.00"),
            contact_ids=[contact.pk],
        )
        item = pipeline_services.deal_line_item_add(
            actor=owner,
            deal_id=deal.pk,
            name="Sensor kit",
            quantity=Decimal(2),
            unit_price=Decimal("1200.00"),
            product_id=product.pk,
        )
        lead = lead_services.lead_create(
            actor=owner, name=f"Lead {n}", company=f"Prospect {n}", email=f"lead{n}@example.com"
        )
        task = activity_services.activity_log(
            actor=owner,
            kind="task",
            subject=f"Call back {n}",
            due_at=now + dt.timedelta(days=1),
            deal_id=deal.pk,
        )
        call = activity_services.activity_log(
            actor=owner, kind="call", subject=f"Intro call {n}", account_id=account.pk
        )
        ids.setdefault("account_id", []).append(account.pk)
        ids.setdefault("contact_id", []).append(contact.pk)
        ids.setdefault("deal_id", []).append(deal.pk)
        ids.setdefault("item_id", []).append(item.pk)
        ids.setdefault("lead_id", []).append(lead.pk)
        ids.setdefault("activity_id", []).extend([task.pk, call.pk])
    pool_account = customer_services.account_create(
        actor=admin, name="Pool Holdings", assign_to_self=False
    )
    ids["account_id"].append(pool_account.pk)
    pool_lead = lead_services.lead_create(
        actor=world["feng.marketing"], name="Pool lead", company="Pool Co", apply_rules=False
    )
    ids["lead_id"].append(pool_lead.pk)
    rule = lead_services.assignment_rule_create(
        actor=admin, name="East by region", team_id=world.teams["East"].pk, region="华东"
    )
    ids["rule_id"] = [rule.pk]
    share = org_services.share_create(
        actor=li, object_type="deal", object_id=ids["deal_id"][0], user=wang
    )
    ids["share_id"] = [share.pk]
    target = target_services.target_create(
        actor=world["zhang.manager"],
        metric="revenue_won",
        scope="person",
        user_id=li.pk,
        period_kind="quarter",
        start_date=dt.date(now.year, 1, 1),
        amount=Decimal("100000.00"),
    )
    team_target = target_services.target_create(  # one that cascades into its people
        actor=world["zhang.manager"],
        metric="revenue_won",
        scope="team",
        team_id=world.teams["East"].pk,
        period_kind="quarter",
        start_date=dt.date(now.year, 1, 1),
        amount=Decimal("300000.00"),
    )
    ids["target_id"] = [target.pk, team_target.pk]
    leave = target_services.planned_leave_create(
        actor=world["zhang.manager"],
        user_id=li.pk,
        start_date=dt.date(now.year, 7, 6),
        end_date=dt.date(now.year, 7, 10),
        note="Holiday",
    )
    ids["leave_id"] = [leave.pk]
    ids["user_id"] = [li.pk]
    return world, ids
