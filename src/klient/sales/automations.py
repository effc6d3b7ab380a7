"""Stage automations: what runs when a deal enters a stage.

A move commits first; its `deal.moved` event is delivered through the outbox to
`automations_schedule`, which records one outbox job per active automation of the stage
entered, with the dedupe key (automation, transition). Each job does its work and marks
its `AutomationRun` done in one transaction, so a retry after success does nothing and a
crash before commit redoes it whole: once per stage entry. A failure is written on the
run (with the error and the attempt count) in its own transaction, then raised so the
outbox retries it; the move itself is never undone or held up. Messages are written to
the message log and the outbox (sent later by the notifications app), so a down SMTP
server or SMS provider delays them without failing anything here.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from klient.activities.services import system_event_record, task_create
from klient.calendars.selectors import calendar_spec_get
from klient.calendars.worktime import business_day_end, local_date, next_business_day
from klient.core.capabilities import require
from klient.core.errors import NotFound, ValidationFailed
from klient.core.jobs import job, outbox_record
from klient.core.models import User
from klient.core.selectors import escalation_recipients
from klient.core.services import actor_workspace_id, audit_record
from klient.notifications.formatter import TemplateInvalid, template_fill, template_validate
from klient.notifications.kinds import Channel
from klient.notifications.sending import notify
from klient.sales.events import DealMoved, deal_moved
from klient.sales.models import (
    AutomationRun,
    Deal,
    DealContact,
    Stage,
    StageAutomation,
    StageTransition,
)
from klient.sales.notify import CLIENT_PLACEHOLDERS, CLIENT_UPDATE, STAGE_ENTERED
from klient.webhooks.deliveries import delivery_to
from klient.webhooks.models import Webhook

TASK_PLACEHOLDERS = ("deal.title", "stage.name", "pipeline.name", "client.name")
ASSIGNEES = ("owner", "lead", "mover")
LANGUAGES = ("ru", "bg", "en")


def _template_check(text: str, allowed: tuple[str, ...], field: str) -> str:
    try:
        template_validate(text, allowed)
    except TemplateInvalid as error:
        if error.placeholder:
            message = _("Unknown placeholder {%(name)s}.") % {"name": error.placeholder}
        else:
            message = _("A brace is not closed: write {{ and }} for literal braces.")
        raise ValidationFailed(fields={field: message}) from None
    return text


def automation_config_check(
    *, workspace_id: int, kind: str, config: Mapping[str, Any]
) -> dict[str, Any]:
    """The config of an automation of `kind`, checked and normalised; ValidationFailed
    names the field (and an unknown placeholder by its name)."""
    if kind == StageAutomation.Kind.TASK:
        title = " ".join(str(config.get("title") or "").split())
        if not title:
            raise ValidationFailed(fields={"title": _("This field is required.")})
        assignee = config.get("assignee") or "owner"
        if assignee not in ASSIGNEES:
            raise ValidationFailed(
                fields={"assignee": _("Unknown value “%(value)s”.") % {"value": assignee}}
            )
        due_days = config.get("due_days", 1)
        if not isinstance(due_days, int) or isinstance(due_days, bool) or not 0 <= due_days <= 60:
            raise ValidationFailed(fields={"due_days": _("Enter a number of days from 0 to 60.")})
        return {
            "title": _template_check(title[:300], TASK_PLACEHOLDERS, "title"),
            "assignee": assignee,
            "due_days": due_days,
        }
    if kind == StageAutomation.Kind.NOTIFY_TEAM:
        return {"channels": _channels(config, (Channel.IN_APP, Channel.EMAIL))}
    if kind == StageAutomation.Kind.NOTIFY_CLIENT:
        channels = _channels(config, (Channel.EMAIL, Channel.SMS))
        wording: dict[str, dict[str, dict[str, str]]] = {}
        given = config.get("wording") or {}
        for channel in channels:
            for language in LANGUAGES:
                text = (given.get(channel) or {}).get(language) or {}
                body = str(text.get("body") or "").strip()
                subject = str(text.get("subject") or "").strip()
                if not body:
                    continue
                field = f"{channel}.{language}"
                wording.setdefault(channel, {})[language] = {
                    "subject": _template_check(
                        subject[:300], CLIENT_PLACEHOLDERS, f"{field}.subject"
                    ),
                    "body": _template_check(body[:2000], CLIENT_PLACEHOLDERS, f"{field}.body"),
                }
        return {"channels": channels, "wording": wording}
    if kind == StageAutomation.Kind.WEBHOOK:
        webhook_id = config.get("webhook_id")
        if (
            not isinstance(webhook_id, int)
            or not Webhook.objects.filter(pk=webhook_id, workspace_id=workspace_id).exists()
        ):
            raise ValidationFailed(fields={"webhook_id": _("Unknown webhook.")})
        return {"webhook_id": webhook_id}
    raise ValidationFailed(fields={"kind": _("Unknown value “%(value)s”.") % {"value": kind}})


def _channels(config: Mapping[str, Any], allowed: tuple[str, ...]) -> list[str]:
    channels = [channel for channel in allowed if channel in (config.get("channels") or [])]
    unknown = [channel for channel in config.get("channels") or [] if channel not in allowed]
    if unknown or not channels:
        raise ValidationFailed(fields={"channels": _("Choose at least one channel.")})
    return channels


@transaction.atomic
def automation_add(
    *, actor: User, stage_id: int, kind: str, config: Mapping[str, Any]
) -> StageAutomation:
    require(actor, "pipeline.manage")
    workspace_id = actor_workspace_id(actor)
    stage = Stage.objects.filter(pk=stage_id, workspace_id=workspace_id, archived=False).first()
    if stage is None:
        raise NotFound(_("Stage not found."))
    checked = automation_config_check(workspace_id=workspace_id, kind=kind, config=config)
    automation = StageAutomation.objects.create(
        workspace_id=workspace_id,
        stage=stage,
        kind=kind,
        config=checked,
        position=StageAutomation.objects.filter(stage=stage).count(),
    )
    audit_record(
        workspace=workspace_id,
        actor=actor,
        action="stage.update",
        instance=stage,
        changes={"automation": (None, kind)},
    )
    return automation


@transaction.atomic
def automation_update(
    *,
    actor: User,
    automation_id: int,
    config: Mapping[str, Any] | None = None,
    is_active: bool | None = None,
) -> StageAutomation:
    require(actor, "pipeline.manage")
    workspace_id = actor_workspace_id(actor)
    automation = (
        StageAutomation.objects.filter(pk=automation_id, workspace_id=workspace_id)
        .select_related("stage")
        .first()
    )
    if automation is None:
        raise NotFound(_("Automation not found."))
    if config is not None:
        automation.config = automation_config_check(
            workspace_id=workspace_id, kind=automation.kind, config=config
        )
    if is_active is not None:
        automation.is_active = is_active
    automation.save()
    audit_record(
        workspace=workspace_id,
        actor=actor,
        action="stage.update",
        instance=automation.stage,
        changes={"automation": (automation.kind, automation.kind)},
    )
    return automation


@transaction.atomic
def automation_delete(*, actor: User, automation_id: int) -> None:
    require(actor, "pipeline.manage")
    workspace_id = actor_workspace_id(actor)
    automation = (
        StageAutomation.objects.filter(pk=automation_id, workspace_id=workspace_id)
        .select_related("stage")
        .first()
    )
    if automation is None:
        raise NotFound(_("Automation not found."))
    audit_record(
        workspace=workspace_id,
        actor=actor,
        action="stage.update",
        instance=automation.stage,
        changes={"automation": (automation.kind, None)},
    )
    automation.delete()


# Running ---------------------------------------------------------------------------


def _has_automations(payload: DealMoved) -> bool:
    return StageAutomation.objects.filter(stage_id=payload.to_stage_id, is_active=True).exists()


def automations_schedule(payload: DealMoved, *, event_id: str) -> int:
    """One job per active automation of the stage entered, deduplicated per entry."""
    automations = StageAutomation.objects.filter(
        stage_id=payload.to_stage_id, is_active=True
    ).values_list("pk", flat=True)
    for automation_id in automations:
        outbox_record(
            job=automation_run_job,
            kwargs={"automation_id": automation_id, "transition_id": payload.transition_id},
            workspace_id=payload.workspace_id,
            dedupe_key=f"sales.automation:{automation_id}:{payload.transition_id}",
        )
    return len(automations)


def automations_connect() -> None:
    deal_moved.connect(automations_schedule, when=_has_automations)


@job("klient.sales.automation_run", retries=5, retry_delay=60, atomic=False)
def automation_run_job(*, automation_id: int, transition_id: int) -> str:
    return automation_run(automation_id=automation_id, transition_id=transition_id)


def automation_run(*, automation_id: int, transition_id: int) -> str:
    """Run one automation for one stage entry, once; what it did."""
    automation = (
        StageAutomation.objects.filter(pk=automation_id).select_related("stage__pipeline").first()
    )
    transition = StageTransition.objects.filter(pk=transition_id).select_related("actor").first()
    if automation is None or transition is None:
        return "gone"
    if AutomationRun.objects.filter(
        automation=automation, transition=transition, status=AutomationRun.Status.DONE
    ).exists():
        return "done before"
    try:
        with transaction.atomic():
            deal = Deal.objects.select_related(
                "owner", "team", "organization", "stage", "pipeline"
            ).get(pk=transition.deal_id)
            detail = _execute(automation, deal, transition)[:500]
            previous = AutomationRun.objects.filter(
                automation=automation, transition=transition
            ).first()
            if previous is None:
                AutomationRun.objects.create(
                    workspace_id=automation.workspace_id,
                    automation=automation,
                    deal=deal,
                    transition=transition,
                    status=AutomationRun.Status.DONE,
                    attempts=1,
                    detail=detail,
                )
            elif not AutomationRun.objects.filter(
                pk=previous.pk, status=AutomationRun.Status.FAILED
            ).update(
                status=AutomationRun.Status.DONE,
                attempts=previous.attempts + 1,
                detail=detail,
                updated_at=timezone.now(),
            ):
                raise IntegrityError("run already done")
            contacts = _contacts(deal)
            system_event_record(
                owner=deal,
                kind="sales.automation",
                subject=detail,
                person=contacts[0] if contacts else None,
                organization=deal.organization,
                idempotency_key=f"automation:{automation.pk}:{transition.pk}",
            )
        return detail
    except IntegrityError:
        if AutomationRun.objects.filter(
            automation=automation, transition=transition, status=AutomationRun.Status.DONE
        ).exists():
            return "done before"  # another worker finished it first; ours rolled back
        raise
    except Exception as error:
        _failure_record(automation, transition, error)
        raise


def _failure_record(
    automation: StageAutomation, transition: StageTransition, error: Exception
) -> None:
    message = f"{type(error).__name__}: {error}"[:500]
    with transaction.atomic():
        run, created = AutomationRun.objects.get_or_create(
            automation=automation,
            transition=transition,
            defaults={
                "workspace_id": automation.workspace_id,
                "deal_id": transition.deal_id,
                "status": AutomationRun.Status.FAILED,
                "attempts": 1,
                "detail": message,
            },
        )
        if not created and run.status == AutomationRun.Status.FAILED:
            AutomationRun.objects.filter(pk=run.pk).update(
                attempts=run.attempts + 1, detail=message, updated_at=timezone.now()
            )


def _contacts(deal: Deal) -> list[Any]:
    return [link.person for link in DealContact.objects.filter(deal=deal).select_related("person")]


def _client_name(deal: Deal) -> str:
    if deal.organization is not None:
        return deal.organization.name
    people = _contacts(deal)
    return people[0].full_name if people else ""


def _execute(automation: StageAutomation, deal: Deal, transition: StageTransition) -> str:
    kind = automation.kind
    config = automation.config
    occurrence = f"stage-entry:{transition.pk}:automation:{automation.pk}"
    url = reverse("sales:deal_detail", kwargs={"deal_id": deal.pk})
    if kind == StageAutomation.Kind.TASK:
        return _task_make(deal, transition, config)
    if kind == StageAutomation.Kind.NOTIFY_TEAM:
        users = _team_of(deal)
        logs = notify(
            kind=STAGE_ENTERED,
            workspace_id=deal.workspace_id,
            context={
                "actor": _name(transition.actor),
                "deal.title": deal.title,
                "stage.name": automation.stage.name,
                "pipeline.name": automation.stage.pipeline.name,
            },
            users=users,
            record=("sales.deal", deal.pk),
            occurrence=occurrence,
            url=url,
            channels=config["channels"],
        )
        return _("Told the team: %(count)s messages") % {"count": len(logs)}
    if kind == StageAutomation.Kind.NOTIFY_CLIENT:
        people = _contacts(deal)
        wording = {
            (CLIENT_UPDATE, channel, language): (text.get("subject", ""), text["body"])
            for channel, languages in (config.get("wording") or {}).items()
            for language, text in languages.items()
        }
        manager = deal.owner
        logs = notify(
            kind=CLIENT_UPDATE,
            workspace_id=deal.workspace_id,
            context={
                "deal.title": deal.title,
                "stage.name": automation.stage.name,
                "pipeline.name": automation.stage.pipeline.name,
                "client.name": _client_name(deal),
                "manager.name": _name(manager),
                "manager.email": manager.email if manager else "",
            },
            people=people,
            record=("sales.deal", deal.pk),
            occurrence=occurrence,
            channels=config["channels"],
            wording=wording,
        )
        sent = [log for log in logs if log.status != "skipped"]
        return _("Told the client: %(sent)s of %(count)s messages queued") % {
            "sent": len(sent),
            "count": len(logs),
        }
    if kind == StageAutomation.Kind.WEBHOOK:
        payload = {
            "workspace_id": deal.workspace_id,
            "deal_id": deal.pk,
            "transition_id": transition.pk,
            "pipeline_id": deal.pipeline_id,
            "stage_id": automation.stage_id,
            "from_stage_id": transition.from_stage_id,
            "state": deal.state,
        }
        delivery_to(
            webhook_id=config["webhook_id"],
            event_name="deal.stage_entered",
            event_id=f"sales-{automation.pk}-{transition.pk}",
            payload=payload,
        )
        return _("Webhook call queued")
    raise ValueError(f"unknown automation kind {kind!r}")


def _name(user: User | None) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.username


def _team_of(deal: Deal) -> list[User]:
    users: dict[int, User] = {}
    if deal.owner is not None and deal.owner.is_active:
        users[deal.owner.pk] = deal.owner
    if deal.team_id is not None:
        for user in User.objects.filter(teams=deal.team_id, is_active=True):
            users.setdefault(user.pk, user)
    return list(users.values())


def _due_at(deal: Deal, days: int, now: datetime) -> datetime:
    try:
        spec = calendar_spec_get(workspace=deal.workspace_id, calendar_id=deal.pipeline.calendar_id)
    except NotFound:
        return now + timedelta(days=days)
    day = (
        local_date(spec, now) if days == 0 else next_business_day(spec, local_date(spec, now), days)
    )
    return business_day_end(spec, day)


def _task_make(deal: Deal, transition: StageTransition, config: Mapping[str, Any]) -> str:
    if config["assignee"] == "lead":
        leads = escalation_recipients(workspace_id=deal.workspace_id, team_id=deal.team_id)
        assignee = leads[0] if leads else deal.owner
    elif (
        config["assignee"] == "mover"
        and transition.actor is not None
        and transition.actor.is_active
    ):
        assignee = transition.actor
    else:
        assignee = deal.owner
    actor = assignee if assignee is not None and assignee.is_active else transition.actor
    if actor is None:
        raise ValueError("the deal has no owner to give the task to")
    title = template_fill(
        config["title"],
        {
            "deal.title": deal.title,
            "stage.name": deal.stage.name,
            "pipeline.name": deal.pipeline.name,
            "client.name": _client_name(deal),
        },
    )
    people = _contacts(deal)
    task = task_create(
        actor=actor,
        title=title,
        assignee=assignee,
        owner=deal,
        person=people[0] if people else None,
        organization=deal.organization,
        due_at=_due_at(deal, int(config["due_days"]), timezone.now()),
    )
    return _("Task created: %(title)s") % {"title": task.title}
