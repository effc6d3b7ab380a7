"""The list and the card cost the same number of queries for 5 rows as for 50: no N+1."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from klient.activities import services as activity_services
from klient.contacts import services as contact_services


def _people(actor, organization, start: int, count: int) -> None:
    for index in range(start, start + count):
        contact_services.person_create(
            actor=actor,
            first_name=f"Имя{index}",
            last_name=f"Фамилия{index}",
            phones=[f"+7 916 {100 + index:03d}-00-00"],
            emails=[f"p{index}@example.org"],
            organization_id=organization.pk,
            tags=["vip", f"t{index % 3}"],
        )


def _timeline(actor, person, start: int, count: int) -> None:
    for index in range(start, start + count):
        call = activity_services.interaction_create(
            actor=actor, kind="call", person=person, subject=f"Звонок {index}"
        )
        activity_services.comment_create(actor=actor, interaction=call, body=f"Комментарий {index}")
        activity_services.task_create(actor=actor, title=f"Задача {index}", person=person)


def _count(client, url: str, **extra) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **extra)
    assert response.status_code == 200
    return len(queries)


def test_client_list_queries_do_not_grow_with_rows(client_for, agent_a, org_a):
    client = client_for(agent_a)
    url = reverse("contacts:client_list")
    _people(agent_a, org_a, 0, 5)
    small = _count(client, url)
    _people(agent_a, org_a, 5, 45)
    large = _count(client, url)
    assert large == small
    assert small <= 25  # session, user, bell, record, its parts: a fixed handful
    # The live-search partial is bounded too.
    assert (
        _count(client, url, data={"q": "фамилия"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results")
        <= small
    )


def test_organization_list_queries_do_not_grow_with_rows(client_for, agent_a):
    client = client_for(agent_a)
    url = reverse("contacts:organization_list")
    for index in range(5):
        contact_services.organization_create(actor=agent_a, name=f"Org {index}", tags=["x"])
    small = _count(client, url)
    for index in range(5, 50):
        contact_services.organization_create(actor=agent_a, name=f"Org {index}", tags=["x"])
    assert _count(client, url) == small


def test_person_card_queries_do_not_grow_with_timeline(client_for, admin, agent_a, person_a):
    url = reverse("contacts:person_detail", args=[person_a.pk])
    client = client_for(admin)  # the admin also sees the audit history
    _timeline(agent_a, person_a, 0, 5)
    small = _count(client, url)
    _timeline(agent_a, person_a, 5, 45)
    large = _count(client, url)
    assert large == small
    assert small <= 25  # session, user, bell, record, its parts: a fixed handful


def test_organization_card_queries_do_not_grow_with_timeline(client_for, agent_a, org_a, person_a):
    url = reverse("contacts:organization_detail", args=[org_a.pk])
    client = client_for(agent_a)
    _timeline(agent_a, person_a, 0, 5)
    small = _count(client, url)
    _timeline(agent_a, person_a, 5, 45)
    assert _count(client, url) == small


def test_task_page_queries_do_not_grow_with_tasks(client_for, agent_a, person_a):
    url = reverse("activities:task_list")
    client = client_for(agent_a)
    _timeline(agent_a, person_a, 0, 5)
    small = _count(client, url)
    _timeline(agent_a, person_a, 5, 45)
    assert _count(client, url) == small
