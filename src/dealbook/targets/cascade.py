"""Cascade a target over its parts, and find where a target tree does not add up.

Pure arithmetic: no models, no database. The services hand in plain values and store the
result. How it reads to a user is in docs/user-guide.md ("Targets").

Splitting is exact: the parts always sum to the whole. Each part first gets its weighted
share rounded *down* to the quantum (0.01 for money, 1 for counts); the quanta left over are
then handed out one at a time to the parts whose share lost the most in that rounding
(largest-remainder method), ties going to the smaller part key. The same input therefore
always gives the same split, and a part with zero weight never receives anything.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dealbook.core.errors import DomainError

MONEY_QUANTUM = Decimal("0.01")
COUNT_QUANTUM = Decimal(1)

PartKey = int | str


class Method(enum.StrEnum):
    EVEN = "even"
    BY_SHARE = "by_share"
    BY_CAPACITY = "by_capacity"

    @property
    def label(self) -> str:
        return str(METHOD_LABELS[self])


METHOD_LABELS = {
    Method.EVEN: gettext_lazy("Evenly"),
    Method.BY_SHARE: gettext_lazy("By share of last year's results"),
    Method.BY_CAPACITY: gettext_lazy("By capacity in the period"),
}


@dataclass(frozen=True)
class Part:
    """One receiver of a share: a team of the company or a person of a team.

    `last_year_actual` weighs BY_SHARE; `capacity` weighs BY_CAPACITY (for example the
    FTE-months the person is available in the period after ramp and leave).
    """

    key: PartKey
    last_year_actual: Decimal = Decimal(0)
    capacity: Decimal = Decimal(0)


def _order(key: PartKey) -> tuple[int, int, str]:
    """Integer keys ascending numerically, then text keys ascending."""
    if isinstance(key, int):
        return (0, key, "")
    return (1, 0, key)


def _weights(parts: Sequence[Part], method: Method) -> list[Fraction]:
    if method is Method.EVEN:
        return [Fraction(1)] * len(parts)
    if method is Method.BY_SHARE:
        raw = [Fraction(part.last_year_actual) for part in parts]
        field_name = "last_year_actual"
    elif method is Method.BY_CAPACITY:
        raw = [Fraction(part.capacity) for part in parts]
        field_name = "capacity"
    else:  # pragma: no cover - exhaustive over the enum
        raise DomainError("invalid_method", _("Unknown cascade method."), field="method")
    if any(weight < 0 for weight in raw):
        raise DomainError(
            "negative_weight",
            _("A part's weight for the cascade cannot be negative."),
            field=field_name,
        )
    if sum(raw) == 0:
        if method is Method.BY_SHARE:
            return [Fraction(1)] * len(parts)
        raise DomainError(
            "no_capacity",
            _("No part has any capacity in the period, so there is nothing to split by."),
            field="method",
        )
    return raw


def split(
    total: Decimal,
    parts: Sequence[Part],
    method: Method,
    *,
    quantum: Decimal = MONEY_QUANTUM,
) -> list[Decimal]:
    """Split `total` over `parts` by `method`; the result, in the order of `parts`, sums to
    exactly `total`.

    EVEN gives everyone the same; BY_SHARE weighs by last year's actual (all zero: even);
    BY_CAPACITY weighs by capacity (a part with zero capacity gets zero).
    """
    if quantum <= 0:
        raise DomainError("invalid_quantum", _("The rounding step must be positive."))
    if not parts:
        raise DomainError("no_parts", _("There is nothing to split the target over."))
    keys = [part.key for part in parts]
    if len(set(keys)) != len(keys):
        raise DomainError("duplicate_part", _("Each part may appear only once."))
    if total < 0:
        raise DomainError("negative_total", _("A target cannot be negative."), field="amount")
    total_quanta = Fraction(total) / Fraction(quantum)
    if total_quanta.denominator != 1:
        raise DomainError(
            "not_a_multiple",
            _("The target %(total)s cannot be split in steps of %(quantum)s.")
            % {"total": total, "quantum": quantum},
            field="amount",
        )
    weights = _weights(parts, method)
    weight_sum = sum(weights)
    shares = [total_quanta * weight / weight_sum for weight in weights]
    quanta = [share.numerator // share.denominator for share in shares]
    left_over = int(total_quanta) - sum(quanta)
    by_largest_remainder = sorted(
        range(len(parts)),
        key=lambda index: (-(shares[index] - quanta[index]), _order(parts[index].key)),
    )
    for index in by_largest_remainder[:left_over]:
        quanta[index] += 1
    places = quantum if quantum.as_tuple().exponent < 0 else Decimal(1)  # type: ignore[operator]
    return [(count * quantum).quantize(places) for count in quanta]


@dataclass(frozen=True)
class Node:
    """A target in a tree: the company's, a team's or a person's, with the targets below it.

    `amount` is None when no target is set for that node (a child without one counts as
    zero and is named as missing).
    """

    key: PartKey
    amount: Decimal | None
    children: tuple[Node, ...] = ()
    label: str = ""


@dataclass(frozen=True)
class Mismatch:
    """A node whose amount differs from the sum of its children's."""

    key: PartKey
    label: str
    path: tuple[PartKey, ...]
    amount: Decimal
    children_sum: Decimal
    child_keys: tuple[PartKey, ...]
    missing_child_keys: tuple[PartKey, ...] = field(default=())

    @property
    def difference(self) -> Decimal:
        """Positive: the children fall short of the parent; negative: they exceed it."""
        return self.amount - self.children_sum


def mismatches(tree: Node) -> list[Mismatch]:
    """Every node with children whose amount is not exactly the sum of its children's,
    top down (a parent before its children, siblings in the given order)."""
    found: list[Mismatch] = []
    _collect(tree, (), found)
    return found


def _collect(node: Node, path: tuple[PartKey, ...], found: list[Mismatch]) -> None:
    here = (*path, node.key)
    if node.children and node.amount is not None:
        children_sum = sum(
            (child.amount for child in node.children if child.amount is not None), Decimal(0)
        )
        missing = tuple(child.key for child in node.children if child.amount is None)
        if children_sum != node.amount or missing:
            found.append(
                Mismatch(
                    key=node.key,
                    label=node.label,
                    path=here,
                    amount=node.amount,
                    children_sum=children_sum,
                    child_keys=tuple(child.key for child in node.children),
                    missing_child_keys=missing,
                )
            )
    for child in node.children:
        _collect(child, here, found)
