"""What the move from core did to existing rows (migration notifications.0002): old
notifications keep being worded in the reader's language, and deliveries queued for the
handlers that used to live in activities reach the handlers that replaced them."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.utils import translation

from klient.core.models import OutboxJob
from klient.notifications.models import Notification

pytestmark = pytest.mark.django_db

moved = importlib.import_module("klient.notifications.migrations.0002_moved_rows")
OLD_JOB = "comment.mentioned:klient.activities.handlers.comment_mentioned_notify"
NEW_JOB = "comment.mentioned:klient.notifications.handlers.comment_mentioned_notify"


@pytest.fixture
def old_mention(agent_a):
    return Notification.objects.create(
        workspace_id=agent_a.workspace_id,
        recipient=agent_a,
        kind="mention",
        text="stored",
        params={"actor": "Мария", "subject": "Иван Петров", "excerpt": "позвони"},
    )


def test_old_params_take_the_new_placeholder_names_and_are_worded_again(old_mention):
    with translation.override("en"):
        before = old_mention.message

    moved.forward(apps, None)

    old_mention.refresh_from_db()
    assert before == "stored"
    assert old_mention.params == {
        "actor": "Мария",
        "record.name": "Иван Петров",
        "comment.excerpt": "позвони",
    }
    with translation.override("en"):
        assert old_mention.message == "Мария mentioned you in a comment on Иван Петров: “позвони”"


def test_pending_deliveries_of_a_moved_handler_take_its_new_name(workspace):
    row = OutboxJob.objects.create(
        workspace=workspace, name=OLD_JOB, kwargs={}, dedupe_key=f"abc:{OLD_JOB}"
    )

    moved.forward(apps, None)

    row.refresh_from_db()
    assert (row.name, row.dedupe_key) == (NEW_JOB, f"abc:{NEW_JOB}")


def test_the_move_reverses(old_mention, workspace):
    OutboxJob.objects.create(workspace=workspace, name=OLD_JOB, kwargs={}, dedupe_key="x")
    moved.forward(apps, None)

    moved.backward(apps, None)

    old_mention.refresh_from_db()
    assert set(old_mention.params) == {"actor", "subject", "excerpt"}
    assert OutboxJob.objects.get().name == OLD_JOB
