from __future__ import annotations

import pytest

from dealbook.pipeline.models import Pipeline
from tests.pipeline.factories import PipelineFactory


@pytest.fixture
def sales(world) -> Pipeline:
    """Huaxin's default pipeline with the standard six stages."""
    return PipelineFactory(org=world.org, name="Sales")
