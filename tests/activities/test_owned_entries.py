"""Timeline entries and tasks owned by a record of another app (ADR 0010).

A deal does not exist yet; a team stands in for it here, registered as a record kind the
way sales will register deals: visible to its members only (a rule unlike the clients'
owner/team rule, so the test shows the timeline asks the owner's own hook). An entry it
owns rolls up to a person and an organization, and shows on their timelines only to who
may see the owner.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pytest
from django.db.models import Model, Q
from django.test import Client

from klient.activities.kinds import InteractionKind, interaction_kinds
from klient.activities.models import Interaction
from klient.activities.selectors import (
    interaction_list,
    person_timeline_rows,
    task_list,
    tasks_my_open,
    timeline_page,
)
from klient.activities.services import (
    interaction_create,
    interaction_update,
    owner_entries_delete,
    system_event_record,
    task_create,
)
from klient.contacts.services import organization_create, person_create
from klient.core.errors import NotFound, PermissionDenied, ValidationFailed
from klient.core.models import Team, User
from klient.core.registry import RecordKind, RecordRef, record_kinds
from tests.api.client import ApiClient

pytestmark = pytest.mark.django_db

KIND = "core.team"  # a record kind is keyed by its model label
STAGE_MOVED = "tests.stage_moved"
PERSON = "contacts.person"
ORGANIZATION = "contacts.organization"


def _members_only(user: User, path: str) -> Q:
    if user.role == "admin":
        return Q()
    return Q(**{f"{path}members": user.pk})


def _describe(ids: Sequence[int]) -> dict[int, RecordRef]:
    rows = Team.objects.filter(pk__in=list(ids)).values_list("pk", "name")
    return {pk: RecordRef(KIND, pk, name, f"/squads/{pk}/") for pk, name in rows}


def _visible(user: User, ids: Sequence[int]) -> set[int]:
    rows = Team.objects.filter(_members_only(user, ""), workspace_id=user.workspace_id)
    return set(rows.filter(pk__in=list(ids)).values_list("pk", flat=True))


def _resolve(user: User, record_id: int) -> Model:
    if record_id not in _visible(user, [record_id]):
        raise NotFound()
    return Team.objects.get(pk=record_id)


@pytest.fixture(autouse=True)
def squad_kind() -> Iterator[None]:
    record_kinds.register(
        RecordKind(
            key=KIND,
            label="Squad",
            model=Team,
            describe=_describe,
            resolve=_resolve,
            visible_ids=_visible,
            visibility=_members_only,
        )
    )
    interaction_kinds.register(InteractionKind(key=STAGE_MOVED, label="Stage", system=True))
    yield
    record_kinds.unregister(KIND)
    interaction_kinds.unregister(STAGE_MOVED)


@pytest.fixture
def deal(team_a):
    """Team A's squad: agent_a is a member; agent_a2 (same team) too; agent_b is not."""
    return team_a


@pytest.fixture
def client_pair(admin, team_a):
    """A client both agents of the workspace may see: owned by nobody, in team A and B."""
    org = organization_create(actor=admin, name="ООО Сделка", team_id=team_a.pk)
    person = person_create(actor=admin, last_name="Контактов", team_id=team_a.pk)
    return person, org


@pytest.fixture
def stage_moved(deal, client_pair) -> Interaction:
    person, org = client_pair
    return system_event_record(
        owner=deal,
        kind=STAGE_MOVED,
        subject="STAGE: proposal",
        person=person,
        organization=org,
    )


def test_a_system_event_has_no_author_and_shows_on_its_owner_and_clients(
    agent_a, deal, client_pair, stage_moved
):
    person, org = client_pair
    for owner in ((KIND, deal.pk), (PERSON, person.pk), (ORGANIZATION, org.pk)):
        items = timeline_page(user=agent_a, owner=owner).items
        assert [item.subject for item in items] == ["STAGE: proposal"], owner
    assert stage_moved.author_id is None
    assert stage_moved.owner_ref == (KIND, deal.pk)


def test_an_entry_rolled_up_from_a_hidden_owner_stays_hidden(
    agent_b, team_b, deal, client_pair, stage_moved
):
    person, org = client_pair
    person.team = team_b
    person.save()
    org.team = team_b
    org.save()
    assert timeline_page(user=agent_b, owner=(PERSON, person.pk)).items == []
    assert timeline_page(user=agent_b, owner=(ORGANIZATION, org.pk)).items == []
    assert person_timeline_rows(user=agent_b, person_id=person.pk) == []
    assert not interaction_list(user=agent_b).filter(pk=stage_moved.pk).exists()


def test_the_client_360_path_applies_the_owner_rule(agent_a, admin, client_pair, stage_moved):
    person, _org = client_pair
    own = interaction_create(actor=admin, kind="call", person=person, subject="CALL")
    for user in (agent_a, admin):
        rows = person_timeline_rows(user=user, person_id=person.pk)
        assert [row["id"] for row in rows] == [own.pk, stage_moved.pk]


def test_a_person_may_not_record_a_system_kind(agent_a, client_pair, stage_moved):
    person, _org = client_pair
    with pytest.raises(ValidationFailed) as error:
        interaction_create(actor=agent_a, kind=STAGE_MOVED, person=person)
    assert "kind" in error.value.fields
    with pytest.raises(PermissionDenied):
        interaction_update(actor=agent_a, interaction=stage_moved, data={"subject": "edited"})


def test_a_system_event_needs_a_registered_system_kind(deal):
    with pytest.raises(ValidationFailed):
        system_event_record(owner=deal, kind="call", subject="not a system kind")
    with pytest.raises(ValidationFailed):
        system_event_record(owner=deal, kind="tests.unknown", subject="unregistered")


def test_a_repeated_system_event_with_its_key_is_recorded_once(deal):
    for _attempt in range(2):
        system_event_record(
            owner=deal, kind=STAGE_MOVED, subject="won", idempotency_key="squad:1:won"
        )
    assert Interaction.objects.filter(subject_kind=KIND, subject_id=deal.pk).count() == 1


def test_a_person_logs_a_call_on_another_record(agent_a, agent_b, deal, client_pair):
    person, _org = client_pair
    call = interaction_create(
        actor=agent_a, kind="call", owner=deal, person=person, subject="deal call"
    )
    assert call.owner_ref == (KIND, deal.pk)
    assert call.organization_id is None  # the contact has no primary organization
    with pytest.raises(ValidationFailed) as error:
        interaction_create(actor=agent_b, kind="call", owner=deal, person=person)
    assert "subject_id" in error.value.fields


def test_a_task_on_another_record_follows_it(agent_a, agent_a2, agent_b, deal, client_pair):
    person, _org = client_pair
    task = task_create(actor=agent_a, title="Send the quote", owner=deal, person=person)
    assert task.owner_ref == (KIND, deal.pk)
    assert list(tasks_my_open(user=agent_a)) == [task]
    assert not task_list(user=agent_b).filter(pk=task.pk).exists()
    with pytest.raises(ValidationFailed) as error:
        task_create(actor=agent_a, title="x", owner=deal, assignee=agent_b)
    assert error.value.fields == {"assignee_id": "This colleague cannot see this client."}
    task_create(actor=agent_a, title="for a colleague", owner=deal, assignee=agent_a2)


def test_the_api_takes_an_owner_and_refuses_a_hidden_one(agent_a, agent_b, deal, client_pair):
    person, _org = client_pair
    body = {"kind": "call", "subject_kind": KIND, "subject_id": deal.pk, "person_id": person.pk}
    created = ApiClient(agent_a).post("/interactions", body)
    assert created.status_code == 201
    assert (created.json()["subject_kind"], created.json()["subject_id"]) == (KIND, deal.pk)
    listed = ApiClient(agent_a).get("/interactions", subject_kind=KIND, subject_id=deal.pk)
    assert [item["id"] for item in listed.json()["items"]] == [created.json()["id"]]

    refused = ApiClient(agent_b).post("/interactions", body)
    assert refused.status_code == 422
    assert "subject_id" in refused.json()["fields"]
    system = ApiClient(agent_a).post("/interactions", {**body, "kind": STAGE_MOVED})
    assert system.status_code == 422


def test_the_record_timeline_page_names_the_owner_on_a_clients_card(
    agent_a, deal, client_pair, stage_moved
):
    person, _org = client_pair
    client = Client()
    client.force_login(agent_a)
    card = client.get(f"/people/{person.pk}/").content.decode()
    assert "STAGE: proposal" in card
    assert f'href="/squads/{deal.pk}/"' in card
    owner_page = client.get(f"/records/{KIND}/{deal.pk}/timeline/")
    assert owner_page.status_code == 200
    assert "STAGE: proposal" in owner_page.content.decode()


def test_the_record_timeline_page_is_404_for_a_hidden_owner(agent_b, deal, stage_moved):
    client = Client()
    client.force_login(agent_b)
    assert client.get(f"/records/{KIND}/{deal.pk}/timeline/").status_code == 404
    assert client.get(f"/records/tests.nothing/{deal.pk}/timeline/").status_code == 404


def test_deleting_the_owner_takes_its_entries(agent_a, deal, client_pair, stage_moved):
    person, _org = client_pair
    task_create(actor=agent_a, title="Quote", owner=deal, person=person)
    removed = owner_entries_delete(kind=KIND, record_id=deal.pk)
    assert removed == {"interactions": 1, "tasks": 1}
    assert person_timeline_rows(user=agent_a, person_id=person.pk) == []


def test_a_system_event_on_a_client_is_the_clients_own_entry(agent_a, client_pair):
    person, _org = client_pair
    sent = system_event_record(owner=person, kind=STAGE_MOVED, subject="EMAIL SENT")
    assert (sent.subject_kind, sent.subject_id, sent.person_id) == ("", None, person.pk)
    assert sent.owner_ref == (PERSON, person.pk)
    rows = person_timeline_rows(user=agent_a, person_id=person.pk)
    assert [row["subject"] for row in rows] == ["EMAIL SENT"]
