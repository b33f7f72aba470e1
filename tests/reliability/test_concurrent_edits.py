"""50 clients × 20 edits of one deal over real HTTP: no lost update, stale writes refused.

Each client reads the deal, then PATCHes it with the version it read and a value of its own,
never retrying. Afterwards the accepted writes, ordered by the version each produced, must
replay to the final state and to the deal's audit trail, and every refusal must be a 412.
"""

from __future__ import annotations

import http.client
import json
import threading
import urllib.parse
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection

from dealbook.core.models import AuditEvent
from dealbook.customers import services as customer_services
from dealbook.org import services as org_services
from dealbook.pipeline import services as pipeline_services
from tests.personas import build_world

CLIENTS = 50
EDITS = 20
# The writers: the owner, her manager, the director and the admin all may edit her deal.
WRITERS = ("li.rep", "zhang.manager", "chen.director", "admin")


@dataclass
class Edit:
    client: int
    edit: int
    base_version: int
    next_step: str
    amount: str
    status: int
    body: Any


def _request(host: str, port: int, method: str, path: str, token: str, body=None):
    """(status, parsed body); a failed connection counts as status 0 with the error."""
    conn = http.client.HTTPConnection(host, port, timeout=120)
    try:
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
        payload = None
        if body is not None:
            payload = json.dumps(body)
            headers["Content-Type"] = "application/json"
        conn.request(method, path, body=payload, headers=headers)
        response = conn.getresponse()
        raw = response.read().decode()
        try:
            parsed = json.loads(raw)
        except ValueError:
            parsed = raw
        return response.status, parsed
    except OSError as exc:
        return 0, repr(exc)
    finally:
        conn.close()


def _client(
    n: int,
    host: str,
    port: int,
    path: str,
    token: str,
    start: threading.Barrier,
    edits: list[Edit],
    reads: list[tuple[int, Any]],
):
    start.wait()
    for m in range(EDITS):
        status, deal = _request(host, port, "GET", path, token)
        reads.append((status, deal))
        if status != 200:
            continue
        next_step = f"client-{n}-edit-{m}"
        amount = f"{n * 1000 + m}.{n % 100:02d}"
        body = {"version": deal["version"], "next_step": next_step, "amount": amount}
        status, answer = _request(host, port, "PATCH", path, token, body)
        edits.append(Edit(n, m, deal["version"], next_step, amount, status, answer))


@pytest.mark.django_db(transaction=True)
def test_concurrent_edits_of_one_deal(live_server, record_figure):
    world = build_world()
    li = world["li.rep"]
    pipeline_services.pipeline_create_default(actor=None, org=world.org)
    account = customer_services.account_create(actor=li, name="Concurrency Trading")
    deal = pipeline_services.deal_create(
        actor=li, account_id=account.pk, name="Contested deal", amount=Decimal("1.00")
    )
    tokens = [
        org_services.api_token_create(actor=world[login], name="concurrency")[1]
        for login in WRITERS
    ]
    url = urllib.parse.urlsplit(live_server.url)
    path = f"/api/v1/deals/{deal.pk}"
    start = threading.Barrier(CLIENTS)
    edits: list[Edit] = []
    reads: list[tuple[int, Any]] = []
    threads = [
        threading.Thread(
            target=_client,
            args=(n, url.hostname, url.port, path, tokens[n % len(tokens)], start, edits, reads),
        )
        for n in range(CLIENTS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    engine = connection.vendor
    accepted = sorted((e for e in edits if e.status == 200), key=lambda e: e.body["version"])
    refused = [e for e in edits if e.status == 412]
    answers = [(e.status, e.body) for e in edits] + reads
    server_errors = [a for a in answers if a[0] >= 500]
    failed_connections = [a for a in answers if a[0] == 0]
    locked = [a for a in answers if "is locked" in json.dumps(a[1])]
    _, final = _request(url.hostname, url.port, "GET", path, tokens[0])
    # The deal's update events, oldest first: the next_step each write the database kept set.
    trail = [
        event.changes.get("next_step", [None, None])[1]
        for event in AuditEvent.objects.filter(
            object_type="deal", object_id=deal.pk, verb="update"
        ).order_by("id")
    ]
    # Replay: accepted writes in the order of the versions they produced. Write k (producing
    # version k + 2) must be the k-th kept change, and the last one the final state; an accepted
    # write that is not is a lost update (overwritten unseen, or answered with another's state).
    lost = sum(
        1
        for k, e in enumerate(accepted)
        if e.body["version"] != k + 2 or k >= len(trail) or trail[k] != e.next_step
    )
    if accepted and (final["next_step"], final["amount"]) != (
        accepted[-1].next_step,
        accepted[-1].amount,
    ):
        lost += 1

    record_figure(f"concurrency_{engine}_clients", CLIENTS)
    record_figure(f"concurrency_{engine}_edits_per_client", EDITS)
    record_figure(f"concurrency_{engine}_accepted_writes", len(accepted))
    record_figure(f"concurrency_{engine}_refused_stale", len(refused))
    record_figure(f"concurrency_{engine}_lost_updates", lost)
    record_figure(f"concurrency_{engine}_server_errors", len(server_errors))

    assert len(edits) == CLIENTS * EDITS
    assert server_errors == []
    assert failed_connections == []
    assert locked == []
    assert {status for status, _ in reads} == {200}
    assert len(accepted) + len(refused) == CLIENTS * EDITS  # 200 or 412, nothing else
    # Every accepted write produced the next version after the one it read: no two accepted
    # writes claimed the same base version, and the accepted count is the final version − 1.
    assert [e.base_version for e in accepted] == list(range(1, final["version"]))
    assert [e.body["version"] for e in accepted] == list(range(2, final["version"] + 1))
    assert len(accepted) == final["version"] - 1
    # Each 200 answers with the state that write produced.
    assert [(e.body["next_step"], e.body["amount"]) for e in accepted] == [
        (e.next_step, e.amount) for e in accepted
    ]
    # Stale writes were refused, and say so.
    assert refused, f"{CLIENTS} clients on one deal never collided: nothing was tested"
    assert {e.body["code"] for e in refused} == {"stale_version"}
    assert {e.body["errors"][0]["field"] for e in refused} == {"version"}
    # No lost update: the trail replays the accepted writes and ends in the final state.
    assert lost == 0
    assert trail == [e.next_step for e in accepted]
    assert (final["next_step"], final["amount"]) == (accepted[-1].next_step, accepted[-1].amount)
    # One audit event per accepted write, plus the creation.
    assert AuditEvent.objects.filter(object_type="deal", object_id=deal.pk).count() == (
        len(accepted) + 1
    )
