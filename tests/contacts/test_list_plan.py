"""The client list reads one page from an index, whatever the number of people.

At 100,000 people the list sorted a whole import batch (its people share `updated_at`)
for every first page, a search sorted every match by last change (565 ms for «алекс»
at 300,000), and the segment menu read every person. The plans, not the times, are what
a test can hold (see test_duplicates_plan.py).
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from klient.contacts.bulk import PersonRow, people_bulk_insert
from klient.contacts.selectors import segment_names
from tests.api.client import ApiClient

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="reads SQLite's query plan"),
]

NAMES = ("Алексеев", "Иванов", "Петрова", "Александрова", "Смирнов")


@pytest.fixture
def people(admin, agent_a, team_a):
    """3,000 people written in one batch, as an import writes them: one `updated_at`."""
    people_bulk_insert(
        workspace_id=admin.workspace_id,
        people=[
            PersonRow(
                first_name=f"Имя{n}",
                last_name=NAMES[n % len(NAMES)],
                owner_id=agent_a.pk if n % 3 == 0 else admin.pk,
                team_id=team_a.pk if n % 3 == 0 else None,
                segment=("SMB", "Enterprise", "")[n % 3],
            )
            for n in range(3000)
        ],
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # what the daily planner-statistics job leaves behind


def _plan(sql: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql)
        return [row[3] for row in cursor.fetchall()]


def _page_query_plan(captured: CaptureQueriesContext, limit: int) -> list[str]:
    [sql] = [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].startswith('SELECT "contacts_person"."id"')
        and q["sql"].endswith(f"LIMIT {limit}")
    ]
    return _plan(sql)


@pytest.mark.usefixtures("people")
@pytest.mark.parametrize("username", ["admin", "agent_a"])
@pytest.mark.parametrize(
    ("params", "walked"),
    [
        ({}, "USING INDEX person_ws_updated_id_idx"),
        ({"q": "алекс"}, "VIRTUAL TABLE"),  # the search index, in its rowid order
        ({"owner": "agent_a"}, "USING INDEX person_ws_owner_updated_idx"),
    ],
)
def test_the_list_page_is_read_in_index_order_without_a_sort(request, username, params, walked):
    client = Client()
    client.force_login(request.getfixturevalue(username))
    if "owner" in params:
        params = {"owner": request.getfixturevalue(params["owner"]).pk}
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("contacts:client_list"), params)
    assert response.status_code == 200

    plan = _page_query_plan(captured, 26)  # a page of 25 and one to tell if there is more
    assert [step for step in plan if "TEMP B-TREE" in step] == [], plan
    assert any(walked in step for step in plan), plan


@pytest.mark.usefixtures("people")
def test_the_api_first_page_of_people_is_read_in_index_order_without_a_sort(admin):
    with CaptureQueriesContext(connection) as captured:
        response = ApiClient(admin).get("/people")
    assert response.status_code == 200

    plan = _page_query_plan(captured, 51)
    assert [step for step in plan if "TEMP B-TREE" in step] == [], plan
    assert any("USING INDEX person_ws_updated_id_idx" in step for step in plan), plan


@pytest.mark.usefixtures("people")
@pytest.mark.parametrize("username", ["admin", "agent_a"])
def test_the_segment_menu_seeks_the_segment_index_instead_of_reading_every_person(
    request, username
):
    with CaptureQueriesContext(connection) as captured:
        segment_names(user=request.getfixturevalue(username))

    [sql] = [q["sql"] for q in captured.captured_queries if "RECURSIVE" in q["sql"]]
    plan = _plan(sql)
    person_steps = [step for step in plan if " contacts_person " in f"{step} "]
    assert person_steps == [
        "SEARCH contacts_person USING INDEX person_ws_segment_idx (workspace_id=? AND segment>?)"
    ]
