"""Who sees which client records: the rules selectors apply for UI and API alike."""

import pytest

from klient.contacts.selectors import organization_list, person_get, person_list
from klient.contacts.services import organization_create, person_create
from klient.core.errors import NotFound


@pytest.fixture
def records(agent_a, agent_a2, agent_b, admin):
    return {
        "own_a": person_create(actor=agent_a, last_name="OwnA"),
        "teammate_a2": person_create(actor=agent_a2, last_name="TeammateA2"),
        "team_b": person_create(actor=agent_b, last_name="TeamB"),
        "admin_unteamed": person_create(actor=admin, last_name="AdminNoTeam"),
    }


def _names(user):
    return {p.last_name for p in person_list(user=user)}


def test_agent_sees_own_and_team_records(agent_a, records):
    assert _names(agent_a) == {"OwnA", "TeammateA2"}


def test_agent_of_other_team_sees_only_its_team(agent_b, records):
    assert _names(agent_b) == {"TeamB"}


def test_manager_sees_team_records(manager_a, records):
    assert _names(manager_a) == {"OwnA", "TeammateA2"}


def test_admin_and_analyst_see_everything(admin, analyst, records):
    everything = {"OwnA", "TeammateA2", "TeamB", "AdminNoTeam"}
    assert _names(admin) == everything
    assert _names(analyst) == everything


def test_other_workspace_sees_nothing_and_gets_not_found(other_workspace_admin, records):
    assert _names(other_workspace_admin) == set()
    with pytest.raises(NotFound):
        person_get(user=other_workspace_admin, person_id=records["own_a"].pk)


def test_invisible_record_is_not_found(agent_b, records):
    with pytest.raises(NotFound):
        person_get(user=agent_b, person_id=records["own_a"].pk)


def test_deactivated_user_sees_nothing(agent_a, records):
    agent_a.is_active = False
    agent_a.save()
    assert _names(agent_a) == set()


def test_user_without_workspace_sees_nothing(records, django_user_model):
    orphan = django_user_model.objects.create(username="orphan", role="admin")
    assert _names(orphan) == set()


def test_organizations_follow_the_same_rules(agent_a, agent_b):
    organization_create(actor=agent_a, name="Ромашка")
    organization_create(actor=agent_b, name="Лютик")
    assert {o.name for o in organization_list(user=agent_a)} == {"Ромашка"}
    assert {o.name for o in organization_list(user=agent_b)} == {"Лютик"}


def test_organization_people_lists_only_visible_people(agent_a, agent_b, admin, team_a, team_b):
    from klient.contacts.selectors import organization_people

    org = organization_create(actor=admin, name="Shared")
    for agent, team, name in ((agent_a, team_a, "MineA"), (agent_b, team_b, "TheirsB")):
        person_create(
            actor=admin, last_name=name, organization_id=org.pk, owner_id=agent.pk, team_id=team.pk
        )
    names = {a.person.last_name for a in organization_people(user=agent_a, organization=org)}
    assert names == {"MineA"}
