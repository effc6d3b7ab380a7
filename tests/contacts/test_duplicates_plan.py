"""The "possible duplicates" panel starts from the person's own emails and phones.

At 300,000 people an OR over two outer joins made SQLite walk every person of the
workspace for each card (3.7 s). The plan, not the time, is what a test can hold.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from klient.contacts.models import Person
from klient.contacts.selectors import person_duplicates
from klient.contacts.services import organization_create, person_create

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(connection.vendor != "sqlite", reason="reads SQLite's query plan")
def test_no_duplicates_query_scans_the_person_table(admin):
    org = organization_create(actor=admin, name="Ромашка")
    person = person_create(
        actor=admin,
        first_name="Пётр",
        last_name="Петров",
        emails=["p@example.org"],
        phones=["+79161234567"],
        organization_id=org.pk,
    )
    person_create(actor=admin, last_name="Иванов", emails=["p@example.org"])
    # A workspace of some size, so the planner's statistics tell a walk from a lookup.
    Person.objects.bulk_create(
        Person(workspace=admin.workspace, last_name=f"Кузнецов{n}", full_name=f"Кузнецов{n}")
        for n in range(3000)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # what the daily planner-statistics job leaves behind
    with CaptureQueriesContext(connection) as captured:
        found = list(person_duplicates(user=admin, person=person))
    assert [p.last_name for p in found] == ["Иванов"]
    plans = []
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            cursor.execute("EXPLAIN QUERY PLAN " + query["sql"])
            plans += [row[3] for row in cursor.fetchall()]
    # Every step on the person table is a lookup by id; a SCAN, or a SEARCH by workspace
    # alone, walks the whole workspace.
    person_steps = [step for step in plans if " contacts_person " in f"{step} "]
    assert person_steps
    assert [step for step in person_steps if "INTEGER PRIMARY KEY (rowid=?)" not in step] == [], (
        captured.captured_queries
    )
