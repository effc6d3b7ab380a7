"""Data for the sales page tests: the freight pipeline (tests.sales.factories), a second
one, lost reasons, and deals owned by the role fixtures, each in its owner's team
(teammates see a deal through its team)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.test import Client

from klient.contacts.services import organization_create, person_create
from klient.core.models import User
from klient.sales.models import Deal, LostReason, Pipeline, Stage
from klient.sales.pipeline_services import StageSpec, lost_reason_create
from tests.sales.factories import deal_make, pipeline_make, stages_of

AIR_STAGES = (
    StageSpec("Request received", probability=10),
    StageSpec("Flight booked", probability=60),
    StageSpec("Delivered", kind=Stage.Kind.WON, probability=100),
    StageSpec("Lost", kind=Stage.Kind.LOST),
)


def client_for(user: User, language: str = "en") -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def htmx(**headers: str) -> dict[str, str]:
    """The headers htmx sends (`HX-Target` and friends given as target=...)."""
    sent = {"HTTP_HX_REQUEST": "true"}
    for key, value in headers.items():
        sent[f"HTTP_HX_{key.upper()}"] = value
    return sent


@dataclass
class Sales:
    pipeline: Pipeline
    stages: dict[str, Stage]
    air: Pipeline
    reasons: list[LostReason]
    deals: dict[str, Deal] = field(default_factory=dict)

    def deal(self, owner: User, title: str, **kwargs: Any) -> Deal:
        team = owner.teams.order_by("pk").first()
        if team is not None:
            kwargs.setdefault("team_id", team.pk)
        deal = deal_make(owner, self.pipeline, title=title, **kwargs)
        self.deals[title] = deal
        return deal


def sales_make(admin: User) -> Sales:
    pipeline = pipeline_make(admin)
    return Sales(
        pipeline=pipeline,
        stages=stages_of(pipeline),
        air=pipeline_make(admin, name="Air freight", stages=AIR_STAGES),
        reasons=[
            lost_reason_create(actor=admin, name="Price too high"),
            lost_reason_create(actor=admin, name="Chose another carrier"),
        ],
    )


def sales_world(admin: User, agent_a: User, agent_a2: User, agent_b: User) -> Sales:
    """The freight pipelines, and a deal each of agent_a, agent_a2 (team A) and agent_b
    (team B); agent_a's has an amount, the others none. Each test module makes it its
    `sales` fixture."""
    world = sales_make(admin)
    world.deal(agent_a, "Shanghai — Novorossiysk", amount=Decimal("150000.50"))
    world.deal(agent_a2, "Guangzhou — Moscow")
    world.deal(agent_b, "Istanbul — Varna")
    return world


def client_of(owner: User, label: str) -> dict[str, Any]:
    """An organization and a person of `owner`, the person working at the organization."""
    organization = organization_create(actor=owner, name=f"Org of {label}")
    person = person_create(
        actor=owner, first_name="Anna", last_name=f"Of {label}", organization_id=organization.pk
    )
    return {"organization": organization, "person": person}
