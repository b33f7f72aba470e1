"""Set-up rows for the notification tests, made with the ORM (the code under test uses services)."""

from __future__ import annotations

import factory

from dealbook.collaboration.models import Notification


class NotificationFactory(factory.django.DjangoModelFactory):
    """A notification for `recipient` (required), of a kind nobody registered unless given."""

    class Meta:
        model = Notification

    org = factory.LazyAttribute(lambda o: o.recipient.org)
    kind = "test"
    key = factory.Sequence(lambda n: f"test:{n}")
    params = factory.LazyFunction(dict)
    url = ""
