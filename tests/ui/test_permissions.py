"""Who may see and change what through the pages: visibility (404) and read-only roles (403)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from klient.activities import services as activity_services
from klient.activities.models import Interaction, Task


def test_agent_of_another_team_cannot_open_the_person(client_for, agent_b, person_a, call_a):
    client = client_for(agent_b)
    for url in (
        reverse("contacts:person_detail", args=[person_a.pk]),
        reverse("contacts:person_edit", args=[person_a.pk]),
        reverse("activities:person_timeline", args=[person_a.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Иван Петров" not in response.content.decode()


def test_agent_of_another_team_cannot_write_to_the_person(client_for, agent_b, person_a, call_a):
    client = client_for(agent_b)
    response = client.post(
        reverse("activities:person_interaction_create", args=[person_a.pk]),
        {"kind": "call", "direction": "outbound", "subject": "x"},
    )
    assert response.status_code == 404
    response = client.post(reverse("activities:comment_create", args=[call_a.pk]), {"body": "x"})
    assert response.status_code == 404
    assert Interaction.objects.count() == 1


def test_other_workspace_ids_are_not_found(client_for, other_workspace_admin, person_a, org_a):
    client = client_for(other_workspace_admin)
    assert client.get(reverse("contacts:person_detail", args=[person_a.pk])).status_code == 404
    assert client.get(reverse("contacts:organization_detail", args=[org_a.pk])).status_code == 404
    assert "Иван Петров" not in client.get(reverse("contacts:client_list")).content.decode()


def test_analyst_reads_the_person(client_for, analyst, person_a):
    response = client_for(analyst).get(reverse("contacts:person_detail", args=[person_a.pk]))
    assert response.status_code == 200


def test_analyst_cannot_open_write_pages(client_for, analyst, person_a):
    client = client_for(analyst)
    assert client.get(reverse("contacts:person_create")).status_code == 403
    assert client.get(reverse("contacts:organization_create")).status_code == 403
    assert client.get(reverse("contacts:person_edit", args=[person_a.pk])).status_code == 403


def test_analyst_posts_are_forbidden(client_for, analyst, agent_a, person_a, org_a, call_a):
    task = activity_services.task_create(actor=agent_a, title="Позвонить", person=person_a)
    client = client_for(analyst)
    posts = [
        (
            reverse("contacts:person_create"),
            {"first_name": "A", "last_name": "B", "lifecycle_stage": "lead"},
        ),
        (reverse("contacts:organization_create"), {"name": "X", "lifecycle_stage": "lead"}),
        (
            reverse("contacts:person_edit", args=[person_a.pk]),
            {"last_name": "Z", "lifecycle_stage": "lead"},
        ),
        (
            reverse("contacts:organization_edit", args=[org_a.pk]),
            {"name": "Y", "lifecycle_stage": "lead"},
        ),
        (reverse("contacts:person_merge", args=[person_a.pk]), {"duplicate_id": person_a.pk}),
        (
            reverse("activities:person_interaction_create", args=[person_a.pk]),
            {"kind": "call", "direction": "outbound"},
        ),
        (reverse("activities:person_note_create", args=[person_a.pk]), {"body": "x"}),
        (reverse("activities:organization_note_create", args=[org_a.pk]), {"body": "x"}),
        (reverse("activities:person_task_create", args=[person_a.pk]), {"title": "x"}),
        (reverse("activities:comment_create", args=[call_a.pk]), {"body": "x"}),
        (reverse("activities:task_complete", args=[task.pk]), {}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    assert Interaction.objects.count() == 1
    task.refresh_from_db()
    assert task.status == Task.Status.OPEN


def test_htmx_error_becomes_a_toast_with_the_status(client_for, analyst, call_a):
    response = client_for(analyst).post(
        reverse("activities:comment_create", args=[call_a.pk]),
        {"body": "x"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 403
    assert response["HX-Retarget"] == "#toasts"
    assert response["HX-Reswap"] == "beforeend"
    assert 'class="toast error"' in response.content.decode()


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_writes_go_to_login(client, person_a, method):
    url = reverse("activities:person_note_create", args=[person_a.pk])
    response = getattr(client, method)(url, {"body": "x"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
