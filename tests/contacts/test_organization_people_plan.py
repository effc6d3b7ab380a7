"""An organization's card lists its people by looking each one up, not the whole workspace.

`person_id IN (visible people)` made SQLite list every person of the workspace for an
administrator: 1.3 s per card at 1,000,000 people.
"""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from klient.contacts.bulk import PersonRow, people_bulk_insert
from klient.contacts.selectors import organization_people
from klient.contacts.services import organization_create, person_create, person_merge

pytestmark = pytest.mark.django_db


@pytest.fixture
def org(admin):
    return organization_create(actor=admin, name="Ромашка")


@pytest.mark.skipif(connection.vendor != "sqlite", reason="reads SQLite's query plan")
@pytest.mark.parametrize("username", ["admin", "agent_a"])
def test_no_step_walks_the_person_table(request, org, admin, agent_a, team_a, username):
    people_bulk_insert(
        workspace_id=admin.workspace_id,
        people=[
            PersonRow(
                last_name=f"Иванов{n}",
                owner_id=agent_a.pk,
                team_id=team_a.pk,
                organizations=[(org.pk, "employee")] if n % 100 == 0 else [],
            )
            for n in range(3000)
        ],
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    user = request.getfixturevalue(username)
    with CaptureQueriesContext(connection) as captured:
        found = list(organization_people(user=user, organization=org)[:100])
    assert len(found) == 30

    [sql] = [q["sql"] for q in captured.captured_queries if "contacts_affiliation" in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql)
        plan = [row[3] for row in cursor.fetchall()]
    # Django names a subquery's table U0, U1...: `person_id IN (SELECT U0.id ...)` is a walk.
    person_steps = [step for step in plan if re.search(r" (contacts_person|U\d+) ", f"{step} ")]
    assert person_steps
    assert [step for step in person_steps if "INTEGER PRIMARY KEY (rowid=?)" not in step] == []


def test_people_by_name_without_the_merged_ones(admin, org):
    for last_name in ("Смирнов", "Алексеев", "Петров"):
        person_create(actor=admin, last_name=last_name, organization_id=org.pk)
    primary = person_create(actor=admin, last_name="Иванов", organization_id=org.pk)
    duplicate = person_create(actor=admin, last_name="Иванов", organization_id=org.pk)
    person_merge(actor=admin, primary=primary, duplicate=duplicate)

    found = [a.person_id for a in organization_people(user=admin, organization=org)]

    names = [a.person.last_name for a in organization_people(user=admin, organization=org)]
    assert names == ["Алексеев", "Иванов", "Петров", "Смирнов"]
    assert duplicate.pk not in found


def test_a_manager_sees_the_people_of_their_team_members(admin, manager_a, agent_a, agent_b, org):
    person_create(actor=admin, last_name="Клиент А", organization_id=org.pk, owner_id=agent_a.pk)
    person_create(actor=admin, last_name="Клиент Б", organization_id=org.pk, owner_id=agent_b.pk)

    names = [a.person.last_name for a in organization_people(user=manager_a, organization=org)]

    assert names == ["Клиент А"]
