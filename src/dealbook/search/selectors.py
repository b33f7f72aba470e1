"""Global search: accounts, contacts, deals and leads whose name (or phone, e-mail, company)
holds a fragment, each type read through its own app's visibility selector.

Matching lives behind one interface, `text_match`, backed by the search index
(`dealbook.search.index`, tokens in `dealbook.search.tokens`): every searched field of every
record has an entry holding its normalised value, and the engine's full-text index (FTS5 on
SQLite, a GIN-indexed tsvector on PostgreSQL) over the value's character bigrams. A row
matches when a field's normalised value contains the normalised query — any substring,
Chinese or Latin, one character or many — exactly as a LIKE '%…%' on that value would, but
read from the index instead of a scan: the bigram phrase finds the candidates, the
visibility selector and the org filter apply to those rows only.

Bounded cost: per type, the index hands over at most `CANDIDATE_CAP` records that hold the
fragment and `CANDIDATE_CAP` that start with it, in the index's own order (SQLite: oldest
record first; PostgreSQL: table order). Below the cap — every fragment but the very common
ones ("科技", a single common character) — hits are exact: prefix matches first, then by
name. Above it, the hits come from those candidates only, so a rarely visible match may be
missing and the order holds among the candidates; `has_more` is then true for anyone who
sees more than `limit` of them.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db import connections
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.fields import CharField
from django.utils.translation import gettext as _

from dealbook.core.text import fold, normalize_email, normalize_name, normalize_phone
from dealbook.customers import selectors as customer_selectors
from dealbook.leads import selectors as lead_selectors
from dealbook.org.models import Organization, User
from dealbook.pipeline import selectors as pipeline_selectors
from dealbook.search import index
from dealbook.search import tokens as tk

SEARCH_TYPES = ("account", "contact", "deal", "lead")
MAX_QUERY_LENGTH = 100
MAX_HITS_PER_TYPE = 20
CANDIDATE_CAP = 2_000  # per type, for "holds" and again for "starts with"


# --- matching: the one interface, backed by the search index -------------------------------


@dataclass(frozen=True)
class MatchField:
    """A column searched, how the query is normalised for it, and what a hit on it is called.

    `lookup` is "contains" for the stored *_normalized columns and "icontains" for plain
    columns that have no normalised copy (deal and lead names): for those the index holds
    `normalize(column)`. Fragments shorter than `min_length` after normalising are not tried
    on this column (a 2-digit "phone"). A field the index does not cover (see
    `index.SLOTS`) is matched with LIKE on the column, as before the index.
    """

    column: str
    label: str
    normalize: Callable[[str], str]
    lookup: str = "contains"
    min_length: int = 1


@dataclass(frozen=True)
class _Match:
    field: MatchField
    key: str
    slot: index.Slot | None  # None: not indexed, LIKE on the column


def text_match(
    queryset: QuerySet,
    fields: Sequence[MatchField],
    query: str,
    *,
    org_id: int | None = None,
) -> QuerySet:
    """`queryset` narrowed to rows where any of `fields` holds `query` (normalised per field),
    annotated with `matched_on` (the first field that holds it) and `match_rank` (0 when a
    field starts with it, else 1), for ordering prefix matches first. No usable key → none.

    The rows come from the search index of organisation `org_id` (every organisation when
    None, at the cost of one query listing them): `pk IN (candidate ids)`, at most
    `CANDIDATE_CAP` per condition (see the module docstring), so the database reads the
    candidates and never scans the table. `matched_on` and `match_rank` are computed on those
    rows only: LIKE on a column that holds the normalised value, the index again for the
    others (deal and lead names, lead companies)."""
    connection = connections[queryset.db]
    use_index = index.ready(connection)
    matches: list[_Match] = []
    for field in fields:
        key = field.normalize(query)
        if len(key) < field.min_length:
            continue
        slot = index.slot_for(queryset.model, field.label) if use_index else None
        if slot is not None and slot.column != field.column:
            slot = None  # the index holds another column under this label
        matches.append(_Match(field, key, slot))
    if not matches or queryset.query.is_empty():
        return queryset.none().annotate(matched_on=Value(""), match_rank=Value(1))

    indexed = [match for match in matches if match.slot is not None]
    org_ids = [org_id] if org_id is not None else []
    if indexed and org_id is None:
        org_ids = list(Organization.objects.using(queryset.db).values_list("pk", flat=True))

    def phrases(selected: Sequence[_Match], *, prefix: bool) -> list[list[str]]:
        spell = tk.prefix_phrase if prefix else tk.contains_phrase
        return [
            spell(tk.namespace(org, match.slot.code), match.key)
            for match in selected
            if match.slot is not None
            for org in org_ids
        ]

    def in_index(selected: Sequence[_Match], *, prefix: bool, also: bool = False) -> Q:
        wanted = phrases(selected, prefix=prefix)
        if not wanted:
            return Q(pk__in=[])
        parts = [index.candidates_sql(connection, wanted, CANDIDATE_CAP)]
        if also:  # the filter: records holding the key, and those starting with it
            parts.append(
                index.candidates_sql(connection, phrases(selected, prefix=True), CANDIDATE_CAP)
            )
        return Q(pk__in=RawSQL(*index.union_sql(parts)))  # noqa: S611 - our own SQL

    def like(match: _Match, *, prefix: bool) -> Q:
        lookup = match.field.lookup
        if prefix:
            lookup = {"contains": "startswith", "icontains": "istartswith"}[lookup]
        return Q(**{f"{match.field.column}__{lookup}": match.key})

    def holds(match: _Match) -> Q:
        """For a hit row: does this field hold the key? LIKE where the column holds the
        normalised value (the same value the index holds); the index where it does not."""
        if match.slot is None or match.slot.normalize is None:
            return like(match, prefix=False)
        return in_index([match], prefix=False)

    def starts(match: _Match) -> Q:
        if match.slot is None or match.slot.normalize is None:
            return like(match, prefix=True)
        return in_index([match], prefix=True)

    any_match = in_index(indexed, prefix=False, also=True) if indexed else Q(pk__in=[])
    any_prefix = Q(pk__in=[])
    for match in matches:
        if match.slot is None:
            any_match |= like(match, prefix=False)
        any_prefix |= starts(match)
    if len(matches) == 1:
        matched_on = Value(matches[0].field.label, output_field=CharField())
    else:
        matched_on = Case(
            *(When(holds(match), then=Value(match.field.label)) for match in matches),
            default=Value(""),
            output_field=CharField(),
        )
    return queryset.filter(any_match).annotate(
        matched_on=matched_on,
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
    return text_match(qs, (NAME, PHONE), query, org_id=actor.org_id).order_by(
        "match_rank", "name_normalized", "pk"
    )


def _contacts(actor: User, query: str) -> QuerySet:
    qs = customer_selectors.visible_contacts(actor=actor).select_related("account")
    return text_match(qs, (NAME, PHONE, EMAIL), query, org_id=actor.org_id).order_by(
        "match_rank", "name_normalized", "pk"
    )


def _deals(actor: User, query: str) -> QuerySet:
    qs = pipeline_selectors.visible_deals(actor=actor).select_related("account", "owner")
    fields = (MatchField("name", "name", fold, lookup="icontains"),)
    return text_match(qs, fields, query, org_id=actor.org_id).order_by("match_rank", "name", "pk")


def _leads(actor: User, query: str) -> QuerySet:
    qs = lead_selectors.visible_leads(actor=actor).select_related("owner")
    fields = (
        MatchField("name", "name", fold, lookup="icontains"),
        MatchField("company", "company", fold, lookup="icontains"),
        PHONE,
        EMAIL,
    )
    return text_match(qs, fields, query, org_id=actor.org_id).order_by("match_rank", "name", "pk")


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
