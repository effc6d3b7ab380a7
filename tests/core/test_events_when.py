"""A durable handler connected with `when=` is recorded only for the sends it wants; the
catalogue of declared events can be listed."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.db import transaction

from klient.core.events import Event, events_declared
from klient.core.models import OutboxJob

pytestmark = pytest.mark.django_db


@dataclass(frozen=True, kw_only=True)
class Pinged:
    workspace_id: int
    wanted: bool


pinged = Event("tests.when_pinged", Pinged)
handled: list[bool] = []


def on_ping(payload: Pinged, *, event_id: str) -> None:
    handled.append(payload.wanted)


pinged.connect(on_ping, when=lambda payload: payload.wanted)
JOB = "tests.when_pinged:tests.core.test_events_when.on_ping"


@pytest.fixture(autouse=True)
def _reset():
    handled.clear()


def test_a_send_the_predicate_refuses_writes_no_outbox_row(
    workspace, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        pinged.send_on_commit(workspace_id=workspace.pk, wanted=False)

    assert OutboxJob.objects.filter(name=JOB).count() == 0
    assert handled == []


def test_a_send_the_predicate_wants_is_handled_through_the_outbox(
    workspace, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        pinged.send_on_commit(workspace_id=workspace.pk, wanted=True)

    assert OutboxJob.objects.get(name=JOB).status == "done"
    assert handled == [True]


def test_a_predicate_on_an_in_process_handler_is_refused():
    with pytest.raises(ValueError, match="durable handlers only"):
        pinged.connect(on_ping, durable=False, when=lambda payload: True)


def test_the_declared_events_are_listed_by_name():
    names = [event.name for event in events_declared()]

    assert names == sorted(names)
    assert {"person.merged", "interaction.created", "tests.when_pinged"} <= set(names)
