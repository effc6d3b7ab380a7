"""The people list's filters: organization, last contact date (from / before) and
"has open tasks", each keeping to what the user may see."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from klient.activities.models import Interaction, Task
from klient.contacts.services import affiliation_set, organization_create, person_create
from tests.factories import InteractionFactory, TaskFactory

pytestmark = pytest.mark.django_db

URL = "/clients/"
UTC = ZoneInfo("UTC")


def _names(user, params) -> list[str]:
    client = Client()
    client.force_login(user)
    html = client.get(URL, {**params, "sort": "name"}).content.decode()
    return re.findall(r'<a href="/people/\d+/">([^<]+)</a>', html)


@pytest.fixture
def people(agent_a):
    return {
        name: person_create(actor=agent_a, first_name="", last_name=name)
        for name in ("Антонов", "Борисов", "Волков")
    }


def test_the_organization_filter_matches_the_organization_name(agent_a, people):
    romashka = organization_create(actor=agent_a, name="Ромашка")
    lutik = organization_create(actor=agent_a, name="Лютик")
    affiliation_set(actor=agent_a, person=people["Антонов"], organization=romashka, role="other")
    affiliation_set(actor=agent_a, person=people["Борисов"], organization=lutik, role="other")

    assert _names(agent_a, {"organization": "ромаш"}) == ["Антонов"]


def test_the_organization_filter_ignores_organizations_the_user_cannot_see(
    agent_a, agent_b, people
):
    hidden = organization_create(actor=agent_b, name="Ромашка")
    # agent_b links an agent_a person they cannot see: done here directly on the model.
    people["Антонов"].affiliations.create(
        workspace_id=hidden.workspace_id, organization=hidden, role="other"
    )

    assert _names(agent_a, {"organization": "ромашка"}) == []


def _contact(person, when):
    return InteractionFactory(person=person, workspace=person.workspace, occurred_at=when)


@pytest.fixture
def contacted(people):
    _contact(people["Антонов"], datetime(2026, 3, 1, 12, tzinfo=UTC))
    _contact(people["Борисов"], datetime(2026, 1, 10, 12, tzinfo=UTC))
    _contact(people["Борисов"], datetime(2026, 2, 20, 12, tzinfo=UTC))
    return people  # Волков: never contacted


@pytest.mark.usefixtures("contacted")
def test_last_contact_from_a_date_lists_those_contacted_since(agent_a):
    assert _names(agent_a, {"contact_after": "2026-02-15"}) == ["Антонов", "Борисов"]
    assert _names(agent_a, {"contact_after": "2026-02-25"}) == ["Антонов"]


@pytest.mark.usefixtures("contacted")
def test_last_contact_before_a_date_lists_those_gone_quiet_since(agent_a):
    assert _names(agent_a, {"contact_before": "2026-02-25"}) == ["Борисов"]
    assert _names(agent_a, {"contact_before": "2026-03-02"}) == ["Антонов", "Борисов"]


@pytest.mark.usefixtures("contacted")
def test_the_last_contact_column_shows_the_latest_contact_date(agent_a):
    client = Client()
    client.force_login(agent_a)
    html = client.get(URL, {"sort": "name"}).content.decode()

    cells = re.findall(r'<td data-column="last_contact">(.*?)</td>', html)
    assert [re.sub(r"<[^>]+>", "", c) for c in cells] == ["1 Mar 2026", "20 Feb 2026", "—"]


def test_a_bad_date_is_ignored_not_an_error(agent_a, people):
    assert _names(agent_a, {"contact_before": "вчера"}) == ["Антонов", "Борисов", "Волков"]


def test_has_open_tasks_lists_people_with_an_open_task_only(agent_a, people):
    workspace = people["Антонов"].workspace
    TaskFactory(workspace=workspace, person=people["Антонов"], assignee=agent_a)
    TaskFactory(
        workspace=workspace, person=people["Борисов"], assignee=agent_a, status=Task.Status.DONE
    )

    assert _names(agent_a, {"open_tasks": "on"}) == ["Антонов"]


def test_filters_combine(agent_a, people):
    workspace = people["Антонов"].workspace
    TaskFactory(workspace=workspace, person=people["Антонов"], assignee=agent_a)
    TaskFactory(workspace=workspace, person=people["Борисов"], assignee=agent_a)
    _contact(people["Борисов"], datetime.now(UTC) - timedelta(days=1))

    since = (datetime.now(UTC) - timedelta(days=3)).date().isoformat()
    assert _names(agent_a, {"open_tasks": "on", "contact_after": since}) == ["Борисов"]
    assert Interaction.objects.count() == 1
