"""A workspace's own wording: checked against the kind's placeholders when saved, used
instead of the default, and reset to it."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from klient.core.errors import NotFound, PermissionDenied, ValidationFailed
from klient.core.models import AuditEvent
from klient.notifications.activity_kinds import TASK_ASSIGNED
from klient.notifications.kinds import Channel
from klient.notifications.models import NotificationTemplate
from klient.notifications.selectors import notification_list, notifications_worded
from klient.notifications.services import notification_create, template_reset, template_save

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _language_reset():
    yield
    translation.deactivate()


def _save(actor, **fields):
    values = {
        "kind": TASK_ASSIGNED,
        "channel": Channel.IN_APP,
        "language": "en",
        "body": "{actor} → {task.title}",
        **fields,
    }
    return template_save(actor=actor, **values)


def test_a_template_with_an_unknown_placeholder_is_refused_naming_it(admin):
    with pytest.raises(ValidationFailed) as refused:
        _save(admin, body="{actor} moved {deal.amount}")

    message = str(refused.value.fields["body"])
    assert message == (
        "Unknown placeholder {deal.amount}. Available: {actor}, {task.title}, {url}."
    )
    assert NotificationTemplate.objects.count() == 0


def test_a_placeholder_with_a_format_is_refused_naming_it(admin):
    with pytest.raises(ValidationFailed) as refused:
        _save(admin, body="{task.title!r}")

    assert str(refused.value.fields["body"]).startswith(
        "The placeholder {task.title!r} cannot carry a format"
    )


def test_an_unknown_placeholder_in_an_email_subject_is_refused_on_the_subject(admin):
    with pytest.raises(ValidationFailed) as refused:
        _save(admin, channel=Channel.EMAIL, subject="{client.first_name}", body="{actor}")

    assert list(refused.value.fields) == ["subject"]


def test_an_email_template_needs_a_subject(admin):
    with pytest.raises(ValidationFailed) as refused:
        _save(admin, channel=Channel.EMAIL, subject="  ", body="{actor}")

    assert list(refused.value.fields) == ["subject"]


def test_a_kind_not_sent_on_a_channel_takes_no_template_for_it(admin):
    with pytest.raises(ValidationFailed) as refused:
        _save(admin, channel=Channel.SMS)

    assert list(refused.value.fields) == ["channel"]


def test_an_unknown_kind_takes_no_template(admin):
    with pytest.raises(NotFound):
        _save(admin, kind="sales.nope")


def test_only_administrators_change_templates(agent_a):
    with pytest.raises(PermissionDenied):
        _save(agent_a)


def test_a_saved_template_words_in_app_notifications_of_the_workspace(admin, agent_a):
    notification_create(
        recipient=agent_a, kind=TASK_ASSIGNED, params={"actor": "Мария", "task.title": "Q3"}
    )
    row = _save(admin)

    shown = notifications_worded(user=agent_a, rows=list(notification_list(user=agent_a)))[0]
    with translation.override("en"):
        assert shown.message == "Мария → Q3"
    with translation.override("ru"):
        assert shown.message == "Мария: вам назначена задача «Q3»"
    assert AuditEvent.objects.get(action="notification_template.save").object_id == row.pk


def test_resetting_brings_the_default_wording_back(admin):
    _save(admin)

    assert (
        template_reset(actor=admin, kind=TASK_ASSIGNED, channel=Channel.IN_APP, language="en")
        is True
    )
    assert NotificationTemplate.objects.count() == 0
    assert AuditEvent.objects.filter(action="notification_template.reset").count() == 1


def test_the_template_page_refuses_an_unknown_placeholder_and_names_it(admin):
    client = Client()
    client.force_login(admin)
    url = reverse("notifications:template", args=[TASK_ASSIGNED, "email", "ru"])

    response = client.post(url, {"subject": "Задача {task.title}", "body": "{deal.amount}"})

    assert response.status_code == 422
    assert "Unknown placeholder {deal.amount}" in response.content.decode()
    assert NotificationTemplate.objects.count() == 0


def test_the_template_page_shows_the_default_wording_and_saves_a_new_one(admin):
    client = Client()
    client.force_login(admin)
    url = reverse("notifications:template", args=[TASK_ASSIGNED, "email", "ru"])

    page = client.get(url).content.decode()
    response = client.post(url, {"subject": "Новая задача", "body": "{actor}: {task.title}"})

    assert "Задача: {task.title}" in page
    assert response.status_code == 302
    saved = NotificationTemplate.objects.get()
    assert (saved.kind, saved.channel, saved.language, saved.subject, saved.body) == (
        TASK_ASSIGNED,
        "email",
        "ru",
        "Новая задача",
        "{actor}: {task.title}",
    )
