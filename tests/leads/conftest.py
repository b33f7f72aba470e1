from __future__ import annotations

import pytest

from dealbook.org import services as org_services
from dealbook.org.models import User
from tests.leads.factories import LeadFactory


@pytest.fixture
def ma_rep(world) -> User:
    """A second rep of team South (after liu.rep by user id), for round-robin."""
    user = org_services.user_create(
        actor=None,
        org=world.org,
        username="ma.rep",
        password=None,
        role="sales_rep",
        display_name="马超 Ma Chao",
        team=world.teams["South"],
    )
    world.users["ma.rep"] = user
    return user


@pytest.fixture
def leads(world) -> dict[str, object]:
    """One lead per owner across the teams, one in the pool, one in Acme."""
    return {
        "li": LeadFactory(owner=world["li.rep"], name="Li's lead"),
        "wang": LeadFactory(owner=world["wang.rep"], name="Wang's lead"),
        "zhang": LeadFactory(owner=world["zhang.manager"], name="Zhang's lead"),
        "liu": LeadFactory(owner=world["liu.rep"], name="Liu's lead"),
        "zhou": LeadFactory(owner=world["zhou.rep"], name="Zhou's lead"),
        "pool": LeadFactory(org=world.org, owner=None, name="Pool lead"),
        "acme": LeadFactory(owner=world["acme.rep"], name="Acme lead"),
    }
