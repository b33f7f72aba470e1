"""The notifications page: my notifications, newest first, worded in my language; marking one
or all read; following one to its page; nobody else's."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from dealbook.collaboration.models import Notification
from dealbook.targets import notifying
from dealbook.targets.models import Target
from tests.collaboration.factories import NotificationFactory
from tests.web.conftest import assert_list_queries, assert_strict, csrf_client

pytestmark = pytest.mark.django_db
ROW = re.compile(r'<li class="list-group-item [^"]*notification[ "][^>]*data-id="(\d+)"')


def _rows(html: str) -> list[int]:
    return [int(pk) for pk in ROW.findall(html)]


@pytest.fixture
def target(world):
    return Target.objects.create(
        org=world.org,
        metric="deals_won",
        scope="person",
        user=world["li.rep"],
        period_kind="quarter",
        start_date=dt.date(2026, 10, 1),
        end_date=dt.date(2027, 1, 1),
        amount=Decimal(4),
        status="approved",
    )


def test_my_notifications_read_in_my_language(world, target, client_as):
    notifying.notify_milestone(target, org=world.org, threshold=50)
    html = client_as(world["li.rep"]).get("/notifications/").content.decode()
    assert "李娜 Li Na reached 50% of the Deals won target for FY2026 Q4." in html
    assert_strict(html)
    li = world["li.rep"]
    li.language = "zh-hans"
    li.save(update_fields=["language"])
    zh_html = client_as(li).get("/notifications/").content.decode()
    assert "李娜 Li Na 已完成2026 财年第 4 季度赢单数目标的 50%。" in zh_html


def test_i_see_mine_only_newest_first_in_a_fixed_number_of_queries(
    world, client_as, django_assert_num_queries
):
    li = world["li.rep"]
    mine = [NotificationFactory(recipient=li) for _ in range(3)]
    NotificationFactory(recipient=world["zhang.manager"])
    html = client_as(li).get("/notifications/").content.decode()
    assert _rows(html) == [n.pk for n in reversed(mine)]
    client = client_as(li)
    # session, user, the organisation's settings, rows, capped count, the viewer's teams
    # (navigation), the bell's two counts in one
    assert_list_queries(django_assert_num_queries, client, "/notifications/", 7, _rows, 3)
    for _ in range(40):
        NotificationFactory(recipient=li)
    assert_list_queries(django_assert_num_queries, client, "/notifications/", 7, _rows, 25)


def test_only_unread_and_marking_all_read(world, client_as):
    li = world["li.rep"]
    read = NotificationFactory(recipient=li, read_at=timezone.now())
    unread = NotificationFactory(recipient=li)
    client = client_as(li)
    assert _rows(client.get("/notifications/?unread=1").content.decode()) == [unread.pk]
    response = csrf_client(li).get("/notifications/")
    assert response.status_code == 200
    response = client.post("/notifications/read-all/")
    assert response.status_code == 302 and response["Location"] == "/notifications/"
    assert Notification.objects.filter(recipient=li, read_at__isnull=True).count() == 0
    assert _rows(client.get("/notifications/?unread=1").content.decode()) == []
    assert read.pk in _rows(client.get("/notifications/").content.decode())


def test_opening_one_marks_it_read_and_goes_to_its_page(world, target, client_as):
    notifying.notify_milestone(target, org=world.org, threshold=50)
    mine = Notification.objects.get(recipient=world["li.rep"])
    response = client_as(world["li.rep"]).post(f"/notifications/{mine.pk}/read/", {"follow": "1"})
    assert response.status_code == 302 and response["Location"] == f"/targets/{target.pk}/"
    mine.refresh_from_db()
    assert mine.read_at is not None


def test_a_link_to_another_site_is_never_followed(world, client_as):
    li = world["li.rep"]
    odd = NotificationFactory(recipient=li, url="https://example.com/")
    response = client_as(li).post(f"/notifications/{odd.pk}/read/", {"follow": "1"})
    assert response.status_code == 302 and response["Location"] == "/notifications/"


def test_nobody_marks_someone_elses_and_visitors_sign_in(world, client_as):
    theirs = NotificationFactory(recipient=world["li.rep"])
    response = client_as(world["zhang.manager"]).post(f"/notifications/{theirs.pk}/read/")
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert client_as().get("/notifications/")["Location"].startswith("/login/")
    assert client_as().post(f"/notifications/{theirs.pk}/read/")["Location"].startswith("/login/")
    assert client_as(world["li.rep"]).get(f"/notifications/{theirs.pk}/read/").status_code == 405


def test_marking_needs_the_csrf_token(world):
    li = world["li.rep"]
    mine = NotificationFactory(recipient=li)
    assert csrf_client(li).post(f"/notifications/{mine.pk}/read/").status_code == 403
    mine.refresh_from_db()
    assert mine.read_at is None


def test_the_page_points_to_the_todos_the_bell_also_counts(world, client_as):
    from tests.activities.factories import ActivityFactory

    li = world["li.rep"]
    due = timezone.now() - dt.timedelta(hours=2)
    for _ in range(2):
        ActivityFactory(owner=li, kind="task", occurred_at=None, due_at=due, completed_at=None)
    html = client_as(li).get("/notifications/").content.decode()
    assert "2 to-dos are overdue or due today." in html
    assert 'href="/#agenda"' in html
    assert (
        'id="todos-due"' not in client_as(world["wang.rep"]).get("/notifications/").content.decode()
    )
