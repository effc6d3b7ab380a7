"""The funnel's rollups: how each stage entry adds to them, and how they are rebuilt from
the stage transitions (ADR 0012). Both paths apply the same rule, `FunnelStep`, to one
deal's transitions in order, so a rebuild equals what the increments kept.

The rule, per pipeline and cohort (the month a deal entered the pipeline):
- entering the pipeline at a stage counts the deal as having reached that stage and
  every stage of the sequence before it (a skipped stage counts as passed);
- a move forward past the furthest stage reached counts the stages in between and the
  new one; a move back, and forward again, counts nothing twice;
- entering a lost stage adds one to the lost row of (reason, furthest stage reached);
  reopening takes it away again;
- leaving a stage adds the time spent in it to the stage's time rollup for the month it
  was left (count, sum, sum of squares, one duration bucket).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.utils import timezone

from klient.core.rollups import Value, duration_bucket, rollup_add, rollup_metrics, rollup_rebuild
from klient.sales.models import FunnelLost, FunnelReached, Stage, StageTime, StageTransition

Rows = dict[tuple[Any, ...], dict[str, Value]]


def month_of(instant: datetime) -> date:
    """The first day of the instant's month in the server's zone."""
    return timezone.localtime(instant).date().replace(day=1)


@dataclass(frozen=True)
class StageInfo:
    pipeline_id: int
    position: int
    kind: str
    archived: bool = False


@dataclass
class DealState:
    """Where one deal stands, as far as the funnel is concerned."""

    pipeline_id: int = 0
    cohort: date | None = None
    furthest: int = -1
    lost_key: tuple[int, int] | None = None  # (reason id or 0, furthest) while lost


@dataclass
class FunnelDelta:
    reached: Rows = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    lost: Rows = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))
    times: Rows = field(default_factory=lambda: defaultdict(lambda: defaultdict(int)))


class StageMap(dict[int, StageInfo]):
    """A workspace's stages by id, with each pipeline's sequence worked out once (a
    replay asks for it at every transition)."""

    def __init__(self, items: dict[int, StageInfo]) -> None:
        super().__init__(items)
        self._sequences: dict[int, list[tuple[int, int]]] = {}

    def sequence(self, pipeline_id: int) -> list[tuple[int, int]]:
        """(position, stage id) of the pipeline's sequence: open and won stages."""
        if pipeline_id not in self._sequences:
            self._sequences[pipeline_id] = sorted(
                (info.position, stage_id)
                for stage_id, info in self.items()
                if info.pipeline_id == pipeline_id
                and info.kind != Stage.Kind.LOST
                and not info.archived
            )
        return self._sequences[pipeline_id]


def funnel_step(
    state: DealState,
    transition: StageTransition,
    stages: StageMap,
    delta: FunnelDelta,
    workspace_id: int,
) -> None:
    """Apply one transition of a deal to its state and to the delta of the rollups."""
    target = stages[transition.to_stage_id]
    if transition.from_stage_id is not None and transition.seconds_in_stage is not None:
        left = stages.get(transition.from_stage_id)
        if left is not None:
            seconds = max(int(transition.seconds_in_stage), 0)
            key = (
                workspace_id,
                left.pipeline_id,
                transition.from_stage_id,
                month_of(transition.at),
                duration_bucket(seconds),
            )
            row = delta.times[key]
            row["deals"] += 1
            row["seconds"] += seconds
            row["hours_squared"] += (seconds // 3600) ** 2
    if state.lost_key is not None and state.cohort is not None:
        reason, furthest = state.lost_key
        delta.lost[(workspace_id, state.pipeline_id, state.cohort, reason, furthest)]["deals"] -= 1
        state.lost_key = None
    if transition.kind in (StageTransition.Kind.CREATED, StageTransition.Kind.PIPELINE):
        state.pipeline_id = target.pipeline_id
        state.cohort = month_of(transition.at)
        state.furthest = -1
    if state.cohort is None:
        return
    if target.kind == Stage.Kind.LOST:
        # A deal lost on entry has still entered: it counts at the first stage.
        first = _first_position(stages, state.pipeline_id)
        _reach(state, target_position=first, stages=stages, delta=delta, workspace_id=workspace_id)
        state.lost_key = (transition.lost_reason_id or 0, state.furthest)
        delta.lost[(workspace_id, state.pipeline_id, state.cohort, *state.lost_key)]["deals"] += 1
        return
    _reach(
        state,
        target_position=target.position,
        stages=stages,
        delta=delta,
        workspace_id=workspace_id,
    )


def _first_position(stages: StageMap, pipeline_id: int) -> int:
    sequence = stages.sequence(pipeline_id)
    return sequence[0][0] if sequence else 0


def _reach(
    state: DealState,
    *,
    target_position: int,
    stages: StageMap,
    delta: FunnelDelta,
    workspace_id: int,
) -> None:
    if target_position <= state.furthest:
        return
    for position, stage_id in stages.sequence(state.pipeline_id):
        if state.furthest < position <= target_position:
            row = delta.reached[(workspace_id, state.pipeline_id, state.cohort, stage_id)]
            row["deals"] += 1
    state.furthest = target_position


def stage_infos(workspace_id: int) -> StageMap:
    return StageMap(
        {
            pk: StageInfo(pipeline_id, position, kind, archived)
            for pk, pipeline_id, position, kind, archived in Stage.objects.filter(
                workspace_id=workspace_id
            ).values_list("pk", "pipeline_id", "position", "kind", "archived")
        }
    )


def funnel_apply(delta: FunnelDelta) -> None:
    """Write a delta into the rollup tables (in the caller's transaction)."""
    rollup_add(
        FunnelReached,
        (
            (
                {"workspace": w, "pipeline": p, "cohort": c, "stage": s},
                {"deals": values["deals"]},
            )
            for (w, p, c, s), values in delta.reached.items()
        ),
    )
    rollup_add(
        FunnelLost,
        (
            (
                {
                    "workspace": w,
                    "pipeline": p,
                    "cohort": c,
                    "reason_id_or_zero": r,
                    "furthest_position": f,
                },
                {"deals": values["deals"]},
            )
            for (w, p, c, r, f), values in delta.lost.items()
        ),
    )
    rollup_add(
        StageTime,
        (
            (
                {"workspace": w, "pipeline": p, "stage": s, "month": m, "bucket": b},
                dict(values),
            )
            for (w, p, s, m, b), values in delta.times.items()
        ),
    )


def _transitions_by_deal(workspace_id: int) -> Iterator[list[StageTransition]]:
    rows = (
        StageTransition.objects.filter(workspace_id=workspace_id)
        .only(
            "deal_id",
            "kind",
            "from_stage_id",
            "to_stage_id",
            "at",
            "seconds_in_stage",
            "lost_reason_id",
        )
        .order_by("deal_id", "at", "id")
    )
    current: list[StageTransition] = []
    for row in rows.iterator(chunk_size=5000):
        if current and current[0].deal_id != row.deal_id:
            yield current
            current = []
        current.append(row)
    if current:
        yield current


def funnel_replay(workspace_id: int) -> FunnelDelta:
    """The rollups of a workspace recomputed from its transitions."""
    stages = stage_infos(workspace_id)
    delta = FunnelDelta()
    for transitions in _transitions_by_deal(workspace_id):
        state = DealState()
        for transition in transitions:
            funnel_step(state, transition, stages, delta, workspace_id)
    return delta


def _strip_workspace(rows: Rows) -> Rows:
    return {key[1:]: dict(values) for key, values in rows.items()}


def funnel_reached_rebuild(workspace_id: int) -> Rows:
    return _strip_workspace(funnel_replay(workspace_id).reached)


def funnel_lost_rebuild(workspace_id: int) -> Rows:
    return _strip_workspace(funnel_replay(workspace_id).lost)


def stage_time_rebuild(workspace_id: int) -> Rows:
    return _strip_workspace(funnel_replay(workspace_id).times)


FUNNEL_METRICS = ("sales.funnel_reached", "sales.funnel_lost", "sales.stage_time")


def funnel_rebuild_all(workspace_id: int) -> int:
    """Rebuild the three funnel rollups of a workspace from one replay of its transitions
    (each metric's own `rebuild` replays them again: fine for a check, three times the
    work for a rebuild of all). The row count."""
    delta = funnel_replay(workspace_id)
    parts = dict(zip(FUNNEL_METRICS, (delta.reached, delta.lost, delta.times), strict=True))
    return sum(
        rollup_rebuild(rollup_metrics.get(key), workspace_id, rows=_strip_workspace(rows))
        for key, rows in parts.items()
    )
