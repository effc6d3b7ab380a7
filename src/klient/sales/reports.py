"""The funnel report: one pipeline, a range of cohorts (the months deals entered it), read
from the funnel's rollups only (ADR 0012, `sales.funnel`): a fixed number of small
queries, whatever the size of the history.

What it says, per stage of the pipeline's sequence (open stages, then won):
- reached: deals of the cohorts that reached the stage (a skipped stage counts as passed;
  a move back and forward again counts once);
- the conversion to the next stage, and overall (won / entered);
- lost: deals of the cohorts now lost whose furthest stage was this one, by reason;
- time in stage: of the deals that *left* the stage during the period's months (the
  time rollup is kept by the month a stage is left, not by cohort), the average and,
  from the duration buckets, the median and the 90th percentile, each with the bucket
  that bounds it (the true value lies inside).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import connection
from django.utils.translation import gettext as _

from klient.core.errors import NotFound, ValidationFailed
from klient.core.models import User
from klient.core.rollups import BUCKET_COUNT, Quantile, quantile_from_buckets
from klient.core.selectors import scoped
from klient.sales.models import FunnelLost, FunnelReached, LostReason, Pipeline, Stage, StageTime
from klient.sales.selectors import pipeline_get

# A longer range is refused: ten years of cohorts is more than any funnel question needs.
MAX_MONTHS = 120


@dataclass(frozen=True)
class Period:
    """Months first..last, both included (first days of months)."""

    first: date
    last: date

    @property
    def months(self) -> int:
        return (self.last.year - self.first.year) * 12 + self.last.month - self.first.month + 1


def month_add(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def quarter_of(day: date) -> Period:
    first = date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return Period(first, month_add(first, 2))


def month_parse(text: str, field_name: str) -> date:
    """'2026-03' as the first day of that month; a translated ValidationFailed otherwise."""
    value = (text or "").strip()
    parts = value.split("-")
    if (
        len(parts) == 2
        and len(parts[0]) == 4
        and len(parts[1]) in (1, 2)
        and all(part.isascii() and part.isdigit() for part in parts)
        and 1 <= int(parts[1]) <= 12
        and int(parts[0]) >= 1900
    ):
        return date(int(parts[0]), int(parts[1]), 1)
    raise ValidationFailed(fields={field_name: _("Enter a month as YYYY-MM, for example 2026-03.")})


def quarter_parse(text: str) -> Period:
    """'2026-Q1' (or '2026-q1') as its three months."""
    value = (text or "").strip().upper()
    year, _sep, number = value.partition("-Q")
    if (
        len(year) == 4
        and year.isascii()
        and year.isdigit()
        and int(year) >= 1900
        and number in ("1", "2", "3", "4")
    ):
        return quarter_of(date(int(year), (int(number) - 1) * 3 + 1, 1))
    raise ValidationFailed(
        fields={"quarter": _("Enter a quarter as YYYY-QN, for example 2026-Q1.")}
    )


def period_check(first: date, last: date) -> Period:
    if last < first:
        raise ValidationFailed(fields={"to": _("The last month comes before the first one.")})
    period = Period(first, last)
    if period.months > MAX_MONTHS:
        raise ValidationFailed(
            fields={"to": _("Choose at most %(count)s months.") % {"count": MAX_MONTHS}}
        )
    return period


@dataclass(frozen=True)
class StageTimes:
    """Time spent in a stage by the deals that left it during the period (seconds)."""

    deals: int
    average: float | None
    median: Quantile | None
    p90: Quantile | None


@dataclass(frozen=True)
class StageRow:
    stage: Stage
    reached: int
    # reached / entered; None when nobody entered.
    share: float | None
    # next stage's reached / this one's; None for the last stage or when nobody reached it.
    conversion_next: float | None
    lost: int
    times: StageTimes


@dataclass(frozen=True)
class LostStage:
    stage: Stage | None  # the furthest stage the lost deals had reached
    deals: int


@dataclass(frozen=True)
class LostReasonRow:
    reason_id: int | None  # None: no reason given
    name: str  # the reason's name; "" when none was given
    deals: int
    stages: list[LostStage] = field(default_factory=list)


@dataclass(frozen=True)
class FunnelReport:
    pipeline: Pipeline
    period: Period
    entered: int
    won: int
    # won / entered; None when nobody entered.
    conversion: float | None
    stages: list[StageRow]
    lost: list[LostReasonRow]
    lost_total: int
    won_stage: Stage | None


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _times(buckets: dict[int, list[int]], stage_id: int, seconds: dict[int, int]) -> StageTimes:
    counts = buckets.get(stage_id, [0] * BUCKET_COUNT)
    deals = sum(counts)
    return StageTimes(
        deals=deals,
        average=seconds.get(stage_id, 0) / deals if deals else None,
        median=quantile_from_buckets(counts, 0.5),
        p90=quantile_from_buckets(counts, 0.9),
    )


def _stage_at(sequence: list[Stage], position: int) -> Stage | None:
    """The stage a furthest position names: the one there, else the last one before it
    (positions move when stages are reordered, until the funnel is rebuilt)."""
    found = None
    for stage in sequence:
        if stage.position <= position:
            found = stage
    return found or (sequence[0] if sequence else None)


def _rollup_sql() -> str:
    """The period's rollup rows of one pipeline, summed over its months, in one statement
    (the same on SQLite and PostgreSQL), as (part, key, sub, deals, seconds, name,
    position): ('reached', stage, 0, deals, 0, '', 0), ('lost', reason or 0, furthest
    position, deals, 0, the reason's name and position), ('time', stage, bucket, deals,
    seconds, '', 0)."""
    quote = connection.ops.quote_name
    reached, lost, times, reasons = (
        quote(model._meta.db_table) for model in (FunnelReached, FunnelLost, StageTime, LostReason)
    )
    where = "{t}.workspace_id = %s AND {t}.pipeline_id = %s AND {t}.{c} >= %s AND {t}.{c} <= %s"
    return (
        f"SELECT 'reached', stage_id, 0, SUM(deals), 0, '', 0 FROM {reached} "
        f"WHERE {where.format(t=reached, c='cohort')} GROUP BY stage_id "
        "UNION ALL SELECT 'lost', l.reason_id_or_zero, l.furthest_position, SUM(l.deals), 0, "
        f"r.name, r.position FROM {lost} l LEFT JOIN {reasons} r "
        "ON r.id = l.reason_id_or_zero AND r.workspace_id = l.workspace_id "
        f"WHERE {where.format(t='l', c='cohort')} "
        "GROUP BY l.reason_id_or_zero, l.furthest_position, r.name, r.position "
        f"UNION ALL SELECT 'time', stage_id, bucket, SUM(deals), SUM(seconds), '', 0 "
        f"FROM {times} WHERE {where.format(t=times, c='month')} GROUP BY stage_id, bucket"
    )


def _stages(user: User, pipeline: Pipeline | int) -> tuple[Pipeline, list[Stage]]:
    """The pipeline and all its stages (archived ones too: old rows may name them) in one
    query, scoped to the user's workspace."""
    if isinstance(pipeline, Pipeline):
        if pipeline.workspace_id != user.workspace_id or not user.is_active:
            raise NotFound(_("Pipeline not found."))
        rows = scoped(Stage, user=user).filter(pipeline=pipeline)
    else:
        rows = scoped(Stage, user=user).filter(pipeline_id=pipeline).select_related("pipeline")
    stages = list(rows.order_by("position", "id"))
    if isinstance(pipeline, Pipeline):
        return pipeline, stages
    if not stages:  # a pipeline with no stage at all, or none of this workspace
        return pipeline_get(user=user, pipeline_id=pipeline), []
    return stages[0].pipeline, stages


def funnel_report(*, user: User, pipeline: Pipeline | int, period: Period) -> FunnelReport:
    """The funnel of one pipeline (an id, or a row the caller read through
    `sales.selectors`) for the cohorts of `period`, in two queries: the stages
    with their pipeline, and the rollup rows (with the lost reasons' names)."""
    pipeline, stages = _stages(user, pipeline)
    workspace_id = pipeline.workspace_id
    sequence = [stage for stage in stages if stage.kind != Stage.Kind.LOST and not stage.archived]
    ops = connection.ops
    params: list[Any] = []
    for _part in range(3):
        params += [
            workspace_id,
            pipeline.pk,
            ops.adapt_datefield_value(period.first),
            ops.adapt_datefield_value(period.last),
        ]
    with connection.cursor() as cursor:
        cursor.execute(_rollup_sql(), params)
        rows = cursor.fetchall()
    reached: dict[int, int] = {}
    lost_rows: list[tuple[int, int, int]] = []
    # reason id (0: none given, or no longer known) -> (its position, its name)
    reasons: dict[int, tuple[int, str]] = {}
    buckets: dict[int, list[int]] = {}
    seconds: dict[int, int] = {}
    for part, key, sub, deals, spent, name, order in rows:
        if not deals:
            continue  # increments that cancelled out (a lost deal reopened)
        if part == "reached":
            reached[int(key)] = int(deals)
        elif part == "lost":
            reason = int(key) if name is not None else 0
            reasons[reason] = (int(order or 0), name or "")
            lost_rows.append((reason, int(sub), int(deals)))
        elif 0 <= int(sub) < BUCKET_COUNT:
            buckets.setdefault(int(key), [0] * BUCKET_COUNT)[int(sub)] += int(deals)
            seconds[int(key)] = seconds.get(int(key), 0) + int(spent or 0)

    entered = reached.get(sequence[0].pk, 0) if sequence else 0
    won_stage = next((stage for stage in sequence if stage.kind == Stage.Kind.WON), None)
    won = reached.get(won_stage.pk, 0) if won_stage is not None else 0
    lost_at: dict[int, int] = {}
    by_reason: dict[int, dict[int | None, int]] = {}
    for reason, position, deals in lost_rows:
        stage = _stage_at(sequence, position)
        stage_id = stage.pk if stage is not None else None
        if stage_id is not None:
            lost_at[stage_id] = lost_at.get(stage_id, 0) + deals
        per_stage = by_reason.setdefault(reason, {})
        per_stage[stage_id] = per_stage.get(stage_id, 0) + deals
    rows = []
    for index, stage in enumerate(sequence):
        count = reached.get(stage.pk, 0)
        following = sequence[index + 1] if index + 1 < len(sequence) else None
        rows.append(
            StageRow(
                stage=stage,
                reached=count,
                share=_ratio(count, entered),
                conversion_next=_ratio(reached.get(following.pk, 0), count)
                if following is not None
                else None,
                lost=lost_at.get(stage.pk, 0),
                times=_times(buckets, stage.pk, seconds),
            )
        )
    by_id = {stage.pk: stage for stage in stages}
    lost = [
        LostReasonRow(
            reason_id=reason or None,
            name=reasons[reason][1] if reason else "",
            deals=sum(per_stage.values()),
            stages=[
                LostStage(stage=by_id.get(stage_id) if stage_id else None, deals=deals)
                for stage_id, deals in sorted(
                    per_stage.items(),
                    key=lambda item: by_id[item[0]].position if item[0] in by_id else -1,
                )
            ],
        )
        for reason, per_stage in by_reason.items()
    ]
    lost.sort(
        key=lambda row: (
            -row.deals,
            row.reason_id is None,
            reasons[row.reason_id or 0][0],
            row.reason_id or 0,
        )
    )
    return FunnelReport(
        pipeline=pipeline,
        period=period,
        entered=entered,
        won=won,
        conversion=_ratio(won, entered),
        stages=rows,
        lost=lost,
        lost_total=sum(row.deals for row in lost),
        won_stage=won_stage,
    )
