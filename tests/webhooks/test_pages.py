"""The administrator's webhooks pages: add one (the secret shown once), turn it off and
on, delete it, read the delivery log and send a delivery again; nobody else gets in."""

from __future__ import annotations

import pytest
from django.urls import reverse

from klient.core.models import AuditEvent
from klient.webhooks.models import Webhook, WebhookDelivery
from klient.webhooks.services import webhook_create

pytestmark = pytest.mark.django_db

PUBLIC = "https://93.184.216.34/hooks/klient"


@pytest.fixture
def public_hook(admin, no_connections):
    return webhook_create(actor=admin, url=PUBLIC, event_names=["task.assigned"])


def test_an_admin_adds_a_webhook_and_the_page_shows_its_secret(client_for, admin, no_connections):
    response = client_for(admin).post(
        reverse("webhooks:create"), {"url": PUBLIC, "event_names": ["task.assigned"]}
    )

    assert response.status_code == 200
    webhook = Webhook.objects.get()
    html = response.content.decode()
    assert (
        f'<code class="break-anywhere" data-testid="webhook-secret">{webhook.secret}</code>' in html
    )
    assert webhook.secret not in client_for(admin).get(reverse("webhooks:list")).content.decode()
    assert (
        webhook.secret
        not in client_for(admin).get(reverse("webhooks:detail", args=[webhook.pk])).content.decode()
    )


def test_a_private_address_is_refused_on_the_form_before_any_connection(
    client_for, admin, no_connections
):
    response = client_for(admin).post(
        reverse("webhooks:create"),
        {"url": "http://169.254.169.254/", "event_names": ["task.assigned"]},
    )

    assert response.status_code == 422
    assert (
        "169.254.169.254 is not a public address: webhooks go to public addresses only."
        in response.content.decode()
    )
    assert Webhook.objects.count() == 0


def test_turning_off_with_htmx_swaps_the_row(client_for, admin, public_hook):
    response = client_for(admin).post(
        reverse("webhooks:toggle", args=[public_hook.pk]), HTTP_HX_REQUEST="true"
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert html.startswith(f'<tr id="webhook-{public_hook.pk}" class="muted">')
    assert "Turn on" in html
    assert Webhook.objects.get().is_active is False
    assert AuditEvent.objects.get(action="webhook.update").changes == {"is_active": [True, False]}


def test_turning_off_without_htmx_returns_to_the_list(client_for, admin, public_hook):
    response = client_for(admin).post(reverse("webhooks:toggle", args=[public_hook.pk]))

    assert (response.status_code, response["Location"]) == (302, reverse("webhooks:list"))
    assert Webhook.objects.get().is_active is False


def test_an_automatically_turned_off_webhook_says_why(client_for, admin, public_hook):
    Webhook.objects.filter(pk=public_hook.pk).update(
        is_active=False, disabled_reason="failures", consecutive_failures=10
    )

    html = client_for(admin).get(reverse("webhooks:list")).content.decode()

    assert "Turned off after 10 failed deliveries in a row." in html


def test_deleting_a_webhook(client_for, admin, public_hook):
    response = client_for(admin).post(reverse("webhooks:delete", args=[public_hook.pk]))

    assert (response.status_code, response["Location"]) == (302, reverse("webhooks:list"))
    assert Webhook.objects.count() == 0


def test_the_delivery_log_shows_the_last_50_newest_first(client_for, admin, public_hook):
    WebhookDelivery.objects.bulk_create(
        WebhookDelivery(
            workspace_id=public_hook.workspace_id,
            webhook=public_hook,
            event_name="task.assigned",
            event_id=f"e{number}",
            status="failed",
            attempts=6,
            response_status=502,
            error="HTTP 502",
        )
        for number in range(55)
    )
    newest = WebhookDelivery.objects.order_by("-id").first()

    html = client_for(admin).get(reverse("webhooks:detail", args=[public_hook.pk])).content.decode()

    assert html.count('<tr id="delivery-') == 50
    assert html.index(f'id="delivery-{newest.pk}"') < html.index(f'id="delivery-{newest.pk - 1}"')
    assert "HTTP 502 · attempts: 6" in html


def test_send_again_from_the_log(
    client_for, admin, public_hook, django_capture_on_commit_callbacks
):
    delivery = WebhookDelivery.objects.create(
        workspace_id=public_hook.workspace_id,
        webhook=public_hook,
        event_name="task.assigned",
        event_id="e1",
        status="failed",
        attempts=6,
    )
    url = reverse("webhooks:redeliver", args=[public_hook.pk, delivery.pk])

    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client_for(admin).post(url, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert response.content.decode().startswith(f'<tr id="delivery-{delivery.pk}">')
    assert len(queued) == 1  # the first attempt, dispatched after commit
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("pending", 0)


@pytest.mark.parametrize("role", ["manager_a", "agent_a", "analyst"])
def test_other_roles_are_refused_every_page(request, client_for, role, public_hook, no_connections):
    client = client_for(request.getfixturevalue(role))

    answers = [
        client.get(reverse("webhooks:list")).status_code,
        client.get(reverse("webhooks:detail", args=[public_hook.pk])).status_code,
        client.post(
            reverse("webhooks:create"), {"url": PUBLIC, "event_names": ["task.assigned"]}
        ).status_code,
        client.post(reverse("webhooks:toggle", args=[public_hook.pk])).status_code,
        client.post(reverse("webhooks:delete", args=[public_hook.pk])).status_code,
    ]

    assert answers == [403] * 5
    assert Webhook.objects.get().is_active is True


def test_another_workspaces_admin_finds_nothing(client_for, other_workspace_admin, public_hook):
    client = client_for(other_workspace_admin)

    assert client.get(reverse("webhooks:detail", args=[public_hook.pk])).status_code == 404
    assert client.post(reverse("webhooks:toggle", args=[public_hook.pk])).status_code == 404
    assert client.post(reverse("webhooks:delete", args=[public_hook.pk])).status_code == 404
    assert Webhook.objects.get().is_active is True
