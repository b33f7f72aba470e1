"""Querysets compiled once per shape, then re-run with new values.

Building a queryset and compiling it to SQL costs the ORM more than SQLite or PostgreSQL
spend answering it: ~0.5–1 ms of Python per query, against ~0.1 ms of SQL for a page of
deals. On the hottest reads (a deal, a page of deals) that is most of the request.

`Prepared` keeps the selectors the single source of truth: the queryset is still built by
the same selector code, once per *shape*, with marker values in place of the real ones —
negative integers no row id can take. The compiled SQL's parameters are then mapped back
to the names of the values they came from, and every later request with the same shape
binds its own values into the cached SQL and reads rows through Django's own iterables
(model instances, select_related, prefetch_related). Values that change the SQL's text
(a list's length, whether shares are inlined, a role) are part of the shape.

Markers only travel through equality and membership filters. A build that computes with a
marker (adds to it, formats it) or branches on it produces SQL the mapping cannot explain,
and compiling it fails loudly; tests compare every prepared read with the plain queryset.
"""

from __future__ import annotations

import copy
import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import orjson
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet, prefetch_related_objects
from django.db.models.query import ValuesListIterable

_MARK_BASE = -(2**50)  # ids and settings are positive: a marker is unmistakable
_MARK_NEAR = -(2**49)  # any parameter below this that is not a marker is a mistake
_MARK_TEXT = str(_MARK_BASE)[:9]  # …and any text holding one
_TEXT_MARK = "\x1fprepared-text-"  # a text value's marker starts so (no real text does)


_INT64 = range(-(2**63), 2**63)


def _beyond_64_bits(values: dict[str, Any]) -> bool:
    """Whether a value is an integer no column can hold (an id typed into a URL, 2**70): as
    with Django's own lookups, it matches nothing, and the read is empty — the driver would
    refuse to bind it. Markers travel only through equality and membership filters, which
    every read ANDs with the rest, and the ids lists hold come from the database."""
    for value in values.values():
        if isinstance(value, int) and not isinstance(value, bool) and value not in _INT64:
            return True
        if isinstance(value, (list, tuple, set, frozenset)) and value and _beyond(value):
            return True
    return False


def _beyond(items: list | tuple | set | frozenset) -> bool:
    """Whether a collection holds an integer beyond 64 bits. Lists of ids (a team's owners,
    bound on every read of a page) are tested by their least and greatest member, in C; a
    collection of anything else item by item."""
    try:
        low, high = min(items), max(items)
    except TypeError:  # not all comparable with each other
        low = high = None
    if type(low) is int and type(high) is int:  # every integer lies between them
        return low not in _INT64 or high not in _INT64
    return any(isinstance(item, int) and item not in _INT64 for item in items)


def _value_shapes(values: dict[str, Any]) -> tuple:
    return tuple((name, _shape_of(value)) for name, value in sorted(values.items()))


@dataclass(frozen=True)
class _LookedAt:
    """What a read's values say before any SQL: whether one is beyond 64 bits, and their
    shapes (part of the compiled read's key)."""

    beyond: bool
    shapes: tuple


def _look_at(values: dict[str, Any]) -> _LookedAt:
    return _LookedAt(beyond=_beyond_64_bits(values), shapes=_value_shapes(values))


def _ordered(values: dict[str, Any]) -> dict[str, list]:
    """The collections among `values`, sorted: how they are bound (see _Markers.many)."""
    return {
        name: sorted(value)
        for name, value in values.items()
        if isinstance(value, (list, tuple, set, frozenset))
    }


class PrepareError(RuntimeError):
    """The build used a marker in a way the cached SQL cannot reproduce."""


@dataclass(frozen=True)
class _Slot:
    name: str
    index: int | None  # position in a list value (sorted), None for a scalar
    adapt: str = ""  # "datetime" / "date": bound as the database adapts such a field


@dataclass(frozen=True)
class _Run:
    """Slots `name`[0] … `name`[count - 1], one after another (an IN list): bound at once."""

    name: str
    count: int


def _runs(slots: list[_Slot | object]) -> list[_Slot | _Run | object]:
    """`slots` with each run of a list's members in rank order made one `_Run`: a team's
    forty owners, bound in several places of a statement, cost one step each instead of
    forty."""
    out: list[_Slot | _Run | object] = []
    i = 0
    while i < len(slots):
        slot = slots[i]
        if isinstance(slot, _Slot) and slot.index == 0:
            j = i + 1
            while j < len(slots):
                following = slots[j]
                if not (
                    isinstance(following, _Slot)
                    and following.name == slot.name
                    and following.index == j - i
                ):
                    break
                j += 1
            out.append(_Run(slot.name, j - i))
            i = j
            continue
        out.append(slot)
        i += 1
    return out


@dataclass
class _Compiled:
    compiler: Any
    sql: str
    slots: list[_Slot | object]  # a _Slot, or the constant parameter itself
    converters: dict
    template: QuerySet
    tuples: bool = False  # a values_list() read: its SQL's columns are its fields, in order
    columns: tuple[tuple[str | None, str], ...] = ()  # (alias, internal type) per column
    json_sql: str = ""  # the read as one JSON text (`_rows_as_json`), once worked out
    json_converters: dict | None = None  # the converters rows read as JSON need (_from_json)
    binds: list[_Slot | _Run | object] = field(init=False, repr=False)  # what _bind walks

    def __post_init__(self) -> None:
        self.binds = _runs(self.slots)


class _Empty:
    """A shape whose SQL can match nothing (an empty IN list, `none()`)."""


_MARK_YEAR = 1001  # dates and instants: years no record of a sales team has


class _Markers:
    def __init__(self, ops: Any) -> None:
        self.next = _MARK_BASE
        self.year = _MARK_YEAR
        self.ops = ops
        self.named: dict[Any, _Slot] = {}

    def scalar(self, name: str, value: Any) -> Any:
        if isinstance(value, str):
            self.next -= 1
            mark = f"{_TEXT_MARK}{-self.next}\x1f"
            self.named[mark] = _Slot(name, None)
            return mark
        if isinstance(value, dt.datetime):
            self.year += 1
            mark = dt.datetime(self.year, 1, 1, tzinfo=dt.UTC)
            self.named[self.ops.adapt_datetimefield_value(mark)] = _Slot(name, None, "datetime")
            return mark
        if isinstance(value, dt.date):
            self.year += 1
            day = dt.date(self.year, 1, 1)
            self.named[self.ops.adapt_datefield_value(day)] = _Slot(name, None, "date")
            return day
        self.next -= 1
        self.named[self.next] = _Slot(name, None)
        return self.next

    def many(self, name: str, count: int) -> list[int]:
        # Ascending, so that code sorting the values keeps rank i at position i.
        marks = [self.next - count + i for i in range(count)]
        self.next -= count
        for rank, mark in enumerate(marks):
            self.named[mark] = _Slot(name, rank)
        return marks

    def explain(self, param: Any) -> _Slot | None:
        """The marker a compiled parameter stands for; PrepareError when it was derived
        from one (a marker changed by arithmetic or formatting)."""
        try:
            slot = self.named.get(param)
        except TypeError:  # unhashable parameters are constants
            return None
        if slot is not None:
            return slot
        if isinstance(param, int) and not isinstance(param, bool) and param < _MARK_NEAR:
            raise PrepareError(f"a parameter was computed from a marker: {param}")
        if isinstance(param, str) and (_MARK_TEXT in param or _TEXT_MARK in param):
            raise PrepareError(f"a parameter was formatted from a marker: {param!r}")
        if isinstance(param, (dt.date, str)) and _looks_marked(param):
            raise PrepareError(f"a parameter was computed from a marker: {param}")
        return None


def _looks_marked(param: dt.date | str) -> bool:
    year = param.year if isinstance(param, dt.date) else param[:4]
    try:
        return _MARK_YEAR <= int(year) < _MARK_YEAR + 200
    except ValueError:
        return False


def _shape_of(value: Any) -> Hashable:
    if isinstance(value, (list, tuple, set, frozenset)):
        return ("many", len(value))
    if value is None:
        return "none"
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise TypeError(f"prepared instants are aware datetimes, not {value!r}")
        return "instant"
    if isinstance(value, dt.date):
        return "day"
    if isinstance(value, str):
        return "text"
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(
            f"prepared values are ints, texts, dates, instants or id lists, not {value!r}"
        )
    return "one"


class Prepared:
    """One read, compiled per shape: `Prepared(build)(shape_extra, **values)`.

    `build(**markers)` returns the queryset; `values` are ints, texts, dates, aware
    datetimes, None or collections of ints (compared by equality, order or membership only;
    a text is bound as it is, never formatted into another). `shape`
    holds whatever else changes the SQL's text (flags, a role, a sort) and is passed to
    build as-is.
    """

    CACHE_MAX: ClassVar[int] = 128

    def __init__(self, build: Callable[..., QuerySet]) -> None:
        self._build = build
        self._cache: OrderedDict[Hashable, _Compiled | _Empty] = OrderedDict()
        self._lock = threading.Lock()

    def __call__(self, shape: Hashable = (), **values: Any) -> list:
        """The rows of the built queryset for these values."""
        compiled = self._ready(shape, values, counted=False)
        return [] if compiled is None else self._run(compiled, values)

    def tuples(self, shape: Hashable = (), **values: Any) -> list[tuple]:
        """The rows of a built `values_list()` queryset, as tuples in its fields' order,
        read with one `fetchall()`: for reads of many small rows (sums per owner and stage)
        Django's iterables cost more per row than the database does."""
        compiled = self._ready(shape, values, counted=False)
        if compiled is None:
            return []
        if not compiled.tuples:
            raise TypeError("Prepared.tuples reads values_list() querysets only")
        with connections[self.using].cursor() as cursor:
            cursor.execute(compiled.sql, self._bind(compiled, values))
            rows = cursor.fetchall()
        return rows if not compiled.converters else self._converted(compiled, rows)

    def _converted(
        self, compiled: _Compiled, rows: list, converters: dict | None = None
    ) -> list[tuple]:
        """`rows` (tuples or lists of column values) as a plain fetch of `compiled` gives
        them: Django's column converters (or those given) applied, one tuple per row."""
        converters = compiled.converters if converters is None else converters
        if converters:
            rows = self._compiler(compiled).apply_converters(rows, converters)
        return [tuple(row) for row in rows]

    def count(self, shape: Hashable = (), **values: Any) -> int:
        """COUNT(*) over the built queryset (slice it in build to cap the count)."""
        compiled = self._ready(shape, values, counted=True)
        if compiled is None:
            return 0
        with connections[self.using].cursor() as cursor:
            cursor.execute(compiled.sql, self._bind(compiled, values))
            return int(cursor.fetchone()[0])

    def _ready(
        self,
        shape: Hashable,
        values: dict[str, Any],
        *,
        counted: bool,
        looked_at: _LookedAt | None = None,
    ) -> _Compiled | None:
        """The compiled read for these values; None when it can match nothing (an empty
        shape, an integer beyond 64 bits). `looked_at`: what `_look_at(values)` says, when
        the caller reads several shapes with the same values."""
        looked_at = looked_at or _look_at(values)
        if looked_at.beyond:
            return None
        compiled = self._compiled(shape, values, counted=counted, shapes=looked_at.shapes)
        return None if isinstance(compiled, _Empty) else compiled

    using = "default"

    def _compiled(
        self,
        shape: Hashable,
        values: dict[str, Any],
        *,
        counted: bool,
        shapes: tuple | None = None,
    ) -> _Compiled | _Empty:
        using = self.using
        key = (
            using,
            connections[using].vendor,
            counted,
            shape,
            _value_shapes(values) if shapes is None else shapes,
        )
        with self._lock:
            compiled = self._cache.get(key)
            if compiled is not None:
                self._cache.move_to_end(key)
        if compiled is None:
            compiled = self._compile(shape, values, using, counted=counted)
            with self._lock:
                self._cache[key] = compiled
                while len(self._cache) > self.CACHE_MAX:
                    self._cache.popitem(last=False)
        return compiled

    def _compile(
        self, shape: Hashable, values: dict[str, Any], using: str, *, counted: bool
    ) -> _Compiled | _Empty:
        markers = _Markers(connections[using].ops)
        marked: dict[str, Any] = {}
        for name, value in values.items():
            if value is None:
                marked[name] = None
            elif isinstance(value, (list, tuple, set, frozenset)):
                marked[name] = type(value)(markers.many(name, len(value)))
                if isinstance(value, list):
                    marked[name] = list(marked[name])
            else:
                marked[name] = markers.scalar(name, value)
        template = self._build(shape, **marked)
        compiler = template.query.get_compiler(using=using)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            return _Empty()
        if not sql:
            return _Empty()
        if counted:
            sql = f"SELECT COUNT(*) FROM ({sql}) subquery"  # noqa: S608 - compiled by the ORM
        slots: list[_Slot | object] = []
        for param in params:
            slot = markers.explain(param)
            slots.append(param if slot is None else slot)
        if _MARK_TEXT in sql or _TEXT_MARK in sql or f"'{_MARK_YEAR + 1}-" in sql:
            raise PrepareError("a marker was written into the SQL text")
        selected = compiler.select[0 : compiler.col_count]
        fields = [column[0] for column in selected]
        return _Compiled(
            compiler=compiler,
            sql=sql,
            slots=slots,
            converters=compiler.get_converters(fields),
            template=template,
            tuples=template._iterable_class is ValuesListIterable,
            columns=tuple(
                (alias, expression.output_field.get_internal_type())
                for expression, _sql, alias in selected
            ),
        )

    def _bind(
        self, compiled: _Compiled, values: dict[str, Any], ordered: dict[str, list] | None = None
    ) -> list:
        if ordered is None:
            ordered = _ordered(values)
        ops = connections[self.using].ops
        params: list[Any] = []
        for slot in compiled.binds:
            if type(slot) is _Run:
                members = ordered[slot.name]
                params.extend(members if len(members) == slot.count else members[: slot.count])
            elif type(slot) is _Slot:
                value = values[slot.name] if slot.index is None else ordered[slot.name][slot.index]
                if slot.adapt == "datetime":
                    value = ops.adapt_datetimefield_value(value)
                elif slot.adapt == "date":
                    value = ops.adapt_datefield_value(value)
                params.append(value)
            else:
                params.append(slot)
        return params

    def _compiler(self, compiled: _Compiled) -> Any:
        """The compiled read's compiler, on this thread's connection."""
        compiler = copy.copy(compiled.compiler)
        compiler.connection = connections[self.using]
        return compiler

    def _run(self, compiled: _Compiled, values: dict[str, Any]) -> list:
        params = self._bind(compiled, values)
        compiler = self._compiler(compiled)
        sql = compiled.sql
        compiler.as_sql = lambda *args, **kwargs: (sql, params)
        compiler.get_converters = lambda expressions: compiled.converters
        template = compiled.template
        rows = list(template._iterable_class(_Bound(template, compiler)))
        lookups = template._prefetch_related_lookups
        if lookups and rows:
            prefetch_related_objects(rows, *lookups)
        return rows


class _BoundQuery:
    def __init__(self, compiler: Any) -> None:
        self._compiler = compiler

    def get_compiler(self, using: str | None = None, **kwargs: Any) -> Any:
        return self._compiler

    def __getattr__(self, name: str) -> Any:
        return getattr(self._compiler.query, name)


class _Bound:
    """What Django's iterables read of a queryset, with the compiler already bound."""

    def __init__(self, template: QuerySet, compiler: Any) -> None:
        self.query = _BoundQuery(compiler)
        self.db = compiler.connection.alias
        self.model = template.model
        self._fetch_mode = template._fetch_mode
        self._known_related_objects = template._known_related_objects
        self._fields = template._fields

    def __iter__(self) -> Iterable:  # pragma: no cover - iterables don't iterate it
        raise TypeError("a bound query is read through its iterable")


# --- several reads in one statement -----------------------------------------------------------


@dataclass(frozen=True)
class Read:
    """One prepared read of a batch (`read_together`): its rows as tuples (a values_list()
    read), or, `counted`, the COUNT(*) of its rows."""

    prepared: Prepared
    shape: Hashable
    values: dict[str, Any]
    counted: bool = False


def _parse_date(value: Any) -> Any:
    return None if value is None else dt.date.fromisoformat(value)


def _parse_instant(value: Any) -> Any:
    return None if value is None else dt.datetime.fromisoformat(value)


# PostgreSQL's JSON spells these as text; SQLite's columns hold text already, and Django's own
# converters read it, as they read a plain fetch.
_FROM_JSON_TEXT: dict[str, Callable[[Any], Any]] = {
    "DateField": _parse_date,
    "DateTimeField": _parse_instant,
}
_JSON_SAFE = frozenset(
    {
        *("AutoField", "BigAutoField", "SmallAutoField", "IntegerField", "BigIntegerField"),
        *("SmallIntegerField", "PositiveIntegerField", "PositiveBigIntegerField"),
        *("PositiveSmallIntegerField", "ForeignKey", "OneToOneField", "CharField", "TextField"),
        *("SlugField", "EmailField", "BooleanField", "DateField", "DateTimeField"),
    }
)


def read_together(reads: Sequence[Read]) -> list[Any]:
    """The results of `reads`, in their order — each a list of tuples, or an int for a
    counted read — from one statement: `SELECT (rows of read 1 as JSON), (count of read 2),
    …`. A page that needs a dozen small reads pays for one round trip, one parse and one
    snapshot instead of twelve: on PostgreSQL each statement cost about 0.1 ms however small,
    and each cost Django and the driver as much again.

    Each read's rows become a JSON array of arrays, in the order its own SQL gives them (on
    SQLite `json_group_array` over the ordered subquery; on PostgreSQL an ARRAY() of the
    subquery's rows, as JSON: both collect the rows as the subquery's plan emits them, which
    neither engine's documentation promises in so many words — the tests hold it for every
    read of the home page), and are turned back into the
    values a plain fetch gives: on PostgreSQL the dates and instants JSON spells as text are
    parsed (SQLite's columns hold that text already), then Django's converters apply as to a
    plain fetch. Columns of other kinds (decimals, JSON, UUIDs…) are refused: read them
    apart."""
    results: list[Any] = [None] * len(reads)
    parts: list[str] = []
    params: list[Any] = []
    taken: list[tuple[int, Read, _Compiled]] = []
    connection = connections[Prepared.using]
    postgres = connection.vendor == "postgresql"
    # The reads of a page often share their values: looked at and sorted once.
    looked_at: dict[int, tuple[_LookedAt, dict[str, list]]] = {}
    for i, read in enumerate(reads):
        if id(read.values) not in looked_at:
            looked_at[id(read.values)] = (_look_at(read.values), _ordered(read.values))
        seen, ordered = looked_at[id(read.values)]
        compiled = read.prepared._ready(
            read.shape, read.values, counted=read.counted, looked_at=seen
        )
        if compiled is None:
            results[i] = 0 if read.counted else []
            continue
        parts.append(f"({compiled.sql})" if read.counted else _rows_as_json(compiled, connection))
        params.extend(read.prepared._bind(compiled, read.values, ordered))
        taken.append((i, read, compiled))
    if not parts:
        return results
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        row = cursor.fetchone()
    for (i, read, compiled), value in zip(taken, row, strict=True):
        if read.counted:
            results[i] = int(value)
            continue
        rows = orjson.loads(value)
        if postgres:
            parsers = [
                (n, _FROM_JSON_TEXT[kind])
                for n, (_alias, kind) in enumerate(compiled.columns)
                if kind in _FROM_JSON_TEXT
            ]
            for cells in rows:
                for n, parse in parsers:
                    cells[n] = parse(cells[n])
        results[i] = read.prepared._converted(compiled, rows, _from_json(compiled))
    return results


def _from_json(compiled: _Compiled) -> dict:
    """The converters of `compiled` its rows need once read as JSON: all of Django's but an
    aggregate's `int()` of an integer column (a sum, a count), which JSON numbers already
    are (or null)."""
    if compiled.json_converters is None:
        compiled.json_converters = {
            n: (found, expression)
            for n, (found, expression) in compiled.converters.items()
            if not (
                compiled.columns[n][1].endswith("IntegerField")
                and found == [expression.convert_value]
            )
        }
    return compiled.json_converters


def _rows_as_json(compiled: _Compiled, connection: Any) -> str:
    """A scalar subquery giving the rows of `compiled` (a values_list() read) as one JSON
    text, an array of arrays in the read's own order (see read_together)."""
    if compiled.json_sql:
        return compiled.json_sql
    if not compiled.tuples:
        raise TypeError("read_together reads values_list() querysets only")
    if any(alias is None or kind not in _JSON_SAFE for alias, kind in compiled.columns):
        raise TypeError(f"read_together cannot carry the columns {compiled.columns}")
    quote = connection.ops.quote_name
    cells = ", ".join(f"s.{quote(alias)}" for alias, _kind in compiled.columns)
    if connection.vendor == "postgresql":
        compiled.json_sql = (
            f"array_to_json(ARRAY(SELECT json_build_array({cells}) "  # noqa: S608
            f"FROM ({compiled.sql}) AS s))::text"
        )
    else:
        compiled.json_sql = (
            f"(SELECT json_group_array(json_array({cells})) FROM ({compiled.sql}) AS s)"  # noqa: S608
        )
    return compiled.json_sql
