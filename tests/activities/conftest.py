from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from dealbook.org.models import Share
from tests.activities.factories import ActivityFactory, DealFactory, LeadFactory, StageFactory
from tests.factories import AccountFactory


@pytest.fixture
def stages(world) -> SimpleNamespace:
    qualify = StageFactory(pipeline__org=world.org, name="Qualify", order=1)
    proposal = StageFactory(pipeline=qualify.pipeline, name="Proposal", order=2)
    return SimpleNamespace(qualify=qualify, proposal=proposal)


@pytest.fixture
def scene(world, stages) -> SimpleNamespace:
    """Accounts, deals, a lead and activities spread over the personas.

    li.rep owns "Li Account" and its deal; zhou.rep's account is shared with li.rep (his deal
    on it is not); liu.rep (team South) owns an account and a lead; zheng.service wrote a
    note on li's account; wang.rep had a meeting on li's deal.
    """
    li, wang, liu, zhou = world["li.rep"], world["wang.rep"], world["liu.rep"], world["zhou.rep"]
    zheng, acme_rep = world["zheng.service"], world["acme.rep"]
    s = SimpleNamespace()
    s.acc_li = AccountFactory(owner=li, name="Li Account")
    s.acc_wang = AccountFactory(owner=wang, name="Wang Account")
    s.acc_liu = AccountFactory(owner=liu, name="Liu Account")
    s.acc_zhou = AccountFactory(owner=zhou, name="Zhou Account")
    s.acc_acme = AccountFactory(owner=acme_rep, name="Acme Customer")
    Share.objects.create(org=world.org, object_type="account", object_id=s.acc_zhou.pk, user=li)
    s.deal_li = DealFactory(owner=li, account=s.acc_li, stage=stages.qualify, name="Deal Li")
    s.deal_zhou = DealFactory(
        owner=zhou, account=s.acc_zhou, stage=stages.qualify, name="Deal Zhou"
    )
    s.lead_liu = LeadFactory(owner=liu, name="Lead Liu")

    base = timezone.now() - dt.timedelta(days=10)

    def activity(owner, name, minutes, **kwargs):
        return ActivityFactory(
            owner=owner, subject=name, occurred_at=base + dt.timedelta(minutes=minutes), **kwargs
        )

    s.a_li_call = activity(li, "li call", 1, account=s.acc_li)
    s.a_wang_call = activity(wang, "wang call", 2, account=s.acc_wang)
    s.a_liu_call = activity(liu, "liu call", 3, account=s.acc_liu)
    s.a_li_deal = activity(li, "li deal note", 4, kind="note", deal=s.deal_li)
    s.a_zheng_note = activity(zheng, "zheng note", 5, kind="note", account=s.acc_li)
    s.a_wang_on_li_deal = activity(wang, "wang on li deal", 6, kind="meeting", deal=s.deal_li)
    s.a_liu_lead = activity(liu, "liu lead call", 7, lead=s.lead_liu)
    s.a_zhou_shared = activity(zhou, "zhou call", 8, account=s.acc_zhou)
    s.a_zhou_deal = activity(zhou, "zhou deal call", 9, deal=s.deal_zhou)
    s.a_acme = activity(acme_rep, "acme call", 10, account=s.acc_acme)
    return s
