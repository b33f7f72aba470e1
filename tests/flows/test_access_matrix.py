"""Every persona × every entity × list / get / update / delete / actions, through the API.

Expected outcomes come from tests/flows/access_spec.py (written from DEMO.md). Each write is
run inside a savepoint that is rolled back, so every case sees the same records.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest
from django.db import transaction
from django.utils import timezone

from dealbook.activities.models import Activity
from dealbook.collaboration.models import Notification
from dealbook.core.text import normalize_name
from dealbook.customers.models import Account, Contact
from dealbook.leads.models import Lead
from dealbook.pipeline.models import Deal, LostReason, Pipeline, Stage, StageHistory
from dealbook.targets.models import Target
from tests.flows import access_spec as spec
from tests.personas import build_world

pytestmark = pytest.mark.django_db


class _Rollback(Exception):
    pass


@dataclass
class Fixture:
    world: object
    records: dict[str, dict[str, object]] = field(default_factory=dict)
    spare_accounts: dict[str, Account] = field(default_factory=dict)
    next_stage: Stage | None = None
    lost_reason: LostReason | None = None
    team_targets: dict[str, Target] = field(default_factory=dict)
    notifications: dict[str, Notification] = field(default_factory=dict)


def _account(org, owner, name):
    return Account.objects.create(
        org=org, owner=owner, name=name, name_normalized=normalize_name(name)
    )


def build_fixture() -> Fixture:
    world = build_world()
    org = world.org
    pipeline = Pipeline.objects.create(org=org, name="Sales", is_default=True)
    stages = [
        Stage.objects.create(
            org=org, pipeline=pipeline, name=name, order=i, kind=kind, probability=p
        )
        for i, (name, kind, p) in enumerate(
            [
                ("Qualification", "open", 10),
                ("Proposal", "open", 50),
                ("Won", "won", 100),
                ("Lost", "lost", 0),
            ],
            start=1,
        )
    ]
    fixture = Fixture(world=world, next_stage=stages[1])
    fixture.lost_reason = LostReason.objects.create(org=org, name="Price")
    records: dict[str, dict[str, object]] = {entity: {} for entity in spec.ENTITIES}
    now = timezone.now()
    for login in spec.REPS:
        owner = world[login]
        account = _account(org, owner, f"{login} account")
        fixture.spare_accounts[login] = _account(org, owner, f"{login} spare account")
        contact = Contact.objects.create(
            org=org, account=account, name=f"{login} contact", name_normalized=normalize_name(login)
        )
        deal = Deal.objects.create(
            org=org,
            owner=owner,
            account=account,
            pipeline=pipeline,
            stage=stages[0],
            name=f"{login} deal",
            amount_minor=100_000,
            expected_close_date=dt.date(2027, 1, 31),
            stage_entered_at=now,
        )
        StageHistory.objects.create(org=org, deal=deal, stage=stages[0], entered_at=now)
        lead = Lead.objects.create(
            org=org, owner=owner, name=f"{login} lead", company=f"{login} lead company"
        )
        on_account = Activity.objects.create(
            org=org,
            owner=owner,
            kind="call",
            subject=f"{login} call",
            account=account,
            occurred_at=now,
            completed_at=now,
        )
        on_deal = Activity.objects.create(
            org=org,
            owner=owner,
            kind="task",
            subject=f"{login} task",
            account=account,
            deal=deal,
            due_at=now + dt.timedelta(days=1),
        )
        records["account"][login] = account
        records["contact"][login] = contact
        records["deal"][login] = deal
        records["lead"][login] = lead
        records["activity_on_account"][login] = on_account
        records["activity_on_deal"][login] = on_deal
        records["target"][login] = Target.objects.create(
            org=org,
            metric="revenue_won",
            scope="person",
            user=owner,
            period_kind="quarter",
            start_date=dt.date(2026, 1, 1),
            end_date=dt.date(2026, 4, 1),
            amount=100_000,
        )
    for team in spec.TEAM_TARGETS:  # each sales team's quarterly target, to cascade
        fixture.team_targets[team] = Target.objects.create(
            org=org,
            metric="revenue_won",
            scope="team",
            team=world.teams[team],
            period_kind="quarter",
            start_date=dt.date(2026, 1, 1),
            end_date=dt.date(2026, 4, 1),
            amount=90_000,
        )
    for login in spec.REPS:  # each rep's own inbox: nobody else reads it, their managers included
        fixture.notifications[login] = Notification.objects.create(
            org=org, recipient=world[login], kind="test", key=f"matrix:{login}"
        )
    records["account"][spec.POOL] = _account(org, None, "Pool account")
    records["lead"][spec.POOL] = Lead.objects.create(org=org, owner=None, name="Pool lead")
    fixture.records = records
    return fixture


PATHS = {
    "account": "accounts",
    "contact": "contacts",
    "deal": "deals",
    "lead": "leads",
    "activity_on_account": "activities",
    "activity_on_deal": "activities",
    "target": "targets",
}
UPDATES = {
    "account": {"region": "西北"},
    "contact": {"title": "CTO"},
    "deal": {"next_step": "Call back"},
    "lead": {"title": "CTO"},
    "activity_on_account": {"subject": "Changed"},
    "activity_on_deal": {"subject": "Changed"},
    "target": {"amount": "5"},
}


def _expected_ids(fixture: Fixture, persona: str, entity: str) -> set[int]:
    owners = spec.VISIBLE[persona][entity]
    ids = {record.pk for owner, record in fixture.records[entity].items() if owner in owners}
    if entity == "account":
        ids |= {a.pk for owner, a in fixture.spare_accounts.items() if owner in owners}
    if entity == "target":
        visible_teams = spec.TEAM_TARGETS_VISIBLE[persona]
        ids |= {t.pk for team, t in fixture.team_targets.items() if team in visible_teams}
    return ids


def _list_ids(client, entity: str) -> set[int]:
    params = {"limit": 200}
    if entity == "activity_on_account":
        params["kind"] = "call"
    if entity == "activity_on_deal":
        params["kind"] = "task"
    response = client.get(PATHS[entity], params)
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


def _attempt(client, method: str, path: str, body=None) -> int:
    """Run one request inside a savepoint that is always rolled back."""
    status = None
    try:
        with transaction.atomic():
            response = (
                getattr(client, method)(path, body)
                if body is not None
                else getattr(client, method)(path)
            )
            status = response.status_code
            raise _Rollback
    except _Rollback:
        pass
    return status


def _write_status(visible: bool, allowed: bool, ok: int) -> int:
    if not visible:
        return 404
    return ok if allowed else 403


def _cases(fixture: Fixture, persona: str):
    """(description, method, path, body, expected status) for every write case of a persona."""
    vis = spec.VISIBLE[persona]
    for entity in spec.ENTITIES:
        for owner, record in fixture.records[entity].items():
            visible = owner in vis[entity]
            base = f"{PATHS[entity]}/{record.pk}"
            body = {"version": record.version, **UPDATES[entity]}
            yield (
                f"update {entity} of {owner}",
                "patch",
                base,
                body,
                _write_status(visible, entity in spec.CAN_UPDATE[persona], 200),
            )
            delete_ok = 409 if entity == "account" and owner != spec.POOL else 204  # has children
            yield (
                f"delete {entity} of {owner}",
                "delete",
                base,
                None,
                _write_status(visible, entity in spec.CAN_DELETE[persona], delete_ok),
            )
    for owner in spec.REPS:  # a recommendation for a rep: whoever reads her targets
        yield (
            f"recommend target of {owner}",
            "get",
            "targets/recommendation?metric=revenue_won&scope=person&period_kind=quarter"
            f"&start_date=2026-04-01&subject_id={fixture.world[owner].pk}",
            None,
            200 if owner in vis["target"] else 404,
        )
    for team, target in fixture.team_targets.items():
        yield (
            f"cascade target of team {team}",
            "post",
            f"targets/{target.pk}/cascade",
            {"method": "even"},
            _write_status(
                team in spec.TEAM_TARGETS_VISIBLE[persona], team in spec.CAN_CASCADE[persona], 200
            ),
        )
    for owner, notification in fixture.notifications.items():
        yield (
            f"mark notification of {owner} read",
            "post",
            f"notifications/{notification.pk}/read",
            {},
            200 if owner == persona else 404,
        )
    pool_account = fixture.records["account"][spec.POOL]
    pool_lead = fixture.records["lead"][spec.POOL]
    org_wide = persona in {"admin", "chen.director", "acme.admin"}
    for entity, pooled in (("account", pool_account), ("lead", pool_lead)):
        if persona in spec.POOL_USERS:
            expected = 200
        else:
            expected = 403 if spec.POOL in vis[entity] else 404
        yield (f"claim pooled {entity}", "post", f"{PATHS[entity]}/{pooled.pk}/claim", {}, expected)
    for owner in spec.REPS:
        account = fixture.records["account"][owner]
        deal = fixture.records["deal"][owner]
        lead = fixture.records["lead"][owner]
        activity = fixture.records["activity_on_deal"][owner]
        sees = {entity: owner in vis[entity] for entity in spec.ENTITIES}
        can_release = persona in spec.POOL_USERS or org_wide
        yield (
            f"release account of {owner}",
            "post",
            f"accounts/{account.pk}/release",
            {},
            _write_status(
                sees["account"], can_release and "account" in spec.CAN_UPDATE[persona], 200
            ),
        )
        yield (
            f"merge spare account of {owner}",
            "post",
            f"accounts/{account.pk}/merge",
            {"duplicate_id": fixture.spare_accounts[owner].pk},
            _write_status(sees["account"], persona in spec.MERGERS, 200),
        )
        deal_ok = "deal" in spec.CAN_UPDATE[persona]
        yield (
            f"move deal of {owner}",
            "post",
            f"deals/{deal.pk}/move",
            {"stage_id": fixture.next_stage.pk, "version": deal.version},
            _write_status(sees["deal"], deal_ok, 200),
        )
        yield (
            f"win deal of {owner}",
            "post",
            f"deals/{deal.pk}/win",
            {"version": deal.version},
            _write_status(sees["deal"], deal_ok, 200),
        )
        yield (
            f"lose deal of {owner}",
            "post",
            f"deals/{deal.pk}/lose",
            {"version": deal.version, "lost_reason_id": fixture.lost_reason.pk},
            _write_status(sees["deal"], deal_ok, 200),
        )
        lead_ok = "lead" in spec.CAN_UPDATE[persona]
        yield (
            f"qualify lead of {owner}",
            "post",
            f"leads/{lead.pk}/qualify",
            {},
            _write_status(sees["lead"], lead_ok, 200),
        )
        yield (
            f"release lead of {owner}",
            "post",
            f"leads/{lead.pk}/release",
            {},
            _write_status(sees["lead"], lead_ok and can_release, 200),
        )
        yield (
            f"convert lead of {owner}",
            "post",
            f"leads/{lead.pk}/convert",
            {"create_deal": False},
            _write_status(sees["lead"], persona in spec.CONVERTERS, 200),
        )
        yield (
            f"complete activity of {owner}",
            "post",
            f"activities/{activity.pk}/complete",
            {},
            _write_status(
                sees["activity_on_deal"], "activity_on_deal" in spec.CAN_UPDATE[persona], 200
            ),
        )


def _is_leak(status: int, want: int) -> int:
    """More access than the spec grants: a success where a refusal was due, or 403 for 404."""
    if want == 404:
        return int(status != 404)
    if want == 403:
        return int(status < 400)
    return 0


@pytest.mark.parametrize("persona", spec.PERSONAS)
def test_access_matrix(persona, api_as, record_figure):
    fixture = build_fixture()
    client = api_as(fixture.world[persona])
    mismatches: list[str] = []
    leaks = 0
    cases = 0
    for entity in spec.ENTITIES:
        expected = _expected_ids(fixture, persona, entity)
        got = _list_ids(client, entity)
        cases += 1
        if got != expected:
            leaks += len(got - expected)
            mismatches.append(f"list {entity}: got {sorted(got)}, expected {sorted(expected)}")
        for owner, record in fixture.records[entity].items():
            cases += 1
            status = client.get(f"{PATHS[entity]}/{record.pk}").status_code
            want = 200 if owner in spec.VISIBLE[persona][entity] else 404
            if status != want:
                leaks += _is_leak(status, want)
                mismatches.append(f"get {entity} of {owner}: {status}, expected {want}")
    cases += 1
    inbox = {item["id"] for item in client.get("notifications").json()["items"]}
    own = {n.pk for owner, n in fixture.notifications.items() if owner == persona}
    if inbox != own:
        leaks += len(inbox - own)
        mismatches.append(f"list notifications: got {sorted(inbox)}, expected {sorted(own)}")
    for description, method, path, body, want in _cases(fixture, persona):
        cases += 1
        status = _attempt(client, method, path, body)
        if status != want:
            leaks += _is_leak(status, want)
            mismatches.append(f"{description}: {status}, expected {want}")
    record_figure("access_matrix_cases", cases)
    record_figure("access_matrix_leaks", leaks)
    assert mismatches == [], f"{persona}: {len(mismatches)} of {cases} cases differ:\n" + "\n".join(
        mismatches
    )
