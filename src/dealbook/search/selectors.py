"""Global search: accounts, contacts, deals and leads whose name (or phone, e-mail, company)
holds a fragment, each type read through its own app's visibility selector.

Matching lives behind one interface, `text_match`. Today it is a substring LIKE
(`__contains`) on the normalised columns the apps already store: no extension, the same
on SQLite and PostgreSQL, Chinese and Latin alike. A leading-wildcard LIKE cannot use a
B-tree index, so on 1M rows each type is a scan of the organisation's rows — that is the
thing the scale benchmark will measure. A trigram (pg_trgm GIN) or FTS5 (trigram
tokenizer) backend replaces `text_match` and nothing else.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.db.models.fields import CharField
from django.utils.translation import gettext as _

from dealbook.core.text import fold, normalize_email, normalize_name, normalize_phone
from dealbook.customers import selectors as customer_selectors
from dealbook.leads import selectors as lead_selectors
from dealbook.org.models import User
from dealbook.pipeline import selectors as pipeline_selectors

SEARCH_TYPES = ("account", "contact", "deal", "lead")
MAX_QUERY_LENGTH = 100
MAX_HITS_PER_TYPE = 20


# --- matching: the one place a faster backend plugs in -------------------------------------


@dataclass(frozen=True)
class MatchField:
    """A column searched, how the query is normalised for it, and what a hit on it is called.

    `lookup` is "contains" for the stored *_normalized columns and "icontains" for plain
    columns that have no normalised copy (deal and lead names); fragments shorter than
    `min_length` after normalising are not tried on this column (a 2-digit "phone").
    """

    column: str
    label: str
    normalize: Callable[[str], str]
    lookup: str = "contains"
    min_length: int = 1


def text_match(queryset: QuerySet, fields: Sequence[MatchField], query: str) -> QuerySet:
    """`queryset` narrowed to rows where any of `fields` holds `query` (normalised per field),
    annotated with `matched_on` (the first field that holds it) and `match_rank` (0 when a
    field starts with it, else 1), for ordering prefix matches first. No usable key → none."""
    prefix_lookup = {"contains": "startswith", "icontains": "istartswith"}
    matches: list[tuple[MatchField, Q, Q]] = []
    for field in fields:
        key = field.normalize(query)
        if len(key) < field.min_length:
            continue
        matches.append(
            (
                field,
                Q(**{f"{field.column}__{field.lookup}": key}),
                Q(**{f"{field.column}__{prefix_lookup[field.lookup]}": key}),
            )
        )
    if not matches:
        return queryset.none().annotate(matched_on=Value(""), match_rank=Value(1))
    any_match = Q(pk__in=[])
    any_prefix = Q(pk__in=[])
    for _field, contains, starts in matches:
        any_match |= contains
        any_prefix |= starts
    return queryset.filter(any_match).annotate(
        matched_on=Case(
            *(When(contains, then=Value(field.label)) for field, contains, _starts in matches),
            default=Value(""),
            output_field=CharField(),
        ),
        match_rank=Case(
            When(any_prefix, then=Value(0)), default=Value(1), output_field=IntegerField()
        ),
    )


def clean_query(query: str) -> str:
    """The query without control, format and unassigned characters (a NUL is refused by
    PostgreSQL), trimmed."""
    return "".join(ch for ch in query if unicodedata.category(ch)[0] != "C").strip()


# --- what each type searches and shows ------------------------------------------------------

NAME = MatchField("name_normalized", "name", normalize_name)
PHONE = MatchField("phone_normalized", "phone", normalize_phone, min_length=4)
EMAIL = MatchField("email_normalized", "email", normalize_email, min_length=3)


@dataclass(frozen=True)
class SearchHit:
    type: str
    id: int
    title: str
    subtitle: str
    matched_on: str


@dataclass(frozen=True)
class SearchGroup:
    type: str
    hits: list[SearchHit]
    has_more: bool


@dataclass(frozen=True)
class SearchResults:
    query: str
    groups: list[SearchGroup]


def _owner_name(owner: User | None) -> str:
    return str(owner) if owner is not None else _("In the pool")


def _joined(*parts: str) -> str:
    return " · ".join(part for part in parts if part)


def _accounts(actor: User, query: str) -> QuerySet:
    qs = customer_selectors.visible_accounts(actor=actor).select_related("owner")
    return text_match(qs, (NAME, PHONE), query).order_by("match_rank", "name_normalized", "pk")


def _contacts(actor: User, query: str) -> QuerySet:
    qs = customer_selectors.visible_contacts(actor=actor).select_related("account")
    return text_match(qs, (NAME, PHONE, EMAIL), query).order_by(
        "match_rank", "name_normalized", "pk"
    )


def _deals(actor: User, query: str) -> QuerySet:
    qs = pipeline_selectors.visible_deals(actor=actor).select_related("account", "owner")
    fields = (MatchField("name", "name", fold, lookup="icontains"),)
    return text_match(qs, fields, query).order_by("match_rank", "name", "pk")


def _leads(actor: User, query: str) -> QuerySet:
    qs = lead_selectors.visible_leads(actor=actor).select_related("owner")
    fields = (
        MatchField("name", "name", fold, lookup="icontains"),
        MatchField("company", "company", fold, lookup="icontains"),
        PHONE,
        EMAIL,
    )
    return text_match(qs, fields, query).order_by("match_rank", "name", "pk")


_QUERIES: dict[str, Callable[[User, str], QuerySet]] = {
    "account": _accounts,
    "contact": _contacts,
    "deal": _deals,
    "lead": _leads,
}


def _hit(kind: str, row) -> SearchHit:
    if kind == "account":
        subtitle = _owner_name(row.owner)
    elif kind == "contact":
        subtitle = _joined(row.title, row.account.name)
    elif kind == "deal":
        subtitle = _joined(row.account.name, str(row.owner))
    else:
        subtitle = _joined(row.company, _owner_name(row.owner))
    return SearchHit(
        type=kind, id=row.pk, title=row.name, subtitle=subtitle, matched_on=row.matched_on
    )


def search(
    *, actor: User, query: str, types: Sequence[str] = SEARCH_TYPES, limit: int = 5
) -> SearchResults:
    """Up to `limit` hits of each requested type the actor may see, prefix matches first,
    then by name. One query per type (none for a type the actor's role cannot see)."""
    query = clean_query(query)[:MAX_QUERY_LENGTH]
    limit = min(max(limit, 1), MAX_HITS_PER_TYPE)
    groups = []
    for kind in SEARCH_TYPES:
        if kind not in types:
            continue
        rows = list(_QUERIES[kind](actor, query)[: limit + 1]) if query else []
        groups.append(
            SearchGroup(
                type=kind,
                hits=[_hit(kind, row) for row in rows[:limit]],
                has_more=len(rows) > limit,
            )
        )
    return SearchResults(query=query, groups=groups)
