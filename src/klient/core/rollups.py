"""Rollups: additive figures kept current as things happen, so a dashboard reads a few
rows instead of the whole history (ADR 0012).

A metric is a model of its own with typed dimension columns (a fixed tuple, under a
unique constraint) and additive value columns (counts, sums, sums of squares, the count
of one fixed duration bucket). Services add to it in the transaction of the change with
`rollup_add`, one `INSERT ... ON CONFLICT DO UPDATE SET v = v + excluded.v` per row (the
same statement on SQLite and PostgreSQL, safe under concurrent writers). Each metric is
registered with a `rebuild` that recomputes its rows of one workspace from the source
tables; `klient rollups --check` compares a rebuild with what the increments produced.

Durations go into the fixed buckets of `DURATION_BUCKETS`; a median or a percentile is
read from the buckets by linear interpolation inside the bucket that holds it, so its
error is at most that bucket's width (stated beside the figure).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, models, transaction

from klient.core.registry import Label, Registry

Value = int | Decimal


@dataclass(frozen=True)
class RollupMetric:
    """A rollup table: its model, the dimension and value columns, and how to rebuild one
    workspace's rows from the source tables (returns {dimensions: {value column: v}})."""

    key: str
    label: Label
    model: type[models.Model]
    dimensions: tuple[str, ...]
    values: tuple[str, ...]
    rebuild: Callable[[int], dict[tuple[Any, ...], dict[str, Value]]]
    order: int = 100


rollup_metrics: Registry[RollupMetric] = Registry("rollup metrics")


def _column(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    return str(field.column)  # type: ignore[union-attr]


def rollup_add(
    model: type[models.Model], rows: Iterable[tuple[Mapping[str, Any], Mapping[str, Value]]]
) -> None:
    """Add `values` to the row of each `dimensions` (creating it at zero), in the caller's
    transaction. Every row of one call must name the same columns."""
    batch = [(dict(dims), dict(values)) for dims, values in rows if any(values.values())]
    if not batch:
        return
    dim_names = list(batch[0][0])
    value_names = list(batch[0][1])
    table = connection.ops.quote_name(model._meta.db_table)
    dim_cols = [connection.ops.quote_name(_column(model, name)) for name in dim_names]
    value_cols = [connection.ops.quote_name(_column(model, name)) for name in value_names]
    placeholders = "(" + ", ".join(["%s"] * (len(dim_cols) + len(value_cols))) + ")"
    sets = ", ".join(f"{col} = {table}.{col} + excluded.{col}" for col in value_cols)
    sql = (
        f"INSERT INTO {table} ({', '.join(dim_cols + value_cols)}) VALUES "
        + ", ".join([placeholders] * len(batch))
        + f" ON CONFLICT ({', '.join(dim_cols)}) DO UPDATE SET {sets}"
    )
    params: list[Any] = []
    for dims, values in batch:
        params.extend(dims[name] for name in dim_names)
        params.extend(values.get(name, 0) for name in value_names)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def rollup_rows(metric: RollupMetric, workspace_id: int) -> dict[tuple[Any, ...], dict[str, Value]]:
    """The stored rows of one workspace, keyed like `rebuild`'s answer; all-zero rows
    (left by increments that cancelled out) are dropped, as a rebuild never makes them."""
    fields = [name for name in metric.dimensions if name != "workspace"]
    rows = metric.model._default_manager.filter(workspace_id=workspace_id).values_list(
        *[_attname(metric.model, name) for name in fields], *metric.values
    )
    stored: dict[tuple[Any, ...], dict[str, Value]] = {}
    for row in rows:
        values = dict(zip(metric.values, row[len(fields) :], strict=True))
        if any(values.values()):
            stored[tuple(row[: len(fields)])] = values
    return stored


def _attname(model: type[models.Model], name: str) -> str:
    return str(model._meta.get_field(name).attname)  # type: ignore[union-attr]


def rollup_rebuild(
    metric: RollupMetric,
    workspace_id: int,
    rows: dict[tuple[Any, ...], dict[str, Value]] | None = None,
) -> int:
    """Replace one workspace's rows of the metric by a recomputation (`rows` when the
    caller computed them with others, else the metric's `rebuild`); the row count."""
    rebuilt = _clean(metric.rebuild(workspace_id) if rows is None else rows)
    fields = [name for name in metric.dimensions if name != "workspace"]
    objects = [
        metric.model(
            workspace_id=workspace_id,
            **{
                _attname(metric.model, name): value
                for name, value in zip(fields, dims, strict=True)
            },
            **values,
        )
        for dims, values in rebuilt.items()
    ]
    with transaction.atomic():
        metric.model._default_manager.filter(workspace_id=workspace_id).delete()
        metric.model._default_manager.bulk_create(objects, batch_size=2000)
    return len(objects)


def _clean(
    rows: dict[tuple[Any, ...], dict[str, Value]],
) -> dict[tuple[Any, ...], dict[str, Value]]:
    return {dims: values for dims, values in rows.items() if any(values.values())}


@dataclass(frozen=True)
class RollupDifference:
    dimensions: tuple[Any, ...]
    stored: Mapping[str, Value]
    rebuilt: Mapping[str, Value]


def rollup_check(metric: RollupMetric, workspace_id: int) -> list[RollupDifference]:
    """Where the incrementally kept rows differ from a rebuild (empty: they agree)."""
    rebuilt = _clean(metric.rebuild(workspace_id))
    stored = rollup_rows(metric, workspace_id)
    empty: dict[str, Value] = {}
    return [
        RollupDifference(dims, stored.get(dims, empty), rebuilt.get(dims, empty))
        for dims in sorted(set(stored) | set(rebuilt), key=repr)
        if _normal(stored.get(dims, empty)) != _normal(rebuilt.get(dims, empty))
    ]


def _normal(values: Mapping[str, Value]) -> dict[str, Value]:
    return {name: value for name, value in values.items() if value}


# Upper edges, in seconds, of the duration buckets: bucket i holds durations in
# [edge[i-1], edge[i]); the last bucket is open-ended. Finer where most stages end
# (hours to a few days), coarser beyond.
HOUR = 3600
DAY = 24 * HOUR
DURATION_BUCKETS: tuple[int, ...] = (
    HOUR,
    4 * HOUR,
    12 * HOUR,
    DAY,
    2 * DAY,
    3 * DAY,
    5 * DAY,
    7 * DAY,
    10 * DAY,
    14 * DAY,
    21 * DAY,
    30 * DAY,
    45 * DAY,
    60 * DAY,
    90 * DAY,
    180 * DAY,
    365 * DAY,
)
BUCKET_COUNT = len(DURATION_BUCKETS) + 1


def duration_bucket(seconds: float) -> int:
    """The bucket a duration falls in (0 .. BUCKET_COUNT - 1)."""
    return bisect.bisect_right(DURATION_BUCKETS, max(seconds, 0))


def bucket_bounds(bucket: int) -> tuple[int, int | None]:
    """[low, high) of a bucket in seconds; high is None for the open last bucket."""
    low = 0 if bucket == 0 else DURATION_BUCKETS[bucket - 1]
    high = DURATION_BUCKETS[bucket] if bucket < len(DURATION_BUCKETS) else None
    return low, high


@dataclass(frozen=True)
class Quantile:
    """A quantile read from bucket counts: the estimate and the bucket that bounds it."""

    seconds: float
    low: int
    high: int | None


def quantile_from_buckets(counts: Sequence[int], q: float) -> Quantile | None:
    """The q-quantile (0 < q < 1) of durations counted per bucket, interpolated linearly
    inside its bucket; None without data. The true value lies in [low, high)."""
    total = sum(counts)
    if total <= 0:
        return None
    rank = q * total
    seen = 0
    for bucket, count in enumerate(counts):
        if count and seen + count >= rank:
            low, high = bucket_bounds(bucket)
            if high is None:
                return Quantile(float(low), low, None)
            share = (rank - seen) / count
            return Quantile(low + share * (high - low), low, high)
        seen += count
    low, high = bucket_bounds(len(counts) - 1)
    return Quantile(float(low), low, high)
