"""The home page ("my day"): the widgets the apps register, per role, at a fixed query cost."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from klient.activities.home import CHART_DAYS, CHART_HEIGHT, STUB_HEIGHT, chart_bars
from klient.activities.models import Interaction, Task
from klient.activities.services import interaction_create, task_complete, task_create
from klient.contacts.home import week_start
from klient.contacts.models import Organization, Person
from klient.contacts.services import organization_create, person_create

ALL_WIDGETS = [
    "activities.my_tasks",
    "contacts.my_clients",
    "activities.chart",
    "activities.recent",
]


@pytest.fixture(autouse=True)
def _language_reset():
    yield
    translation.deactivate()


@pytest.fixture
def client_for():
    def make(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def clients(agent_a, agent_a2, agent_b):
    """A client of each agent, with a call on each: two in team A, one in team B."""
    made = {}
    for name, agent in (("mine", agent_a), ("teammate", agent_a2), ("other_team", agent_b)):
        person = person_create(actor=agent, first_name=name, last_name="Клиент")
        interaction_create(actor=agent, kind="call", person=person, subject=f"Call on {name}")
        made[name] = person
    return made


def _day_end() -> datetime:
    tomorrow = timezone.localdate() + timedelta(days=1)
    return timezone.make_aware(datetime.combine(tomorrow, time.min))


def _later_today() -> datetime:
    """Halfway between now and midnight: today, whenever the test runs."""
    now = timezone.now()
    return now + (_day_end() - now) / 2


def _widget(response, key: str) -> dict:
    return next(widget for widget in response.context["widgets"] if widget["key"] == key)


def _recent_subjects(response) -> set[str]:
    return {item.subject for item in _widget(response, "activities.recent")["items"]}


# The page ----------------------------------------------------------------------------------


def test_the_home_page_is_at_the_root(client_for, agent_a):
    response = client_for(agent_a).get("/")

    assert response.status_code == 200
    assert response.resolver_match.view_name == "home:index"
    assert "<h1>My day</h1>" in response.content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/"


@pytest.mark.parametrize("role", ["admin", "manager_a", "agent_a"])
def test_writers_get_every_widget_in_order(request, client_for, role):
    response = client_for(request.getfixturevalue(role)).get("/")

    assert [widget["key"] for widget in response.context["widgets"]] == ALL_WIDGETS


def test_an_analyst_gets_no_chart_and_no_client_counts(client_for, analyst):
    response = client_for(analyst).get("/")

    assert [widget["key"] for widget in response.context["widgets"]] == [
        "activities.my_tasks",
        "activities.recent",
    ]
    assert 'data-testid="home-chart"' not in response.content.decode()


def test_the_home_link_is_first_in_the_nav_and_current_only_at_home(client_for, agent_a):
    client = client_for(agent_a)
    home = client.get("/").content.decode()
    tasks = client.get(reverse("activities:task_list")).content.decode()

    current = '<a href="/" aria-current="page">'
    assert re.search(r'id="mainnav"[^>]*>\s*<a href="/"', home)
    assert current in home
    assert current not in tasks


# Recent activity on my clients -------------------------------------------------------------


def test_an_agent_sees_activity_on_their_own_clients_only(client_for, agent_a, clients):
    response = client_for(agent_a).get("/")

    assert _recent_subjects(response) == {"Call on mine"}
    assert "Call on other_team" not in response.content.decode()


def test_a_manager_sees_activity_on_the_teams_clients(client_for, manager_a, clients):
    response = client_for(manager_a).get("/")

    assert _recent_subjects(response) == {"Call on mine", "Call on teammate"}


@pytest.mark.parametrize("role", ["admin", "analyst"])
def test_admins_and_analysts_see_activity_on_every_client(request, client_for, clients, role):
    response = client_for(request.getfixturevalue(role)).get("/")

    assert _recent_subjects(response) == {"Call on mine", "Call on teammate", "Call on other_team"}


def test_an_agent_sees_activity_on_an_organization_they_own(client_for, agent_a, agent_b):
    mine = organization_create(actor=agent_a, name="ООО Моя")
    theirs = organization_create(actor=agent_b, name="ООО Чужая")
    interaction_create(actor=agent_a, kind="email", organization=mine, subject="Договор")
    interaction_create(actor=agent_b, kind="email", organization=theirs, subject="Счёт")

    response = client_for(agent_a).get("/")

    assert _recent_subjects(response) == {"Договор"}


def test_recent_activity_names_kind_client_author_and_time(client_for, agent_a, clients):
    call = Interaction.objects.get(subject="Call on mine")
    html = client_for(agent_a).get("/").content.decode()
    item = html[html.index(f'id="home-interaction-{call.pk}"') :]
    item = item[: item.index("</li>")]

    assert "Call: Call on mine" in item
    assert f'href="/people/{clients["mine"].pk}/">mine Клиент</a>' in item
    assert agent_a.display_name in item
    assert f'datetime="{timezone.localtime(call.occurred_at).isoformat()}"' in item


def test_recent_activity_shows_the_latest_ten_newest_first(client_for, agent_a, clients):
    start = timezone.now() - timedelta(days=1)
    for index in range(12):
        interaction_create(
            actor=agent_a,
            kind="note",
            person=clients["mine"],
            subject=f"Note {index}",
            occurred_at=start + timedelta(minutes=index),
        )

    items = _widget(client_for(agent_a).get("/"), "activities.recent")["items"]

    assert [item.subject for item in items] == [
        "Call on mine",
        *[f"Note {index}" for index in range(11, 2, -1)],
    ]


def test_times_are_shown_in_the_readers_format(client_for, agent_a, clients):
    moment = datetime(2025, 3, 2, 12, 15, tzinfo=UTC)  # 15:15 in Moscow, the test time zone
    Interaction.objects.filter(subject="Call on mine").update(occurred_at=moment)
    client = client_for(agent_a)
    client.post(reverse("core:language_set"), {"language": "ru"})

    html = client.get("/").content.decode()

    assert ">02.03.2025 15:15</time>" in html


# My tasks today ----------------------------------------------------------------------------


@pytest.fixture
def my_tasks(agent_a, agent_a2, clients):
    """agent_a's tasks: two overdue, one later today, one tomorrow, one undated, one done;
    and a teammate's overdue task, which is not agent_a's."""
    person, now = clients["mine"], timezone.now()
    made = {
        "overdue_old": task_create(
            actor=agent_a, title="Давно пора", person=person, due_at=now - timedelta(days=3)
        ),
        "overdue": task_create(
            actor=agent_a, title="Просрочено", person=person, due_at=now - timedelta(minutes=5)
        ),
        "today": task_create(actor=agent_a, title="Сегодня", person=person, due_at=_later_today()),
        "tomorrow": task_create(
            actor=agent_a, title="Завтра", person=person, due_at=_day_end() + timedelta(hours=10)
        ),
        "undated": task_create(actor=agent_a, title="Когда-нибудь", person=person),
        "done": task_create(
            actor=agent_a, title="Сделано", person=person, due_at=now - timedelta(days=1)
        ),
        "teammates": task_create(
            actor=agent_a2,
            title="Чужая",
            person=clients["teammate"],
            due_at=now - timedelta(days=1),
        ),
    }
    task_complete(actor=agent_a, task=made["done"])
    return made


def test_task_counts_are_exact(client_for, agent_a, my_tasks):
    widget = _widget(client_for(agent_a).get("/"), "activities.my_tasks")

    assert widget["counts"] == {"open": 5, "overdue": 2, "today": 1}


def test_overdue_tasks_come_first_then_the_rest_of_today(client_for, agent_a, my_tasks):
    widget = _widget(client_for(agent_a).get("/"), "activities.my_tasks")

    assert [task.title for task in widget["overdue"]] == ["Давно пора", "Просрочено"]
    assert [task.title for task in widget["today"]] == ["Сегодня"]


def test_overdue_tasks_are_highlighted(client_for, agent_a, my_tasks):
    html = client_for(agent_a).get("/").content.decode()

    assert f'class="task is-overdue" id="task-{my_tasks["overdue"].pk}"' in html
    assert f'class="task" id="task-{my_tasks["today"].pk}"' in html
    assert f'id="task-{my_tasks["tomorrow"].pk}"' not in html
    assert f'id="task-{my_tasks["teammates"].pk}"' not in html


def test_a_task_is_completed_from_the_home_page(client_for, agent_a, my_tasks):
    client = client_for(agent_a)
    task = my_tasks["overdue"]
    url = reverse("activities:task_complete", args=[task.pk])
    assert f'hx-post="{url}"' in client.get("/").content.decode()

    response = client.post(url, {"next": "/"}, HTTP_HX_REQUEST="true")

    assert 'class="task is-done"' in response.content.decode()
    task.refresh_from_db()
    assert task.status == Task.Status.DONE
    widget = _widget(client.get("/"), "activities.my_tasks")
    assert widget["counts"] == {"open": 4, "overdue": 1, "today": 1}


def test_without_htmx_completing_returns_to_the_home_page(client_for, agent_a, my_tasks):
    url = reverse("activities:task_complete", args=[my_tasks["today"].pk])

    response = client_for(agent_a).post(url, {"next": "/"})

    assert response.status_code == 302
    assert response["Location"] == "/"


def test_an_analyst_sees_their_tasks_without_a_complete_button(client_for, admin, analyst):
    person = person_create(actor=admin, first_name="Анна", last_name="Смирнова")
    task = task_create(
        actor=admin,
        title="Проверить отчёт",
        person=person,
        assignee=analyst,
        due_at=timezone.now() - timedelta(hours=1),
    )

    html = client_for(analyst).get("/").content.decode()

    assert f'id="task-{task.pk}"' in html
    assert reverse("activities:task_complete", args=[task.pk]) not in html


def test_the_task_list_is_capped_and_links_to_all_tasks(client_for, agent_a, clients):
    due = timezone.now() - timedelta(hours=1)
    for index in range(12):
        task_create(actor=agent_a, title=f"Задача {index}", person=clients["mine"], due_at=due)

    response = client_for(agent_a).get("/")
    widget = _widget(response, "activities.my_tasks")

    assert (len(widget["overdue"]), widget["counts"]["overdue"], widget["more"]) == (10, 12, True)
    assert "Show all my tasks" in response.content.decode()


# My clients ----------------------------------------------------------------------------------


def test_client_counts_are_exact(client_for, agent_a, agent_a2):
    person_create(actor=agent_a, first_name="Новый", last_name="Клиент")
    old = person_create(actor=agent_a, first_name="Старый", last_name="Клиент")
    organization_create(actor=agent_a, name="ООО Моя")
    person_create(actor=agent_a2, first_name="Чужой", last_name="Клиент")
    Person.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=30))

    response = client_for(agent_a).get("/")
    widget = _widget(response, "contacts.my_clients")

    assert widget["counts"] == {"people": 2, "organizations": 1, "new": 2}
    assert widget["total"] == 3
    assert f'href="/clients/?owner={agent_a.pk}">2</a>' in response.content.decode()


def test_an_organization_added_before_this_week_is_not_new(client_for, agent_a):
    organization = organization_create(actor=agent_a, name="ООО Давняя")
    Organization.objects.filter(pk=organization.pk).update(
        created_at=week_start() - timedelta(seconds=1)
    )

    widget = _widget(client_for(agent_a).get("/"), "contacts.my_clients")

    assert widget["counts"] == {"people": 0, "organizations": 1, "new": 0}


@pytest.mark.parametrize(
    ("language", "first_day"), [("en", date(2025, 3, 2)), ("ru", date(2025, 3, 3))]
)
def test_the_week_starts_on_the_languages_first_day(language, first_day):
    wednesday_noon = timezone.make_aware(datetime(2025, 3, 5, 12, 0))

    with translation.override(language):
        start = week_start(wednesday_noon)

    assert start == timezone.make_aware(datetime.combine(first_day, time.min))


# The chart -----------------------------------------------------------------------------------


def test_the_chart_has_one_bar_per_day(client_for, agent_a):
    html = client_for(agent_a).get("/").content.decode()

    assert html.count('<rect class="chart-bar') == CHART_DAYS


def test_the_chart_counts_my_interactions_per_day(client_for, agent_a, agent_a2, clients):
    noon_today = timezone.make_aware(datetime.combine(timezone.localdate(), time(12)))
    person = clients["mine"]
    Interaction.objects.all().delete()
    for back in (0, 0, 3, CHART_DAYS):  # the last is a day before the chart starts
        interaction_create(
            actor=agent_a, kind="call", person=person, occurred_at=noon_today - timedelta(back)
        )
    interaction_create(
        actor=agent_a2, kind="call", person=clients["teammate"], occurred_at=noon_today
    )

    widget = _widget(client_for(agent_a).get("/"), "activities.chart")

    assert [bar.count for bar in widget["bars"]] == [0] * 10 + [1, 0, 0, 2]
    assert widget["bars"][-1].day == timezone.localdate()
    assert widget["total"] == 3


def test_bars_are_as_tall_as_their_count_against_the_busiest_day():
    days = [date(2025, 3, day) for day in (1, 2, 3)]

    bars = chart_bars(list(zip(days, [0, 2, 4], strict=True)), today=days[-1])

    assert [bar.height for bar in bars] == [
        STUB_HEIGHT,
        STUB_HEIGHT + (CHART_HEIGHT - STUB_HEIGHT) // 2,
        CHART_HEIGHT,
    ]
    assert [bar.y + bar.height for bar in bars] == [CHART_HEIGHT] * 3
    assert [bar.is_today for bar in bars] == [False, False, True]


def test_a_chart_without_interactions_is_all_stubs():
    days = [date(2025, 3, day) for day in range(1, 15)]

    bars = chart_bars([(day, 0) for day in days], today=days[-1])

    assert {bar.height for bar in bars} == {STUB_HEIGHT}


# Cost ----------------------------------------------------------------------------------------


def _fill(agent, person, start: int, count: int) -> None:
    now = timezone.now()
    for index in range(start, start + count):
        interaction_create(
            actor=agent,
            kind="call",
            person=person,
            subject=f"Звонок {index}",
            occurred_at=now - timedelta(days=index % CHART_DAYS, minutes=index),
        )
        due = now - timedelta(hours=index + 1) if index % 2 else _later_today()
        task_create(actor=agent, title=f"Задача {index}", person=person, due_at=due)


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("role", ["admin", "manager_a", "agent_a"])
def test_the_home_page_costs_the_same_for_5_and_50_records(
    request, client_for, agent_a, clients, role
):
    viewer = request.getfixturevalue(role)
    client = client_for(viewer)
    person = clients["mine"]
    _fill(agent_a, person, 0, 5)
    Task.objects.update(assignee=viewer)
    Interaction.objects.update(author=viewer)
    small = _queries(client)

    _fill(agent_a, person, 5, 45)
    Task.objects.update(assignee=viewer)
    Interaction.objects.update(author=viewer)
    large = _queries(client)

    assert large == small
    assert small <= 14  # session, user, teams, bell, workspace, and the widgets' own seven
