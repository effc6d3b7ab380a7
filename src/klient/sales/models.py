"""Pipelines, stages, deals and their stage transitions; the funnel's rollups.

A pipeline is an ordered sequence of open stages ending in won stages; lost stages stand
beside the sequence. A deal is in one stage of one pipeline; every move writes a
`StageTransition` (from, to, who, when, seconds spent in the stage left), which every
report reads, directly or through the rollups below (ADR 0012).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from klient.calendars.models import BusinessCalendar
from klient.contacts.models import Organization, Person
from klient.core.models import Team, User, Workspace
from klient.money.amounts import Money
from klient.money.fields import amount_field, currency_field, money_get


class Pipeline(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=120)
    position = models.PositiveIntegerField(_("position"), default=0)
    # Time limits in stage count business days on this calendar (the default when empty).
    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    archived = models.BooleanField(_("archived"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="pipeline_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Stage(models.Model):
    class Kind(models.TextChoices):
        OPEN = "open", _("In progress")
        WON = "won", _("Won")
        LOST = "lost", _("Lost")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(_("name"), max_length=120)
    # Order in the pipeline: open stages first, then won; lost stages stand aside (their
    # position only orders them on the board).
    position = models.PositiveIntegerField(_("position"))
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.OPEN)
    probability = models.PositiveSmallIntegerField(_("probability, %"), default=0)
    time_limit_days = models.PositiveSmallIntegerField(
        _("time limit, business days"), null=True, blank=True
    )
    # Deal fields that must be filled before a deal leaves this stage forward.
    required_fields = models.JSONField(_("required fields"), default=list, blank=True)
    # A stage with history is archived rather than deleted: its transitions stay.
    archived = models.BooleanField(_("archived"), default=False)

    class Meta:
        ordering = ["pipeline", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["pipeline", "name"], name="stage_unique_name"),
            models.CheckConstraint(
                condition=models.Q(probability__lte=100), name="stage_probability_percent"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_closed(self) -> bool:
        return self.kind != self.Kind.OPEN


class ChecklistItem(models.Model):
    """Something that must be done before a deal leaves `stage` forward."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="checklist")
    label = models.CharField(_("item"), max_length=200)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["stage", "position", "id"]

    def __str__(self) -> str:
        return self.label


class LostReason(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=120)
    position = models.PositiveIntegerField(default=0)
    archived = models.BooleanField(default=False)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="lost_reason_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class Deal(models.Model):
    class State(models.TextChoices):
        OPEN = "open", _("Open")
        WON = "won", _("Won")
        LOST = "lost", _("Lost")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    pipeline = models.ForeignKey(Pipeline, on_delete=models.PROTECT, related_name="deals")
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="deals")
    # The stage's kind, kept on the row: lists and boards filter on it without a join.
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default=State.OPEN)
    title = models.CharField(_("title"), max_length=300)
    # The title as search compares it (contacts.normalize.search_fold: case, «ё» as «е»).
    title_folded = models.CharField(max_length=300, default="", editable=False)
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organization"),
    )
    owner = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    amount = amount_field(_("amount"), null=True, blank=True)
    currency = currency_field(_("currency"))
    expected_close_on = models.DateField(_("expected close date"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=120, blank=True)
    description = models.TextField(_("description"), blank=True)
    lost_reason = models.ForeignKey(
        LostReason, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lost_note = models.CharField(_("why lost"), max_length=500, blank=True)
    # When the deal entered its pipeline (its cohort in the funnel) and its stage.
    pipeline_entered_at = models.DateTimeField()
    stage_entered_at = models.DateTimeField()
    # The furthest position reached in this pipeline: a move back and forth again is
    # counted once in the funnel.
    furthest_position = models.PositiveIntegerField(default=0)
    # The stage's time limit, as an instant on the pipeline's calendar; the owner is told
    # once per stage entry (`overdue_notified`).
    stage_due_at = models.DateTimeField(null=True, blank=True)
    overdue_notified = models.BooleanField(default=False)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Bumped by every change: a form or an API call that read version N and writes after
    # someone else's change gets a conflict instead of undoing it.
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["pipeline", "state", "stage"], name="deal_board_idx"),
            models.Index(fields=["workspace", "owner", "state"], name="deal_owner_idx"),
            models.Index(fields=["organization", "state"], name="deal_org_idx"),
            models.Index(
                fields=["stage_due_at"],
                name="deal_due_idx",
                condition=models.Q(state="open", overdue_notified=False),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gte=0) | models.Q(amount__isnull=True),
                name="deal_amount_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def money(self) -> Money | None:
        return money_get(self, "amount", "currency")


class DealContact(models.Model):
    """A person on a deal and their role in it (decision maker, logistics contact)."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="contacts")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(_("role"), max_length=120, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["deal", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["deal", "person"], name="deal_contact_unique")
        ]
        indexes = [models.Index(fields=["person"], name="deal_contact_person_idx")]


class ChecklistTick(models.Model):
    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="ticks")
    item = models.ForeignKey(ChecklistItem, on_delete=models.CASCADE, related_name="+")
    done_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    done_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["deal", "item"], name="checklist_tick_unique")
        ]


class StageTransition(models.Model):
    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        MOVED = "moved", _("Moved")
        PIPELINE = "pipeline", _("Moved to another pipeline")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="transitions")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # The pipeline entered (a pipeline change: the new one; `from_stage` is in the old).
    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="+")
    # PROTECT: history is never lost with a stage (a used stage is archived instead).
    from_stage = models.ForeignKey(
        Stage, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField()
    seconds_in_stage = models.BigIntegerField(null=True, blank=True)
    lost_reason = models.ForeignKey(
        LostReason, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes = [
            models.Index(fields=["deal", "at"], name="transition_deal_idx"),
            models.Index(fields=["pipeline", "at"], name="transition_pipeline_idx"),
        ]


class FunnelReached(models.Model):
    """Deals of a cohort (pipeline, month entered) that reached a stage (skipped stages
    count as passed; a move back and forward again counts once)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="+")
    cohort = models.DateField()  # first day of the month the deals entered the pipeline
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="+")
    deals = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "pipeline", "cohort", "stage"], name="funnel_reached_dims"
            )
        ]


class FunnelLost(models.Model):
    """Deals of a cohort lost, by reason and the furthest stage they had reached."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="+")
    cohort = models.DateField()
    reason_id_or_zero = models.BigIntegerField()  # 0: no reason given (a unique key, no NULL)
    furthest_position = models.PositiveIntegerField()
    deals = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "workspace",
                    "pipeline",
                    "cohort",
                    "reason_id_or_zero",
                    "furthest_position",
                ],
                name="funnel_lost_dims",
            )
        ]


class StageTime(models.Model):
    """Time spent in a stage, by the month the deals left it: count, sum, sum of squares
    and one row per duration bucket (core.rollups.DURATION_BUCKETS)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="+")
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    bucket = models.PositiveSmallIntegerField()
    deals = models.BigIntegerField(default=0)
    seconds = models.BigIntegerField(default=0)
    # Sum of squares in hours², so a year-long stage over a million deals stays in 64 bits.
    hours_squared = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "pipeline", "stage", "month", "bucket"],
                name="stage_time_dims",
            )
        ]


class StageAutomation(models.Model):
    """What happens when a deal enters `stage`: a task from a template, a note to the owner
    and team, a message to the client, a webhook call. Run after the move commits, through
    the outbox, once per stage entry (`AutomationRun`)."""

    class Kind(models.TextChoices):
        TASK = "task", _("Create a task")
        NOTIFY_TEAM = "notify_team", _("Notify the owner and the team")
        NOTIFY_CLIENT = "notify_client", _("Notify the client")
        WEBHOOK = "webhook", _("Call a webhook")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="automations")
    kind = models.CharField(_("action"), max_length=16, choices=Kind.choices)
    # Per kind: task {title, assignee: owner|lead|mover, due_days}; notify_team {channels};
    # notify_client {channels, wording: {channel: {language: {subject, body}}}};
    # webhook {webhook_id}. Checked by the service that saves it.
    config = models.JSONField(default=dict)
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["stage", "position", "id"]


class AutomationRun(models.Model):
    """What one automation did for one stage entry: done (with what it made) or failed
    (with the error, retried by the outbox). Unique per entry: an automation never runs
    twice for the same move."""

    class Status(models.TextChoices):
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    automation = models.ForeignKey(StageAutomation, on_delete=models.CASCADE, related_name="runs")
    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="automation_runs")
    transition = models.ForeignKey(StageTransition, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=8, choices=Status.choices)
    attempts = models.PositiveSmallIntegerField(default=0)
    detail = models.CharField(max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["automation", "transition"], name="automation_run_once")
        ]
        indexes = [models.Index(fields=["deal", "updated_at"], name="automation_run_deal_idx")]


# The catalogue and quotes live in their own module; imported here so Django registers them.
from klient.sales.quote_models import Product, Quote, QuoteLine, SalesCompanyProfile  # noqa: E402,F401
