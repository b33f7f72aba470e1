from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router

from dealbook.analytics import selectors
from dealbook.analytics.schemas import HomeOut, HomeParams, home_answer
from dealbook.core.api import LIST_ERRORS, json_answer

router = Router()


@router.get(
    "",
    response={200: HomeOut, **LIST_ERRORS},
    summary="My home page: today's tasks, this month's deals, idle customers, and my team",
)
def home(request: HttpRequest, params: Query[HomeParams]):
    summary = selectors.home_summary(actor=request.auth, idle_days=params.idle_days)
    return json_answer(home_answer(summary))
