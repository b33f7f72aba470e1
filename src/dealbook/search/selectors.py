"""Global search: accounts, contacts, deals and leads whose name (or phone, e-mail, company)
holds a fragment, each type read through its own app's visibility selector.

Matching lives behind one interface, `text_match`, backed by the search index
(`dealbook.search.index`; its tokens in `dealbook.search.tokens`): every searched field of
every record has an entry holding its normalised value, and the engine's full-text index
(FTS5 on SQLite, a GIN-indexed tsvector on PostgreSQL) holds the value's character n-grams.
A row matches when a field's normalised value contains the normalised query — any
substring, Chinese or Latin, one character or many — exactly as LIKE '%…%' on that value
would: the n-gram phrase finds the candidates in the index, then the visibility selector
and the organisation filter apply to those rows only, by primary key. No scan of a table.
`search` reads each type as a prepared read (`core.prepared`): compiled once per shape (the
type, the actor's scope, the fields the query can match), the query's texts bound per request;
the types' reads go to the database together, as one statement (`read_together`).

Whose candidates: a user who sees a type by ownership (a rep, a manager: their own records,
their teams', and those shared with them) gets candidates they may see — entries remember
whose record they index (`SearchEntry.owner_id`; a contact's: its account's owner), and the
index hands over only entries of the owners the user sees, or of the records shared with
them, out of the first `index.EXAMINED` (1,000) that hold the fragment. Users who see every
record of the type (directors, admins, and each role for the types its policy opens to it
whole) get the organisation's. Either way the visibility selector still filters every
candidate: an entry the index has not caught up with can hide a record, never show one.

Bounded cost: per type, the index hands over at most `CANDIDATE_CAP` (21) records that hold
the fragment, and — only when that many hold it — as many again that start with it (for
fragments of two characters or more), in the index's order: SQLite, oldest record first;
PostgreSQL, newest bucket of records first (`tokens.BUCKET_SIZE`). Up to the cap, hits are
exact: prefix matches first, then by name. Above it (on the `large` benchmark data: a brand
in deal names, as "宏达" in 11,000 deals, a district, a single common character) the hits
are the best of those candidates only, and `has_more` says whether more of the candidates
were visible.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.models import (
    Case,
    Exists,
    F,
    IntegerField,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.fields import CharField
from django.db.models.lookups import Lookup
from django.utils.translation import gettext as _

from dealbook.core.prepared import Prepared, Read, read_together
from dealbook.core.text import fold, normalize_email, normalize_name, normalize_phone
from dealbook.customers import selectors as customer_selectors
from dealbook.customers.models import Account, Contact
from dealbook.leads import selectors as lead_selectors
from dealbook.leads.models import Lead
from dealbook.org.models import Organization, User
from dealbook.org.policies import Entity
from dealbook.org.visibility import marked_user, scope_values
from dealbook.pipeline import selectors as pipeline_selectors
from dealbook.pipeline.models import Deal
from dealbook.search import index
from dealbook.search import tokens as tk
from dealbook.search.models import SearchEntry

SEARCH_TYPES = ("account", "contact", "deal", "lead")
MAX_QUERY_LENGTH = 100
MAX_HITS_PER_TYPE = 20
# Records per type the index hands over for "holds", and again for "starts with". Each costs
# the read of its row (the visibility test) and its place in the ordering. A user who sees
# by ownership gets their own candidates (see the module docstring), so 21 are 21 they may
# see, where 500 of the organisation's were about 100 of a manager's and 5 of a rep's.
# One more than the most hits a type shows, so that `has_more` is known at every limit.
# PostgreSQL, `large`, a manager's search, with the buckets (`tokens`), in-process: 15–20 ms
# with 500 of the organisation's; 5.6 ms with 50 of their own, 4.5 ms with 30 (and 1,000
# examined); under load 117 → 336 requests/s. With the four types in one statement, 30 → 20
# candidates (measured before it became 21): the database's time per search 1.9 → 1.5 ms,
# under load 495 → 550 requests/s.
CANDIDATE_CAP = MAX_HITS_PER_TYPE + 1


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


class InIndex(Lookup):
    """`pk IN (candidate ids)` from an index subquery. On PostgreSQL `pk = ANY(ARRAY(…))`: the
    ids are computed once and looked up through the primary key, where `IN (subquery)` lets
    the planner guess a semi-join (and hash every visible row for nothing). A Lookup, so
    the filter is the bare condition the planner can use as an index constraint."""

    lookup_name = "in_search_index"
    prepare_rhs = False

    def __init__(self, sql: str, params: list) -> None:
        super().__init__(F("pk"), (sql, tuple(params)))

    def as_sql(self, compiler, connection):  # type: ignore[override]
        column, column_params = self.process_lhs(compiler, connection)
        sql, params = self.rhs
        if connection.vendor == "postgresql":
            return f"{column} = ANY(ARRAY({sql}))", [*column_params, *params]
        return f"{column} IN ({sql})", [*column_params, *params]


class LikePattern(Lookup):
    """`column LIKE pattern` with the pattern bound as given (escaped by `like_contains` /
    `like_prefix`): the same test as Django's contains / startswith, whose parameter a
    prepared read can bind per request."""

    lookup_name = "like_pattern"
    prepare_rhs = False

    def as_sql(self, compiler, connection):  # type: ignore[override]
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        escape = " ESCAPE '\\'" if connection.vendor == "sqlite" else ""
        return f"{lhs} LIKE {rhs}{escape}", [*lhs_params, *rhs_params]


def _escaped(key: str) -> str:
    return key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def like_contains(key: str) -> str:
    return f"%{_escaped(key)}%"


def like_prefix(key: str) -> str:
    return f"{_escaped(key)}%"


@dataclass(frozen=True)
class _Match:
    field: MatchField
    key: str
    slot: index.Slot | None  # None: not indexed, LIKE on the column


@dataclass(frozen=True)
class _Plan:
    """What `text_match` does for one query, apart from the query's own text: the fields
    tried (and how), and whether records starting with the fragment are sought apart. Equal
    plans build the same SQL (a plan is part of a prepared read's shape); `texts` holds the
    values it binds."""

    matches: tuple[tuple[MatchField, index.Slot | None], ...]
    starting: bool
    empty: bool
    owned: bool = False  # candidates of the owners the user sees, and of shared records


def _plan(
    model: type[Model],
    db: str,
    fields: Sequence[MatchField],
    query: str,
    org_ids: list[int],
    *,
    empty: bool = False,
    owned: bool = False,
) -> tuple[_Plan, dict[str, str]]:
    """The plan of `text_match` and the texts it binds: the index's match texts ("hold",
    "start") and each field's LIKE patterns ("contains_<i>", "prefix_<i>"). `owned`: the
    candidates are kept to the user's (see `index.Owned`)."""
    connection = connections[db]
    use_index = index.ready(connection)
    matches: list[_Match] = []
    for field in fields:
        key = field.normalize(query)
        if len(key) < field.min_length:
            continue
        slot = index.slot_for(model, field.label) if use_index else None
        if slot is not None and slot.column != field.column:
            slot = None  # the index holds another column under this label
        matches.append(_Match(field, key, slot))
    empty = empty or not matches
    texts: dict[str, str] = {}
    indexed = [match for match in matches if match.slot is not None]

    bucket = tk.BUCKET_PLACEHOLDER if connection.vendor == "postgresql" else None

    def phrases(selected: Sequence[_Match], *, prefix: bool) -> list[list[str]]:
        spell = tk.prefix_phrase if prefix else tk.contains_phrase
        return [
            spell(tk.namespace(org, match.slot.code, bucket), match.key)
            for match in selected
            if match.slot is not None
            for org in org_ids
        ]

    holding = phrases(indexed, prefix=False)
    starting = phrases([match for match in indexed if len(match.key) > 1], prefix=True)
    if holding:
        texts["hold"] = index.match_text(connection, holding)
    if holding and starting:
        texts["start"] = index.match_text(connection, starting)
    for i, match in enumerate(matches):
        texts[f"contains_{i}"] = like_contains(match.key)
        texts[f"prefix_{i}"] = like_prefix(match.key)
    plan = _Plan(
        matches=tuple((match.field, match.slot) for match in matches),
        starting="start" in texts,
        empty=empty,
        owned=owned,
    )
    return plan, texts


def _apply(
    queryset: QuerySet, plan: _Plan, texts: dict[str, Any], owned: index.Owned | None = None
) -> QuerySet:
    """`queryset` narrowed and annotated as `plan` says, binding `texts` (the real texts, or
    a prepared read's markers); with `owned` (an `owned` plan's), the candidates are kept
    to that user's."""
    if plan.empty:
        return queryset.none().annotate(matched_on=Value(""), match_rank=Value(1))
    connection = connections[queryset.db]

    def like(i: int, column: str, *, prefix: bool) -> Q:
        return Q(LikePattern(F(column), texts[f"prefix_{i}" if prefix else f"contains_{i}"]))

    def entry(i: int, slot: index.Slot, *, prefix: bool) -> Q:
        """The record's own entry for this field (its id is computed, no index scan) has a
        value that holds / starts with the key: for a hit row, what it matched on."""
        pattern = texts[f"prefix_{i}" if prefix else f"contains_{i}"]
        return Q(
            Exists(
                SearchEntry.objects.filter(
                    LikePattern(F("value"), pattern),
                    pk=OuterRef("pk") * tk.MAX_SLOTS + slot.code,
                )
            )
        )

    def test(i: int, field: MatchField, slot: index.Slot | None, *, prefix: bool) -> Q:
        """LIKE where the column holds the normalised value (the value the index holds);
        the record's entry where it does not (deal and lead names, lead companies). Plain
        columns without a normalised copy and outside the index: Django's own lookups."""
        if slot is not None and slot.normalize is not None:
            return entry(i, slot, prefix=prefix)
        if field.lookup == "contains":
            return like(i, field.column, prefix=prefix)
        lookup = "istartswith" if prefix else "icontains"
        key = field.normalize(texts["query"])
        return Q(**{f"{field.column}__{lookup}": key})

    any_match = Q(pk__in=[])
    if "hold" in texts:
        sql, params = index.matches_sql(
            connection,
            texts["hold"],
            texts.get("start"),
            CANDIDATE_CAP,
            queryset.model._meta.db_table,
            owned,
        )
        any_match = Q(InIndex(sql, params))
    any_prefix = Q(pk__in=[])
    for i, (field, slot) in enumerate(plan.matches):
        if slot is None:
            any_match |= test(i, field, slot, prefix=False)
        any_prefix |= test(i, field, slot, prefix=True)
    matched_on: Value | Case
    if len(plan.matches) == 1:
        matched_on = Value(plan.matches[0][0].label, output_field=CharField())
    else:
        matched_on = Case(
            *(
                When(test(i, field, slot, prefix=False), then=Value(field.label))
                for i, (field, slot) in enumerate(plan.matches)
            ),
            default=Value(""),
            output_field=CharField(),
        )
    return queryset.filter(any_match).annotate(
        matched_on=matched_on,
        match_rank=Case(
            When(any_prefix, then=Value(0)), default=Value(1), output_field=IntegerField()
        ),
    )


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
    `CANDIDATE_CAP` per condition (see the module docstring), so the database reads
    the candidates and never scans the table. `matched_on` and `match_rank` are computed on the
    visible candidates only: LIKE on a column that holds the normalised value, else on the
    record's own entry (deal and lead names, lead companies), found by its id."""
    org_ids = [org_id] if org_id is not None else []
    if org_id is None and index.ready(connections[queryset.db]):
        org_ids = list(Organization.objects.using(queryset.db).values_list("pk", flat=True))
    plan, texts = _plan(
        queryset.model, queryset.db, fields, query, org_ids, empty=queryset.query.is_empty()
    )
    return _apply(queryset, plan, {**texts, "query": query})


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


def _owner_name(owner_id: int | None, username: str | None, display_name: str | None) -> str:
    """What User.__str__ shows of the owner, or that the record is in the pool."""
    if owner_id is None:
        return _("In the pool")
    return display_name or username or ""


def _joined(*parts: str) -> str:
    return " · ".join(part for part in parts if part)


DEAL_NAME = MatchField("name", "name", fold, lookup="icontains")
LEAD_NAME = MatchField("name", "name", fold, lookup="icontains")
LEAD_COMPANY = MatchField("company", "company", fold, lookup="icontains")
_FIELDS: dict[str, tuple[MatchField, ...]] = {
    "account": (NAME, PHONE),
    "contact": (NAME, PHONE, EMAIL),
    "deal": (DEAL_NAME,),
    "lead": (LEAD_NAME, LEAD_COMPANY, PHONE, EMAIL),
}
_ORDER = {
    "account": ("match_rank", "name_normalized", "pk"),
    "contact": ("match_rank", "name_normalized", "pk"),
    "deal": ("match_rank", "name", "pk"),
    "lead": ("match_rank", "name", "pk"),
}
_ENTITIES = {
    "account": Entity.ACCOUNT,
    "contact": Entity.CONTACT,
    "deal": Entity.DEAL,
    "lead": Entity.LEAD,
}


# What a hit shows (`_hit`), and no more, read as tuples: rows of wide records turned whole
# into objects (their parents too), their dates parsed, cost more than the search itself.
_OWNER = ("owner_id", "owner__username", "owner__display_name")
_HIT_COLUMNS = {
    "account": ("id", "name", "matched_on", *_OWNER),
    "contact": ("id", "name", "matched_on", "title", "account__name"),
    "deal": ("id", "name", "matched_on", "account__name", *_OWNER),
    "lead": ("id", "name", "matched_on", "company", *_OWNER),
}


def _visible(kind: str, actor: User) -> QuerySet:
    """What the actor may see of `kind`, through that type's own selector."""
    qs: QuerySet
    if kind == "account":
        qs = customer_selectors.visible_accounts(actor=actor)
    elif kind == "contact":
        qs = customer_selectors.visible_contacts(actor=actor, row_by_row=True)
    elif kind == "deal":
        qs = pipeline_selectors.visible_deals(actor=actor)
    else:
        qs = lead_selectors.visible_leads(actor=actor)
    return qs


def _matching(kind: str, actor: User, query: str) -> QuerySet:
    """The plain read of one type's hits (the index not ready: no prepared read)."""
    qs = _visible(kind, actor)
    matched = text_match(qs, _FIELDS[kind], query, org_id=actor.org_id)
    return matched.order_by(*_ORDER[kind]).values_list(*_HIT_COLUMNS[kind])


_TEXT_KEYS = ("hold", "start", "contains_", "prefix_")


def _search_query(shape: tuple, **values: Any) -> QuerySet:
    """One type's hits as a prepared read: the visible rows of the stand-in user holding the
    text markers, ordered, `limit + 1` of them, as tuples of `_HIT_COLUMNS`."""
    kind, scope_shape, plan, limit = shape
    texts = {key: values.pop(key) for key in list(values) if key.startswith(_TEXT_KEYS)}
    actor = marked_user(scope_shape, **values)
    owned = None
    if plan.owned:
        owned = index.Owned(values["owner_ids"], values.get(f"shared_{kind}_ids") or [])
    matched = _apply(_visible(kind, actor), plan, texts, owned).order_by(*_ORDER[kind])
    return matched.values_list(*_HIT_COLUMNS[kind])[: limit + 1]


def _owned(kind: str, scope: tuple) -> bool:
    """Whether the user's candidates of `kind` can be kept to their own (`index.Owned`): they
    see the type (and its parent, for a contact) by ownership, with the shares inlined, and
    no parent record is shared with them (its children's entries name the parent's owner,
    not the parent)."""
    (_role, _access, _has_org, mode, scoped_types), values = scope
    parent = index.parent_type(_MODELS[kind])
    needed = {kind} if parent is None else {kind, parent}
    if mode != "inline" or not needed <= set(scoped_types):
        return False
    return parent is None or not values.get(f"shared_{parent}_ids")


_search_read = Prepared(_search_query)
_MODELS = {"account": Account, "contact": Contact, "deal": Deal, "lead": Lead}


def _read(kind: str, actor: User, query: str, limit: int, scope: tuple) -> Read | None:
    """The prepared read of up to `limit + 1` rows (`_HIT_COLUMNS`) of `kind` matching
    `query` (`scope`: the actor's `scope_values`); None when nothing can match."""
    scope_shape, scope_vals = scope
    plan, texts = _plan(
        _MODELS[kind],
        "default",
        _FIELDS[kind],
        query,
        [actor.org_id] if actor.org_id else [],
        empty=not (actor.is_authenticated and actor.org_id),
        owned=_owned(kind, scope),
    )
    if plan.empty:
        return None
    return Read(_search_read, (kind, scope_shape, plan, limit), {**scope_vals, **texts})


def _rows(kinds: Sequence[str], actor: User, query: str, limit: int) -> dict[str, list[tuple]]:
    """Up to `limit + 1` rows of each of `kinds` matching `query`: when the index is ready,
    prepared reads, all in one statement (`core.prepared.read_together`); else plain ones."""
    if not index.ready(connections["default"]):
        return {kind: list(_matching(kind, actor, query)[: limit + 1]) for kind in kinds}
    scope = scope_values(actor, *(_ENTITIES[kind] for kind in SEARCH_TYPES))
    reads: dict[str, Read] = {}
    for kind in kinds:
        read = _read(kind, actor, query, limit, scope)
        if read is not None:
            reads[kind] = read
    found = dict(zip(reads, read_together(list(reads.values())), strict=True))
    return {kind: found.get(kind, []) for kind in kinds}


def _hit(kind: str, row: tuple) -> SearchHit:
    """A hit from its row (`_HIT_COLUMNS[kind]`)."""
    pk, name, matched_on, *rest = row
    if kind == "account":
        subtitle = _owner_name(*rest)
    elif kind == "contact":
        subtitle = _joined(*rest)  # job title, account
    elif kind == "deal":
        account_name, *owner = rest
        subtitle = _joined(account_name, _owner_name(*owner))
    else:
        company, *owner = rest
        subtitle = _joined(company, _owner_name(*owner))
    return SearchHit(type=kind, id=pk, title=name, subtitle=subtitle, matched_on=matched_on)


def search(
    *, actor: User, query: str, types: Sequence[str] = SEARCH_TYPES, limit: int = 5
) -> SearchResults:
    """Up to `limit` hits of each requested type the actor may see, prefix matches first,
    then by name. One query for every type the actor's role can see (none when it sees none)."""
    query = clean_query(query)[:MAX_QUERY_LENGTH]
    limit = min(max(limit, 1), MAX_HITS_PER_TYPE)
    kinds = [kind for kind in SEARCH_TYPES if kind in types]
    found = _rows(kinds, actor, query, limit) if query else {}
    groups = [
        SearchGroup(
            type=kind,
            hits=[_hit(kind, row) for row in found.get(kind, [])[:limit]],
            has_more=len(found.get(kind, [])) > limit,
        )
        for kind in kinds
    ]
    return SearchResults(query=query, groups=groups)
