"""The sending rules: colleagues by their preferences, clients in their language and by
their consent, every outcome logged, and the guards against runaway sending."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from klient.activities.models import Interaction
from klient.contacts.services import (
    consent_grant,
    consent_withdraw,
    person_create,
    person_merge,
)
from klient.core.errors import PermissionDenied
from klient.core.models import AuditEvent
from klient.notifications.activity_kinds import TASK_ASSIGNED
from klient.notifications.kinds import Channel, KindTemplate, NotificationKind, notification_kinds
from klient.notifications.models import MessageLog, Notification, NotificationPreference
from klient.notifications.queue import held_cancel, held_release, held_release_due
from klient.notifications.sending import notify
from klient.notifications.services import template_save
from tests.notifications.conftest import OFFER

pytestmark = pytest.mark.django_db

OFFER_CONTEXT = {"client.first_name": "Анна", "deal.title": "Рейс <7>"}
DEAL = ("sales.deal", 7)


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """notify, with the delivery jobs run on commit as a worker would."""

    def send(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return notify(**kwargs)

    return send


def _offer(run, workspace, person, occurrence="stage:1", record=DEAL, **extra):
    return run(
        kind=OFFER,
        workspace_id=workspace.pk,
        context=OFFER_CONTEXT,
        people=[person],
        record=record,
        occurrence=occurrence,
        url="/deals/7/",
        **extra,
    )


def _outcomes(logs):
    """(channel, status, skip reason) of each message now (delivery ran after notify)."""
    rows = MessageLog.objects.filter(pk__in=[log.pk for log in logs])
    return sorted(rows.values_list("channel", "status", "skip_reason"))


def _assigned(run, workspace, user, occurrence="e1"):
    return run(
        kind=TASK_ASSIGNED,
        workspace_id=workspace.pk,
        context={"actor": "Мария Илиева", "task.title": "Q3 report"},
        users=[user],
        record=("activities.task", 1),
        occurrence=occurrence,
        url="/tasks/",
    )


# Colleagues ------------------------------------------------------------------------------------


def test_a_colleague_gets_it_in_the_app_and_by_email_in_their_language(run, workspace, agent_a2):
    agent_a2.language = "ru"
    agent_a2.save(update_fields=["language"])

    logs = _assigned(run, workspace, agent_a2)

    assert _outcomes(logs) == [("email", "sent", ""), ("in_app", "sent", "")]
    [email] = mail.outbox
    assert (email.to, email.subject) == (["agent_a2@example.org"], "Задача: Q3 report")
    assert (
        email.body
        == "Мария Илиева: вам назначена задача «Q3 report»\n\nhttp://127.0.0.1:8000/tasks/"
    )
    assert Notification.objects.get(recipient=agent_a2).text == (
        "Мария Илиева: вам назначена задача «Q3 report»"
    )


def test_a_colleague_who_turned_email_off_gets_it_in_the_app_only(run, workspace, agent_a2):
    NotificationPreference.objects.create(
        user=agent_a2, kind=TASK_ASSIGNED, channel=Channel.EMAIL, enabled=False
    )

    logs = _assigned(run, workspace, agent_a2)

    assert _outcomes(logs) == [("email", "skipped", "preference_off"), ("in_app", "sent", "")]
    assert mail.outbox == []


def test_a_colleague_without_an_email_address_is_skipped_on_email_and_logged(
    run, workspace, agent_a2
):
    agent_a2.email = ""
    agent_a2.save(update_fields=["email"])

    logs = _assigned(run, workspace, agent_a2)

    assert _outcomes(logs) == [("email", "skipped", "no_address"), ("in_app", "sent", "")]


# Clients ---------------------------------------------------------------------------------------


def test_a_client_gets_email_and_sms_in_their_language(run, workspace, offer_kind, client_person):
    logs = _offer(run, workspace, client_person)

    assert _outcomes(logs) == [("email", "sent", ""), ("sms", "sent", "")]
    [email] = mail.outbox
    assert (email.to, email.subject) == (["anna@client.example"], "Предложение: Рейс <7>")
    assert email.body == "Анна, для вас: Рейс <7>.\n\nhttp://127.0.0.1:8000/deals/7/"
    assert email.alternatives[0][0] == (
        "<p>Анна, для вас: Рейс &lt;7&gt;.</p><p>http://127.0.0.1:8000/deals/7/</p>"
    )
    sms = MessageLog.objects.get(channel="sms")
    assert (sms.address, sms.body_text, sms.language) == ("+79161234567", "Анна: Рейс <7>", "ru")


def test_a_withdrawn_consent_skips_only_its_purpose_and_channel(
    run, workspace, agent_a, offer_kind, client_person
):
    consent = consent_grant(
        actor=agent_a, person=client_person, purpose="marketing", channel="email"
    )
    consent_withdraw(actor=agent_a, consent=consent)
    other = consent_grant(actor=agent_a, person=client_person, purpose="survey", channel="sms")
    consent_withdraw(actor=agent_a, consent=other)

    logs = _offer(run, workspace, client_person)

    assert _outcomes(logs) == [("email", "skipped", "consent_withdrawn"), ("sms", "sent", "")]
    assert mail.outbox == []


def test_consent_granted_again_after_a_withdrawal_sends(
    run, workspace, agent_a, offer_kind, client_person
):
    earlier = timezone.now() - timedelta(days=30)
    consent = consent_grant(
        actor=agent_a,
        person=client_person,
        purpose="marketing",
        channel="email",
        granted_at=earlier,
    )
    consent_withdraw(actor=agent_a, consent=consent)
    consent_grant(actor=agent_a, person=client_person, purpose="Marketing", channel="email")

    logs = _offer(run, workspace, client_person)

    assert ("email", "sent", "") in _outcomes(logs)


def test_a_transactional_kind_needs_no_consent(run, workspace, agent_a, client_person):
    notification_kinds.register(
        NotificationKind(
            key="test.shipped",
            label="Shipped",
            purpose="transactional",
            placeholders=("deal.title",),
            templates={
                Channel.EMAIL: KindTemplate(subject={"en": "{deal.title}"}, body={"en": "Shipped"})
            },
            client_channels=frozenset({Channel.EMAIL}),
        )
    )
    try:
        for purpose in ("transactional", "marketing"):
            consent = consent_grant(
                actor=agent_a, person=client_person, purpose=purpose, channel="email"
            )
            consent_withdraw(actor=agent_a, consent=consent)

        logs = run(
            kind="test.shipped",
            workspace_id=workspace.pk,
            context={"deal.title": "Рейс 7"},
            people=[client_person],
        )
    finally:
        notification_kinds.unregister("test.shipped")

    assert _outcomes(logs) == [("email", "sent", "")]


def test_a_client_without_a_phone_or_with_a_landline_gets_no_sms_and_it_is_logged(
    run, workspace, agent_a, offer_kind
):
    no_phone = person_create(actor=agent_a, last_name="Безтелефонов", emails=["a@b.example"])
    landline = person_create(actor=agent_a, last_name="Городской", phones=["+7 495 123-45-67"])

    logs = run(
        kind=OFFER,
        workspace_id=workspace.pk,
        context=OFFER_CONTEXT,
        people=[no_phone, landline],
        channels=[Channel.SMS],
    )

    assert [(log.recipient_person_id, log.status, log.skip_reason) for log in logs] == [
        (no_phone.pk, "skipped", "no_address"),
        (landline.pk, "skipped", "not_mobile"),
    ]


def test_a_message_sent_to_a_client_shows_on_their_timeline(
    run, workspace, offer_kind, client_person
):
    _offer(run, workspace, client_person, channels=[Channel.EMAIL])

    entry = Interaction.objects.get(person=client_person, kind="notifications.message")
    assert (entry.subject, entry.author_id) == ("Предложение: Рейс <7>", None)
    assert entry.body.startswith("Анна, для вас: Рейс <7>.")


def test_the_workspaces_template_is_used_instead_of_the_default(
    run, workspace, admin, offer_kind, client_person
):
    template_save(
        actor=admin,
        kind=OFFER,
        channel=Channel.EMAIL,
        language="ru",
        subject="Только для вас, {client.first_name}",
        body="Сделка «{deal.title}»",
    )

    _offer(run, workspace, client_person, channels=[Channel.EMAIL])

    [email] = mail.outbox
    assert (email.subject, email.body) == ("Только для вас, Анна", "Сделка «Рейс <7>»")


# Against runaway sending -------------------------------------------------------------------------


def test_the_same_occurrence_sends_once_and_a_new_one_sends_again(
    run, workspace, offer_kind, client_person
):
    first = _offer(run, workspace, client_person, occurrence="stage:3:entered:1")
    repeat = _offer(run, workspace, client_person, occurrence="stage:3:entered:1")
    reentry = _offer(run, workspace, client_person, occurrence="stage:3:entered:2")

    assert [log.pk for log in repeat] == [log.pk for log in first]
    assert _outcomes(reentry) == [("email", "sent", ""), ("sms", "sent", "")]
    assert len(mail.outbox) == 2


def test_past_the_daily_cap_for_a_record_messages_are_skipped(
    run, workspace, settings, offer_kind, client_person
):
    settings.KLIENT_NOTIFY_RECORD_DAILY_CAP = 2
    for number in range(2):
        _offer(run, workspace, client_person, occurrence=f"update:{number}")

    logs = _offer(run, workspace, client_person, occurrence="update:2")
    other_deal = _offer(run, workspace, client_person, occurrence="u:2", record=("sales.deal", 8))

    assert _outcomes(logs) == [("email", "skipped", "daily_cap"), ("sms", "skipped", "daily_cap")]
    assert _outcomes(other_deal) == [("email", "sent", ""), ("sms", "sent", "")]


@pytest.fixture
def limit_of_two(settings):
    settings.KLIENT_NOTIFY_RATE_PER_MINUTE = 2


def _three_offers(run, workspace, agent_a):
    people = [
        person_create(actor=agent_a, last_name=f"Клиент{number}", emails=[f"c{number}@x.example"])
        for number in range(3)
    ]
    return run(
        kind=OFFER,
        workspace_id=workspace.pk,
        context=OFFER_CONTEXT,
        people=people,
        channels=[Channel.EMAIL],
    )


def test_past_the_rate_limit_messages_are_held_not_dropped(
    run, workspace, agent_a, offer_kind, limit_of_two
):
    logs = _three_offers(run, workspace, agent_a)

    assert [MessageLog.objects.get(pk=log.pk).status for log in logs] == ["sent", "sent", "held"]
    assert len(mail.outbox) == 2


def test_held_messages_go_out_when_the_minute_has_passed(
    run, workspace, agent_a, offer_kind, limit_of_two, django_capture_on_commit_callbacks
):
    logs = _three_offers(run, workspace, agent_a)
    MessageLog.objects.update(queued_at=timezone.now() - timedelta(minutes=2))

    with django_capture_on_commit_callbacks(execute=True):
        released = held_release_due(workspace_id=workspace.pk)

    assert released == 1
    assert MessageLog.objects.get(pk=logs[2].pk).status == "sent"
    assert len(mail.outbox) == 3


def test_an_administrator_sends_held_messages_now_past_the_limit(
    run, workspace, agent_a, admin, offer_kind, limit_of_two, django_capture_on_commit_callbacks
):
    logs = _three_offers(run, workspace, agent_a)

    with django_capture_on_commit_callbacks(execute=True):
        released = held_release(actor=admin)

    assert released == 1
    assert MessageLog.objects.get(pk=logs[2].pk).status == "sent"
    assert AuditEvent.objects.get(action="messages.release").changes == {"released": [0, 1]}


def test_an_administrator_cancels_held_messages(
    run, workspace, agent_a, admin, offer_kind, limit_of_two
):
    logs = _three_offers(run, workspace, agent_a)

    assert held_cancel(actor=admin) == 1
    assert held_release_due(workspace_id=workspace.pk) == 0
    assert MessageLog.objects.get(pk=logs[2].pk).status == "cancelled"
    assert len(mail.outbox) == 2


def test_only_administrators_release_or_cancel(run, workspace, agent_a, offer_kind, limit_of_two):
    _three_offers(run, workspace, agent_a)

    with pytest.raises(PermissionDenied):
        held_release(actor=agent_a)
    with pytest.raises(PermissionDenied):
        held_cancel(actor=agent_a)
    assert MessageLog.objects.filter(status="held").count() == 1


def test_a_merged_clients_messages_move_to_the_survivor(
    run, workspace, agent_a, admin, offer_kind, client_person
):
    survivor = person_create(actor=agent_a, first_name="Анна", last_name="Клиентова-2")
    logs = _offer(run, workspace, client_person)

    person_merge(actor=admin, primary=survivor, duplicate=client_person)

    assert set(
        MessageLog.objects.filter(pk__in=[log.pk for log in logs]).values_list(
            "recipient_person_id", flat=True
        )
    ) == {survivor.pk}
    assert AuditEvent.objects.get(action="person.merge").changes["moved"][1]["messages"] == 2
