"""The tasks page: mine / my teams' / every task, filters, pages.

Agents have only their own tasks; managers add their teams'; administrators and
analysts every task (analysts read only). A scope never shows a task the visibility
rule hides, and the page costs the same number of queries at any size.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from klient.activities import services as activity_services
from klient.contacts import services as contact_services
from klient.core.capabilities import can

pytestmark = pytest.mark.django_db

URL = reverse("activities:task_list")
HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "results"}


@pytest.fixture
def tasks(agent_a, agent_a2, agent_b, manager_a, person_a):
    """One open task for each of four colleagues, each on a client they own."""
    a2_client = contact_services.person_create(actor=agent_a2, first_name="Ольга", last_name="Юг")
    b_client = contact_services.person_create(actor=agent_b, first_name="Борис", last_name="Запад")
    create = activity_services.task_create
    return {
        "agent_a": create(actor=agent_a, title="A: позвонить", person=person_a),
        "agent_a2": create(actor=agent_a2, title="A2: письмо", person=a2_client),
        "agent_b": create(actor=agent_b, title="B: встреча", person=b_client),
        "manager_a": create(actor=manager_a, title="M: отчёт"),
    }


def _titles(client, **params) -> list[str]:
    response = client.get(URL, params)
    assert response.status_code == 200
    return sorted(task.title for task in response.context["tasks"])


def _scopes(client) -> list[str]:
    response = client.get(URL)
    return [link["url"].rsplit("=", 1)[1] for link in response.context["scope_links"]]


@pytest.mark.parametrize(
    ("username", "scopes"),
    [
        ("agent_a", ["mine"]),
        ("manager_a", ["mine", "team"]),
        ("admin", ["mine", "all"]),  # in no team
        ("analyst", ["mine", "all"]),
    ],
)
def test_each_role_is_offered_its_scopes(request, client_for, username, scopes):
    assert _scopes(client_for(request.getfixturevalue(username))) == scopes


def test_the_scopes_are_in_the_capability_map(admin, manager_a, agent_a, analyst):
    assert [
        can(user, "activities.tasks_team") for user in (admin, manager_a, agent_a, analyst)
    ] == [
        True,
        True,
        False,
        False,
    ]
    assert [can(user, "activities.tasks_all") for user in (admin, manager_a, agent_a, analyst)] == [
        True,
        False,
        False,
        True,
    ]


@pytest.mark.parametrize("scope", ["mine", "team", "all", "everything"])
def test_an_agent_sees_only_their_own_tasks_whatever_the_scope_asked(
    client_for, agent_a, tasks, scope
):
    assert _titles(client_for(agent_a), scope=scope) == ["A: позвонить"]


def test_a_manager_sees_the_tasks_of_their_team_not_the_other_team(client_for, manager_a, tasks):
    client = client_for(manager_a)
    assert _titles(client) == ["M: отчёт"]
    assert _titles(client, scope="team") == ["A2: письмо", "A: позвонить", "M: отчёт"]
    assert _titles(client, scope="all") == ["M: отчёт"]  # not theirs: reads as "mine"


@pytest.mark.parametrize("username", ["admin", "analyst"])
def test_admins_and_analysts_see_every_task(request, client_for, username, tasks):
    client = client_for(request.getfixturevalue(username))
    assert _titles(client, scope="all") == ["A2: письмо", "A: позвонить", "B: встреча", "M: отчёт"]


def test_an_analyst_reads_without_writing(client_for, analyst, tasks):
    html = client_for(analyst).get(URL, {"scope": "all"}).content.decode()
    assert "B: встреча" in html
    assert "Mark as done" not in html
    assert "New task" not in html


def test_the_assignee_filter_narrows_a_scope_and_never_widens_it(
    client_for, manager_a, agent_a2, agent_b, tasks
):
    client = client_for(manager_a)
    assert _titles(client, scope="team", assignee=agent_a2.pk) == ["A2: письмо"]
    # Not a member of the manager's teams: not offered, so ignored, never shown.
    page = client.get(URL, {"scope": "team", "assignee": agent_b.pk})
    assert "B: встреча" not in page.content.decode()
    offered = [value for value, _label in page.context["filter_form"].fields["assignee"].choices]
    assert agent_b.pk not in offered


def test_status_filters(client_for, agent_a, person_a):
    now = timezone.now()
    create = activity_services.task_create
    create(actor=agent_a, title="Просрочена", person=person_a, due_at=now - timedelta(days=1))
    create(actor=agent_a, title="Завтра", person=person_a, due_at=now + timedelta(days=1))
    done = create(actor=agent_a, title="Сделана", person=person_a)
    activity_services.task_complete(actor=agent_a, task=done)
    client = client_for(agent_a)
    assert _titles(client) == ["Завтра", "Просрочена"]
    assert _titles(client, status="overdue") == ["Просрочена"]
    assert _titles(client, status="done") == ["Сделана"]
    assert _titles(client, status="someday") == ["Завтра", "Просрочена"]  # unknown: open


def test_the_due_range_includes_both_days(client_for, agent_a, person_a):
    for day in (1, 5, 10, 11):
        activity_services.task_create(
            actor=agent_a,
            title=f"Срок {day}",
            person=person_a,
            due_at=datetime(2030, 3, day, 12, tzinfo=UTC),
        )
    client = client_for(agent_a)
    assert _titles(client, due_from="2030-03-05", due_to="2030-03-10") == ["Срок 10", "Срок 5"]
    assert _titles(client, due_to="2030-03-01") == ["Срок 1"]
    for bad in ("2030-13-45", "0001-01-01", "9999-12-31", "yesterday"):
        assert len(_titles(client, due_from=bad, due_to=bad)) == 4  # an invalid day: ignored


def test_the_client_filter(client_for, agent_a, agent_b, person_a, org_a):
    other = contact_services.person_create(actor=agent_a, first_name="Пётр", last_name="Лист")
    hidden = contact_services.person_create(actor=agent_b, first_name="Скрытый", last_name="Б")
    create = activity_services.task_create
    create(actor=agent_a, title="Про Ивана", person=person_a)
    create(actor=agent_a, title="Про Петра", person=other)
    create(actor=agent_a, title="Про компанию", organization=org_a)
    client = client_for(agent_a)
    assert _titles(client, person=other.pk) == ["Про Петра"]
    # As on the organization's card: the tasks on the organization.
    assert _titles(client, organization=org_a.pk) == ["Про компанию"]
    # A client the user may not see is not a filter: nothing about it shows.
    page = client.get(URL, {"person": hidden.pk})
    assert "Скрытый" not in page.content.decode()
    assert len(page.context["tasks"]) == 3


def test_pages_hold_fifty_soonest_first_and_the_undated_last(client_for, agent_a, person_a):
    start = timezone.now() + timedelta(days=1)
    for index in range(55):
        activity_services.task_create(
            actor=agent_a,
            title=f"T{index:02d}",
            person=person_a,
            due_at=start + timedelta(hours=index),
        )
    for index in range(5):
        activity_services.task_create(actor=agent_a, title=f"U{index}", person=person_a)
    client = client_for(agent_a)
    first = client.get(URL)
    assert [t.title for t in first.context["tasks"]] == [f"T{i:02d}" for i in range(50)]
    assert (first.context["total"], first.context["start"], first.context["end"]) == (60, 1, 50)
    second = client.get(first.context["next_url"], **HTMX)
    assert second.templates[0].name == "activities/_task_results.html"
    titles = [t.title for t in second.context["tasks"]]
    assert titles == [f"T{i:02d}" for i in range(50, 55)] + [f"U{i}" for i in range(5)]
    assert second.context["next_url"] is None
    assert (second.context["start"], second.context["end"]) == (51, 60)


def test_done_tasks_page_latest_completed_first(client_for, agent_a, person_a):
    for index in range(52):
        task = activity_services.task_create(actor=agent_a, title=f"D{index:02d}", person=person_a)
        activity_services.task_complete(actor=agent_a, task=task)
    client = client_for(agent_a)
    first = client.get(URL, {"status": "done"})
    second = client.get(first.context["next_url"])
    titles = [t.title for t in first.context["tasks"]] + [t.title for t in second.context["tasks"]]
    assert titles == [f"D{i:02d}" for i in reversed(range(52))]


@pytest.mark.parametrize(
    "params",
    [
        {"cursor": "not-a-cursor"},
        {"cursor": "MjAzMC0wMS0wMXwx"},  # 2030-01-01|1: no time, no offset
        {"cursor": "MjAzMC0wMS0wMVQwMDowMDowMHwx"},  # 2030-01-01T00:00:00|1: no offset
        {"cursor": "MDAwMS0wMS0wMVQwMDowMDowMCsxNDowMHwx"},  # before year 1 in UTC
        {"cursor": "fDk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5"},  # an id past a bigint
        {"start": "x"},
    ],
)
def test_a_forged_page_link_is_a_message_not_an_error(client_for, agent_a, params):
    response = client_for(agent_a).get(URL, params)
    assert response.status_code == 422


def _count(client, params) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL, params).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    ("username", "params"),
    [
        ("agent_a", {}),
        ("manager_a", {"scope": "team"}),
        ("admin", {"scope": "all", "status": "overdue"}),
        ("admin", {"scope": "all", "status": "done"}),
    ],
)
def test_queries_do_not_grow_with_tasks(request, client_for, username, params, agent_a, person_a):
    client = client_for(request.getfixturevalue(username))
    past = timezone.now() - timedelta(days=1)

    def add(count: int) -> None:
        for index in range(count):
            task = activity_services.task_create(
                actor=agent_a, title=f"Задача {index}", person=person_a, due_at=past
            )
            if index % 2:
                activity_services.task_complete(actor=agent_a, task=task)

    add(6)
    small = _count(client, params)
    add(60)
    assert _count(client, params) == small
    assert small <= 20
    filtered = {**params, "person": person_a.pk, "due_from": "2020-01-01"}
    assert _count(client, filtered) <= small + 1  # the chosen client's name
