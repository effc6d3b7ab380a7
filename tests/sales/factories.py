"""Sales test data, made through the services: a freight pipeline and deals on it."""

from __future__ import annotations

from typing import Any

from klient.core.models import User
from klient.sales.models import Deal, Pipeline, Stage
from klient.sales.pipeline_services import StageSpec, pipeline_create
from klient.sales.services import deal_create

SEA_STAGES = (
    StageSpec("Request received", probability=10),
    StageSpec("Proposal", probability=30, required_fields=("amount",)),
    StageSpec("Terms agreed", probability=60, checklist=("Customs declaration", "Insurance")),
    StageSpec("In work", probability=85, time_limit_days=5),
    StageSpec("Delivered", kind=Stage.Kind.WON, probability=100),
    StageSpec("Lost", kind=Stage.Kind.LOST),
)


def pipeline_make(
    admin: User, name: str = "Sea freight", stages: tuple[StageSpec, ...] = SEA_STAGES
) -> Pipeline:
    return pipeline_create(actor=admin, name=name, stages=stages)


def stages_of(pipeline: Pipeline) -> dict[str, Stage]:
    return {stage.name: stage for stage in Stage.objects.filter(pipeline=pipeline)}


def deal_make(actor: User, pipeline: Pipeline, **kwargs: Any) -> Deal:
    kwargs.setdefault("title", "Shanghai — Novorossiysk, 40' container")
    kwargs.setdefault("currency", "RUB")
    return deal_create(actor=actor, pipeline_id=pipeline.pk, **kwargs)
