"""factory_boy factories for test set-up (the code under test always goes through services)."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from dealbook.core.text import normalize_email, normalize_name, normalize_phone
from dealbook.customers.models import Account, Contact


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Account

    name = factory.Sequence(lambda n: f"Account {n} Ltd")
    name_normalized = factory.LazyAttribute(lambda o: normalize_name(o.name))
    phone = ""
    phone_normalized = factory.LazyAttribute(lambda o: normalize_phone(o.phone))
    org = factory.LazyAttribute(lambda o: o.owner.org if o.owner else None)
    owner = None


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    account = factory.SubFactory(AccountFactory)
    org = factory.LazyAttribute(lambda o: o.account.org)
    name = factory.Sequence(lambda n: f"Contact {n}")
    name_normalized = factory.LazyAttribute(lambda o: normalize_name(o.name))
    email = factory.Sequence(lambda n: f"contact{n}@example.com")
    email_normalized = factory.LazyAttribute(lambda o: normalize_email(o.email))
    phone = ""
    phone_normalized = factory.LazyAttribute(lambda o: normalize_phone(o.phone))


def days_ago(days: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)
