"""The platform's registries: an app plugs a panel, a 360 section, a nav item, a search
source or a delete guard in, and the dossier shows it without knowing the app."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from klient.contacts.services import person_delete
from klient.core.errors import Conflict
from klient.core.registry import (
    CardPanel,
    Client360Section,
    ClientRecordsHandler,
    NavItem,
    card_panels,
    client_360_sections,
    client_records,
    demo_steps,
    nav_items,
    records_describe,
)
from klient.core.selectors import global_search
from tests.api.client import ApiClient

pytestmark = pytest.mark.django_db


TEST_TEMPLATES = Path(__file__).parent / "templates"


@pytest.fixture
def plugged(settings) -> Iterator[list[tuple[Any, str]]]:
    """Entries a test registers, removed afterwards; the test panel's template is found."""
    engine = copy.deepcopy(settings.TEMPLATES[0])
    engine["DIRS"] = [*engine["DIRS"], TEST_TEMPLATES]
    settings.TEMPLATES = [engine]
    entries: list[tuple[Any, str]] = []
    yield entries
    for registry, key in entries:
        registry.unregister(key)


def test_a_registered_panel_shows_on_the_person_card_only(
    client_for, agent_a, person_a, org_a, plugged
):
    seen: list[int] = []

    def context(user, record):
        seen.append(record.pk)
        return {"deal_count": 3}

    card_panels.register(
        CardPanel(
            key="test.deals",
            subject="contacts.person",
            template="klient/_test_panel.html",
            context=context,
        )
    )
    plugged.append((card_panels, "test.deals"))

    person_page = client_for(agent_a).get(reverse("contacts:person_detail", args=[person_a.pk]))
    org_page = client_for(agent_a).get(reverse("contacts:organization_detail", args=[org_a.pk]))

    assert 'data-panel="test">3 open deals' in person_page.content.decode()
    assert 'data-panel="test"' not in org_page.content.decode()
    assert seen == [person_a.pk]


def test_a_panel_whose_context_is_none_is_left_out(client_for, agent_a, person_a, plugged):
    card_panels.register(
        CardPanel(
            key="test.hidden",
            subject="contacts.person",
            template="klient/_test_panel.html",
            context=lambda user, record: None,
        )
    )
    plugged.append((card_panels, "test.hidden"))
    page = client_for(agent_a).get(reverse("contacts:person_detail", args=[person_a.pk]))
    assert page.status_code == 200
    assert 'data-panel="test"' not in page.content.decode()


def test_the_timeline_on_the_card_comes_from_the_activities_panel(client_for, agent_a, person_a):
    page = client_for(agent_a).get(reverse("contacts:person_detail", args=[person_a.pk]))
    keys = [panel["key"] for panel in page.context["panels_main"]]
    assert keys == ["activities.contacts.person"]
    assert "timeline" in page.context  # the panel's context, seen by its templates


def test_client_360_is_composed_from_the_registered_sections(agent_a, person_a, plugged):
    client_360_sections.register(
        Client360Section(key="scores", rows=lambda user, person_id, limit: [{"nps": 9}])
    )
    plugged.append((client_360_sections, "scores"))
    answer = ApiClient(agent_a).get(f"/people/{person_a.pk}/360")
    assert answer.status_code == 200
    body = answer.json()
    assert body["scores"] == [{"nps": 9}]
    assert "timeline" in body and "open_tasks" in body


def test_nav_items_follow_their_roles(client_for, admin, agent_a, plugged):
    nav_items.register(
        NavItem(
            key="test.reports",
            label="Reports for admins",
            url=lambda user: "/reports/",
            icon="i-tag",
            section="reports",
            roles=frozenset({"admin"}),
        )
    )
    plugged.append((nav_items, "test.reports"))
    as_admin = client_for(admin).get(reverse("contacts:client_list")).content.decode()
    as_agent = client_for(agent_a).get(reverse("contacts:client_list")).content.decode()
    assert "Reports for admins" in as_admin
    assert "Reports for admins" not in as_agent
    assert "My tasks" in as_agent  # registered by activities


def test_a_protected_record_keeps_a_person_from_being_deleted(agent_a, person_a, plugged):
    client_records.register(
        ClientRecordsHandler(
            key="test.orders",
            label="Orders",
            count=lambda subject, record_id: 2 if subject == "contacts.person" else 0,
            protects=True,
        )
    )
    plugged.append((client_records, "test.orders"))
    with pytest.raises(Conflict) as refused:
        person_delete(actor=agent_a, person=person_a)
    assert "Orders: 2" in str(refused.value.message)
    answer = ApiClient(agent_a).delete(f"/people/{person_a.pk}")
    assert answer.status_code == 409


def test_history_alone_does_not_protect_a_person(agent_a, person_a):
    from klient.activities.services import interaction_create

    interaction_create(actor=agent_a, kind="call", person=person_a)
    person_delete(actor=agent_a, person=person_a)  # the timeline goes with the client, as before


def test_global_search_finds_each_kind_the_user_may_see(agent_a, agent_b, person_a, org_a):
    hits = global_search(user=agent_a, query="петров")
    assert [(hit.kind, hit.id) for hit in hits] == [("contacts.person", person_a.pk)]
    assert hits[0].url == reverse("contacts:person_detail", args=[person_a.pk])
    assert [hit.kind for hit in global_search(user=agent_a, query="ромашка")] == [
        "contacts.person",  # the person's company is part of their search text
        "contacts.organization",
    ]
    assert global_search(user=agent_b, query="петров") == []

    answer = ApiClient(agent_a).get("/search/all", q="ромашка")
    assert answer.status_code == 200
    assert [row["kind"] for row in answer.json()["results"]] == [
        "contacts.person",
        "contacts.organization",
    ]


def test_records_are_described_by_kind(person_a, org_a):
    described = records_describe(
        [("contacts.person", person_a.pk), ("contacts.organization", org_a.pk), ("x.y", 1)]
    )
    assert described[("contacts.person", person_a.pk)].name == "Иван Петров"
    assert described[("contacts.organization", org_a.pk)].url == reverse(
        "contacts:organization_detail", args=[org_a.pk]
    )
    assert ("x.y", 1) not in described


def test_demo_steps_run_lower_apps_first():
    assert [step.key for step in demo_steps] == [
        "calendars",
        "money",
        "contacts",
        "activities",
        "attachments",
        "sales",
    ]
