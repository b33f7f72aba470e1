"""The home page per role: a rep's day (her to-dos, her deals closing this month, her customers
going quiet) and, for managers and the director, the team's pipeline, week and slipped deals —
each number linking to the records behind it."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import json
import re
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation

from dealbook.web.navigation import url_or_none
from tests.activities.factories import ActivityFactory
from tests.factories import AccountFactory
from tests.pipeline.factories import DealFactory, PipelineFactory, stage
from tests.web.conftest import parse_page

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def _ids(html: str, attribute: str, section: str) -> list[int]:
    """The `data-<attribute>` ids inside the element with id `section`, in order."""
    body = html.split(f'id="{section}"', 1)[1].split("</section>", 1)[0]
    return [int(pk) for pk in re.findall(rf'data-{attribute}="(\d+)"', body)]


def _number(html: str, name: str) -> tuple[str | None, str]:
    """The link (None if plain text) and the text of the number marked data-number=`name`."""
    match = re.search(
        rf'<(a|span) (?:href="([^"]*)" )?class="[^"]*" data-number="{name}"[^>]*>([^<]*)<', html
    )
    assert match, name
    href = html_lib.unescape(match.group(2)) if match.group(2) else None
    return href, match.group(3)


@pytest.fixture
def scene(world) -> SimpleNamespace:
    li, wang = world["li.rep"], world["wang.rep"]
    today = timezone.localdate(timezone=SHANGHAI)
    sales = PipelineFactory(org=world.org, name="Sales")
    s = SimpleNamespace(today=today, sales=sales)
    s.account = AccountFactory(owner=li, name="云帆信息科技", last_activity_at=timezone.now())
    s.quiet = AccountFactory(owner=li, name="长江物流", last_activity_at=None)
    s.ten_days = AccountFactory(
        owner=li, name="东方重工", last_activity_at=timezone.now() - dt.timedelta(days=10)
    )

    def task(owner, subject, due_at, done=False, account=None):
        return ActivityFactory(
            owner=owner,
            kind="task",
            subject=subject,
            occurred_at=None,
            due_at=due_at,
            completed_at=due_at if done else None,
            account=account,
        )

    s.overdue = task(li, "发送报价单", _at(today - dt.timedelta(days=1), 10), account=s.account)
    s.due_today = task(li, "回访客户", _at(today, 0, 30))
    task(li, "明天的事", _at(today + dt.timedelta(days=1), 10))
    task(li, "已完成", _at(today, 0, 10), done=True)
    s.wangs = task(wang, "王强的任务", _at(today, 0, 30))
    ActivityFactory(owner=li, kind="call", subject="本周电话", account=s.account)

    s.closing = DealFactory(
        owner=li,
        account=s.account,
        stage=stage(sales, "Proposal"),
        name="ERP 项目",
        amount_minor=1_200_000_00,
        expected_close_date=today,  # this month, and not slipped yet
    )
    s.slipped = DealFactory(
        owner=wang,
        stage=stage(sales, "Qualification"),
        name="仓储系统",
        amount_minor=300_000_00,
        expected_close_date=today - dt.timedelta(days=40),
    )
    s.south = DealFactory(
        owner=world["liu.rep"],
        stage=stage(sales, "Qualification"),
        name="华南项目",
        amount_minor=50_000_00,
        expected_close_date=today - dt.timedelta(days=40),
    )
    return s


def test_a_rep_sees_her_to_dos_and_not_her_colleagues(world, client_as, scene):
    response = client_as(world["li.rep"]).get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert _ids(html, "activity", "agenda") == [scene.overdue.pk, scene.due_today.pk]
    assert "王强的任务" not in html
    assert _number(html, "overdue") == ("#agenda-list", "1 overdue")
    assert _number(html, "due-today") == ("#agenda-list", "1 due today")
    # The to-do links to its account.
    assert f'<a href="/accounts/{scene.account.pk}/">云帆信息科技</a>' in html
    assert 'id="team"' not in html


def test_a_rep_sees_her_deals_closing_this_month_linked(world, client_as, scene):
    li = world["li.rep"]
    html = client_as(li).get("/").content.decode()
    assert _ids(html, "deal", "closing") == [scene.closing.pk]
    assert "CNY 1,200,000.00" in html
    href, text = _number(html, "closing")
    assert text == "1"
    pipeline_list = url_or_none("pipeline_list")
    if pipeline_list:
        first = scene.today.replace(day=1)
        assert href.startswith(f"{pipeline_list}?owner={li.pk}&status=open&close_from={first}")
    deal_page = url_or_none("deal_detail", scene.closing.pk)
    if deal_page:
        assert f'<a href="{deal_page}">ERP 项目</a>' in html
    assert "仓储系统" not in html and "华南项目" not in html


def test_customers_going_quiet_follow_the_idle_days_asked_for(world, client_as, scene):
    li = world["li.rep"]
    client = client_as(li)
    default = client.get("/").content.decode()
    assert _ids(default, "account", "idle") == [scene.quiet.pk]
    assert _number(default, "idle") == (
        f"/accounts/?owner={li.pk}&idle=30&sort=last_activity_at",
        "1",
    )
    assert 'name="idle_days" min="1" max="3650" value="30"' in default
    five = client.get("/", {"idle_days": "5"}).content.decode()
    assert _ids(five, "account", "idle") == [scene.quiet.pk, scene.ten_days.pk]
    assert _number(five, "idle")[1] == "2"
    assert f'<a href="/accounts/{scene.ten_days.pk}/">东方重工</a>' in five
    nonsense = client.get("/", {"idle_days": "soon"}).content.decode()
    assert 'value="30"' in nonsense


def test_a_manager_also_sees_the_team(world, client_as, scene):
    li, wang = world["li.rep"], world["wang.rep"]
    response = client_as(world["zhang.manager"]).get("/")
    html = response.content.decode()
    assert '<h2 class="h4 mb-3">My team</h2>' in html
    # Open pipeline by stage: East's two open deals, none of team South's.
    proposal, qualification = stage(scene.sales, "Proposal"), stage(scene.sales, "Qualification")
    assert _ids(html, "stage", "pipeline-by-stage") == [qualification.pk, proposal.pk]
    assert "华南项目" not in html
    pipeline_list = url_or_none("pipeline_list")
    if pipeline_list:
        stage_link = (
            f"{pipeline_list}?pipeline={scene.sales.pk}&amp;stage={proposal.pk}&amp;status=open"
        )
        assert f'<a href="{stage_link}">1</a>' in html
    # By rep: who has the deals, linked to their accounts.
    assert _ids(html, "owner", "pipeline-by-owner") == sorted([li.pk, wang.pk])
    assert f'<a href="/accounts/?owner={wang.pk}">王强 Wang Qiang</a>' in html
    # The chart reads its data from an attribute (no inline script).
    chart = re.search(r'id="chart-by-stage" data-chart="([^"]*)"', html).group(1)
    data = json.loads(html_lib.unescape(chart))
    assert data["categories"] == ["Qualification", "Proposal"]
    assert data["series"] == [{"name": "CNY", "data": ["300000.00", "1200000.00"]}]
    assert 'src="/static/vendor/echarts/echarts.min.js"' in html
    assert 'src="/static/web/js/home.js"' in html
    # This week: li's call.
    week = html.split('id="week"', 1)[1].split("</section>", 1)[0]
    assert re.search(rf'data-owner="{li.pk}">.*?data-kind="call">1<', week, re.S)
    # Slipped: wang's deal, not South's.
    assert _ids(html, "deal", "slipped") == [scene.slipped.pk]
    href, count = _number(html, "slipped")
    assert count == "1"
    if pipeline_list:
        yesterday = scene.today - dt.timedelta(days=1)
        assert href == f"{pipeline_list}?status=open&close_to={yesterday}&sort=expected_close_date"
    page = parse_page(html)
    assert (page.inline_scripts, page.style_attributes, page.event_handler_attributes) == (
        [],
        [],
        [],
    )


def test_the_director_sees_the_whole_organisation(world, client_as, scene):
    html = client_as(world["chen.director"]).get("/").content.decode()
    assert "The whole organisation" in html
    assert sorted(_ids(html, "deal", "slipped")) == sorted([scene.slipped.pk, scene.south.pk])


def test_the_director_sees_the_same_figures_per_team(world, client_as, scene):
    html = client_as(world["chen.director"]).get("/").content.decode()
    east, south = world["li.rep"].team, world["liu.rep"].team
    # East: li's proposal and wang's slipped deal; li's call and her task done today.
    # South: liu's deal, no activity.
    assert _ids(html, "team", "by-team") == [east.pk, south.pk]
    section = html.split('id="by-team"', 1)[1].split("</section>", 1)[0]
    rows = {
        int(team): (opened, activities)
        for team, opened, activities in re.findall(
            r'data-team="(\d+)">.*?data-number="open"><a href="[^"]*">(\d+)</a>.*?'
            r'data-number="activities">(\d+)<',
            section,
            re.S,
        )
    }
    assert rows == {east.pk: ("2", "2"), south.pk: ("1", "0")}
    assert f'href="/pipeline/list/?team={east.pk}&amp;status=open"' in section
    assert "CNY 1,500,000.00" in section and "CNY 50,000.00" in section


def test_a_manager_of_one_team_gets_no_team_breakdown(world, client_as, scene):
    html = client_as(world["zhang.manager"]).get("/").content.decode()
    assert 'id="by-team"' not in html


def test_the_home_api_gives_the_per_team_figures(world, api_as, scene):
    body = api_as(world["chen.director"]).get("/api/v1/home").json()
    east, south = world["li.rep"].team, world["liu.rep"].team
    assert [
        (row["team_id"], row["team_name"], row["open_count"], row["activities_this_week"])
        for row in body["team"]["by_team"]
    ] == [(east.pk, east.name, 2, 2), (south.pk, south.name, 1, 0)]
    assert body["team"]["by_team"][0]["open_totals"] == [
        {"currency": "CNY", "count": 2, "amount": "1500000.00"}
    ]
    manager = api_as(world["zhang.manager"]).get("/api/v1/home").json()
    assert manager["team"]["by_team"] == []


@pytest.mark.parametrize("login", ["he.product", "feng.marketing", "wu.finance", "admin"])
def test_every_role_gets_a_home_page(world, client_as, scene, login):
    response = client_as(world[login]).get("/")
    assert response.status_code == 200
    assert _ids(response.content.decode(), "activity", "agenda") == []


def test_home_sends_visitors_to_sign_in_and_refuses_post(world, client_as):
    assert client_as().get("/")["Location"] == "/login/?next=/"
    assert client_as(world["li.rep"]).post("/").status_code == 405


def test_standard_stage_names_come_in_the_managers_language(world, client_as, scene):
    manager = world["zhang.manager"]
    manager.language = "zh-hans"
    manager.save(update_fields=["language"])
    # override: the language the page activates does not outlive the test.
    with translation.override("en"):
        html = client_as(manager).get("/").content.decode()
    chart = re.search(r'id="chart-by-stage" data-chart="([^"]*)"', html).group(1)
    assert json.loads(html_lib.unescape(chart))["categories"] == ["验证客户", "方案报价"]


def test_the_idle_number_links_to_exactly_those_accounts(world, client_as, scene):
    li = world["li.rep"]
    client = client_as(li)
    href, count = _number(client.get("/", {"idle_days": "5"}).content.decode(), "idle")
    listed = client.get(html_lib.unescape(href)).content.decode()
    names = re.findall(r'class="account-name">([^<]*)<', listed)
    assert names == ["长江物流", "东方重工"]  # never contacted first, then the longest quiet
    assert count == "2"
