"""A webhook receives the events it subscribes to, signed, from a real HTTP server's point
of view; failures are retried and end failed; failing webhooks are turned off."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
from datetime import timedelta

import pytest
from django.utils import timezone

from klient.activities.services import interaction_create
from klient.contacts.services import person_create
from klient.core import events
from klient.core.events import payload_values
from klient.core.models import AuditEvent, OutboxJob
from klient.webhooks.deliveries import (
    MAX_ATTEMPTS,
    RETRY_DELAYS,
    deliveries_due,
    deliveries_prune,
    deliveries_record,
    delivery_attempt,
)
from klient.webhooks.models import Webhook, WebhookDelivery
from klient.webhooks.services import webhook_create, webhook_update

pytestmark = pytest.mark.django_db


def log_a_call(agent, capture):
    """A real interaction.created event, its callbacks run as after a commit."""
    person = person_create(actor=agent, first_name="Иван", last_name="Петров")
    with events.captured() as sent, capture(execute=True):
        interaction_create(actor=agent, kind="call", person=person, subject="Звонок")
    return next(item for item in sent if item.name == "interaction.created")


def test_the_receiver_gets_the_event_signed_with_the_secret(
    hook, receiver, agent_a, fixed_clock, django_capture_on_commit_callbacks
):
    event = log_a_call(agent_a, django_capture_on_commit_callbacks)

    [request] = receiver.requests
    delivery = WebhookDelivery.objects.get()
    assert request.path == "/hooks/klient"
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["X-Klient-Event"] == "interaction.created"
    assert request.headers["X-Klient-Delivery"] == str(delivery.pk)
    assert request.headers["X-Klient-Timestamp"] == str(fixed_clock)
    expected = hmac.new(
        hook.secret.encode(), f"{fixed_clock}.".encode() + request.body, hashlib.sha256
    ).hexdigest()
    assert request.headers["X-Klient-Signature"] == f"sha256={expected}"
    assert json.loads(request.body) == {
        "id": event.event_id,
        "event": "interaction.created",
        "created_at": delivery.created_at.isoformat(timespec="seconds").replace("+00:00", "Z"),
        "data": payload_values(event.payload),
    }


def test_a_delivered_delivery_keeps_the_answer(
    hook, receiver, agent_a, django_capture_on_commit_callbacks
):
    receiver.answer = b'{"received": "yes"}'
    log_a_call(agent_a, django_capture_on_commit_callbacks)

    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("delivered", 1)
    assert (delivery.response_status, delivery.response_excerpt) == (200, '{"received": "yes"}')
    assert delivery.error == ""
    assert delivery.delivered_at is not None
    assert delivery.next_attempt_at is None


def test_the_host_header_names_the_host_while_the_checked_address_is_dialled(
    admin, receiver, monkeypatch, django_capture_on_commit_callbacks
):
    real = socket.getaddrinfo

    def resolve(host, *args, **kwargs):
        return real("127.0.0.1" if host == "receiver.example" else host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    url = f"http://receiver.example:{receiver.port}/in?token=1"
    webhook = webhook_create(actor=admin, url=url, event_names=["interaction.created"])
    with django_capture_on_commit_callbacks(execute=True):
        deliveries_record(
            event_name="interaction.created",
            event_id="e1",
            payload={"workspace_id": webhook.workspace_id},
        )

    [request] = receiver.requests
    assert request.headers["Host"] == f"receiver.example:{receiver.port}"
    assert request.path == "/in?token=1"


def test_no_outbox_row_is_written_for_a_workspace_without_webhooks(
    agent_a, django_capture_on_commit_callbacks
):
    log_a_call(agent_a, django_capture_on_commit_callbacks)

    assert not OutboxJob.objects.filter(name__contains="klient.webhooks").exists()
    assert WebhookDelivery.objects.count() == 0


def test_an_event_the_webhook_did_not_subscribe_to_is_not_sent(
    admin, receiver, agent_a, django_capture_on_commit_callbacks
):
    webhook_create(actor=admin, url=receiver.url, event_names=["task.assigned"])

    log_a_call(agent_a, django_capture_on_commit_callbacks)

    assert WebhookDelivery.objects.count() == 0
    assert receiver.requests == []


def test_a_turned_off_webhook_gets_nothing(
    hook, admin, receiver, agent_a, django_capture_on_commit_callbacks
):
    webhook_update(actor=admin, webhook_id=hook.pk, is_active=False)

    log_a_call(agent_a, django_capture_on_commit_callbacks)

    assert WebhookDelivery.objects.count() == 0


def test_another_workspaces_event_is_not_sent(
    hook, other_workspace_admin, receiver, django_capture_on_commit_callbacks
):
    log_a_call(other_workspace_admin, django_capture_on_commit_callbacks)

    assert WebhookDelivery.objects.count() == 0
    assert receiver.requests == []


def test_recording_the_same_event_twice_makes_one_delivery(
    hook, receiver, django_capture_on_commit_callbacks
):
    payload = {"workspace_id": hook.workspace_id, "interaction_id": 7}
    with django_capture_on_commit_callbacks(execute=True):
        first = deliveries_record(event_name="interaction.created", event_id="abc", payload=payload)
        again = deliveries_record(event_name="interaction.created", event_id="abc", payload=payload)

    assert (len(first), again) == (1, [])
    assert WebhookDelivery.objects.count() == 1
    assert len(receiver.requests) == 1


def test_the_same_attempt_run_twice_sends_once(hook, receiver, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        [delivery_id] = deliveries_record(
            event_name="interaction.created",
            event_id="e",
            payload={"workspace_id": hook.workspace_id},
        )

    assert delivery_attempt(delivery_id=delivery_id, attempt=1) is None
    assert len(receiver.requests) == 1


def record(hook, capture, event_id="e1"):
    with capture(execute=True):
        [delivery_id] = deliveries_record(
            event_name="interaction.created",
            event_id=event_id,
            payload={"workspace_id": hook.workspace_id},
        )
    return WebhookDelivery.objects.get(pk=delivery_id)


def test_a_500_answer_fails_the_attempt_and_schedules_a_retry(
    hook, receiver, django_capture_on_commit_callbacks
):
    receiver.statuses = [500]
    receiver.answer = b"database down"
    before = timezone.now()

    delivery = record(hook, django_capture_on_commit_callbacks)

    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert (delivery.response_status, delivery.error) == (500, "HTTP 500")
    assert delivery.response_excerpt == "database down"
    assert delivery.next_attempt_at >= before + timedelta(seconds=RETRY_DELAYS[0])
    assert deliveries_due(now=before + timedelta(seconds=RETRY_DELAYS[0] - 1)) == 0


def test_a_500_answer_is_retried_until_the_delivery_fails(
    hook, receiver, django_capture_on_commit_callbacks
):
    receiver.statuses = [500]
    delivery = record(hook, django_capture_on_commit_callbacks)
    later = timezone.now() + timedelta(days=1)

    for _ in range(MAX_ATTEMPTS):
        with django_capture_on_commit_callbacks(execute=True):
            deliveries_due(now=later)

    delivery.refresh_from_db()
    assert len(receiver.requests) == MAX_ATTEMPTS == 6
    assert (delivery.status, delivery.attempts, delivery.error) == ("failed", 6, "HTTP 500")
    assert delivery.next_attempt_at is None
    assert Webhook.objects.get(pk=hook.pk).consecutive_failures == 1


def test_a_retry_that_succeeds_delivers(hook, receiver, django_capture_on_commit_callbacks):
    receiver.statuses = [503, 200]
    delivery = record(hook, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        deliveries_due(now=timezone.now() + timedelta(seconds=RETRY_DELAYS[0]))

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("delivered", 2, 200)
    assert delivery.error == ""


def test_an_attempt_that_never_reported_back_is_made_again_after_its_lease(
    hook, receiver, django_capture_on_commit_callbacks
):
    delivery = record(hook, django_capture_on_commit_callbacks)
    # The worker died after claiming attempt 2: nothing was recorded.
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status="pending", attempts=2, next_attempt_at=timezone.now() - timedelta(seconds=1)
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert deliveries_due() == 1

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 3)


def test_a_refused_connection_is_a_failed_attempt(
    admin, settings, django_capture_on_commit_callbacks
):
    settings.KLIENT_WEBHOOK_ALLOW_PRIVATE = ["127.0.0.1/32"]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens there once the probe is closed
    webhook = webhook_create(
        actor=admin, url=f"http://127.0.0.1:{port}/", event_names=["interaction.created"]
    )

    delivery = record(webhook, django_capture_on_commit_callbacks)

    assert (delivery.status, delivery.attempts, delivery.response_status) == ("pending", 1, None)
    assert delivery.error.startswith("ConnectionRefusedError")


def fail_last_attempt(hook, capture, event_id):
    """A delivery on its last attempt, answered with a 500."""
    with capture(execute=False):  # the first attempt is not run: this one is the last
        [delivery_id] = deliveries_record(
            event_name="interaction.created",
            event_id=event_id,
            payload={"workspace_id": hook.workspace_id},
        )
    WebhookDelivery.objects.filter(pk=delivery_id).update(attempts=MAX_ATTEMPTS - 1)
    with capture(execute=True):
        delivery_attempt(delivery_id=delivery_id, attempt=MAX_ATTEMPTS)


def test_a_webhook_is_turned_off_after_the_set_number_of_failed_deliveries(
    hook, receiver, settings, django_capture_on_commit_callbacks
):
    settings.KLIENT_WEBHOOK_DISABLE_AFTER = 2
    receiver.statuses = [500]

    fail_last_attempt(hook, django_capture_on_commit_callbacks, "e1")
    assert Webhook.objects.get(pk=hook.pk).is_active is True
    fail_last_attempt(hook, django_capture_on_commit_callbacks, "e2")

    webhook = Webhook.objects.get(pk=hook.pk)
    assert (webhook.is_active, webhook.consecutive_failures) == (False, 2)
    assert webhook.disabled_reason == Webhook.DISABLED_FAILURES
    assert webhook.disabled_reason_text == "Turned off after 2 failed deliveries in a row."
    audit = AuditEvent.objects.get(action="webhook.disable")
    assert (audit.actor_id, audit.object_id) == (None, hook.pk)
    assert audit.changes == {"is_active": [True, False], "consecutive_failures": [None, 2]}


def test_a_delivered_delivery_resets_the_failure_count(
    hook, receiver, django_capture_on_commit_callbacks
):
    receiver.statuses = [500, 200]
    fail_last_attempt(hook, django_capture_on_commit_callbacks, "e1")
    assert Webhook.objects.get(pk=hook.pk).consecutive_failures == 1

    record(hook, django_capture_on_commit_callbacks, event_id="e2")

    assert Webhook.objects.get(pk=hook.pk).consecutive_failures == 0


def test_a_pending_delivery_of_a_turned_off_webhook_gives_up_without_connecting(
    hook, admin, receiver, no_connections, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        [delivery_id] = deliveries_record(
            event_name="interaction.created",
            event_id="e",
            payload={"workspace_id": hook.workspace_id},
        )
    webhook_update(actor=admin, webhook_id=hook.pk, is_active=False)

    delivery_attempt(delivery_id=delivery_id, attempt=1)

    delivery = WebhookDelivery.objects.get(pk=delivery_id)
    assert (delivery.status, delivery.error) == ("failed", "The webhook is turned off.")
    assert Webhook.objects.get(pk=hook.pk).consecutive_failures == 0


def test_finished_deliveries_are_pruned_after_the_keeping_period(hook):
    def make(event_id, status, days_old):
        delivery = WebhookDelivery.objects.create(
            workspace_id=hook.workspace_id,
            webhook=hook,
            event_name="interaction.created",
            event_id=event_id,
            status=status,
        )
        created = timezone.now() - timedelta(days=days_old)
        WebhookDelivery.objects.filter(pk=delivery.pk).update(created_at=created)

    make("old-delivered", "delivered", 31)
    make("old-failed", "failed", 31)
    make("old-pending", "pending", 31)
    make("recent", "delivered", 29)

    assert deliveries_prune(older_than_days=30) == 2
    remaining = WebhookDelivery.objects.values_list("event_id", flat=True)
    assert sorted(remaining) == ["old-pending", "recent"]


def test_a_name_that_now_resolves_to_a_private_address_is_refused_before_connecting(
    admin, monkeypatch, no_connections, django_capture_on_commit_callbacks
):
    answer = {"address": "93.184.216.34"}
    monkeypatch.setattr(
        socket,
        "getaddrinfo",
        lambda host, port, **kwargs: [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", (answer["address"], port))
        ],
    )
    webhook = webhook_create(
        actor=admin, url="https://hooks.example.com/in", event_names=["interaction.created"]
    )
    answer["address"] = "10.0.0.5"  # the name was pointed inside since it was saved

    delivery = record(webhook, django_capture_on_commit_callbacks)

    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert delivery.error == (
        "Refused before connecting: hooks.example.com resolves to 10.0.0.5, which is not a "
        "public address: webhooks go to public addresses only."
    )
