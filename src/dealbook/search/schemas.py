from __future__ import annotations

from typing import Any

from ninja import Field, Schema

TYPE_NAMES = "(account|contact|deal|lead)"


class SearchParams(Schema):
    q: str = Field(
        ...,
        min_length=1,
        max_length=100,
        description=(
            "A fragment of a name (Chinese or Latin, any width or case), phone number, e-mail "
            "address or lead company."
        ),
    )
    types: str = Field(
        "account,contact,deal,lead",
        max_length=60,
        pattern=f"^{TYPE_NAMES}(,{TYPE_NAMES})*$",
        description="Comma-separated: any of account, contact, deal, lead.",
    )
    limit: int = Field(5, ge=1, le=20, description="Hits per type.")


class SearchHitOut(Schema):
    type: str
    id: int
    title: str
    subtitle: str = Field(
        ...,
        description="Owner (accounts), job title and account (contacts), account and owner "
        "(deals), company and owner (leads).",
    )
    matched_on: str = Field(..., description="name, phone, email or company.")


class SearchGroupOut(Schema):
    type: str
    hits: list[SearchHitOut] = Field(..., description="Prefix matches first, then by name.")
    has_more: bool


class SearchOut(Schema):
    query: str = Field(..., description="The query as searched (control characters removed).")
    groups: list[SearchGroupOut] = Field(
        ..., description="One group per requested type, also for types the role cannot see."
    )


def search_answer(results: Any) -> dict[str, Any]:
    """SearchOut's document for `results` (a search.selectors.SearchResults), built directly:
    validating a few dozen hits through the models above cost a tenth of a search. The models
    stay its schema (OpenAPI, schemathesis); a test holds the two equal."""
    return {
        "query": results.query,
        "groups": [
            {
                "type": group.type,
                "hits": [
                    {
                        "type": hit.type,
                        "id": hit.id,
                        "title": hit.title,
                        "subtitle": hit.subtitle,
                        "matched_on": hit.matched_on,
                    }
                    for hit in group.hits
                ],
                "has_more": group.has_more,
            }
            for group in results.groups
        ],
    }
