"""/api/v1/webhooks: administrators only; a target the guard refuses is a typed 422 naming
`url`, answered before any connection; the secret is in the creation's answer only."""

from __future__ import annotations

import pytest

from klient.core.models import AuditEvent
from klient.webhooks.deliveries import deliveries_record
from klient.webhooks.handlers import subscribable_events
from klient.webhooks.models import Webhook, WebhookDelivery
from klient.webhooks.services import webhook_create
from tests.api.client import ApiClient

pytestmark = pytest.mark.django_db

PUBLIC = "https://93.184.216.34/hooks/klient"


@pytest.fixture
def api(admin):
    return ApiClient(admin)


@pytest.fixture
def public_hook(admin, no_connections):
    return webhook_create(actor=admin, url=PUBLIC, event_names=["task.assigned"])


def test_an_admin_adds_a_webhook_and_sees_its_secret_once(api, no_connections):
    response = api.post(
        "/webhooks", {"url": PUBLIC, "event_names": ["task.assigned", "interaction.created"]}
    )

    assert response.status_code == 201, response.content
    webhook = Webhook.objects.get()
    body = response.json()
    assert body == {
        "id": webhook.pk,
        "url": PUBLIC,
        "event_names": ["interaction.created", "task.assigned"],
        "is_active": True,
        "consecutive_failures": 0,
        "disabled_reason": "",
        "created_at": body["created_at"],
        "secret": webhook.secret,
    }
    assert "secret" not in api.get(f"/webhooks/{webhook.pk}").json()
    audit = AuditEvent.objects.get(action="webhook.create")
    assert audit.changes == {
        "url": [None, PUBLIC],
        "event_names": [None, ["interaction.created", "task.assigned"]],
    }


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.1/hook",
        "http://127.0.0.1/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://localhost:8000/hook",
    ],
)
def test_a_private_target_is_a_422_naming_the_url_before_any_connection(api, url, no_connections):
    response = api.post("/webhooks", {"url": url, "event_names": ["task.assigned"]})

    assert response.status_code == 422
    body = response.json()
    assert (body["code"], list(body["fields"])) == ("target_refused", ["url"])
    assert body["message"] == "Webhooks can only be sent to public http or https addresses."
    assert Webhook.objects.count() == 0


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("file:///etc/passwd", "Only http and https addresses can receive webhooks."),
        ("https://me:pw@93.184.216.34/", "The address must not contain a user name or password."),
    ],
)
def test_a_file_url_or_credentials_are_refused(api, url, reason, no_connections):
    response = api.post("/webhooks", {"url": url, "event_names": ["task.assigned"]})

    assert (response.status_code, response.json()["fields"]) == (422, {"url": reason})


def test_an_unknown_event_is_a_field_error(api, no_connections):
    response = api.post("/webhooks", {"url": PUBLIC, "event_names": ["deal.exploded"]})

    assert response.status_code == 422
    assert response.json()["fields"] == {"event_names": "Unknown events: deal.exploded."}


def test_the_catalogue_lists_every_event_a_webhook_may_take(api):
    response = api.get("/webhooks/events")

    names = response.json()["event_names"]
    assert names == subscribable_events()
    assert {"interaction.created", "task.assigned", "person.merged"} <= set(names)


def test_an_admin_lists_the_workspaces_webhooks(api, public_hook, other_workspace_admin):
    webhook_create(actor=other_workspace_admin, url=PUBLIC, event_names=["task.assigned"])

    body = api.get("/webhooks").json()

    assert [item["id"] for item in body["items"]] == [public_hook.pk]
    assert body["next_cursor"] is None


def test_turning_a_webhook_off_and_on_is_audited(api, public_hook):
    Webhook.objects.filter(pk=public_hook.pk).update(
        consecutive_failures=10, disabled_reason="failures", is_active=False
    )

    response = api.patch(f"/webhooks/{public_hook.pk}", {"is_active": True})

    assert response.status_code == 200
    assert (response.json()["is_active"], response.json()["consecutive_failures"]) == (True, 0)
    assert response.json()["disabled_reason"] == ""
    assert AuditEvent.objects.get(action="webhook.update").changes == {"is_active": [False, True]}


def test_changing_the_address_to_a_private_one_is_refused(api, public_hook, no_connections):
    response = api.patch(f"/webhooks/{public_hook.pk}", {"url": "http://192.168.0.5/"})

    assert (response.status_code, response.json()["code"]) == (422, "target_refused")
    assert Webhook.objects.get(pk=public_hook.pk).url == PUBLIC


def test_deleting_a_webhook_removes_it_and_its_log(api, public_hook):
    WebhookDelivery.objects.create(
        workspace_id=public_hook.workspace_id,
        webhook=public_hook,
        event_name="task.assigned",
        event_id="e",
    )

    assert api.delete(f"/webhooks/{public_hook.pk}").status_code == 204
    assert api.get(f"/webhooks/{public_hook.pk}").status_code == 404
    assert WebhookDelivery.objects.count() == 0
    assert AuditEvent.objects.get(action="webhook.delete").changes == {"url": [PUBLIC, None]}


def test_the_delivery_log_and_redelivery(admin, receiver, django_capture_on_commit_callbacks):
    api = ApiClient(admin)
    webhook = webhook_create(actor=admin, url=receiver.url, event_names=["task.assigned"])
    receiver.statuses = [500, 200]
    with django_capture_on_commit_callbacks(execute=True):
        [delivery_id] = deliveries_record(
            event_name="task.assigned",
            event_id="e1",
            payload={"workspace_id": webhook.workspace_id},
        )

    [logged] = api.get(f"/webhooks/{webhook.pk}/deliveries").json()["items"]
    assert (logged["id"], logged["status"], logged["response_status"]) == (
        delivery_id,
        "pending",
        500,
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/webhooks/{webhook.pk}/deliveries/{delivery_id}/redeliver")

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["attempts"]) == ("pending", 0)
    delivery = WebhookDelivery.objects.get(pk=delivery_id)
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("delivered", 1, 200)
    assert len(receiver.requests) == 2
    assert AuditEvent.objects.get(action="webhook.redeliver").changes == {
        "event": [None, "task.assigned"],
        "delivery": [None, delivery_id],
    }


@pytest.mark.parametrize("role", ["manager_a", "agent_a", "analyst"])
def test_other_roles_are_refused_every_endpoint(request, role, public_hook, no_connections):
    api = ApiClient(request.getfixturevalue(role))

    answers = [
        api.get("/webhooks").status_code,
        api.get("/webhooks/events").status_code,
        api.post("/webhooks", {"url": PUBLIC, "event_names": ["task.assigned"]}).status_code,
        api.get(f"/webhooks/{public_hook.pk}").status_code,
        api.patch(f"/webhooks/{public_hook.pk}", {"is_active": False}).status_code,
        api.delete(f"/webhooks/{public_hook.pk}").status_code,
        api.get(f"/webhooks/{public_hook.pk}/deliveries").status_code,
    ]

    assert answers == [403] * 7
    assert Webhook.objects.get().is_active is True


def test_another_workspaces_admin_finds_nothing(public_hook, other_workspace_admin):
    api = ApiClient(other_workspace_admin)

    assert api.get(f"/webhooks/{public_hook.pk}").status_code == 404
    assert api.patch(f"/webhooks/{public_hook.pk}", {"is_active": False}).status_code == 404
    assert api.delete(f"/webhooks/{public_hook.pk}").status_code == 404
    assert Webhook.objects.get().is_active is True


def test_a_workspace_has_at_most_20_webhooks(api, admin, no_connections):
    for _ in range(20):
        webhook_create(actor=admin, url=PUBLIC, event_names=["task.assigned"])

    response = api.post("/webhooks", {"url": PUBLIC, "event_names": ["task.assigned"]})

    assert (response.status_code, response.json()["code"]) == (409, "conflict")
    assert response.json()["message"] == "A workspace can have at most 20 webhooks."
    assert Webhook.objects.count() == 20
