"""Quick draws from one `random.Random`, for loops that run millions of times.

`rng.choice`, `rng.randint` and `rng.choices` validate and rebuild on every call; these
draw from `rng.random()` directly (the same seed still gives the same data).
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Mapping, Sequence


class Draw:
    __slots__ = ("random",)

    def __init__(self, rng: random.Random) -> None:
        self.random = rng.random

    def one[T](self, items: Sequence[T]) -> T:
        return items[int(self.random() * len(items))]

    def between(self, low: int, high: int) -> int:
        """An integer in [low, high], both included (as randint)."""
        return low + int(self.random() * (high - low + 1))

    def chance(self, probability: float) -> bool:
        return self.random() < probability


class Weighted[T]:
    """A weighted choice by bisection over cumulative weights computed once."""

    __slots__ = ("cumulative", "items", "last", "total")

    def __init__(self, items: Sequence[T], weights: Sequence[float]) -> None:
        self.items = tuple(items)
        self.cumulative = list(itertools.accumulate(weights))
        self.total = self.cumulative[-1]
        self.last = len(self.items) - 1

    @classmethod
    def of(cls, pairs: Sequence[tuple[T, float]] | Mapping[T, float]) -> Weighted[T]:
        items = list(pairs.items()) if isinstance(pairs, Mapping) else list(pairs)
        return cls([item for item, _w in items], [weight for _i, weight in items])

    def pick(self, unit: float) -> T:
        """The item at `unit` (a draw in [0, 1)) of the way through the weights."""
        index = bisect.bisect_right(self.cumulative, unit * self.total)
        return self.items[index if index <= self.last else self.last]
