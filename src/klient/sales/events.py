"""Domain events of sales (catalogue: docs/events.md). Payloads are ids and plain values:
webhook subscribers receive them as they are."""

from __future__ import annotations

from dataclasses import dataclass

from klient.core.events import Event


@dataclass(frozen=True, kw_only=True)
class DealCreated:
    workspace_id: int
    deal_id: int
    pipeline_id: int
    stage_id: int
    actor_id: int | None


@dataclass(frozen=True, kw_only=True)
class DealMoved:
    workspace_id: int
    deal_id: int
    transition_id: int
    pipeline_id: int
    from_stage_id: int | None
    to_stage_id: int
    state: str  # open, won or lost after the move
    actor_id: int | None


deal_created = Event("deal.created", DealCreated)
# Sent by every stage move and pipeline change; `transition_id` names the stage entry, so
# a handler keyed on it runs once per entry, also when the outbox retries it.
deal_moved = Event("deal.moved", DealMoved)
