"""Background work of sales: recomputing the funnel after a stage reorder, and telling
owners of deals stuck past a stage's time limit."""

from __future__ import annotations

from klient.core.jobs import job, periodic
from klient.sales.funnel import funnel_rebuild_all


@job("klient.sales.funnel_rebuild", retries=3, retry_delay=60, atomic=False)
def funnel_rebuild(*, workspace_id: int) -> int:
    """Recompute every sales rollup of a workspace from its transitions; the row count."""
    return funnel_rebuild_all(workspace_id)


@periodic("klient.sales.overdue_deals", minute="*/5")
def overdue_deals_periodic() -> None:
    """Every five minutes: deals past their stage's time limit are flagged and their owners
    told, once per stage entry."""
    from klient.sales.overdue import overdue_deals_flag

    overdue_deals_flag()
