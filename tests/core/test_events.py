"""Domain events sent after commit: durable handlers through the outbox (a crash loses
nothing, a failure never undoes the change, a re-run changes nothing twice), in-process
handlers after commit, and in-transaction handlers that are part of the change."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from klient.core import events
from klient.core.events import Event
from klient.core.jobs import job_get, outbox_record, outbox_sweep
from klient.core.models import OutboxJob, Team, User
from klient.notifications.models import Notification
from klient.notifications.services import notification_create

pytestmark = pytest.mark.django_db


@dataclass(frozen=True, kw_only=True)
class TeamRenamed:
    workspace_id: int
    team_id: int
    by_user_id: int


team_renamed = Event("tests.team_renamed", TeamRenamed)
durable_calls: list[int] = []
after_commit_calls: list[int] = []
in_transaction_calls: list[int] = []
durable_failures: list[str] = []
after_commit_failures: list[str] = []
in_transaction_failures: list[str] = []


def notify_renamer(payload: TeamRenamed, *, event_id: str) -> None:
    """Durable and idempotent: the notification's dedupe key is the occurrence's id."""
    durable_calls.append(payload.team_id)
    if durable_failures:
        raise RuntimeError(durable_failures.pop())
    notification_create(
        recipient=User.objects.get(pk=payload.by_user_id),
        kind="test",
        text="renamed",
        dedupe_key=f"team-renamed:{event_id}",
    )


def count_after_commit(payload: TeamRenamed, *, event_id: str) -> None:
    after_commit_calls.append(payload.team_id)
    if after_commit_failures:
        raise RuntimeError(after_commit_failures.pop())


def check_in_transaction(payload: TeamRenamed, *, event_id: str) -> dict[str, int]:
    in_transaction_calls.append(payload.team_id)
    if in_transaction_failures:
        raise RuntimeError(in_transaction_failures.pop())
    return {"checked": 1}


team_renamed.connect(notify_renamer, retries=2)
team_renamed.connect(count_after_commit, durable=False)
team_renamed.connect_in_transaction(check_in_transaction)
DELIVERY = "tests.team_renamed:tests.core.test_events.notify_renamer"


@transaction.atomic
def team_rename(*, team: Team, name: str, actor: User) -> list[object]:
    """The "service" whose change sends the event."""
    team.name = name
    team.save(update_fields=["name"])
    return team_renamed.send_on_commit(
        workspace_id=team.workspace_id, team_id=team.pk, by_user_id=actor.pk
    )


@pytest.fixture(autouse=True)
def _reset():
    for calls in (
        durable_calls,
        after_commit_calls,
        in_transaction_calls,
        durable_failures,
        after_commit_failures,
        in_transaction_failures,
    ):
        calls.clear()


def test_handlers_run_after_commit_and_the_durable_one_through_one_outbox_row(
    admin, team_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        with events.captured() as sent:
            team_rename(team=team_a, name="Renamed", actor=admin)
        assert (durable_calls, after_commit_calls) == ([], [])  # not before commit

    (occurrence,) = sent
    row = OutboxJob.objects.get()
    assert (row.name, row.workspace_id, row.status, row.dedupe_key) == (
        DELIVERY,
        team_a.workspace_id,
        "done",
        f"{occurrence.event_id}:{DELIVERY}",
    )
    assert row.kwargs == {
        "event_id": occurrence.event_id,
        "payload": {
            "workspace_id": team_a.workspace_id,
            "team_id": team_a.pk,
            "by_user_id": admin.pk,
        },
    }
    assert (durable_calls, after_commit_calls) == ([team_a.pk], [team_a.pk])
    assert Notification.objects.filter(recipient=admin, kind="test").count() == 1


def test_a_raising_durable_handler_keeps_the_change_and_is_retried(
    admin, team_a, django_capture_on_commit_callbacks
):
    durable_failures.append("the search index is down")
    with django_capture_on_commit_callbacks(execute=True):
        team_rename(team=team_a, name="Renamed", actor=admin)

    assert Team.objects.get(pk=team_a.pk).name == "Renamed"
    row = OutboxJob.objects.get()
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.error_summary == "RuntimeError: the search index is down"

    assert outbox_sweep(older_than_seconds=0) == 0  # its deadline may still be running
    OutboxJob.objects.update(dispatched_at=timezone.now() - timedelta(minutes=10))
    assert outbox_sweep() == 1

    row.refresh_from_db()
    assert (row.status, row.attempts) == ("done", 2)
    assert Notification.objects.filter(recipient=admin, kind="test").count() == 1


def test_a_durable_handler_survives_a_crash_between_commit_and_handling(admin, team_a):
    # Committed, then the process died before its on-commit dispatch ran.
    team_rename(team=team_a, name="Renamed", actor=admin)
    assert durable_calls == []
    OutboxJob.objects.update(created_at=timezone.now() - timedelta(minutes=10))

    assert outbox_sweep() == 1
    assert outbox_sweep(older_than_seconds=0) == 0

    assert durable_calls == [team_a.pk]
    assert OutboxJob.objects.get().status == "done"
    assert Notification.objects.filter(recipient=admin, kind="test").count() == 1


def test_running_a_delivery_twice_changes_nothing_twice(
    admin, team_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        team_rename(team=team_a, name="Renamed", actor=admin)
    row = OutboxJob.objects.get()
    # As if a worker died after the handler's work but before the row said done.
    OutboxJob.objects.filter(pk=row.pk).update(status="pending")

    job_get(DELIVERY)._run_outbox(row.pk)
    job_get(DELIVERY)._run_outbox(row.pk)

    assert durable_calls == [team_a.pk, team_a.pk]  # the second run found the row done
    assert Notification.objects.filter(recipient=admin, kind="test").count() == 1


def test_recording_a_delivery_twice_keeps_one_row(admin, team_a):
    delivery = job_get(DELIVERY)
    kwargs = {"event_id": "e1", "payload": {"workspace_id": 1, "team_id": 1, "by_user_id": 1}}
    first = outbox_record(job=delivery, kwargs=kwargs, workspace_id=None, dedupe_key="e1:x")
    second = outbox_record(job=delivery, kwargs=kwargs, workspace_id=None, dedupe_key="e1:x")
    assert first == second
    assert OutboxJob.objects.count() == 1


def test_a_rolled_back_change_sends_nothing_after_commit(
    admin, team_a, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        team_rename(team=team_a, name="Renamed", actor=admin)
        raise RuntimeError("the change failed later")

    assert OutboxJob.objects.count() == 0
    assert (durable_calls, after_commit_calls) == ([], [])
    assert Team.objects.get(pk=team_a.pk).name == "Sales A"


def test_a_raising_after_commit_handler_is_logged_and_the_change_stays(
    admin, team_a, django_capture_on_commit_callbacks, caplog
):
    caplog.set_level(logging.ERROR, logger="klient.core.events")
    after_commit_failures.append("cache unreachable")
    with django_capture_on_commit_callbacks(execute=True):
        team_rename(team=team_a, name="Renamed", actor=admin)

    assert after_commit_calls == [team_a.pk]
    assert "handler count_after_commit of tests.team_renamed failed" in caplog.text
    assert Team.objects.get(pk=team_a.pk).name == "Renamed"
    assert OutboxJob.objects.get().status == "done"  # the other handlers are unaffected


def test_an_in_transaction_handler_is_part_of_the_change(
    admin, team_a, django_capture_on_commit_callbacks
):
    assert team_rename(team=team_a, name="Renamed", actor=admin) == [{"checked": 1}]
    assert in_transaction_calls == [team_a.pk]

    in_transaction_failures.append("refused")
    with pytest.raises(RuntimeError, match="refused"):
        team_rename(team=team_a, name="Renamed again", actor=admin)
    assert Team.objects.get(pk=team_a.pk).name == "Renamed"


def test_a_payload_takes_ids_and_plain_values_only(team_a, admin):
    with pytest.raises(TypeError, match="ids and plain values only"):
        team_renamed.send_on_commit(
            workspace_id=team_a.workspace_id,
            team_id=team_a,
            by_user_id=admin.pk,
        )
    with pytest.raises(TypeError):
        team_renamed.send_on_commit(
            workspace_id=1,
            team_id=1,
            by_user_id=1,
            extra=2,
        )
    assert OutboxJob.objects.count() == 0


def test_a_payload_without_a_workspace_is_refused_at_declaration():
    @dataclass
    class Orphan:
        thing_id: int

    with pytest.raises(TypeError, match="workspace_id"):
        Event("tests.orphan", Orphan)
