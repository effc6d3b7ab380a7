"""The notifications router: my preferences, and the workspace's message log for
administrators (the list and mark-read endpoints are in tests/api/test_core_api.py)."""

from __future__ import annotations

import pytest

from klient.notifications.activity_kinds import MENTIONED, TASK_ASSIGNED, TASK_REMINDER
from klient.notifications.models import MessageLog
from tests.api.client import ApiClient

pytestmark = pytest.mark.django_db


def test_my_preferences_start_from_each_kinds_defaults(agent_a):
    response = ApiClient(agent_a).get("/notifications/preferences")

    assert response.status_code == 200
    assert [
        (row["kind"], [(c["channel"], c["enabled"]) for c in row["channels"]])
        for row in response.json()
    ][:3] == [
        (TASK_ASSIGNED, [("in_app", True), ("email", True)]),
        (MENTIONED, [("in_app", True), ("email", True)]),
        (TASK_REMINDER, [("in_app", True), ("email", False)]),
    ]


def test_turning_one_channel_of_one_kind_on(agent_a):
    api = ApiClient(agent_a)

    response = api.post(
        "/notifications/preferences", {"kind": TASK_REMINDER, "channel": "email", "enabled": True}
    )

    assert response.status_code == 200
    reminder = next(row for row in response.json() if row["kind"] == TASK_REMINDER)
    assert reminder["channels"] == [
        {"channel": "in_app", "enabled": True},
        {"channel": "email", "enabled": True},
    ]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "sales.nope", "channel": "email", "enabled": True}, "kind"),
        ({"kind": TASK_ASSIGNED, "channel": "fax", "enabled": True}, "channel"),
    ],
)
def test_an_unknown_kind_or_channel_is_refused(agent_a, body, field):
    response = ApiClient(agent_a).post("/notifications/preferences", body)

    assert response.status_code == 422
    assert list(response.json()["fields"]) == [field]


def _message(workspace, **fields):
    values = {"kind": "task", "channel": "email", "address": "a@b.example", "status": "sent"}
    return MessageLog.objects.create(workspace=workspace, **{**values, **fields})


def test_administrators_read_the_message_log_newest_first(admin, workspace, other_workspace_admin):
    first = _message(workspace)
    skipped = _message(workspace, status="skipped", skip_reason="no_address", address="")
    _message(other_workspace_admin.workspace)

    items = ApiClient(admin).get("/messages").json()["items"]

    assert [(item["id"], item["status"], item["skip_reason"]) for item in items] == [
        (skipped.pk, "skipped", "no_address"),
        (first.pk, "sent", ""),
    ]


def test_the_message_log_filters_by_status(admin, workspace):
    _message(workspace)
    held = _message(workspace, status="held")

    items = ApiClient(admin).get("/messages", status="held").json()["items"]

    assert [item["id"] for item in items] == [held.pk]


def test_the_message_log_is_for_administrators_only(agent_a):
    response = ApiClient(agent_a).get("/messages")

    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
