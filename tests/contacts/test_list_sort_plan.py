"""Every sort the people list offers, and every filter it registers, reads one page from
an index whatever the number of people: no sort of all visible people (TEMP B-TREE), no
scan of the interactions or tasks. The plans, not the times, are what a test can hold
(see test_list_plan.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from klient.activities.models import Interaction, Task
from klient.contacts.bulk import PersonRow, people_bulk_insert
from klient.contacts.list_registry import list_columns
from klient.contacts.models import Affiliation, Organization

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="reads SQLite's query plan"),
]

NAMES = ("Алексеев", "Иванов", "Петрова", "Александрова", "Смирнов")


@pytest.fixture
def people(admin, agent_a, team_a):
    """3,000 people written in one batch, with calls and tasks on some of them."""
    ids = people_bulk_insert(
        workspace_id=admin.workspace_id,
        people=[
            PersonRow(
                first_name=f"Имя{n}",
                last_name=NAMES[n % len(NAMES)],
                owner_id=agent_a.pk if n % 3 == 0 else admin.pk,
                team_id=team_a.pk if n % 3 == 0 else None,
            )
            for n in range(3000)
        ],
    )
    now = timezone.now()
    Interaction.objects.bulk_create(
        Interaction(
            workspace_id=admin.workspace_id,
            person_id=pk,
            kind="call",
            direction="outbound",
            occurred_at=now - timedelta(days=n % 90),
            subject="Звонок",
        )
        for n, pk in enumerate(ids[::2])
    )
    Task.objects.bulk_create(
        Task(workspace_id=admin.workspace_id, person_id=pk, title="Перезвонить", assignee=admin)
        for pk in ids[::7]
    )
    romashka = Organization.objects.create(
        workspace_id=admin.workspace_id,
        name="Ромашка",
        search_text="ромашка",
        owner=agent_a,
        team=team_a,
    )
    Affiliation.objects.bulk_create(
        Affiliation(workspace_id=admin.workspace_id, person_id=pk, organization=romashka)
        for pk in ids[::5]
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _plan(sql: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql)
        return [row[3] for row in cursor.fetchall()]


def _page_plan(user, params) -> list[str]:
    client = Client()
    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("contacts:client_list"), params)
    assert response.status_code == 200
    [sql] = [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].startswith('SELECT "contacts_person"."id"') and " LIMIT 26" in q["sql"]
    ]
    return _plan(sql)


def _no_full_scans(plan: list[str]) -> None:
    assert [step for step in plan if "TEMP B-TREE" in step] == [], plan
    assert [
        step for step in plan if step.startswith("SCAN ") and "contacts_person" not in step
    ] == [], plan


SORTS = {
    "name": "person_ws_name_id_idx",
    "created": "person_ws_created_id_idx",
    "updated": "person_ws_updated_id_idx",
}


def test_every_sortable_column_has_an_index_here():
    assert {column.key for column in list_columns if column.sortable} == set(SORTS)


@pytest.mark.usefixtures("people")
@pytest.mark.parametrize("username", ["admin", "agent_a"])
@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("key", sorted(SORTS))
def test_each_sort_walks_its_index_without_a_sort(request, username, key, descending):
    user = request.getfixturevalue(username)
    plan = _page_plan(user, {"sort": f"-{key}" if descending else key, "page": "3"})

    _no_full_scans(plan)
    assert any(f"USING INDEX {SORTS[key]}" in step for step in plan), plan


@pytest.mark.usefixtures("people")
@pytest.mark.parametrize("username", ["admin", "agent_a"])
@pytest.mark.parametrize(
    ("params", "seeks"),
    [
        ({"open_tasks": "on"}, "INDEX activities_task_person_id_"),
        ({"contact_after": "2026-01-01"}, "INDEX inter_person_time_idx (person_id=?"),
        ({"contact_before": "2026-01-01"}, "INDEX inter_person_time_idx (person_id=?"),
        ({"organization": "ромашка"}, "contacts_affiliation_1 (person_id=? AND organization_id=?)"),
        ({}, "INDEX inter_person_time_idx (person_id=?"),  # the last contact column
    ],
)
def test_each_filter_asks_an_index_per_person_of_the_page(request, username, params, seeks):
    plan = _page_plan(request.getfixturevalue(username), params)

    _no_full_scans(plan)
    assert any("USING INDEX person_ws_updated_id_idx" in step for step in plan), plan
    assert any(seeks in step for step in plan), "\n".join(plan)
