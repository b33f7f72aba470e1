"""factory_boy factories for pipeline test set-up (the code under test goes through services)."""

from __future__ import annotations

import factory
from django.utils import timezone

from dealbook.pipeline.models import (
    Competitor,
    Deal,
    DealLineItem,
    LostReason,
    Pipeline,
    Product,
    Stage,
    StageHistory,
)
from dealbook.pipeline.services import StageSpec, default_stage_specs
from tests.factories import AccountFactory


class PipelineFactory(factory.django.DjangoModelFactory):
    """A pipeline with stages: the standard six unless `stages=[StageSpec(...), ...]` is given."""

    class Meta:
        model = Pipeline
        skip_postgeneration_save = True

    org = None
    name = factory.Sequence(lambda n: f"Pipeline {n}")
    is_default = True

    @factory.post_generation
    def stages(self, create: bool, extracted: list[StageSpec] | None, **kwargs) -> None:
        specs = default_stage_specs() if extracted is None else extracted
        for position, spec in enumerate(specs, start=1):
            Stage.objects.create(
                org=self.org,
                pipeline=self,
                order=position * 10,
                name=spec.name,
                kind=spec.kind,
                probability=spec.probability,
                required_fields=list(spec.required_fields),
            )


def stage(pipeline: Pipeline, name: str) -> Stage:
    return Stage.objects.get(pipeline=pipeline, name=name)


def default_pipeline(org) -> Pipeline:
    return Pipeline.objects.filter(org=org, is_default=True).first() or PipelineFactory(org=org)


class DealFactory(factory.django.DjangoModelFactory):
    """A deal in its pipeline's first stage (or `stage=`), with its opening history row."""

    class Meta:
        model = Deal
        skip_postgeneration_save = True

    owner = None
    org = factory.LazyAttribute(lambda o: o.owner.org)
    account = factory.SubFactory(AccountFactory, owner=factory.SelfAttribute("..owner"))
    pipeline = factory.LazyAttribute(
        lambda o: o.stage.pipeline if o.stage else default_pipeline(o.org)
    )
    stage = None
    name = factory.Sequence(lambda n: f"Deal {n}")
    amount_minor = 0
    currency = "CNY"
    stage_entered_at = factory.LazyFunction(timezone.now)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        if kwargs.get("stage") is None:
            kwargs["stage"] = kwargs["pipeline"].stages.order_by("order").first()
        stage_ = kwargs["stage"]
        kwargs.setdefault("probability", stage_.probability)
        kwargs.setdefault("status", stage_.kind)
        return super()._create(model_class, *args, **kwargs)

    @factory.post_generation
    def history(self, create: bool, extracted, **kwargs) -> None:
        StageHistory.objects.create(
            org=self.org, deal=self, stage=self.stage, entered_at=self.stage_entered_at
        )


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    org = None
    name = factory.Sequence(lambda n: f"Product {n}")
    unit_price_minor = 100_00
    currency = "CNY"


class CompetitorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Competitor

    org = None
    name = factory.Sequence(lambda n: f"Competitor {n}")


class LostReasonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LostReason

    org = None
    name = factory.Sequence(lambda n: f"Reason {n}")


class LineItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DealLineItem

    deal = None
    org = factory.LazyAttribute(lambda o: o.deal.org)
    name = factory.Sequence(lambda n: f"Line {n}")
    quantity = 1
    unit_price_minor = 100_00
    amount_minor = factory.LazyAttribute(lambda o: o.unit_price_minor * o.quantity)
