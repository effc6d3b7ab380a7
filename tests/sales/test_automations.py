"""Stage automations: run after the move commits, once per stage entry, a failure visible
and never undoing the move; client messages through the real SMTP server in the client's
language; a template with an unknown placeholder refused by name."""

from __future__ import annotations

from email.header import decode_header, make_header

import pytest

from klient.activities.models import Interaction, Task
from klient.contacts.services import person_create
from klient.core.errors import PermissionDenied, ValidationFailed
from klient.core.models import OutboxJob
from klient.notifications.models import MessageLog
from klient.sales import automations
from klient.sales.automations import automation_add, automation_run
from klient.sales.models import AutomationRun, StageAutomation
from klient.sales.services import deal_move
from tests.factories import OrganizationFactory
from tests.sales.factories import deal_make, pipeline_make, stages_of

pytestmark = pytest.mark.django_db

CLIENT_WORDING = {
    "email": {
        "ru": {
            "subject": "Груз: {stage.name}",
            "body": "{client.name}, груз по заявке «{deal.title}»: {stage.name}. {manager.name}",
        },
        "en": {"subject": "Cargo: {stage.name}", "body": "Cargo of {deal.title}: {stage.name}"},
    }
}


@pytest.fixture
def pipeline(admin):
    return pipeline_make(admin)


@pytest.fixture
def stages(pipeline):
    return stages_of(pipeline)


@pytest.fixture
def anna(agent_a):
    return person_create(
        actor=agent_a,
        first_name="Анна",
        last_name="Клиентова",
        emails=["anna@client.example"],
        preferred_language="ru",
    )


def _body(message) -> str:
    part = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    return part.get_payload(decode=True).decode().replace("\r\n", "\n")


def _move(capture, **kwargs):
    with capture(execute=True):
        return deal_move(**kwargs)


def test_a_task_is_made_once_per_stage_entry(
    admin, agent_a, pipeline, stages, django_capture_on_commit_callbacks
):
    automation_add(
        actor=admin,
        stage_id=stages["Proposal"].pk,
        kind="task",
        config={"title": "Send the proposal for {deal.title}", "assignee": "owner", "due_days": 2},
    )
    deal = deal_make(agent_a, pipeline, title="Riga — Varna")
    entry = _move(
        django_capture_on_commit_callbacks,
        actor=agent_a,
        deal_id=deal.pk,
        stage_id=stages["Proposal"].pk,
    )
    [task] = Task.objects.filter(subject_kind="sales.deal", subject_id=deal.pk)
    assert (task.title, task.assignee) == ("Send the proposal for Riga — Varna", agent_a)
    assert task.due_at is not None
    [run] = AutomationRun.objects.filter(deal=deal)
    assert (run.status, run.transition_id, run.attempts) == ("done", entry.pk, 1)
    assert Interaction.objects.filter(subject_id=deal.pk, kind="sales.automation").count() == 1

    # The outbox delivering the same job again (a retry after a crash) adds nothing.
    automation_run(automation_id=run.automation_id, transition_id=entry.pk)
    assert Task.objects.filter(subject_id=deal.pk).count() == 1

    # Leaving and entering again is a new entry: a new task.
    _move(
        django_capture_on_commit_callbacks,
        actor=agent_a,
        deal_id=deal.pk,
        stage_id=stages["Request received"].pk,
    )
    _move(
        django_capture_on_commit_callbacks,
        actor=agent_a,
        deal_id=deal.pk,
        stage_id=stages["Proposal"].pk,
    )
    assert Task.objects.filter(subject_id=deal.pk).count() == 2


def test_the_client_is_emailed_in_their_language_with_the_stage_wording(
    smtp,
    admin,
    agent_a,
    team_a,
    anna,
    pipeline,
    stages,
    django_capture_on_commit_callbacks,
):
    automation_add(
        actor=admin,
        stage_id=stages["Proposal"].pk,
        kind="notify_client",
        config={"channels": ["email"], "wording": CLIENT_WORDING},
    )
    organization = OrganizationFactory(
        workspace=agent_a.workspace, owner=agent_a, team=team_a, name="ООО Меридиан"
    )
    deal = deal_make(
        agent_a,
        pipeline,
        title="Шанхай — Новороссийск",
        organization_id=organization.pk,
        contacts=[(anna.pk, "Логист")],
    )
    _move(
        django_capture_on_commit_callbacks,
        actor=agent_a,
        deal_id=deal.pk,
        stage_id=stages["Proposal"].pk,
    )
    [(recipients, message)] = smtp.inbox.messages
    assert recipients == ["anna@client.example"]
    assert str(make_header(decode_header(message["Subject"]))) == "Груз: Proposal"
    assert _body(message).startswith(
        f"ООО Меридиан, груз по заявке «Шанхай — Новороссийск»: Proposal. {agent_a.get_full_name()}"
    )
    # On the client's timeline (the notifications app) and the deal's (the run).
    assert Interaction.objects.filter(person=anna, kind="notifications.message").exists()
    assert AutomationRun.objects.get(deal=deal).status == "done"


def test_with_smtp_down_the_move_is_done_and_the_message_waits(
    smtp_down,
    admin,
    agent_a,
    anna,
    pipeline,
    stages,
    django_capture_on_commit_callbacks,
):
    automation_add(
        actor=admin,
        stage_id=stages["Proposal"].pk,
        kind="notify_client",
        config={"channels": ["email"], "wording": CLIENT_WORDING},
    )
    deal = deal_make(agent_a, pipeline, contacts=[(anna.pk, "")])
    _move(
        django_capture_on_commit_callbacks,
        actor=agent_a,
        deal_id=deal.pk,
        stage_id=stages["Proposal"].pk,
    )
    deal.refresh_from_db()
    assert deal.stage == stages["Proposal"]
    [log] = MessageLog.objects.filter(recipient_person=anna)
    assert log.status not in ("sent", "skipped")
    assert smtp_down.inbox.messages == []


def test_a_failing_automation_leaves_the_move_done_and_shows_the_error(
    admin, agent_a, pipeline, stages, monkeypatch, django_capture_on_commit_callbacks
):
    automation_add(
        actor=admin,
        stage_id=stages["Proposal"].pk,
        kind="task",
        config={"title": "Call {client.name}", "assignee": "owner", "due_days": 1},
    )
    deal = deal_make(agent_a, pipeline)

    def broken(*args, **kwargs):
        raise RuntimeError("calendar service away")

    monkeypatch.setattr(automations, "_task_make", broken)
    _move(
        django_capture_on_commit_callbacks,
        actor=agent_a,
        deal_id=deal.pk,
        stage_id=stages["Proposal"].pk,
    )
    deal.refresh_from_db()
    assert deal.stage == stages["Proposal"]
    [run] = AutomationRun.objects.filter(deal=deal)
    assert run.status == "failed"
    assert "calendar service away" in run.detail
    assert Task.objects.filter(subject_id=deal.pk).count() == 0
    job = OutboxJob.objects.get(name="klient.sales.automation_run")
    assert job.status != "done"

    monkeypatch.undo()
    automation_run(automation_id=run.automation_id, transition_id=run.transition_id)
    run.refresh_from_db()
    assert (run.status, run.attempts) == ("done", run.attempts)
    assert run.attempts >= 2
    assert Task.objects.filter(subject_id=deal.pk).count() == 1


def test_an_unknown_placeholder_is_refused_by_name(admin, stages):
    with pytest.raises(ValidationFailed) as refused:
        automation_add(
            actor=admin,
            stage_id=stages["Proposal"].pk,
            kind="notify_client",
            config={
                "channels": ["sms"],
                "wording": {"sms": {"ru": {"body": "Груз {cargo.place}"}}},
            },
        )
    assert "{cargo.place}" in str(refused.value.fields["sms.ru.body"])
    assert StageAutomation.objects.count() == 0


def test_only_admins_set_up_automations(manager_a, stages):
    with pytest.raises(PermissionDenied):
        automation_add(
            actor=manager_a,
            stage_id=stages["Proposal"].pk,
            kind="notify_team",
            config={"channels": ["in_app"]},
        )
