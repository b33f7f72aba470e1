"""Prepared reads (dealbook.core.prepared): the same rows as the plain querysets they are
built from, for every persona of the demo organisation, on every shape."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Count, QuerySet, Sum
from django.utils import timezone

from dealbook.activities import selectors as activity_selectors
from dealbook.core.errors import NotFound
from dealbook.core.pagination import paginate
from dealbook.core.prepared import Prepared, PrepareError, _beyond_64_bits
from dealbook.demo.build import build_demo
from dealbook.org.models import Share, User
from dealbook.org.policies import Entity, can_write
from dealbook.org.visibility import forget_viewer, marked_user, scope_values
from dealbook.pipeline import selectors as pipeline_selectors
from dealbook.pipeline.models import Deal, Pipeline

SMALL = 0.05


@pytest.fixture
def demo(db):
    build_demo(seed=11, scale=SMALL)
    # A share to a rep and one to a team, so that inlined shares take part.
    li = User.objects.get(username="li.rep")
    other = Deal.objects.exclude(owner__team=li.team).order_by("id").first()
    Share.objects.create(org_id=li.org_id, object_type="deal", object_id=other.pk, user=li)
    return li.org_id


def _people(org_id: int) -> list[User]:
    return list(User.objects.filter(org_id=org_id).order_by("username"))


def _fresh(user: User) -> User:
    forget_viewer(user)
    return user


def _found(read, ids: list[int]) -> set[int]:
    """The ids `read` finds: NotFound or None means not visible."""
    found = set()
    for record_id in ids:
        try:
            record = read(record_id)
        except NotFound:
            continue
        if record is not None:
            found.add(record.pk)
    return found


def _visible_ids(queryset: QuerySet, ids: list[int]) -> set[int]:
    return set(queryset.filter(pk__in=ids).values_list("pk", flat=True))


def test_a_deal_reads_the_same_prepared_and_plain_for_everyone(demo):
    deal_ids = list(Deal.objects.order_by("id").values_list("pk", flat=True)[::7])

    def shown(user: User, deal_id: int) -> Deal:
        deal = pipeline_selectors.deal_get(actor=_fresh(user), deal_id=deal_id)
        assert deal.account.name and deal.owner.username and deal.stage.name
        return deal

    compared = 0
    for user in _people(demo):
        plain = _visible_ids(pipeline_selectors.visible_deals(actor=_fresh(user)), deal_ids)
        assert _found(lambda deal_id, u=user: shown(u, deal_id), deal_ids) == plain, user.username
        if can_write(user.role, Entity.DEAL):
            for_change = _found(
                lambda deal_id, u=user: pipeline_selectors.deal_get_for_change(
                    actor=_fresh(u), deal_id=deal_id
                ),
                deal_ids,
            )
            assert for_change == plain, user.username
        compared += len(plain)
    assert compared > 0


def test_an_account_reads_the_same_prepared_and_plain_for_everyone(demo):
    from dealbook.customers import selectors as customer_selectors
    from dealbook.customers.models import Account

    account_ids = list(Account.objects.order_by("id").values_list("pk", flat=True)[::5])
    compared = 0
    for user in _people(demo):
        plain = _visible_ids(customer_selectors.visible_accounts(actor=_fresh(user)), account_ids)
        prepared = _found(
            lambda account_id, u=user: customer_selectors.visible_account(
                actor=_fresh(u), account_id=account_id
            ),
            account_ids,
        )
        assert prepared == plain, user.username
        compared += len(plain)
    assert compared > 0


def test_deal_pages_are_the_same_prepared_and_plain(demo):
    pipeline = Pipeline.objects.get(org_id=demo, is_default=True)
    stage_ids = list(pipeline.stages.order_by("order").values_list("pk", flat=True))
    compared = 0
    for user in _people(demo):
        for filters in (
            pipeline_selectors.DealFilters(),
            pipeline_selectors.DealFilters(stage_id=stage_ids[0]),
            pipeline_selectors.DealFilters(owner_id=user.pk, status="open"),
        ):
            for sort in ("-amount", "name"):
                plain = paginate(
                    pipeline_selectors.deal_list(actor=_fresh(user), filters=filters, sort=sort),
                    limit=10,
                    offset=5,
                )
                prepared = pipeline_selectors.deal_page(
                    actor=_fresh(user), filters=filters, sort=sort, limit=10, offset=5
                )
                assert [d.pk for d in prepared.items] == [d.pk for d in plain.items]
                assert (prepared.count, prepared.count_is_exact, prepared.has_more) == (
                    plain.count,
                    plain.count_is_exact,
                    plain.has_more,
                )
                compared += len(plain.items)
    assert compared > 0


def test_account_timelines_are_the_same_prepared_and_plain(demo):
    from dealbook.customers.models import Account

    account_ids = list(Account.objects.order_by("id").values_list("pk", flat=True)[::5])
    compared = 0
    for user in _people(demo):
        for account_id in account_ids:
            try:
                prepared = activity_selectors.account_timeline(
                    actor=_fresh(user), account_id=account_id
                )
            except NotFound:  # not visible to this user
                continue
            actor = _fresh(user)
            activities = activity_selectors._account_activities(actor, account_id)
            plain = [
                (entry.kind, entry.object_id)
                for entry in activity_selectors._activity_entries(
                    activity_selectors._activity_rows(activities, 50)
                )
            ]
            assert [(e.kind, e.object_id) for e in prepared if e.kind == "activity"] == [
                entry for entry in plain if entry in {(e.kind, e.object_id) for e in prepared}
            ]
            compared += len(prepared)
    assert compared > 0


def test_a_shape_compiles_once_and_each_list_length_is_its_own_shape(demo):
    builds = []

    def build(shape, *, org_id, owner_ids):
        builds.append(shape)
        return Deal.objects.filter(org_id=org_id, owner_id__in=owner_ids).values_list("pk")

    read = Prepared(build)
    owners = sorted(Deal.objects.values_list("owner_id", flat=True).distinct())
    expected = set(Deal.objects.filter(owner_id__in=owners[:2]).values_list("pk", flat=True))
    assert {pk for (pk,) in read(org_id=demo, owner_ids=owners[:2])} == expected
    assert {pk for (pk,) in read(org_id=demo, owner_ids=[owners[1], owners[0]])} == expected
    assert len(builds) == 1
    read(org_id=demo, owner_ids=owners[:3])
    assert len(builds) == 2
    assert read(org_id=demo, owner_ids=[]) == []
    assert read.count(org_id=demo, owner_ids=owners[:2]) == len(expected)


def test_an_id_beyond_64_bits_matches_nothing_as_with_the_orm(demo):
    """An id no column can hold (typed into a URL) reads nothing, as Django's own lookups do,
    instead of the driver refusing to bind it."""
    builds = []

    def build(shape, *, org_id, deal_id, owner_ids):
        builds.append(shape)
        return Deal.objects.filter(org_id=org_id, pk=deal_id, owner_id__in=owner_ids)

    read = Prepared(build)
    deal = Deal.objects.order_by("id").first()
    assert read(org_id=demo, deal_id=deal.pk, owner_ids=[deal.owner_id]) == [deal]
    for huge in (2**63, -(2**63) - 1, 2**70):
        assert read(org_id=demo, deal_id=huge, owner_ids=[deal.owner_id]) == []
        assert read.count(org_id=demo, deal_id=deal.pk, owner_ids=[deal.owner_id, huge]) == 0
        assert Deal.objects.filter(pk=huge).count() == 0  # the ORM's answer
    assert len(builds) == 1
    li = User.objects.get(username="li.rep")
    with pytest.raises(NotFound):
        pipeline_selectors.deal_get(actor=li, deal_id=2**70)
    with pytest.raises(NotFound):
        pipeline_selectors.deal_get_for_change(actor=li, deal_id=2**70)


@pytest.mark.parametrize(
    ("values", "beyond"),
    [
        ({"ids": [1, 2**63 - 1, -(2**63)]}, False),
        ({"ids": [5, 2**63, 7]}, True),
        ({"ids": [-(2**63) - 1, 0]}, True),
        ({"ids": frozenset({3, 2**70})}, True),
        ({"ids": ["a", "b"]}, False),  # strings are never integers beyond 64 bits
        ({"ids": [1.5, 2**70]}, True),  # a float among them: tested item by item
        ({"ids": [1e30, 3]}, False),  # a big float is not an integer
        ({"ids": ["a", 2**70]}, True),  # not comparable with each other
        ({"ids": [True, False]}, False),
        ({"ids": []}, False),
        ({"id": 2**64}, True),
        ({"id": "x", "ids": (1, 2)}, False),
    ],
)
def test_what_counts_as_an_integer_beyond_64_bits(values, beyond):
    assert _beyond_64_bits(values) is beyond


def _sums_by_owner(deals: QuerySet) -> QuerySet:
    """Deal counts and sums per owner and currency, as the roll-up reads do."""
    return (
        deals.order_by()
        .values("owner_id", "currency")
        .annotate(count=Count("pk"), total=Sum("amount_minor"))
        .order_by("owner_id", "currency")
        .values_list("currency", "total", "owner_id", "count")
    )


def test_tuples_are_the_rows_of_values_list_converted_as_django_converts_them(demo):
    """Prepared.tuples: the rows values_list() gives — dates, instants, sums and names of
    parents, in the fields' order — read with one fetchall."""

    def build(shape, *, org_id, owner_ids):
        deals = Deal.objects.filter(org_id=org_id, owner_id__in=owner_ids)
        if shape == ("sums",):
            return _sums_by_owner(deals)
        return deals.order_by("-created_at", "id").values_list(
            "expected_close_date", "id", "account__name", "created_at", "amount_minor"
        )

    read = Prepared(build)
    owners = sorted(Deal.objects.values_list("owner_id", flat=True).distinct())[:3]
    for shape in [("rows",), ("sums",)]:
        expected = list(build(shape, org_id=demo, owner_ids=owners))
        assert expected
        assert read.tuples(shape, org_id=demo, owner_ids=owners) == expected
    rows = read.tuples(("rows",), org_id=demo, owner_ids=owners)
    assert isinstance(rows[0][3], dt.datetime) and rows[0][3].tzinfo is not None
    assert read.tuples(("rows",), org_id=demo, owner_ids=[]) == []
    assert read.tuples(("rows",), org_id=demo, owner_ids=[2**70]) == []
    with pytest.raises(TypeError, match="values_list"):
        Prepared(lambda shape, *, org_id: Deal.objects.filter(org_id=org_id)).tuples(org_id=demo)


def test_reads_together_give_what_each_read_gives_apart_from_one_statement(demo):
    """read_together: each read's rows (in its own order, limited as it is) or count, the
    values converted as a plain fetch converts them — days, instants (aware), nulls, texts
    with quotes and non-Latin letters, booleans, sums — from a single statement."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dealbook.core.prepared import Read, read_together

    Deal.objects.filter(pk=Deal.objects.order_by("id").first().pk).update(
        name='报价 "Q4" \\ 10%', expected_close_date=None, closed_at=None
    )

    def build(shape, *, org_id, owner_ids):
        deals = Deal.objects.filter(org_id=org_id, owner_id__in=owner_ids)
        if shape == ("sums",):
            return _sums_by_owner(deals)
        if shape == ("first",):
            return deals.order_by("id").values_list(
                "id", "name", "expected_close_date", "closed_at", "created_at", "account__name"
            )[:7]
        if shape == ("stages",):
            return deals.order_by("-amount_minor", "id").values_list(
                "id", "owner__is_active", "stage__name"
            )[:5]
        return deals.order_by("id").values("pk")[:1001]

    read = Prepared(build)
    owners = sorted(Deal.objects.values_list("owner_id", flat=True).distinct())[:3]
    values = {"org_id": demo, "owner_ids": owners}
    none = {"org_id": demo, "owner_ids": []}
    reads = [
        Read(read, ("first",), values),
        Read(read, ("sums",), values),
        Read(read, ("count",), values, counted=True),
        Read(read, ("stages",), values),
        Read(read, ("first",), none),  # can match nothing: no SQL, no rows
        Read(read, ("count",), none, counted=True),
        Read(read, ("first",), {"org_id": demo, "owner_ids": [owners[0] + 10_000]}),
    ]
    expected = [
        list(build(("first",), **values)),
        list(build(("sums",), **values)),
        build(("count",), **values).count(),
        list(build(("stages",), **values)),
        [],
        0,
        [],
    ]
    assert expected[0][0][1] == '报价 "Q4" \\ 10%' and expected[0][0][2] is None
    assert expected[2] > 7 and expected[3]
    with CaptureQueriesContext(connection) as ctx:
        together = read_together(reads)
    assert together == expected
    assert len(ctx.captured_queries) == 1
    created = together[0][0][4]
    assert isinstance(created, dt.datetime) and created.tzinfo is not None
    assert type(together[0][1][2]) is type(expected[0][1][2]) is dt.date
    assert [type(row[1]) for row in together[3]] == [bool] * len(together[3])
    assert read_together([Read(read, ("first",), none)]) == [[]]


@pytest.mark.parametrize(
    "build",
    [
        lambda shape, *, org_id: Deal.objects.filter(org_id=org_id),
        lambda shape, *, org_id: Deal.objects.values_list("stage__required_fields"),
    ],
)
def test_reads_together_refuse_rows_they_cannot_carry(demo, build):
    from dealbook.core.prepared import Read, read_together

    with pytest.raises(TypeError, match="read_together"):
        read_together([Read(Prepared(build), (), {"org_id": demo})])


def test_instants_and_days_are_bound_as_the_database_stores_them(demo):
    def build(shape, *, org_id, after, day):
        return Deal.objects.filter(
            org_id=org_id, closed_at__gte=after, expected_close_date__gte=day
        ).values_list("pk", flat=True)

    read = Prepared(build)
    after = timezone.now() - dt.timedelta(days=90)
    day = timezone.localdate() - dt.timedelta(days=30)
    expected = set(build((), org_id=demo, after=after, day=day))
    assert expected
    assert set(read(org_id=demo, after=after, day=day)) == expected


@pytest.mark.parametrize(
    "build",
    [
        lambda shape, *, deal_id: Deal.objects.filter(pk=deal_id + 1),
        lambda shape, *, deal_id: Deal.objects.filter(name=f"deal {deal_id}"),
        lambda shape, *, after: Deal.objects.filter(closed_at__gte=after + dt.timedelta(days=1)),
    ],
)
def test_a_build_that_computes_with_a_value_is_refused(db, build):
    read = Prepared(build)
    value = {"deal_id": 5} if "deal_id" in build.__code__.co_varnames else {"after": timezone.now()}
    with pytest.raises(PrepareError):
        read(**value)


def test_the_stand_in_user_builds_the_actors_visibility(demo):
    for user in _people(demo):
        for entities in ((Entity.DEAL,), (Entity.ACTIVITY, Entity.DEAL, Entity.CONTACT)):
            shape, values = scope_values(_fresh(user), *entities)
            stand_in = marked_user(shape, **values)
            real: QuerySet = pipeline_selectors.visible_deals(actor=_fresh(user))
            assert set(
                pipeline_selectors.visible_deals(actor=stand_in).values_list("pk", flat=True)
            ) == set(real.values_list("pk", flat=True)), user.username


def test_a_text_is_bound_as_it_is_and_refused_once_formatted(demo):
    """Texts travel like ids: bound unchanged (a LIKE pattern made beforehand), one compile
    for every text; a build that formats one into another text is refused."""
    read = Prepared(
        lambda shape, *, org_id, name: Deal.objects.filter(org_id=org_id, name=name).values_list(
            "pk", flat=True
        )
    )
    names = list(Deal.objects.filter(org_id=demo).values_list("name", flat=True)[:3])
    for name in names:
        expected = set(Deal.objects.filter(org_id=demo, name=name).values_list("pk", flat=True))
        assert set(read(org_id=demo, name=name)) == expected
    assert len(read._cache) == 1
    formatted = Prepared(lambda shape, *, name: Deal.objects.filter(name__contains=name))
    with pytest.raises(PrepareError):
        formatted(name=names[0])


def test_a_lists_members_in_rank_order_bind_as_one_run_wherever_the_list_recurs():
    """`_runs` folds each run of a list's members, rank 0 upwards, into one step: the same
    list twice in a row is two runs, a scalar or a constant between them stays itself."""
    from dealbook.core.prepared import _Run, _runs, _Slot

    owners = [_Slot("owners", rank) for rank in range(3)]
    slots = [_Slot("org", None), *owners, *owners, 7, _Slot("owners", 0), _Slot("ids", 0)]
    assert _runs(slots) == [
        _Slot("org", None),
        _Run("owners", 3),
        _Run("owners", 3),
        7,
        _Run("owners", 1),
        _Run("ids", 1),
    ]


@pytest.mark.django_db
def test_a_read_binding_a_list_in_several_places_gets_the_plain_querysets_rows(demo):
    """A team's owners bound twice in one statement, around a scalar: the same rows as the
    plain queryset, for lists of several lengths."""
    owner_ids = sorted(User.objects.filter(org_id=demo).values_list("pk", flat=True))

    def build(shape, *, org_id, owners, deal_id):
        return (
            Deal.objects.filter(org_id=org_id, owner_id__in=owners)
            .exclude(pk=deal_id)
            .filter(account__owner_id__in=owners)
            .order_by("pk")
            .values_list("pk", flat=True)
        )

    read = Prepared(build)
    first_deal = Deal.objects.filter(org_id=demo).order_by("pk").first().pk
    for count in (1, 2, len(owner_ids)):
        owners = owner_ids[-count:]
        plain = list(build((), org_id=demo, owners=owners, deal_id=first_deal))
        assert read(org_id=demo, owners=owners, deal_id=first_deal) == plain
    assert plain  # the last read found deals
