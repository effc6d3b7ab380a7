"""The one email path: written with the change, sent by a worker through Django's SMTP
backend to a real server on loopback; with the server down, nothing is lost."""

from __future__ import annotations

from email.header import decode_header, make_header

import pytest

from klient.core.jobs import outbox_sweep
from klient.core.models import OutboxJob
from klient.notifications.channels.email import Attachment, email_send
from klient.notifications.models import MessageLog, WorkspaceMessaging

pytestmark = pytest.mark.django_db

JOB = "klient.notifications.message_deliver"


@pytest.fixture
def sender(workspace):
    return WorkspaceMessaging.objects.create(
        workspace=workspace,
        from_name="ООО Ромашка",
        from_email="office@romashka.example",
        reply_to="support@romashka.example",
    )


def _send(workspace, **extra):
    fields = {
        "workspace_id": workspace.pk,
        "to": "anna@client.example",
        "subject": "Ваш заказ отправлен",
        "body_text": "Здравствуйте!\n\nЗаказ <7> в пути.",
        "kind": "test.order",
        **extra,
    }
    return email_send(**fields)


def test_a_message_arrives_with_its_sender_threading_headers_and_attachment(
    smtp, workspace, sender, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = _send(
            workspace,
            in_reply_to="<first@romashka.example>",
            references=["<first@romashka.example>", "<second@romashka.example>"],
            attachments=[Attachment("offer.pdf", b"%PDF-1.4 test", "application/pdf")],
        )

    [(recipients, received)] = smtp.inbox.messages
    message.refresh_from_db()
    assert recipients == ["anna@client.example"]
    assert str(make_header(decode_header(received["From"]))) == (
        "ООО Ромашка <office@romashka.example>"
    )
    assert received["Reply-To"] == "support@romashka.example"
    assert received["Message-ID"] == message.headers["Message-ID"]
    assert received["Message-ID"].endswith("@romashka.example>")
    assert received["In-Reply-To"] == "<first@romashka.example>"
    assert received["References"] == "<first@romashka.example> <second@romashka.example>"
    parts = {part.get_content_type(): part for part in received.walk()}
    assert parts["text/plain"].get_payload(decode=True).decode().replace("\r\n", "\n") == (
        "Здравствуйте!\n\nЗаказ <7> в пути."
    )
    assert parts["text/html"].get_payload(decode=True).decode() == (
        "<p>Здравствуйте!</p><p>Заказ &lt;7&gt; в пути.</p>"
    )
    assert parts["application/pdf"].get_filename() == "offer.pdf"
    assert (message.status, message.provider_id) == ("sent", received["Message-ID"])


def test_without_a_workspace_sender_the_site_default_sends(
    smtp, workspace, settings, django_capture_on_commit_callbacks
):
    settings.DEFAULT_FROM_EMAIL = "Klient <noreply@klient.example>"
    with django_capture_on_commit_callbacks(execute=True):
        _send(workspace)

    [(_recipients, received)] = smtp.inbox.messages
    assert received["From"] == "Klient <noreply@klient.example>"
    assert received["Reply-To"] is None
    assert received["Message-ID"].endswith("@klient.example>")


def test_sending_only_writes_the_message_and_its_job(smtp_down, workspace, sender):
    """The request's side: no connection to the server is made before commit."""
    message = _send(workspace)

    job = OutboxJob.objects.get(name=JOB)
    assert (message.status, message.attempts) == ("queued", 0)
    assert (job.status, job.kwargs) == ("pending", {"message_id": message.pk})


def test_with_the_server_down_the_message_waits_and_goes_when_it_is_back(
    smtp_down, workspace, sender, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = _send(workspace)

    message.refresh_from_db()
    job = OutboxJob.objects.get(name=JOB)
    assert (message.status, message.attempts, job.status, job.attempts) == (
        "queued",
        1,
        "pending",
        1,
    )
    assert message.error.startswith("ConnectionRefusedError")

    smtp_down.start()
    assert outbox_sweep(older_than_seconds=0) == 1

    message.refresh_from_db()
    job.refresh_from_db()
    [(_recipients, received)] = smtp_down.inbox.messages
    assert received["Message-ID"] == message.headers["Message-ID"]
    assert (message.status, message.attempts, message.error, job.status) == ("sent", 2, "", "done")


def test_a_recipient_the_server_refuses_for_good_fails_without_retrying(
    smtp, workspace, sender, django_capture_on_commit_callbacks
):
    async def refuse(server, session, envelope, address, rcpt_options):
        return "550 5.1.1 No such user"

    smtp.inbox.handle_RCPT = refuse
    with django_capture_on_commit_callbacks(execute=True):
        message = _send(workspace)

    message.refresh_from_db()
    assert (message.status, OutboxJob.objects.get(name=JOB).status) == ("failed", "done")
    assert "No such user" in message.error


def test_the_same_dedupe_key_queues_one_message(smtp_down, workspace, sender):
    first = _send(workspace, dedupe_key="order:7:shipped")
    again = _send(workspace, dedupe_key="order:7:shipped")

    assert again.pk == first.pk
    assert MessageLog.objects.count() == 1
