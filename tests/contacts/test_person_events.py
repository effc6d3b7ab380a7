"""person.merged and person.deleting: sent in the change's transaction, so the apps that
hold a person's records move or clean them as part of the merge or the delete."""

from __future__ import annotations

import pytest

from klient.activities.models import Interaction
from klient.activities.services import interaction_create
from klient.contacts.events import PersonDeleting, PersonMerged, person_deleting, person_merged
from klient.contacts.models import Person
from klient.contacts.services import person_create, person_delete, person_merge
from klient.core import events

pytestmark = pytest.mark.django_db


def test_a_merge_sends_person_merged_and_the_timeline_moves_with_it(admin):
    primary = person_create(actor=admin, last_name="Primary")
    duplicate = person_create(actor=admin, last_name="Duplicate")
    call = interaction_create(actor=admin, kind="call", person=duplicate)

    with events.captured() as sent:
        person_merge(actor=admin, primary=primary, duplicate=duplicate)

    assert [(item.name, item.payload) for item in sent] == [
        (
            "person.merged",
            PersonMerged(
                workspace_id=admin.workspace_id,
                primary_id=primary.pk,
                duplicate_id=duplicate.pk,
                actor_id=admin.pk,
            ),
        )
    ]
    assert Interaction.objects.get(pk=call.pk).person_id == primary.pk


def test_a_merge_whose_handler_fails_is_undone_whole(admin):
    primary = person_create(actor=admin, last_name="Primary")
    duplicate = person_create(actor=admin, last_name="Duplicate")
    call = interaction_create(actor=admin, kind="call", person=duplicate)

    def refuse(payload: PersonMerged, *, event_id: str) -> None:
        raise RuntimeError("a deal could not move")

    person_merged.connect_in_transaction(refuse)
    try:
        with pytest.raises(RuntimeError):
            person_merge(actor=admin, primary=primary, duplicate=duplicate)
    finally:
        person_merged.disconnect(refuse)

    assert Person.objects.get(pk=duplicate.pk).merged_into_id is None
    assert Interaction.objects.get(pk=call.pk).person_id == duplicate.pk


def test_person_deleting_is_sent_while_the_person_still_exists(admin):
    person = person_create(actor=admin, last_name="Leaving")
    seen: list[bool] = []

    def look(payload: PersonDeleting, *, event_id: str) -> None:
        seen.append(Person.objects.filter(pk=payload.person_id).exists())

    person_deleting.connect_in_transaction(look)
    try:
        person_delete(actor=admin, person=person)
    finally:
        person_deleting.disconnect(look)

    assert seen == [True]
    assert not Person.objects.filter(pk=person.pk).exists()
