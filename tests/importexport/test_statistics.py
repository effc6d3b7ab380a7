"""A big import refreshes the query planner's statistics, so searching what it brought in
is planned from the search index, not by walking every person."""

from __future__ import annotations

import pytest
from django.db import connection

from klient.contacts.selectors import person_list
from klient.contacts.services import person_create
from klient.core.services import planner_statistics_refresh
from klient.importexport.engine import STATISTICS_REFRESH_ROWS

pytestmark = pytest.mark.django_db


def _analyzed(table: str) -> bool:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if not cursor.fetchone()[0]:
                return False
            cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = %s", [table])
            return cursor.fetchone()[0] > 0
        # -1 until the table is first analyzed or vacuumed
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
        return cursor.fetchone()[0] >= 0


def _search_plan(user, query: str) -> list[str]:
    rows = person_list(user=user, filters={"q": query}).order_by()[:100]
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return [row[-1] for row in cursor.fetchall()]


def _people_csv(count: int) -> list[list[str]]:
    return [["Фамилия", "Имя", "Email", "Телефон"]] + [
        [f"Петрова{i}", "Анна", f"anna{i}@example.com", f"+7916{i:07d}"] for i in range(count)
    ]


def test_a_big_import_leaves_statistics_and_search_starts_from_the_index(
    admin, write_file, run_import
):
    job = run_import(admin, write_file("people.csv", _people_csv(STATISTICS_REFRESH_ROWS)))

    assert job.created_count == STATISTICS_REFRESH_ROWS
    for table in ("contacts_person", "contacts_emailaddress", "contacts_phonenumber"):
        assert _analyzed(table), table
    if connection.vendor == "sqlite":
        plan = _search_plan(admin, "петрова12")
        assert plan[0].startswith("SCAN contacts_person_fts VIRTUAL TABLE"), plan


def test_a_small_import_leaves_statistics_alone(admin, write_file, run_import):
    if connection.vendor != "sqlite":
        pytest.skip("autovacuum may analyze PostgreSQL's tables at any moment")
    run_import(admin, write_file("people.csv", _people_csv(STATISTICS_REFRESH_ROWS - 1)))

    assert not _analyzed("contacts_person")


def test_refresh_without_tables_covers_the_whole_database(admin):
    person_create(actor=admin, first_name="Анна", last_name="Петрова")
    planner_statistics_refresh()

    assert _analyzed("contacts_person")
    assert _analyzed("core_user")
