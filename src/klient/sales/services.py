"""Writes of deals: create, change, move between stages (with the stage gates), move to
another pipeline, tick checklist items, delete. One transaction each, audited; a move
writes its transition, the funnel's rollups, the timeline entry and the event together,
and a concurrent change of the same deal is refused, never merged."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from klient.activities.services import owner_entries_delete, system_event_record
from klient.calendars.selectors import calendar_spec_get
from klient.calendars.worktime import business_day_end, local_date, next_business_day
from klient.contacts import selectors as contacts
from klient.contacts.models import Organization, Person
from klient.contacts.normalize import search_fold
from klient.core.capabilities import require
from klient.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from klient.core.models import Role, Team, User, Workspace
from klient.core.services import actor_workspace_id, audit_record
from klient.money.currencies import currency_check
from klient.money.fields import AMOUNT_DECIMAL_PLACES
from klient.sales.events import deal_created, deal_moved
from klient.sales.funnel import (
    DealState,
    FunnelDelta,
    funnel_apply,
    funnel_step,
    month_of,
    stage_infos,
)
from klient.sales.models import (
    ChecklistItem,
    ChecklistTick,
    Deal,
    DealContact,
    LostReason,
    Stage,
    StageTransition,
)
from klient.sales.selectors import checklist_for, deal_get, pipeline_get, stage_list

# Deal fields a stage may require before a deal leaves it forward.
REQUIRED_FIELD_CHOICES = (
    "amount",
    "expected_close_on",
    "organization",
    "contacts",
    "source",
    "description",
)


def required_field_label(key: str) -> str:
    labels = {
        "amount": _("Amount"),
        "expected_close_on": _("Expected close date"),
        "organization": _("Organization"),
        "contacts": _("Contact people"),
        "source": _("Source"),
        "description": _("Description"),
    }
    return labels.get(key, key)


class GateBlocked(Conflict):
    """The deal may not leave its stage yet: `missing` says what is not done."""

    code = "stage_gate"
    default_message = gettext_lazy("The deal cannot move on yet.")

    def __init__(self, missing: Sequence[str]) -> None:
        super().__init__(
            _("Before the deal moves on: %(missing)s.") % {"missing": "; ".join(missing)},
            fields={f"missing_{index}": item for index, item in enumerate(missing)},
        )
        self.missing = list(missing)


class DealChanged(Conflict):
    code = "deal_changed"
    default_message = gettext_lazy(
        "Someone else changed this deal meanwhile. Reload it and try again."
    )


def _require_deal_write(actor: User, deal: Deal, capability: str) -> None:
    """Agents change only the deals they own; managers the deals they see; admins all."""
    require(actor, capability)
    if actor.role == Role.AGENT and deal.owner_id != actor.pk:
        raise PermissionDenied(_("You can change only your own deals."))


def _deal_for_write(actor: User, deal_id: int, capability: str) -> Deal:
    deal = deal_get(user=actor, deal_id=deal_id)
    _require_deal_write(actor, deal, capability)
    return deal


def _amount(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    if isinstance(value, float):
        value = str(value)
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationFailed(fields={"amount": _("This is not a valid amount.")}) from None
    if not amount.is_finite() or amount < 0:
        raise ValidationFailed(fields={"amount": _("The amount cannot be negative.")})
    if amount.as_tuple().exponent < -AMOUNT_DECIMAL_PLACES:  # type: ignore[operator]
        # The column keeps four places: more would be rounded away without a word.
        raise ValidationFailed(fields={"amount": _("This is not a valid amount.")})
    if amount >= Decimal(10) ** 14:
        raise ValidationFailed(fields={"amount": _("The amount is too large.")})
    return amount


def _organization(actor: User, organization_id: int | None) -> Organization | None:
    if organization_id is None:
        return None
    try:
        return contacts.organization_get(user=actor, organization_id=organization_id)
    except NotFound:
        raise ValidationFailed(fields={"organization_id": _("Unknown organization.")}) from None


def _people(actor: User, contact_ids: Sequence[tuple[int, str]]) -> list[tuple[Person, str]]:
    ids = [person_id for person_id, _role in contact_ids]
    if len(set(ids)) != len(ids):
        raise ValidationFailed(fields={"contacts": _("A person is listed twice.")})
    found = {person.pk: person for person in contacts.person_list(user=actor).filter(pk__in=ids)}
    missing = [person_id for person_id in ids if person_id not in found]
    if missing:
        raise ValidationFailed(fields={"contacts": _("Unknown person.")})
    return [(found[person_id], (role or "")[:120]) for person_id, role in contact_ids]


def _colleague(actor: User, user_id: int | None, field: str) -> User | None:
    if user_id is None:
        return None
    user = User.objects.filter(
        pk=user_id, workspace_id=actor_workspace_id(actor), is_active=True
    ).first()
    if user is None:
        raise ValidationFailed(fields={field: _("Unknown colleague.")})
    return user


def _team(actor: User, team_id: int | None) -> Team | None:
    if team_id is None:
        return None
    team = Team.objects.filter(pk=team_id, workspace_id=actor_workspace_id(actor)).first()
    if team is None:
        raise ValidationFailed(fields={"team_id": _("Unknown team.")})
    return team


def _default_currency(workspace_id: int) -> str:
    return str(Workspace.objects.values_list("default_currency", flat=True).get(pk=workspace_id))


def _owner_team(owner: User | None) -> Team | None:
    """A deal without a team goes to its owner's first team, as clients do."""
    if owner is None:
        return None
    return owner.teams.order_by("pk").first()


def _title(value: str) -> str:
    title = " ".join((value or "").split())
    if not title:
        raise ValidationFailed(fields={"title": _("This field is required.")})
    return title[:300]


def stage_due_at(*, deal: Deal, stage: Stage, entered_at: datetime) -> datetime | None:
    """When a deal entering `stage` at `entered_at` is past the stage's time limit: the end
    of the N-th business day after entry on the pipeline's calendar (calendar days when
    the workspace has no calendar)."""
    if not stage.time_limit_days or stage.is_closed:
        return None
    try:
        spec = calendar_spec_get(workspace=deal.workspace_id, calendar_id=deal.pipeline.calendar_id)
    except NotFound:
        return entered_at + timedelta(days=stage.time_limit_days)
    day = next_business_day(spec, local_date(spec, entered_at), stage.time_limit_days)
    return business_day_end(spec, day)


def _state_of(stage: Stage) -> str:
    return {Stage.Kind.WON: Deal.State.WON, Stage.Kind.LOST: Deal.State.LOST}.get(
        Stage.Kind(stage.kind), Deal.State.OPEN
    )


def _funnel_state(deal: Deal) -> DealState:
    return DealState(
        pipeline_id=deal.pipeline_id,
        cohort=month_of(deal.pipeline_entered_at),
        furthest=deal.furthest_position,
        lost_key=(deal.lost_reason_id or 0, deal.furthest_position)
        if deal.state == Deal.State.LOST
        else None,
    )


def _transition_record(
    *,
    deal: Deal,
    kind: str,
    from_stage: Stage | None,
    to_stage: Stage,
    actor: User | None,
    at: datetime,
    state: DealState,
    lost_reason: LostReason | None = None,
) -> StageTransition:
    seconds = int((at - deal.stage_entered_at).total_seconds()) if from_stage is not None else None
    transition = StageTransition.objects.create(
        workspace_id=deal.workspace_id,
        deal=deal,
        kind=kind,
        pipeline_id=to_stage.pipeline_id,
        from_stage=from_stage,
        to_stage=to_stage,
        actor=actor,
        at=at,
        seconds_in_stage=seconds,
        lost_reason=lost_reason,
    )
    delta = FunnelDelta()
    funnel_step(state, transition, stage_infos(deal.workspace_id), delta, deal.workspace_id)
    funnel_apply(delta)
    return transition


def _primary_contact(deal: Deal) -> Person | None:
    link = DealContact.objects.filter(deal=deal).select_related("person").first()
    return link.person if link is not None else None


def _timeline_record(
    deal: Deal, *, kind: str, subject: str, occurred_at: datetime, key: str
) -> None:
    system_event_record(
        owner=deal,
        kind=kind,
        subject=subject,
        person=_primary_contact(deal),
        organization=deal.organization,
        occurred_at=occurred_at,
        idempotency_key=key,
    )


@transaction.atomic
def deal_create(
    *,
    actor: User,
    pipeline_id: int,
    title: str,
    stage_id: int | None = None,
    organization_id: int | None = None,
    contacts: Sequence[tuple[int, str]] = (),
    owner_id: int | None = None,
    team_id: int | None = None,
    amount: Any = None,
    currency: str = "",
    expected_close_on: date | None = None,
    source: str = "",
    description: str = "",
) -> Deal:
    require(actor, "deal.create")
    workspace_id = actor_workspace_id(actor)
    pipeline = pipeline_get(user=actor, pipeline_id=pipeline_id)
    if pipeline.archived:
        raise ValidationFailed(fields={"pipeline_id": _("This pipeline is archived.")})
    stages = stage_list(pipeline=pipeline)
    if not stages:
        raise ValidationFailed(fields={"pipeline_id": _("This pipeline has no stages.")})
    if stage_id is None:
        stage = stages[0]
    else:
        stage = next((item for item in stages if item.pk == stage_id), None)  # type: ignore[assignment]
        if stage is None:
            raise ValidationFailed(fields={"stage_id": _("This stage is not in the pipeline.")})
    if stage.kind == Stage.Kind.LOST:
        raise ValidationFailed(fields={"stage_id": _("A new deal cannot start lost.")})
    owner = _colleague(actor, owner_id, "owner_id") if owner_id is not None else actor
    if actor.role == Role.AGENT and owner is not None and owner.pk != actor.pk:
        raise PermissionDenied(_("You can create deals only for yourself."))
    now = timezone.now()
    deal = Deal(
        workspace_id=workspace_id,
        pipeline=pipeline,
        stage=stage,
        state=_state_of(stage),
        title=_title(title),
        organization=_organization(actor, organization_id),
        owner=owner,
        team=_team(actor, team_id) if team_id is not None else _owner_team(owner),
        amount=_amount(amount),
        currency=currency_check(currency or _default_currency(workspace_id)),
        expected_close_on=expected_close_on,
        source=(source or "").strip()[:120],
        description=description or "",
        pipeline_entered_at=now,
        stage_entered_at=now,
        furthest_position=stage.position,
        closed_at=now if stage.is_closed else None,
        created_by=actor,
    )
    deal.title_folded = search_fold(deal.title)
    deal.stage_due_at = stage_due_at(deal=deal, stage=stage, entered_at=now)
    deal.save()
    people = _people(actor, contacts)
    DealContact.objects.bulk_create(
        DealContact(deal=deal, person=person, role=role, position=index)
        for index, (person, role) in enumerate(people)
    )
    transition = _transition_record(
        deal=deal,
        kind=StageTransition.Kind.CREATED,
        from_stage=None,
        to_stage=stage,
        actor=actor,
        at=now,
        state=DealState(),
    )
    _timeline_record(
        deal,
        kind="sales.deal_created",
        subject=deal.title,
        occurred_at=now,
        key=f"deal:{deal.pk}:created",
    )
    audit_record(
        workspace=workspace_id,
        actor=actor,
        action="deal.create",
        instance=deal,
        changes={"title": (None, deal.title), "stage": (None, stage.pk)},
    )
    deal_created.send_on_commit(
        workspace_id=workspace_id,
        deal_id=deal.pk,
        pipeline_id=pipeline.pk,
        stage_id=stage.pk,
        actor_id=actor.pk,
    )
    deal_moved.send_on_commit(
        workspace_id=workspace_id,
        deal_id=deal.pk,
        transition_id=transition.pk,
        pipeline_id=pipeline.pk,
        from_stage_id=None,
        to_stage_id=stage.pk,
        state=deal.state,
        actor_id=actor.pk,
    )
    return deal


DEAL_EDITABLE = (
    "title",
    "organization",
    "owner",
    "team",
    "amount",
    "currency",
    "expected_close_on",
    "source",
    "description",
)


@transaction.atomic
def deal_update(
    *, actor: User, deal_id: int, data: Mapping[str, Any], version: int | None = None
) -> Deal:
    """Change a deal's fields (not its stage: `deal_move`). `data` keys: title,
    organization_id, owner_id, team_id, amount, currency, expected_close_on, source,
    description, contacts (a list of (person id, role))."""
    deal = _deal_for_write(actor, deal_id, "deal.create")
    if version is not None and version != deal.version:
        raise DealChanged()
    values: dict[str, Any] = {}
    if "title" in data:
        values["title"] = _title(data["title"])
    if "organization_id" in data:
        values["organization"] = _organization(actor, data["organization_id"])
    if "owner_id" in data:
        owner = _colleague(actor, data["owner_id"], "owner_id")
        if actor.role == Role.AGENT and (owner is None or owner.pk != actor.pk):
            raise PermissionDenied(_("You can change only your own deals."))
        values["owner"] = owner
    if "team_id" in data:
        values["team"] = _team(actor, data["team_id"])
    if "amount" in data:
        values["amount"] = _amount(data["amount"])
    if "currency" in data:
        values["currency"] = currency_check(data["currency"])
    if "expected_close_on" in data:
        values["expected_close_on"] = data["expected_close_on"]
    if "source" in data:
        values["source"] = (data["source"] or "").strip()[:120]
    if "description" in data:
        values["description"] = data["description"] or ""
    changes: dict[str, tuple[Any, Any]] = {}
    for key, value in values.items():
        before = getattr(deal, key)
        if before != value:
            changes[key] = (before, value)
            setattr(deal, key, value)
    if "contacts" in data:
        people = _people(actor, data["contacts"])
        before_ids = list(DealContact.objects.filter(deal=deal).values_list("person_id", flat=True))
        DealContact.objects.filter(deal=deal).delete()
        DealContact.objects.bulk_create(
            DealContact(deal=deal, person=person, role=role, position=index)
            for index, (person, role) in enumerate(people)
        )
        after_ids = [person.pk for person, _role in people]
        if before_ids != after_ids:
            changes["contacts"] = (before_ids, after_ids)
    if not changes:
        return deal
    deal.title_folded = search_fold(deal.title)
    updated = Deal.objects.filter(pk=deal.pk, version=deal.version).update(
        **{key: getattr(deal, key) for key in values},
        title_folded=deal.title_folded,
        version=deal.version + 1,
        updated_at=timezone.now(),
    )
    if not updated:
        raise DealChanged()
    deal.version += 1
    audit_record(
        workspace=deal.workspace_id,
        actor=actor,
        action="deal.update",
        instance=deal,
        changes=changes,
    )
    return deal


def gate_missing(*, deal: Deal, leaving: Sequence[Stage]) -> list[str]:
    """What stops the deal from leaving these stages forward, in the user's language."""
    missing: list[str] = []
    has_contacts = None
    for stage in leaving:
        for key in stage.required_fields or []:
            if key == "contacts":
                if has_contacts is None:
                    has_contacts = DealContact.objects.filter(deal=deal).exists()
                empty = not has_contacts
            else:
                value = getattr(deal, key if key != "organization" else "organization_id", None)
                empty = value in (None, "")
            label = _("%(field)s is not filled in") % {"field": required_field_label(key)}
            if empty and label not in missing:
                missing.append(label)
    items = checklist_for(stage_ids=[stage.pk for stage in leaving])
    wanted = [item for stage in leaving for item in items.get(stage.pk, [])]
    if wanted:
        done = set(
            ChecklistTick.objects.filter(deal=deal, item__in=wanted).values_list(
                "item_id", flat=True
            )
        )
        missing += [
            _("“%(item)s” is not done") % {"item": item.label}
            for item in wanted
            if item.pk not in done
        ]
    return missing


@transaction.atomic
def deal_move(
    *,
    actor: User,
    deal_id: int,
    stage_id: int,
    version: int | None = None,
    lost_reason_id: int | None = None,
    lost_note: str = "",
) -> StageTransition:
    """Move a deal to another stage of its pipeline. Forward past its stage (and any it
    skips) needs their gates done; a lost stage needs a reason when the workspace has
    reasons. Two people moving one deal at once: the second gets DealChanged."""
    deal = _deal_for_write(actor, deal_id, "deal.move")
    if version is not None and version != deal.version:
        raise DealChanged()
    stages = stage_list(pipeline=deal.pipeline)
    target = next((stage for stage in stages if stage.pk == stage_id), None)
    if target is None:
        raise ValidationFailed(
            fields={
                "stage_id": _(
                    "This stage is not in the deal's pipeline; "
                    "move the deal to another pipeline instead."
                )
            }
        )
    current = next(stage for stage in stages if stage.pk == deal.stage_id)
    if target.pk == current.pk:
        raise ValidationFailed(fields={"stage_id": _("The deal is already in this stage.")})
    lost_reason = None
    if target.kind == Stage.Kind.LOST:
        if lost_reason_id is not None:
            lost_reason = LostReason.objects.filter(
                pk=lost_reason_id, workspace_id=deal.workspace_id, archived=False
            ).first()
            if lost_reason is None:
                raise ValidationFailed(fields={"lost_reason_id": _("Unknown lost reason.")})
        elif LostReason.objects.filter(workspace_id=deal.workspace_id, archived=False).exists():
            raise ValidationFailed(fields={"lost_reason_id": _("Choose why the deal was lost.")})
    elif current.kind != Stage.Kind.LOST and target.position > current.position:
        leaving = [
            stage
            for stage in stages
            if stage.kind != Stage.Kind.LOST
            and current.position <= stage.position < target.position
        ]
        missing = gate_missing(deal=deal, leaving=leaving)
        if missing:
            raise GateBlocked(missing)
    return _stage_enter(
        deal=deal,
        actor=actor,
        current=current,
        target=target,
        kind=StageTransition.Kind.MOVED,
        lost_reason=lost_reason,
        lost_note=lost_note,
    )


def _stage_enter(
    *,
    deal: Deal,
    actor: User | None,
    current: Stage,
    target: Stage,
    kind: str,
    lost_reason: LostReason | None = None,
    lost_note: str = "",
) -> StageTransition:
    now = timezone.now()
    state = _funnel_state(deal)
    changed_pipeline = target.pipeline_id != deal.pipeline_id
    values: dict[str, Any] = {
        "pipeline_id": target.pipeline_id,
        "stage_id": target.pk,
        "state": _state_of(target),
        "stage_entered_at": now,
        "overdue_notified": False,
        "closed_at": now if target.is_closed else None,
        "lost_reason_id": lost_reason.pk if lost_reason is not None else None,
        "lost_note": (lost_note or "").strip()[:500] if target.kind == Stage.Kind.LOST else "",
        "version": deal.version + 1,
        "updated_at": now,
    }
    if changed_pipeline:
        values["pipeline_entered_at"] = now
    # The conditional update is the lock: of two moves that read the same version, the
    # second finds none to update and is refused before it writes anything.
    if not Deal.objects.filter(pk=deal.pk, version=deal.version).update(**values):
        raise DealChanged()
    transition = _transition_record(
        deal=deal,
        kind=kind,
        from_stage=current,
        to_stage=target,
        actor=actor,
        at=now,
        state=state,
        lost_reason=lost_reason,
    )
    deal.refresh_from_db()
    later: dict[str, Any] = {"furthest_position": max(state.furthest, 0)}
    later["stage_due_at"] = stage_due_at(deal=deal, stage=target, entered_at=now)
    Deal.objects.filter(pk=deal.pk).update(**later)
    for key, value in later.items():
        setattr(deal, key, value)
    subject = f"{current.name} → {target.name}"
    if changed_pipeline:
        subject = f"{current.pipeline.name}: {current.name} → {deal.pipeline.name}: {target.name}"
    _timeline_record(
        deal,
        kind="sales.stage_moved",
        subject=subject,
        occurred_at=now,
        key=f"deal:{deal.pk}:transition:{transition.pk}",
    )
    changes: dict[str, tuple[Any, Any]] = {"stage": (current.pk, target.pk)}
    if changed_pipeline:
        changes["pipeline"] = (current.pipeline_id, target.pipeline_id)
    if lost_reason is not None:
        changes["lost_reason"] = (None, lost_reason.pk)
    audit_record(
        workspace=deal.workspace_id, actor=actor, action="deal.move", instance=deal, changes=changes
    )
    deal_moved.send_on_commit(
        workspace_id=deal.workspace_id,
        deal_id=deal.pk,
        transition_id=transition.pk,
        pipeline_id=target.pipeline_id,
        from_stage_id=current.pk,
        to_stage_id=target.pk,
        state=deal.state,
        actor_id=actor.pk if actor is not None else None,
    )
    return transition


@transaction.atomic
def deal_pipeline_change(
    *, actor: User, deal_id: int, stage_id: int, version: int | None = None
) -> StageTransition:
    """Move a deal into another pipeline, at `stage_id` of it (the stage mapping the user
    chose; `pipeline_stage_map` proposes one). It enters the new pipeline's funnel as a
    new cohort; its history in the old one stays."""
    deal = _deal_for_write(actor, deal_id, "deal.move")
    if version is not None and version != deal.version:
        raise DealChanged()
    target = (
        Stage.objects.filter(pk=stage_id, workspace_id=deal.workspace_id)
        .select_related("pipeline")
        .first()
    )
    if target is None:
        raise ValidationFailed(fields={"stage_id": _("Unknown stage.")})
    if target.pipeline_id == deal.pipeline_id:
        raise ValidationFailed(fields={"stage_id": _("The deal is already in this pipeline.")})
    if target.pipeline.archived:
        raise ValidationFailed(fields={"stage_id": _("This pipeline is archived.")})
    if target.kind == Stage.Kind.LOST:
        raise ValidationFailed(fields={"stage_id": _("Choose a stage in progress or won.")})
    current = deal.stage
    return _stage_enter(
        deal=deal, actor=actor, current=current, target=target, kind=StageTransition.Kind.PIPELINE
    )


def pipeline_stage_map(*, current: Stage, stages: Sequence[Stage]) -> Stage | None:
    """The stage of another pipeline a deal in `current` most likely belongs to: the same
    name, else the same place in the sequence, else the first stage."""
    sequence = [stage for stage in stages if stage.kind != Stage.Kind.LOST]
    if not sequence:
        return None
    folded = search_fold(current.name)
    for stage in sequence:
        if search_fold(stage.name) == folded:
            return stage
    own = [
        stage for stage in stage_list(pipeline=current.pipeline) if stage.kind != Stage.Kind.LOST
    ]
    index = next((i for i, stage in enumerate(own) if stage.pk == current.pk), 0)
    return sequence[min(index, len(sequence) - 1)]


@transaction.atomic
def checklist_tick(*, actor: User, deal_id: int, item_id: int, done: bool) -> bool:
    """Tick or untick a checklist item of the deal's pipeline; whether anything changed."""
    deal = _deal_for_write(actor, deal_id, "deal.move")
    item = ChecklistItem.objects.filter(pk=item_id, stage__pipeline_id=deal.pipeline_id).first()
    if item is None:
        raise ValidationFailed(fields={"item_id": _("This item is not on the deal's checklist.")})
    if done:
        _tick, changed = ChecklistTick.objects.get_or_create(
            deal=deal, item=item, defaults={"done_by": actor, "done_at": timezone.now()}
        )
    else:
        changed = bool(ChecklistTick.objects.filter(deal=deal, item=item).delete()[0])
    if changed:
        audit_record(
            workspace=deal.workspace_id,
            actor=actor,
            action="deal.checklist",
            instance=deal,
            changes={"checklist": (None if done else item.label, item.label if done else None)},
        )
    return changed


@transaction.atomic
def deal_delete(*, actor: User, deal_id: int) -> None:
    """Delete a deal with its transitions, taking its part out of the funnel's rollups, and
    the timeline and tasks it owns."""
    deal = _deal_for_write(actor, deal_id, "deal.create")
    if actor.role == Role.AGENT:
        raise PermissionDenied(_("Your role cannot do this."))
    stages = stage_infos(deal.workspace_id)
    delta = FunnelDelta()
    state = DealState()
    for transition in StageTransition.objects.filter(deal=deal).order_by("at", "id"):
        funnel_step(state, transition, stages, delta, deal.workspace_id)
    for rows in (delta.reached, delta.lost, delta.times):
        for values in rows.values():
            for key in values:
                values[key] = -values[key]
    funnel_apply(delta)
    owner_entries_delete(kind="sales.deal", record_id=deal.pk)
    audit_record(
        workspace=deal.workspace_id,
        actor=actor,
        action="deal.delete",
        instance=deal,
        changes={"title": (deal.title, None)},
    )
    deal.delete()
