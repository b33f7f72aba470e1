from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router

from dealbook.core.api import LIST_ERRORS, json_answer, null_characters_allowed
from dealbook.search import selectors
from dealbook.search.schemas import SearchOut, SearchParams, search_answer

router = Router()


@router.get(
    "",
    response={200: SearchOut, **LIST_ERRORS},
    summary="Search accounts, contacts, deals and leads by a fragment",
)
@null_characters_allowed  # clean_query drops control characters, NUL included
def search(request: HttpRequest, params: Query[SearchParams]):
    results = selectors.search(
        actor=request.auth,
        query=params.q,
        types=params.types.split(","),
        limit=params.limit,
    )
    return json_answer(search_answer(results))
