"""Bounded pages: a fixed number of queries whatever the page size, counts capped."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

from django.db import models

from dealbook.core.prepared import Prepared

COUNT_CAP = 1000


@dataclass(frozen=True)
class Page[T]:
    items: list[T]
    count: int
    count_is_exact: bool
    limit: int
    offset: int
    has_more: bool


def paginate(queryset: models.QuerySet, *, limit: int, offset: int) -> Page:
    """One query for the rows (+1 to know whether more follow), one capped count.

    The count stops at COUNT_CAP ("1,000+"): an exact COUNT(*) over a large filtered set
    costs time proportional to the table on every request.
    """
    rows = list(queryset[offset : offset + limit + 1])
    has_more = len(rows) > limit
    rows = rows[:limit]
    # Always counted, even when the page shows everything: a page then costs the same
    # queries whatever the data (what `make bench` checks), and the count stays one code path.
    capped = queryset.order_by().values("pk")[: COUNT_CAP + 1].count()
    count, exact = min(capped, COUNT_CAP), capped <= COUNT_CAP
    return Page(rows, count, exact, limit, offset, has_more)


def page_part(queryset: models.QuerySet, part: tuple) -> models.QuerySet:
    """What a prepared page builds: the rows of one page (`("rows", limit, offset)`) or the
    source of its capped count (`("count",)`) — the same slices `paginate` takes."""
    if part[0] == "count":
        return queryset.order_by().values("pk")[: COUNT_CAP + 1]
    _rows, limit, offset = part
    return queryset[offset : offset + limit + 1]


def paginate_prepared(
    read: Prepared,
    shape: Hashable,
    *,
    limit: int,
    offset: int,
    as_tuples: bool = False,
    **values: Any,
) -> Page:
    """`paginate` over a prepared read whose build ends with `page_part(queryset, part)`:
    the same two queries, without building or compiling them again. `as_tuples`: the build
    is a `values_list()`, read by `Prepared.tuples`."""
    fetch = read.tuples if as_tuples else read
    rows = fetch((shape, ("rows", limit, offset)), **values)
    has_more = len(rows) > limit
    capped = read.count((shape, ("count",)), **values)
    count, exact = min(capped, COUNT_CAP), capped <= COUNT_CAP
    return Page(rows[:limit], count, exact, limit, offset, has_more)
