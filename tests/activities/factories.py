"""Set-up rows for the activities tests, made with the ORM (the code under test uses services)."""

from __future__ import annotations

import factory
from django.utils import timezone

from dealbook.activities.models import Activity
from dealbook.leads.models import Lead
from dealbook.pipeline.models import Deal, Pipeline, Stage, StageHistory


class PipelineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pipeline

    name = factory.Sequence(lambda n: f"Pipeline {n}")
    is_default = True


class StageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Stage

    pipeline = factory.SubFactory(PipelineFactory)
    org = factory.LazyAttribute(lambda o: o.pipeline.org)
    name = factory.Sequence(lambda n: f"Stage {n}")
    order = factory.Sequence(lambda n: n + 1)


class DealFactory(factory.django.DjangoModelFactory):
    """A deal owned by `owner` on `account` (both required), in `stage`."""

    class Meta:
        model = Deal

    org = factory.LazyAttribute(lambda o: o.owner.org)
    name = factory.Sequence(lambda n: f"Deal {n}")
    pipeline = factory.LazyAttribute(lambda o: o.stage.pipeline)
    amount_minor = 100_000_00
    stage_entered_at = factory.LazyFunction(timezone.now)


class StageHistoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StageHistory

    org = factory.LazyAttribute(lambda o: o.deal.org)
    from_stage = None
    entered_at = factory.LazyFunction(timezone.now)


class LeadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lead

    org = factory.LazyAttribute(lambda o: o.owner.org)
    name = factory.Sequence(lambda n: f"Lead {n}")
    company = factory.Sequence(lambda n: f"Prospect {n} Co")


class ActivityFactory(factory.django.DjangoModelFactory):
    """A completed call owned by `owner`; pass account/deal/lead/contact as needed."""

    class Meta:
        model = Activity

    org = factory.LazyAttribute(lambda o: o.owner.org)
    kind = "call"
    subject = factory.Sequence(lambda n: f"Activity {n}")
    occurred_at = factory.LazyFunction(timezone.now)
    completed_at = factory.LazyAttribute(lambda o: o.occurred_at)
    account = factory.LazyAttribute(lambda o: o.deal.account if o.deal else None)
    deal = None
    lead = None
    contact = None
