"""A small, hand-counted history of deals for the funnel tests, written through the
services with the clock held (django.utils.timezone.now patched), so every stage entry
happens at a chosen instant.

Pipeline «Sea» (positions): Request 0, Proposal 1, Negotiation 2, Won 3 (won), Lost 4
(lost). Pipeline «Air»: Air request 0, Air won 1 (won), Air lost 2 (lost). Lost reasons:
Price, No answer. Every instant is 09:00 UTC (12:00 in Moscow, the server's zone), so
no move sits near a month's edge.

    D1 Jan 05 Request → Jan 06 Proposal → Jan 09 Negotiation → Jan 19 Won
    D2 Jan 10 Request → Jan 10 13:00 Negotiation (Proposal skipped; 4 h in Request)
    D3 Feb 02 Request → Feb 03 Proposal → Feb 05 Request (back) → Feb 06 Proposal
                      → Feb 08 Negotiation
    D4 Feb 10 Request → Feb 12 Proposal → Feb 15 Lost (Price)
    D5 Mar 01 Request → Mar 02 Lost (No answer) → Mar 04 Proposal (reopened)
                      → Mar 09 Negotiation
    D6 Jan 20 Request → Jan 21 Proposal → Feb 01 pipeline change to Air: Air request
    D7 Dec 15 2025 Request → Jan 03 Proposal   (a December cohort)
    D8 Apr 02 Request                            (an April cohort)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from klient.core.models import User
from klient.sales.models import Deal, LostReason, Pipeline, Stage
from klient.sales.pipeline_services import StageSpec, lost_reason_create, pipeline_create
from klient.sales.services import deal_create, deal_move, deal_pipeline_change

HOUR = 3600
DAY = 24 * HOUR

SEA = (
    StageSpec("Request"),
    StageSpec("Proposal"),
    StageSpec("Negotiation"),
    StageSpec("Won", kind=Stage.Kind.WON),
    StageSpec("Lost", kind=Stage.Kind.LOST),
)
AIR = (
    StageSpec("Air request"),
    StageSpec("Air won", kind=Stage.Kind.WON),
    StageSpec("Air lost", kind=Stage.Kind.LOST),
)


def at(month: int, day: int, hour: int = 9, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = at(1, 1)

    def __call__(self) -> datetime:
        return self.now


def clock_hold(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """From now on `django.utils.timezone.now` answers `clock.now` (services read the time
    through it); monkeypatch undoes it after the test."""
    held = Clock()
    monkeypatch.setattr("django.utils.timezone.now", held)
    return held


@dataclass
class Story:
    sea: Pipeline
    air: Pipeline
    stages: dict[str, Stage]
    price: LostReason
    no_answer: LostReason
    deals: dict[str, Deal]


def story_make(admin: User, clock: Clock) -> Story:
    clock.now = at(1, 1, year=2025)
    sea = pipeline_create(actor=admin, name="Sea", stages=SEA)
    air = pipeline_create(actor=admin, name="Air", stages=AIR)
    stages = {stage.name: stage for stage in Stage.objects.filter(pipeline__in=[sea, air])}
    price = lost_reason_create(actor=admin, name="Price")
    no_answer = lost_reason_create(actor=admin, name="No answer")
    deals: dict[str, Deal] = {}

    def create(name: str, when: datetime, pipeline: Pipeline = sea) -> None:
        clock.now = when
        deals[name] = deal_create(actor=admin, pipeline_id=pipeline.pk, title=name)

    def move(name: str, when: datetime, stage: str, **kwargs: Any) -> None:
        clock.now = when
        deal_move(actor=admin, deal_id=deals[name].pk, stage_id=stages[stage].pk, **kwargs)

    create("D7", at(12, 15, year=2025))
    move("D7", at(1, 3), "Proposal")

    create("D1", at(1, 5))
    move("D1", at(1, 6), "Proposal")
    move("D1", at(1, 9), "Negotiation")
    move("D1", at(1, 19), "Won")

    create("D2", at(1, 10))
    move("D2", at(1, 10, hour=13), "Negotiation")

    create("D6", at(1, 20))
    move("D6", at(1, 21), "Proposal")
    clock.now = at(2, 1)
    deal_pipeline_change(actor=admin, deal_id=deals["D6"].pk, stage_id=stages["Air request"].pk)

    create("D3", at(2, 2))
    move("D3", at(2, 3), "Proposal")
    move("D3", at(2, 5), "Request")
    move("D3", at(2, 6), "Proposal")
    move("D3", at(2, 8), "Negotiation")

    create("D4", at(2, 10))
    move("D4", at(2, 12), "Proposal")
    move("D4", at(2, 15), "Lost", lost_reason_id=price.pk)

    create("D5", at(3, 1))
    move("D5", at(3, 2), "Lost", lost_reason_id=no_answer.pk)
    move("D5", at(3, 4), "Proposal")
    move("D5", at(3, 9), "Negotiation")

    create("D8", at(4, 2))
    clock.now = at(4, 10)
    return Story(sea, air, stages, price, no_answer, deals)
