"""Sales data for the API tests: one freight pipeline, a deal per owner, and another
workspace's pipeline, deal, lost reason and checklist item to point at from outside."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from klient.contacts.services import organization_create, person_create
from klient.core.models import User
from klient.sales.models import ChecklistItem, Deal, LostReason, Pipeline, Stage
from klient.sales.pipeline_services import lost_reason_create
from tests.api.client import PREFIX, ApiClient
from tests.sales.factories import deal_make, pipeline_make, stages_of


def put(api: ApiClient, path: str, body: Any) -> Any:
    return api.client.put(
        PREFIX + path, data=json.dumps(body), content_type="application/json", **api.headers
    )


@dataclass
class Outside:
    """Another workspace's records: no one in ours may name them."""

    admin: User
    pipeline: Pipeline
    stages: dict[str, Stage]
    deal: Deal
    lost_reason: LostReason
    checklist_item: ChecklistItem


def outside_make(stranger: User) -> Outside:
    pipeline = pipeline_make(stranger, name="Their freight")
    stages = stages_of(pipeline)
    return Outside(
        admin=stranger,
        pipeline=pipeline,
        stages=stages,
        deal=deal_make(stranger, pipeline, title="Their deal"),
        lost_reason=lost_reason_create(actor=stranger, name="Their reason"),
        checklist_item=ChecklistItem.objects.get(stage=stages["Terms agreed"], position=0),
    )


def client_records(owner: User, label: str) -> dict[str, Any]:
    """An organization and a person owned by `owner`."""
    organization = organization_create(actor=owner, name=f"Org of {label}")
    person = person_create(actor=owner, last_name=f"Person of {label}")
    return {"organization": organization, "person": person}
