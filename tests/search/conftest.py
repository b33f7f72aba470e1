from __future__ import annotations

from types import SimpleNamespace

import pytest

from dealbook.org.models import Share
from tests.factories import AccountFactory, ContactFactory
from tests.leads.factories import LeadFactory
from tests.pipeline.factories import DealFactory, PipelineFactory


@pytest.fixture
def scene(world) -> SimpleNamespace:
    """Records named 云帆 / ACME spread over East (li, wang), South (liu), the pool and Acme.

    wang.rep's account 云帆物流 is shared with li.rep (his deal on it is not).
    """
    li, wang, liu, acme_rep = (
        world["li.rep"],
        world["wang.rep"],
        world["liu.rep"],
        world["acme.rep"],
    )
    PipelineFactory(org=world.org, name="Sales")
    PipelineFactory(org=world.acme, name="Acme sales")
    s = SimpleNamespace()
    s.acc_li = AccountFactory(owner=li, name="上海云帆信息科技有限公司", phone="+86 138-0013-8000")
    s.acc_wang = AccountFactory(owner=wang, name="云帆物流（北京）有限公司")
    s.acc_liu = AccountFactory(owner=liu, name="ACME Trading Co., Ltd.")
    s.acc_pool = AccountFactory(owner=None, org=world.org, name="杭州云帆贸易")
    s.acc_acme = AccountFactory(owner=acme_rep, name="云帆 Acme Partner")
    Share.objects.create(org=world.org, object_type="account", object_id=s.acc_wang.pk, user=li)

    s.con_li = ContactFactory(
        account=s.acc_li,
        name="王小云",
        title="CTO",
        phone="021-5555-1234",
        email="xiaoyun@yunfan.cn",
    )
    s.con_wang = ContactFactory(account=s.acc_wang, name="Zhao Yun", email="zhao@yunfan-wl.cn")
    s.con_liu = ContactFactory(
        account=s.acc_liu, name="Acme Buyer", phone="13800138000", email="buyer@acme.com"
    )

    s.deal_li = DealFactory(owner=li, account=s.acc_li, name="云帆 ERP 项目")
    s.deal_wang = DealFactory(owner=wang, account=s.acc_wang, name="北京云帆 TMS")
    s.deal_liu = DealFactory(owner=liu, account=s.acc_liu, name="ACME renewal")
    s.deal_acme = DealFactory(owner=acme_rep, account=s.acc_acme, name="云帆 Acme deal")

    s.lead_li = LeadFactory(owner=li, name="陈云帆", company="云帆教育", phone="139 0000 1111")
    s.lead_liu = LeadFactory(owner=liu, name="Acme lead", company="ＡＣＭＥ Global")
    s.lead_pool = LeadFactory(owner=None, org=world.org, name="Pool 云帆 lead", company="")
    s.lead_acme = LeadFactory(owner=acme_rep, name="云帆 Acme lead")
    return s
