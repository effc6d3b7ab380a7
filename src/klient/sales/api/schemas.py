"""Request and response schemas of the sales API. Amounts travel as decimal strings
("1500.0000"), never floats; dates as ISO 8601; ids are checked against what the
databases hold before any query runs."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Field, Schema
from pydantic import field_serializer

from klient.core.api_support import ErrorOut, Id, InSchema, PatchSchema, omittable
from klient.core.params import MAX_DATE, MIN_DATE
from klient.money.fields import AMOUNT_DECIMAL_PLACES, AMOUNT_MAX_DIGITS
from klient.sales.api_selectors import pipeline_stages

# PositiveIntegerField: PostgreSQL's integer.
MAX_VERSION = 2**31 - 1
MAX_TEXT = 100_000

Version = Annotated[int, Field(ge=1, le=MAX_VERSION)]
Amount = Annotated[
    Decimal,
    Field(
        max_digits=AMOUNT_MAX_DIGITS,
        decimal_places=AMOUNT_DECIMAL_PLACES,
        allow_inf_nan=False,
        description='A decimal string ("1500.50"); never negative.',
    ),
]
AMOUNT_QUANTUM = Decimal(1).scaleb(-AMOUNT_DECIMAL_PLACES)
CloseDate = Annotated[date, Field(ge=MIN_DATE, le=MAX_DATE)]
RequiredField = Literal[
    "amount", "expected_close_on", "organization", "contacts", "source", "description"
]
StageKind = Literal["open", "won", "lost"]


# --- pipelines -------------------------------------------------------------------------


class ChecklistItemOut(Schema):
    id: int
    label: str
    position: int


class StageOut(Schema):
    id: int
    pipeline_id: int
    name: str
    kind: str
    position: int
    probability: int
    time_limit_days: int | None
    required_fields: list[str]
    checklist: list[ChecklistItemOut]


class PipelineOut(Schema):
    id: int
    name: str
    position: int
    calendar_id: int | None
    archived: bool
    created_at: datetime
    stages: list[StageOut]

    @staticmethod
    def resolve_stages(obj: Any) -> list[Any]:
        return pipeline_stages(obj)


class StageIn(InSchema):
    name: str = Field(..., min_length=1, max_length=120)
    kind: StageKind = "open"
    probability: int = Field(0, ge=0, le=100)
    time_limit_days: int | None = Field(None, ge=1, le=365)
    required_fields: list[RequiredField] = Field(default_factory=list, max_length=6)
    checklist: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(
        default_factory=list, max_length=50
    )


class StagePatch(PatchSchema):
    name: str = omittable(min_length=1, max_length=120)
    kind: StageKind = omittable()
    probability: int = omittable(ge=0, le=100)
    time_limit_days: int | None = Field(None, ge=1, le=365)
    required_fields: list[RequiredField] = omittable(max_length=6)


class PipelineIn(InSchema):
    name: str = Field(..., min_length=1, max_length=120)
    calendar_id: Id | None = None
    stages: list[StageIn] = Field(..., min_length=1, max_length=50)


class PipelinePatch(PatchSchema):
    name: str = omittable(min_length=1, max_length=120)
    archived: bool = omittable()


class StageOrderIn(InSchema):
    stage_ids: list[Id] = Field(..., min_length=1, max_length=100)


class StageDeletedOut(Schema):
    id: int
    # "deleted", or "archived" for a stage with history (its transitions stay).
    outcome: Literal["deleted", "archived"]


class ChecklistItemIn(InSchema):
    label: str = Field(..., min_length=1, max_length=200)


class LostReasonIn(InSchema):
    name: str = Field(..., min_length=1, max_length=120)


class LostReasonOut(Schema):
    id: int
    name: str
    position: int
    archived: bool


# --- deals -----------------------------------------------------------------------------


class ContactIn(InSchema):
    person_id: Id
    role: str = Field("", max_length=120)


class DealFields(InSchema):
    organization_id: Id | None = None
    owner_id: Id | None = None
    team_id: Id | None = None
    amount: Amount | None = None
    currency: str = omittable(min_length=1, max_length=3)
    expected_close_on: CloseDate | None = None
    source: str = omittable(max_length=120)
    description: str = omittable(max_length=MAX_TEXT)
    contacts: list[ContactIn] = omittable(max_length=50)


class DealIn(DealFields):
    pipeline_id: Id
    stage_id: Id | None = None
    title: str = Field(..., min_length=1, max_length=300)


class DealPatch(DealFields, PatchSchema):
    title: str = omittable(min_length=1, max_length=300)
    version: Version | None = Field(
        None, description="The version read; a change made since then is a 409 deal_changed."
    )


class DealFilters(InSchema):
    pipeline_id: Id | None = None
    stage_id: Id | None = None
    state: Literal["open", "won", "lost"] | None = None
    owner_id: Id | None = None
    organization_id: Id | None = None
    team_id: Id | None = None
    person_id: Id | None = None
    q: str = Field("", max_length=200)


DealOrdering = Literal["newest", "updated", "close_date", "amount", "longest_in_stage"]


class DealOut(Schema):
    id: int
    title: str
    pipeline_id: int
    stage_id: int
    state: str
    organization_id: int | None
    owner_id: int | None
    team_id: int | None
    amount: Decimal | None
    currency: str
    expected_close_on: date | None
    source: str
    description: str
    lost_reason_id: int | None
    lost_note: str
    pipeline_entered_at: datetime
    stage_entered_at: datetime
    stage_due_at: datetime | None
    closed_at: datetime | None
    version: int
    created_by_id: int | None
    created_at: datetime
    updated_at: datetime

    @field_serializer("amount")
    def _amount_as_stored(self, amount: Decimal | None) -> Decimal | None:
        # To the column's four places, whether just written or read back.
        return None if amount is None else amount.quantize(AMOUNT_QUANTUM)


class DealPageOut(Schema):
    items: list[DealOut]
    next_cursor: str | None


class DealContactOut(Schema):
    person_id: int
    full_name: str | None = Field(
        description="null when the reader may not see the person (another team's client)."
    )
    role: str


class ChecklistStateOut(Schema):
    item_id: int
    label: str
    done: bool
    done_at: datetime | None
    done_by_id: int | None


class DealDetailOut(DealOut):
    contacts: list[DealContactOut]
    checklist: list[ChecklistStateOut] = Field(description="The checklist of the current stage.")
    next_stage_id: int | None
    missing: list[str] = Field(
        description="What must be done before the deal moves on to the next stage."
    )


class MoveIn(InSchema):
    stage_id: Id
    version: Version | None = None
    lost_reason_id: Id | None = None
    lost_note: str = Field("", max_length=500)


class PipelineChangeIn(InSchema):
    stage_id: Id
    version: Version | None = None


class TransitionOut(Schema):
    id: int
    kind: str
    pipeline_id: int
    from_stage_id: int | None
    from_stage_name: str | None
    to_stage_id: int
    to_stage_name: str
    actor_id: int | None
    actor_name: str | None
    at: datetime
    seconds_in_stage: int | None
    lost_reason_id: int | None

    @staticmethod
    def resolve_from_stage_name(obj: Any) -> str | None:
        return obj.from_stage.name if obj.from_stage_id is not None else None

    @staticmethod
    def resolve_to_stage_name(obj: Any) -> str:
        return str(obj.to_stage.name)

    @staticmethod
    def resolve_actor_name(obj: Any) -> str | None:
        return str(obj.actor.display_name) if obj.actor_id is not None else None


class MovedOut(TransitionOut):
    deal_version: int = Field(description="The deal's version after the move.")
    deal_state: str

    @staticmethod
    def resolve_deal_version(obj: Any) -> int:
        return int(obj.deal.version)

    @staticmethod
    def resolve_deal_state(obj: Any) -> str:
        return str(obj.deal.state)


class ConflictOut(ErrorOut):
    """A refused move: `stage_gate` (what is not done, in `missing` and in `fields`) or
    `deal_changed` (someone else changed the deal meanwhile; `missing` is empty)."""

    missing: list[str]


class ChecklistTickIn(InSchema):
    done: bool


class ChecklistTickOut(ChecklistStateOut):
    changed: bool
