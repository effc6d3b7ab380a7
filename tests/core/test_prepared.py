"""PreparedQuery returns what the ORM returns, with the parameters of each call."""

import pytest

from klient.contacts.models import EmailAddress, Person
from klient.contacts.services import person_create
from klient.core.prepared import PreparedQuery

PERSON = PreparedQuery(
    lambda p: Person.objects.filter(workspace_id=p["workspace_id"], pk=p["person_id"]).values(
        "id", "last_name", "created_at", "merged_into_id"
    ),
    workspace_id=int,
    person_id=int,
)
EMAILS = PreparedQuery(
    lambda p: (
        EmailAddress.objects.filter(person_id=p["person_id"], kind=p["kind"])
        .order_by("-is_primary", "id")
        .values_list("email", "is_primary")
    ),
    person_id=int,
    kind=str,
)


def test_rows_match_the_orm_for_each_call(admin):
    first = person_create(actor=admin, last_name="Кузнецов", emails=["a@x.ru", "ab@x.ru"])
    second = person_create(actor=admin, last_name="Smith")

    for person in (first, second):
        assert PERSON.dicts(workspace_id=admin.workspace_id, person_id=person.pk) == list(
            Person.objects.filter(pk=person.pk).values(
                "id", "last_name", "created_at", "merged_into_id"
            )
        )
    assert PERSON.dicts(workspace_id=admin.workspace_id + 1, person_id=first.pk) == []
    assert EMAILS.rows(person_id=first.pk, kind="work") == [["a@x.ru", True], ["ab@x.ru", False]]
    assert EMAILS.rows(person_id=first.pk, kind="home") == []
    assert (
        PERSON.dicts(workspace_id=admin.workspace_id, person_id=first.pk)[0]["created_at"].tzinfo
        is not None
    )


def test_each_run_is_one_counted_query(admin, django_assert_num_queries):
    person = person_create(actor=admin, last_name="Petrov")
    with django_assert_num_queries(1):
        assert PERSON.column(workspace_id=admin.workspace_id, person_id=person.pk) == [person.pk]


@pytest.mark.parametrize(
    "build",
    [
        lambda p: Person.objects.values("id"),  # not used at all
        lambda p: Person.objects.filter(last_name__startswith=p["name"]).values("id"),  # a pattern
    ],
)
def test_a_parameter_that_does_not_reach_the_sql_as_is_is_refused(db, build):
    prepared = PreparedQuery(build, name=str)
    with pytest.raises(ValueError, match="did not reach the SQL"):
        prepared.rows(name="Ку")
