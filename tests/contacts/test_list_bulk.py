"""Bulk actions on checked people: each runs through a service that checks the role and
the visibility rule (one hidden id refuses the whole call, nothing changed), audited."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from klient.contacts.bulk_services import (
    people_add_to_list,
    people_assign_owner,
    people_delete,
    people_tag_add,
    people_tag_remove,
)
from klient.contacts.errors import InvalidContactData
from klient.contacts.list_services import saved_list_create
from klient.contacts.models import Person, SavedList
from klient.contacts.services import person_create
from klient.core.errors import PermissionDenied
from klient.core.models import AuditEvent

pytestmark = pytest.mark.django_db

BULK = "/clients/bulk/"


@pytest.fixture
def mine(agent_a):
    """Two people of agent_a (team A)."""
    return [
        person_create(actor=agent_a, last_name="Иванов"),
        person_create(actor=agent_a, last_name="Петров"),
    ]


@pytest.fixture
def theirs(agent_b):
    """A person of team B, hidden from agent_a."""
    return person_create(actor=agent_b, last_name="Сидоров")


def _ids(people):
    return [p.pk for p in people]


def _tags(person):
    return sorted(person.tags.values_list("name", flat=True))


def test_an_agent_tags_their_people_and_each_change_is_audited(agent_a, mine):
    assert people_tag_add(actor=agent_a, person_ids=_ids(mine), tag=" VIP ") == 2

    assert [_tags(p) for p in mine] == [["VIP"], ["VIP"]]
    events = AuditEvent.objects.filter(action="person.update", object_id__in=_ids(mine))
    assert sorted(e.changes["tags"] for e in events) == [[[], ["VIP"]], [[], ["VIP"]]]


def test_a_tag_already_there_is_not_counted_twice(agent_a, mine):
    people_tag_add(actor=agent_a, person_ids=[mine[0].pk], tag="VIP")

    assert people_tag_add(actor=agent_a, person_ids=_ids(mine), tag="VIP") == 1


def test_removing_a_tag_takes_it_off_those_who_have_it(agent_a, mine):
    people_tag_add(actor=agent_a, person_ids=_ids(mine), tag="VIP")
    people_tag_add(actor=agent_a, person_ids=_ids(mine), tag="B2B")

    assert people_tag_remove(actor=agent_a, person_ids=_ids(mine), tag="VIP") == 2
    assert [_tags(p) for p in mine] == [["B2B"], ["B2B"]]


@pytest.mark.parametrize(
    "run",
    [
        lambda actor, ids, other: people_tag_add(actor=actor, person_ids=ids, tag="VIP"),
        lambda actor, ids, other: people_tag_remove(actor=actor, person_ids=ids, tag="VIP"),
        lambda actor, ids, other: people_assign_owner(actor=actor, person_ids=ids, owner_id=other),
        lambda actor, ids, other: people_delete(actor=actor, person_ids=ids),
    ],
    ids=["tag_add", "tag_remove", "assign_owner", "delete"],
)
def test_an_agent_cannot_touch_another_teams_person_by_id(agent_a, agent_a2, mine, theirs, run):
    before = AuditEvent.objects.count()

    with pytest.raises(InvalidContactData) as refused:
        run(agent_a, [*_ids(mine), theirs.pk], agent_a2.pk)

    assert refused.value.fields == {"ids": "Unknown person."}
    assert AuditEvent.objects.count() == before
    assert Person.objects.filter(pk__in=[*_ids(mine), theirs.pk]).count() == 3
    assert [_tags(p) for p in mine] == [[], []]
    assert {p.owner_id for p in Person.objects.filter(pk__in=_ids(mine))} == {agent_a.pk}


@pytest.mark.parametrize(
    "run",
    [
        lambda actor, ids: people_tag_add(actor=actor, person_ids=ids, tag="VIP"),
        lambda actor, ids: people_tag_remove(actor=actor, person_ids=ids, tag="VIP"),
        lambda actor, ids: people_assign_owner(actor=actor, person_ids=ids, owner_id=actor.pk),
        lambda actor, ids: people_delete(actor=actor, person_ids=ids),
        lambda actor, ids: people_add_to_list(actor=actor, person_ids=ids, saved_list_id=1),
    ],
    ids=["tag_add", "tag_remove", "assign_owner", "delete", "list_add"],
)
def test_an_analyst_cannot_run_any_bulk_action(analyst, mine, run):
    with pytest.raises(PermissionDenied):
        run(analyst, _ids(mine))


def test_assigning_an_owner_hands_the_people_to_a_colleague_who_then_sees_them(
    agent_a, agent_b, mine
):
    assert people_assign_owner(actor=agent_a, person_ids=_ids(mine), owner_id=agent_b.pk) == 2

    from klient.contacts.selectors import person_list

    assert set(person_list(user=agent_b).values_list("pk", flat=True)) >= set(_ids(mine))
    events = AuditEvent.objects.filter(action="person.update", object_id__in=_ids(mine))
    assert [e.changes["owner_id"] for e in events] == [[agent_a.pk, agent_b.pk]] * 2


def test_an_owner_from_another_workspace_is_refused(agent_a, mine, other_workspace_admin):
    with pytest.raises(InvalidContactData):
        people_assign_owner(actor=agent_a, person_ids=_ids(mine), owner_id=other_workspace_admin.pk)

    assert {p.owner_id for p in Person.objects.filter(pk__in=_ids(mine))} == {agent_a.pk}


def test_people_are_added_to_a_static_list(agent_a, mine):
    saved = saved_list_create(actor=agent_a, name="Звонить", kind=SavedList.Kind.STATIC)

    assert people_add_to_list(actor=agent_a, person_ids=_ids(mine), saved_list_id=saved.pk) == 2
    assert sorted(saved.members.values_list("pk", flat=True)) == sorted(_ids(mine))


def test_an_agent_deletes_their_people(agent_a, mine):
    assert people_delete(actor=agent_a, person_ids=_ids(mine)) == 2

    assert not Person.objects.filter(pk__in=_ids(mine)).exists()
    assert AuditEvent.objects.filter(action="person.delete").count() == 2


# Through the page ------------------------------------------------------------------------------


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_delete_from_the_list_asks_first_and_changes_nothing_until_confirmed(agent_a, mine):
    client = _client(agent_a)

    response = client.post(BULK, {"action": "delete", "ids": _ids(mine), "list_query": "sort=name"})

    assert response.status_code == 200
    assert "This cannot be undone. People affected: 2." in response.content.decode()
    assert Person.objects.filter(pk__in=_ids(mine)).count() == 2

    response = client.post(
        BULK, {"action": "delete", "ids": _ids(mine), "confirmed": "1", "list_query": "sort=name"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/clients/?sort=name"
    assert not Person.objects.filter(pk__in=_ids(mine)).exists()


def test_the_page_tags_the_checked_people_and_says_how_many(agent_a, mine):
    client = _client(agent_a)

    response = client.post(
        BULK, {"action": "tag_add", "tag": "VIP", "ids": _ids(mine), "list_query": ""}, follow=True
    )

    assert "Tag added: 2." in response.content.decode()
    assert [_tags(p) for p in mine] == [["VIP"], ["VIP"]]


def test_the_page_refuses_a_hidden_id_with_a_message_not_a_500(agent_a, mine, theirs):
    response = _client(agent_a).post(
        BULK,
        {"action": "tag_add", "tag": "VIP", "ids": [*_ids(mine), theirs.pk], "list_query": ""},
        follow=True,
    )

    assert response.status_code == 200
    assert "Unknown person." in response.content.decode()
    assert [_tags(p) for p in mine] == [[], []]


def test_an_analyst_is_refused_by_the_page(analyst, mine):
    response = _client(analyst).post(BULK, {"action": "tag_add", "tag": "VIP", "ids": _ids(mine)})

    assert response.status_code == 403
    assert [_tags(p) for p in mine] == [[], []]


def test_an_analyst_sees_the_people_but_no_bulk_bar(analyst, mine):
    html = _client(analyst).get(reverse("contacts:client_list")).content.decode()

    assert "Иванов" in html
    assert 'name="action"' not in html
    assert 'name="ids"' not in html
