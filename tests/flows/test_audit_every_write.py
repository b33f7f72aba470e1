"""Every write operation of the API records exactly one audit event — actor, object, changes.

The table below names each write operation by its OpenAPI path; a final test fails when an
operation exists that the table does not cover, so a new endpoint cannot skip its audit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from dealbook.core.models import AuditEvent
from dealbook.org.models import ApiToken, Share
from dealbook.pipeline.models import DealLineItem
from tests.flows.test_access_matrix import Fixture, build_fixture

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Write:
    method: str
    template: str  # the OpenAPI path
    persona: str
    object_type: str
    verb: str
    changes: tuple[str, ...]  # keys that must appear in the event's changes
    request: Any  # fixture → (path, body)


def _ids(fx: Fixture, entity: str, owner: str = "li.rep") -> int:
    return fx.records[entity][owner].pk


def _line_item(fx: Fixture) -> DealLineItem:
    deal = fx.records["deal"]["li.rep"]
    return DealLineItem.objects.create(
        org=deal.org,
        deal=deal,
        name="Licence",
        quantity=1,
        unit_price_minor=100_000,
        amount_minor=100_000,
    )


def _share(fx: Fixture) -> Share:
    return Share.objects.create(
        org=fx.world.org,
        object_type="account",
        object_id=_ids(fx, "account"),
        user=fx.world["wang.rep"],
    )


def _token(fx: Fixture) -> ApiToken:
    from dealbook.org.services import api_token_create

    token, _raw = api_token_create(actor=fx.world["li.rep"], name="old")
    return token


def _saved_view(fx: Fixture):
    from dealbook.org.services import saved_view_create

    return saved_view_create(actor=fx.world["li.rep"], page="accounts", name="old", query="")


def _rule(fx: Fixture):
    from dealbook.leads.models import AssignmentRule

    return AssignmentRule.objects.create(org=fx.world.org, name="East", team=fx.world.teams["East"])


def _planned_leave(fx: Fixture) -> int:
    import datetime as dt

    from dealbook.targets.models import PlannedLeave

    day = dt.date(2026, 7, 6)
    li = fx.world["li.rep"]
    return PlannedLeave.objects.create(org=li.org, user=li, start_date=day, end_date=day).pk


def _approved_target(fx: Fixture) -> int:
    from dealbook.targets.models import Target

    target_id = _ids(fx, "target")
    Target.objects.filter(pk=target_id).update(status="approved")
    return target_id


WRITES = [
    # accounts
    Write(
        "post",
        "/api/v1/accounts",
        "li.rep",
        "account",
        "create",
        ("name", "owner_id"),
        lambda fx: ("accounts", {"name": "新客户有限公司"}),
    ),
    Write(
        "patch",
        "/api/v1/accounts/{account_id}",
        "li.rep",
        "account",
        "update",
        ("region",),
        lambda fx: (f"accounts/{_ids(fx, 'account')}", {"version": 1, "region": "西北"}),
    ),
    Write(
        "delete",
        "/api/v1/accounts/{account_id}",
        "admin",
        "account",
        "delete",
        ("name",),
        lambda fx: (f"accounts/{_ids(fx, 'account', 'pool')}", None),
    ),
    Write(
        "post",
        "/api/v1/accounts/{account_id}/merge",
        "zhang.manager",
        "account",
        "merge",
        ("merged_account", "moved"),
        lambda fx: (
            f"accounts/{_ids(fx, 'account')}/merge",
            {"duplicate_id": fx.spare_accounts["li.rep"].pk},
        ),
    ),
    Write(
        "post",
        "/api/v1/accounts/{account_id}/claim",
        "li.rep",
        "account",
        "claim",
        ("owner_id",),
        lambda fx: (f"accounts/{_ids(fx, 'account', 'pool')}/claim", {}),
    ),
    Write(
        "post",
        "/api/v1/accounts/{account_id}/release",
        "li.rep",
        "account",
        "release",
        ("owner_id",),
        lambda fx: (f"accounts/{_ids(fx, 'account')}/release", {}),
    ),
    # contacts
    Write(
        "post",
        "/api/v1/contacts",
        "li.rep",
        "contact",
        "create",
        ("name", "account_id"),
        lambda fx: ("contacts", {"account_id": _ids(fx, "account"), "name": "王经理"}),
    ),
    Write(
        "patch",
        "/api/v1/contacts/{contact_id}",
        "li.rep",
        "contact",
        "update",
        ("title",),
        lambda fx: (f"contacts/{_ids(fx, 'contact')}", {"version": 1, "title": "CTO"}),
    ),
    Write(
        "delete",
        "/api/v1/contacts/{contact_id}",
        "zhang.manager",
        "contact",
        "delete",
        ("name",),
        lambda fx: (f"contacts/{_ids(fx, 'contact')}", None),
    ),
    # deals
    Write(
        "post",
        "/api/v1/deals",
        "li.rep",
        "deal",
        "create",
        ("name", "stage"),
        lambda fx: ("deals", {"account_id": _ids(fx, "account"), "name": "扩容项目"}),
    ),
    Write(
        "patch",
        "/api/v1/deals/{deal_id}",
        "li.rep",
        "deal",
        "update",
        ("next_step",),
        lambda fx: (f"deals/{_ids(fx, 'deal')}", {"version": 1, "next_step": "Demo"}),
    ),
    Write(
        "delete",
        "/api/v1/deals/{deal_id}",
        "zhang.manager",
        "deal",
        "delete",
        ("name",),
        lambda fx: (f"deals/{_ids(fx, 'deal')}", None),
    ),
    Write(
        "post",
        "/api/v1/deals/{deal_id}/move",
        "li.rep",
        "deal",
        "move_stage",
        ("stage",),
        lambda fx: (f"deals/{_ids(fx, 'deal')}/move", {"stage_id": fx.next_stage.pk, "version": 1}),
    ),
    Write(
        "post",
        "/api/v1/deals/{deal_id}/win",
        "li.rep",
        "deal",
        "win",
        ("stage", "status"),
        lambda fx: (f"deals/{_ids(fx, 'deal')}/win", {"version": 1}),
    ),
    Write(
        "post",
        "/api/v1/deals/{deal_id}/lose",
        "li.rep",
        "deal",
        "lose",
        ("stage", "lost_reason"),
        lambda fx: (
            f"deals/{_ids(fx, 'deal')}/lose",
            {"version": 1, "lost_reason_id": fx.lost_reason.pk},
        ),
    ),
    Write(
        "post",
        "/api/v1/deals/{deal_id}/line-items",
        "li.rep",
        "deal",
        "add_line_item",
        ("line_item",),
        lambda fx: (
            f"deals/{_ids(fx, 'deal')}/line-items",
            {"name": "Licence", "quantity": "2", "unit_price": "1000.00"},
        ),
    ),
    Write(
        "patch",
        "/api/v1/deals/{deal_id}/line-items/{item_id}",
        "li.rep",
        "deal",
        "update_line_item",
        ("line_item",),
        lambda fx: (
            f"deals/{_ids(fx, 'deal')}/line-items/{_line_item(fx).pk}",
            {"version": 1, "quantity": "3"},
        ),
    ),
    Write(
        "delete",
        "/api/v1/deals/{deal_id}/line-items/{item_id}",
        "li.rep",
        "deal",
        "remove_line_item",
        ("line_item",),
        lambda fx: (f"deals/{_ids(fx, 'deal')}/line-items/{_line_item(fx).pk}", None),
    ),
    # configuration
    Write(
        "post",
        "/api/v1/pipelines",
        "admin",
        "pipeline",
        "create",
        ("name",),
        lambda fx: ("pipelines", {"name": "Channel"}),
    ),
    Write(
        "post",
        "/api/v1/pipelines/{pipeline_id}/stages",
        "admin",
        "stage",
        "create",
        ("name",),
        lambda fx: (
            f"pipelines/{fx.next_stage.pipeline_id}/stages",
            {"name": "Review", "probability": 60},
        ),
    ),
    Write(
        "patch",
        "/api/v1/stages/{stage_id}",
        "admin",
        "stage",
        "update",
        ("probability",),
        lambda fx: (f"stages/{fx.next_stage.pk}", {"version": 1, "probability": 55}),
    ),
    Write(
        "post",
        "/api/v1/products",
        "admin",
        "product",
        "create",
        ("name",),
        lambda fx: ("products", {"name": "CRM Pro", "unit_price": "9999.00"}),
    ),
    Write(
        "post",
        "/api/v1/competitors",
        "admin",
        "competitor",
        "create",
        ("name",),
        lambda fx: ("competitors", {"name": "Zoho"}),
    ),
    Write(
        "post",
        "/api/v1/lost-reasons",
        "admin",
        "lostreason",
        "create",
        ("name",),
        lambda fx: ("lost-reasons", {"name": "Timing"}),
    ),
    # leads
    Write(
        "post",
        "/api/v1/leads",
        "li.rep",
        "lead",
        "create",
        ("name", "owner_id"),
        lambda fx: ("leads", {"name": "赵先生", "company": "赵氏贸易"}),
    ),
    Write(
        "patch",
        "/api/v1/leads/{lead_id}",
        "li.rep",
        "lead",
        "update",
        ("title",),
        lambda fx: (f"leads/{_ids(fx, 'lead')}", {"version": 1, "title": "CTO"}),
    ),
    Write(
        "delete",
        "/api/v1/leads/{lead_id}",
        "zhang.manager",
        "lead",
        "delete",
        ("name",),
        lambda fx: (f"leads/{_ids(fx, 'lead')}", None),
    ),
    Write(
        "post",
        "/api/v1/leads/{lead_id}/qualify",
        "li.rep",
        "lead",
        "qualify",
        ("status",),
        lambda fx: (f"leads/{_ids(fx, 'lead')}/qualify", {}),
    ),
    Write(
        "post",
        "/api/v1/leads/{lead_id}/disqualify",
        "li.rep",
        "lead",
        "disqualify",
        ("status",),
        lambda fx: (f"leads/{_ids(fx, 'lead')}/disqualify", {"reason": "No budget"}),
    ),
    Write(
        "post",
        "/api/v1/leads/{lead_id}/claim",
        "li.rep",
        "lead",
        "claim",
        ("owner_id",),
        lambda fx: (f"leads/{_ids(fx, 'lead', 'pool')}/claim", {}),
    ),
    Write(
        "post",
        "/api/v1/leads/{lead_id}/release",
        "li.rep",
        "lead",
        "release",
        ("owner_id",),
        lambda fx: (f"leads/{_ids(fx, 'lead')}/release", {}),
    ),
    Write(
        "post",
        "/api/v1/leads/assignment-rules",
        "admin",
        "assignmentrule",
        "create",
        ("name",),
        lambda fx: (
            "leads/assignment-rules",
            {"name": "South", "team_id": fx.world.teams["South"].pk},
        ),
    ),
    Write(
        "patch",
        "/api/v1/leads/assignment-rules/{rule_id}",
        "admin",
        "assignmentrule",
        "update",
        ("region",),
        lambda fx: (f"leads/assignment-rules/{_rule(fx).pk}", {"version": 1, "region": "华东"}),
    ),
    Write(
        "delete",
        "/api/v1/leads/assignment-rules/{rule_id}",
        "admin",
        "assignmentrule",
        "delete",
        ("name",),
        lambda fx: (f"leads/assignment-rules/{_rule(fx).pk}", None),
    ),
    # activities
    Write(
        "post",
        "/api/v1/activities",
        "li.rep",
        "activity",
        "create",
        ("subject", "kind"),
        lambda fx: (
            "activities",
            {"kind": "call", "subject": "回访", "account_id": _ids(fx, "account")},
        ),
    ),
    Write(
        "patch",
        "/api/v1/activities/{activity_id}",
        "li.rep",
        "activity",
        "update",
        ("subject",),
        lambda fx: (
            f"activities/{_ids(fx, 'activity_on_account')}",
            {"version": 1, "subject": "改"},
        ),
    ),
    Write(
        "delete",
        "/api/v1/activities/{activity_id}",
        "li.rep",
        "activity",
        "delete",
        ("subject",),
        lambda fx: (f"activities/{_ids(fx, 'activity_on_account')}", None),
    ),
    Write(
        "post",
        "/api/v1/activities/{activity_id}/complete",
        "li.rep",
        "activity",
        "complete",
        ("completed_at",),
        lambda fx: (f"activities/{_ids(fx, 'activity_on_deal')}/complete", {}),
    ),
    Write(
        "post",
        "/api/v1/activities/{activity_id}/reopen",
        "li.rep",
        "activity",
        "reopen",
        ("completed_at",),
        lambda fx: (f"activities/{_ids(fx, 'activity_on_account')}/reopen", {}),
    ),
    # organisation
    Write(
        "post",
        "/api/v1/org/shares",
        "li.rep",
        "share",
        "share",
        ("object", "user"),
        lambda fx: (
            "org/shares",
            {
                "object_type": "account",
                "object_id": _ids(fx, "account"),
                "user_id": fx.world["wang.rep"].pk,
            },
        ),
    ),
    Write(
        "delete",
        "/api/v1/org/shares/{share_id}",
        "li.rep",
        "share",
        "unshare",
        ("object",),
        lambda fx: (f"org/shares/{_share(fx).pk}", None),
    ),
    Write(
        "post",
        "/api/v1/org/tokens",
        "li.rep",
        "apitoken",
        "create",
        ("name",),
        lambda fx: ("org/tokens", {"name": "laptop"}),
    ),
    Write(
        "delete",
        "/api/v1/org/tokens/{token_id}",
        "li.rep",
        "apitoken",
        "revoke",
        ("revoked",),
        lambda fx: (f"org/tokens/{_token(fx).pk}", None),
    ),
    Write(
        "post",
        "/api/v1/saved-views",
        "li.rep",
        "savedview",
        "create",
        ("page", "name", "query"),
        lambda fx: ("saved-views", {"page": "accounts", "name": "VIP", "query": "tag=VIP"}),
    ),
    Write(
        "delete",
        "/api/v1/saved-views/{view_id}",
        "li.rep",
        "savedview",
        "delete",
        ("name",),
        lambda fx: (f"saved-views/{_saved_view(fx).pk}", None),
    ),
    # targets
    Write(
        "post",
        "/api/v1/targets",
        "zhang.manager",
        "target",
        "create",
        ("amount", "metric", "user_id"),
        lambda fx: (
            "targets",
            {
                "metric": "deals_won",
                "scope": "person",
                "user_id": fx.world["li.rep"].pk,
                "period_kind": "quarter",
                "start_date": "2026-04-01",
                "amount": "6",
            },
        ),
    ),
    Write(
        "patch",
        "/api/v1/targets/{target_id}",
        "zhang.manager",
        "target",
        "update",
        ("amount",),
        lambda fx: (f"targets/{_ids(fx, 'target')}", {"version": 1, "amount": "7"}),
    ),
    Write(
        "delete",
        "/api/v1/targets/{target_id}",
        "zhang.manager",
        "target",
        "delete",
        ("amount",),
        lambda fx: (f"targets/{_ids(fx, 'target')}", None),
    ),
    Write(
        "post",
        "/api/v1/targets/{target_id}/approve",
        "zhang.manager",
        "target",
        "approve",
        ("status", "approved_by_id"),
        lambda fx: (f"targets/{_ids(fx, 'target')}/approve", {"version": 1}),
    ),
    Write(
        "post",
        "/api/v1/targets/{target_id}/lock",
        "chen.director",
        "target",
        "lock",
        ("status",),
        lambda fx: (f"targets/{_approved_target(fx)}/lock", {}),
    ),
    Write(
        "post",
        "/api/v1/targets/planned-leave",
        "zhang.manager",
        "plannedleave",
        "create",
        ("user_id", "start_date", "end_date"),
        lambda fx: (
            "targets/planned-leave",
            {
                "user_id": fx.world["li.rep"].pk,
                "start_date": "2026-07-06",
                "end_date": "2026-07-10",
            },
        ),
    ),
    Write(
        "delete",
        "/api/v1/targets/planned-leave/{leave_id}",
        "zhang.manager",
        "plannedleave",
        "delete",
        ("user_id", "start_date", "end_date"),
        lambda fx: (f"targets/planned-leave/{_planned_leave(fx)}", None),
    ),
    # notifications (li's own, made by the fixture)
    Write(
        "post",
        "/api/v1/notifications/{notification_id}/read",
        "li.rep",
        "notification",
        "read",
        ("read_at",),
        lambda fx: (f"notifications/{fx.notifications['li.rep'].pk}/read", {}),
    ),
    Write(
        "post",
        "/api/v1/notifications/read-all",
        "li.rep",
        "user",
        "read_notifications",
        ("unread_notifications",),
        lambda fx: ("notifications/read-all", {}),
    ),
]
# Composite operations: one event per record they write, listed exactly.
COMPOSITES = {
    ("post", "/api/v1/leads/{lead_id}/convert"): [
        ("account", "create"),
        ("contact", "create"),
        ("lead", "convert"),
    ],
    # team East's target into its people: zhang's is new, li's and wang's drafts change
    ("post", "/api/v1/targets/{target_id}/cascade"): [
        ("target", "create"),
        ("target", "update"),
        ("target", "update"),
        ("target", "cascade"),
    ],
}


class _Rollback(Exception):
    pass


def _run(
    fx: Fixture, api_as, persona: str, method: str, request
) -> tuple[int, list[AuditEvent], Any]:
    """Do one write in a savepoint; return its status and the audit events it added."""
    outcome: dict[str, Any] = {}
    try:
        with transaction.atomic():
            path, body = request(fx)
            before = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
            client = api_as(fx.world[persona])
            response = (
                client.delete(path) if method == "delete" else getattr(client, method)(path, body)
            )
            outcome["status"] = response.status_code
            outcome["body"] = response.content
            outcome["events"] = list(AuditEvent.objects.filter(id__gt=before).order_by("id"))
            raise _Rollback
    except _Rollback:
        pass
    return outcome["status"], outcome["events"], outcome["body"]


def test_every_write_records_exactly_one_audit_event(api_as):
    fx = build_fixture()
    problems = []
    for write in WRITES:
        status, events, body = _run(fx, api_as, write.persona, write.method, write.request)
        name = f"{write.method.upper()} {write.template}"
        if status >= 300:
            problems.append(f"{name}: HTTP {status} {body[:200]!r}")
            continue
        if len(events) != 1:
            problems.append(
                f"{name}: {len(events)} audit events {[(e.object_type, e.verb) for e in events]}"
            )
            continue
        event = events[0]
        actor = fx.world[write.persona]
        if (event.object_type, event.verb, event.actor_id, event.org_id) != (
            write.object_type,
            write.verb,
            actor.pk,
            actor.org_id,
        ):
            problems.append(
                f"{name}: got {(event.object_type, event.verb, event.actor_id)}, expected "
                f"{(write.object_type, write.verb, actor.pk)}"
            )
        missing = [key for key in write.changes if key not in event.changes]
        if missing:
            problems.append(f"{name}: changes {sorted(event.changes)} lack {missing}")
        if event.request_id == "":
            problems.append(f"{name}: no request id")
    assert problems == []


def test_conversion_records_one_event_per_record_it_writes(api_as):
    fx = build_fixture()
    lead = fx.records["lead"]["li.rep"]
    status, events, body = _run(
        fx,
        api_as,
        "li.rep",
        "post",
        lambda fx: (f"leads/{lead.pk}/convert", {"create_deal": False}),
    )
    assert status == 200, body
    assert [(e.object_type, e.verb) for e in events] == COMPOSITES[
        ("post", "/api/v1/leads/{lead_id}/convert")
    ]
    assert {e.actor_id for e in events} == {fx.world["li.rep"].pk}
    assert events[-1].object_id == lead.pk


def test_the_table_covers_every_write_operation(db):
    openapi = Client().get("/api/v1/openapi.json").json()
    documented = {
        (method, path)
        for path, item in openapi["paths"].items()
        for method in item
        if method in {"post", "patch", "put", "delete"}
    }
    covered = {(w.method, w.template) for w in WRITES} | set(COMPOSITES)
    assert documented - covered == set()
    assert covered - documented == set()


def test_cascade_records_one_event_per_target_it_writes(api_as):
    fx = build_fixture()
    east = fx.team_targets["East"]
    status, events, body = _run(
        fx,
        api_as,
        "zhang.manager",
        "post",
        lambda fx: (f"targets/{east.pk}/cascade", {"method": "even", "version": 1}),
    )
    assert status == 200, body
    assert [(e.object_type, e.verb) for e in events] == COMPOSITES[
        ("post", "/api/v1/targets/{target_id}/cascade")
    ]
    assert {e.actor_id for e in events} == {fx.world["zhang.manager"].pk}
    assert [e.object_id for e in events[1:3]] == [
        fx.records["target"]["li.rep"].pk,
        fx.records["target"]["wang.rep"].pk,
    ]
    assert events[-1].object_id == east.pk
    assert all(e.request_id for e in events)
