"""The administrator's notifications page and a colleague's own choices."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from klient.core.models import AuditEvent
from klient.notifications.activity_kinds import MENTIONED, TASK_ASSIGNED
from klient.notifications.models import MessageLog, NotificationPreference, WorkspaceMessaging

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _held(workspace, number):
    return MessageLog.objects.create(
        workspace=workspace,
        kind="test.offer",
        channel="email",
        address=f"c{number}@x.example",
        subject=f"Offer {number}",
        status="held",
    )


def test_only_administrators_open_the_notifications_settings(agent_a):
    response = _client(agent_a).get(reverse("notifications:settings"))

    assert response.status_code == 403


def test_the_page_shows_how_many_messages_are_held(admin, workspace):
    for number in range(3):
        _held(workspace, number)

    page = _client(admin).get(reverse("notifications:settings"))

    assert page.status_code == 200
    assert page.context["counts"] == {"held": 3}
    assert [row.subject for row in page.context["held"]] == ["Offer 0", "Offer 1", "Offer 2"]


def test_an_administrator_cancels_one_held_message(admin, workspace):
    first, second = _held(workspace, 1), _held(workspace, 2)

    response = _client(admin).post(reverse("notifications:held_cancel"), {"id": first.pk})

    assert response.status_code == 302
    assert list(MessageLog.objects.order_by("pk").values_list("status", flat=True)) == [
        "cancelled",
        "held",
    ]
    assert second.pk != first.pk


def test_held_messages_of_another_workspace_are_out_of_reach(admin, other_workspace_admin):
    theirs = _held(other_workspace_admin.workspace, 1)

    _client(admin).post(reverse("notifications:held_release"), {"id": theirs.pk})

    theirs.refresh_from_db()
    assert theirs.status == "held"


def test_the_workspace_sender_is_saved_and_audited(admin, workspace):
    response = _client(admin).post(
        reverse("notifications:settings"),
        {
            "from_name": "ООО Ромашка",
            "from_email": "office@romashka.example",
            "reply_to": "",
            "sms_sender": "Romashka",
        },
    )

    assert response.status_code == 302
    saved = WorkspaceMessaging.objects.get(workspace=workspace)
    assert (saved.from_name, saved.from_email, saved.sms_sender) == (
        "ООО Ромашка",
        "office@romashka.example",
        "Romashka",
    )
    assert AuditEvent.objects.get(action="workspace_messaging.update").changes["from_email"] == [
        "",
        "office@romashka.example",
    ]


def test_a_bad_sender_address_is_refused(admin, workspace):
    response = _client(admin).post(
        reverse("notifications:settings"), {"from_email": "not an address"}
    )

    assert response.status_code == 422
    assert not WorkspaceMessaging.objects.filter(from_email="not an address").exists()


def test_a_colleague_turns_an_email_off_and_keeps_the_rest(agent_a):
    client = _client(agent_a)
    page = client.get(reverse("notifications:preferences"))
    kept = {
        f"{TASK_ASSIGNED}:in_app": "on",
        f"{TASK_ASSIGNED}:email": "on",
        f"{MENTIONED}:in_app": "on",
    }

    response = client.post(reverse("notifications:preferences"), kept)

    assert page.status_code == 200
    assert response.status_code == 302
    assert (
        NotificationPreference.objects.get(user=agent_a, kind=MENTIONED, channel="email").enabled
        is False
    )
    assert NotificationPreference.objects.get(
        user=agent_a, kind=TASK_ASSIGNED, channel="email"
    ).enabled


def _settings_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("notifications:settings")).status_code == 200
    return len(queries)


def test_the_settings_page_queries_do_not_grow_with_the_messages(admin, workspace, agent_a):
    client = _client(admin)
    _held(workspace, 0)
    MessageLog.objects.create(
        workspace=workspace, kind="task", channel="in_app", recipient_user=agent_a, status="sent"
    )
    with_two = _settings_queries(client)
    for number in range(1, 10):
        _held(workspace, number)
        MessageLog.objects.create(
            workspace=workspace, kind="task", channel="in_app", recipient_user=agent_a
        )

    assert _settings_queries(client) == with_two
