"""Factories for leads and assignment rules (set-up only; code under test uses services)."""

from __future__ import annotations

import datetime as dt

import factory

from dealbook.core.text import normalize_email, normalize_phone
from dealbook.leads.models import AssignmentRule, Lead


class LeadFactory(factory.django.DjangoModelFactory):
    """A lead owned by `owner` (its org follows); pass `org=` for a pool lead (owner=None)."""

    class Meta:
        model = Lead

    owner = None
    org = factory.LazyAttribute(lambda o: o.owner.org if o.owner else None)
    name = factory.Sequence(lambda n: f"Lead {n}")
    company = factory.Sequence(lambda n: f"Prospect {n} Ltd")
    email = factory.Sequence(lambda n: f"lead{n}@example.com")
    email_normalized = factory.LazyAttribute(lambda o: normalize_email(o.email))
    phone = ""
    phone_normalized = factory.LazyAttribute(lambda o: normalize_phone(o.phone))
    status = "new"


class AssignmentRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AssignmentRule

    team = None
    org = factory.LazyAttribute(lambda o: o.team.org)
    name = factory.Sequence(lambda n: f"Rule {n}")
    order = 0
    is_active = True
    region = ""
    source = ""


def set_row(instance, **fields) -> None:
    """Force columns that auto_now/auto_now_add or services would otherwise own (idle clocks)."""
    type(instance).objects.filter(pk=instance.pk).update(**fields)
    instance.refresh_from_db()


def ago(now: dt.datetime, days: int) -> dt.datetime:
    return now - dt.timedelta(days=days)
