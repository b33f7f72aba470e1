"""Cascade: splits sum exactly to the parent, leftovers go deterministically, and the
mismatch check names every node whose parts do not add up. Pure arithmetic: no database."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from dealbook.core.errors import DomainError
from dealbook.targets.cascade import (
    COUNT_QUANTUM,
    Method,
    Mismatch,
    Node,
    Part,
    mismatches,
    split,
)

D = Decimal
SEED = 20261127


def _random_parts(rng: random.Random, count: int) -> list[Part]:
    keys = rng.sample(range(1, 10_000), count)
    return [
        Part(
            key=key,
            last_year_actual=D(rng.randint(0, 5_000_000)) / 100 if rng.random() > 0.2 else D(0),
            capacity=D(rng.randint(0, 36)) / 4 if rng.random() > 0.2 else D(0),
        )
        for key in keys
    ]


@pytest.mark.parametrize("method", list(Method))
def test_every_method_sums_exactly_over_many_random_cases(method):
    rng = random.Random(SEED)
    checked = 0
    for _ in range(400):
        parts = _random_parts(rng, rng.randint(1, 12))
        if method is Method.BY_CAPACITY and all(part.capacity == 0 for part in parts):
            parts[0] = Part(key=parts[0].key, capacity=D("0.25"))
        total = D(rng.randint(0, 100_000_000)) / 100
        amounts = split(total, parts, method)
        assert sum(amounts) == total
        assert all(amount >= 0 and amount.as_tuple().exponent == -2 for amount in amounts)
        if method is Method.BY_CAPACITY:
            assert all(a == 0 for a, p in zip(amounts, parts, strict=True) if p.capacity == 0)
        counts = split(D(rng.randint(0, 500)), parts, method, quantum=COUNT_QUANTUM)
        assert all(count == count.to_integral_value() for count in counts)
        checked += 1
    assert checked == 400


@pytest.mark.parametrize("method", list(Method))
def test_each_part_is_within_one_quantum_of_its_exact_share(method):
    rng = random.Random(SEED + 1)
    for _ in range(200):
        parts = _random_parts(rng, rng.randint(2, 8))
        parts[-1] = Part(key=parts[-1].key, last_year_actual=D(7), capacity=D(3))
        total = D(rng.randint(1, 10_000_000)) / 100
        weights = {
            Method.EVEN: [D(1)] * len(parts),
            Method.BY_SHARE: [p.last_year_actual for p in parts],
            Method.BY_CAPACITY: [p.capacity for p in parts],
        }[method]
        for amount, weight in zip(split(total, parts, method), weights, strict=True):
            exact = total * weight / sum(weights)
            assert abs(amount - exact) < D("0.01")


def test_even_split_gives_leftover_cents_to_smallest_keys():
    parts = [Part(key=3), Part(key=1), Part(key=2)]
    assert split(D("100.00"), parts, Method.EVEN) == [D("33.33"), D("33.34"), D("33.33")]
    assert split(D("100.02"), parts, Method.EVEN) == [D("33.34"), D("33.34"), D("33.34")]
    assert split(D("0.02"), parts, Method.EVEN) == [D("0.00"), D("0.01"), D("0.01")]


def test_leftover_goes_to_largest_remainder_before_key_order():
    # Exact shares of 10 by 1:2:4 are 1.43, 2.86, 5.71 quanta of one: floors 1, 2, 5 (8);
    # the two left over go to the largest remainders, 0.86 (b) and 0.71 (c), not to a.
    parts = [Part("a", last_year_actual=D(1)), Part("b", D(2)), Part("c", D(4))]
    assert split(D(10), parts, Method.BY_SHARE, quantum=COUNT_QUANTUM) == [D(1), D(3), D(6)]


def test_same_input_in_any_order_gives_the_same_amount_per_key():
    rng = random.Random(SEED + 2)
    parts = [Part(key=key, last_year_actual=D(1)) for key in (7, 2, 9, 4, 5, 1)]
    expected = dict(
        zip((p.key for p in parts), split(D("1.00"), parts, Method.BY_SHARE), strict=True)
    )
    assert sorted(expected.values()) == [D("0.16")] * 2 + [D("0.17")] * 4
    assert {key for key, amount in expected.items() if amount == D("0.17")} == {1, 2, 4, 5}
    for _ in range(20):
        shuffled = rng.sample(parts, len(parts))
        amounts = split(D("1.00"), shuffled, Method.BY_SHARE)
        got = dict(zip((p.key for p in shuffled), amounts, strict=True))
        assert got == expected


def test_text_keys_break_ties_alphabetically_after_integers():
    parts = [Part("zoe"), Part("amy"), Part(5)]
    assert split(D("0.02"), parts, Method.EVEN) == [D("0.00"), D("0.01"), D("0.01")]


def test_by_share_with_exact_proportions():
    parts = [Part(1, last_year_actual=D("300")), Part(2, D("100")), Part(3, D("0"))]
    assert split(D("1000.00"), parts, Method.BY_SHARE) == [D("750.00"), D("250.00"), D("0.00")]


def test_by_share_with_no_history_splits_evenly():
    parts = [Part(1), Part(2), Part(3), Part(4)]
    assert split(D("10.00"), parts, Method.BY_SHARE) == [D("2.50")] * 4


def test_by_capacity_gives_nothing_to_zero_capacity():
    parts = [Part(1, capacity=D("3")), Part(2, capacity=D("1.5")), Part(3, capacity=D(0))]
    assert split(D("900"), parts, Method.BY_CAPACITY, quantum=COUNT_QUANTUM) == [
        D(600),
        D(300),
        D(0),
    ]
    assert split(D("1.00"), parts, Method.BY_CAPACITY) == [D("0.67"), D("0.33"), D("0.00")]


@pytest.mark.parametrize(
    ("total", "parts", "method", "quantum", "code", "field"),
    [
        (D(10), [Part(1), Part(2)], Method.BY_CAPACITY, D("0.01"), "no_capacity", "method"),
        (D(10), [], Method.EVEN, D("0.01"), "no_parts", None),
        (D(10), [Part(1), Part(1)], Method.EVEN, D("0.01"), "duplicate_part", None),
        (D(-1), [Part(1)], Method.EVEN, D("0.01"), "negative_total", "amount"),
        (D("10.005"), [Part(1)], Method.EVEN, D("0.01"), "not_a_multiple", "amount"),
        (D("10.5"), [Part(1)], Method.EVEN, COUNT_QUANTUM, "not_a_multiple", "amount"),
        (
            D(10),
            [Part(1, D(-1))],
            Method.BY_SHARE,
            D("0.01"),
            "negative_weight",
            "last_year_actual",
        ),
        (D(10), [Part(1)], Method.EVEN, D(0), "invalid_quantum", None),
    ],
)
def test_bad_input_is_refused_with_a_coded_error(total, parts, method, quantum, code, field):
    with pytest.raises(DomainError) as refused:
        split(total, parts, method, quantum=quantum)
    assert refused.value.code == code
    assert refused.value.field == field


def _company() -> Node:
    return Node(
        "company",
        D("1000"),
        label="Company",
        children=(
            Node(
                "east",
                D("600"),
                label="East",
                children=(Node("amy", D("300")), Node("bob", D("300"))),
            ),
            Node(
                "west",
                D("400"),
                label="West",
                children=(Node("cai", D("150")), Node("dan", D("200"))),
            ),
        ),
    )


def test_a_consistent_tree_has_no_mismatch():
    assert mismatches(Node("solo", D(5))) == []
    tree = _company()
    fixed = Node(
        tree.key,
        tree.amount,
        label=tree.label,
        children=(
            tree.children[0],
            Node("west", D("400"), children=(Node("cai", D("200")), Node("dan", D("200")))),
        ),
    )
    assert mismatches(fixed) == []


def test_mismatch_names_each_inconsistent_node_with_its_difference():
    tree = _company()
    assert mismatches(tree) == [
        Mismatch(
            key="west",
            label="West",
            path=("company", "west"),
            amount=D("400"),
            children_sum=D("350"),
            child_keys=("cai", "dan"),
        )
    ]
    assert mismatches(tree)[0].difference == D("50")


def test_mismatches_at_several_levels_are_all_reported_top_down():
    tree = Node(
        "company",
        D("1000"),
        children=(
            Node("east", D("700"), children=(Node("amy", D("300")), Node("bob", D("300")))),
            Node("west", D("400"), children=(Node("cai", D("500")), Node("dan", None))),
        ),
    )
    found = mismatches(tree)
    assert [(m.key, m.amount, m.children_sum, m.difference) for m in found] == [
        ("company", D("1000"), D("1100"), D("-100")),
        ("east", D("700"), D("600"), D("100")),
        ("west", D("400"), D("500"), D("-100")),
    ]
    assert found[2].path == ("company", "west")
    assert found[2].child_keys == ("cai", "dan")
    assert found[2].missing_child_keys == ("dan",)


def test_a_child_without_a_target_is_named_even_when_the_rest_add_up():
    tree = Node("east", D("600"), children=(Node("amy", D("600")), Node("bob", None)))
    [found] = mismatches(tree)
    assert (found.difference, found.missing_child_keys) == (D(0), ("bob",))


def test_a_parent_without_a_target_is_not_compared_but_its_subtree_is():
    tree = Node(
        "company",
        None,
        children=(Node("east", D("10"), children=(Node("amy", D("4")), Node("bob", D("5")))),),
    )
    assert [(m.key, m.difference) for m in mismatches(tree)] == [("east", D("1"))]


def test_a_split_never_shows_as_a_mismatch():
    rng = random.Random(SEED + 3)
    for method in Method:
        parts = _random_parts(rng, 7)
        parts[0] = Part(parts[0].key, D(1), D(1))
        total = D(rng.randint(1, 10_000_000)) / 100
        amounts = split(total, parts, method)
        tree = Node(
            "team",
            total,
            children=tuple(Node(p.key, amount) for p, amount in zip(parts, amounts, strict=True)),
        )
        assert mismatches(tree) == []


def test_each_method_has_a_label():
    assert [method.label for method in Method] == [
        "Evenly",
        "By share of last year's results",
        "By capacity in the period",
    ]
