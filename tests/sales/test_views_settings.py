"""Pipeline settings: administrators only; pipelines, stages (rename, probability, time
limit, required fields, checklist, order, removal refused while deals are in a stage)
and lost reasons, each through pipeline_services, a refusal shown as a message."""

from __future__ import annotations

import pytest
from django.urls import reverse

from klient.sales.models import ChecklistItem, LostReason, Pipeline, Stage
from klient.sales.selectors import stage_list
from tests.sales.ui_factories import Sales, client_for, sales_world

pytestmark = pytest.mark.django_db
URL = "/deals/settings/"


@pytest.fixture
def sales(admin, agent_a, agent_a2, agent_b) -> Sales:
    return sales_world(admin, agent_a, agent_a2, agent_b)


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def _names(pipeline: Pipeline) -> list[str]:
    return [stage.name for stage in stage_list(pipeline=pipeline)]


def test_only_administrators_open_the_settings(
    admin, manager_a, agent_a, analyst, other_workspace_admin, sales: Sales
):
    assert client_for(admin).get(URL).status_code == 200
    for user in (manager_a, agent_a, analyst):
        assert client_for(user).get(URL).status_code == 403
    create = reverse("sales:settings_pipeline_create")
    refused = client_for(manager_a).post(create, {"name": "X", "stages": "A", "won": "W"})
    assert refused.status_code == 403
    assert not Pipeline.objects.filter(name="X").exists()
    stranger = client_for(other_workspace_admin)
    assert stranger.get(URL, {"pipeline": sales.pipeline.pk}).status_code == 404
    stage = sales.stages["Proposal"]
    url = reverse("sales:settings_stage_delete", args=[stage.pk])
    assert stranger.post(url).status_code == 404
    assert Stage.objects.filter(pk=stage.pk, archived=False).exists()


def test_the_settings_are_linked_from_the_administration_tabs(admin, sales: Sales):
    html = client_for(admin).get(reverse("core:settings_users")).content.decode()
    assert f'href="{URL}"' in html


def test_the_page_lists_pipelines_stages_checklists_and_reasons(admin, sales: Sales):
    response = client_for(admin).get(URL, {"pipeline": sales.pipeline.pk})
    html = response.content.decode()
    for text in (
        "Sea freight",
        "Air freight",
        "Terms agreed",
        "Customs declaration",
        "Price too high",
    ):
        assert text in html
    rows = {row["stage"].name: row for row in response.context["stage_rows"]}
    assert rows["Request received"]["deals"] == 3


def test_creating_a_pipeline_with_its_stages(admin, sales: Sales):
    response = client_for(admin).post(
        reverse("sales:settings_pipeline_create"),
        {
            "name": "Rail freight",
            "stages": "Request\nQuote\n\nLoading",
            "won": "Arrived",
            "lost": "Lost",
        },
        follow=True,
    )
    pipeline = Pipeline.objects.get(name="Rail freight")
    assert _names(pipeline) == ["Request", "Quote", "Loading", "Arrived", "Lost"]
    assert response.context["pipeline"] == pipeline
    assert "Pipeline “Rail freight” created." in _messages(response)


def test_a_refused_pipeline_says_why(admin, sales: Sales):
    response = client_for(admin).post(
        reverse("sales:settings_pipeline_create"),
        {"name": "Sea freight", "stages": "A", "won": "Won"},
        follow=True,
    )
    assert "A pipeline with this name already exists." in " ".join(_messages(response))


def test_renaming_and_archiving_a_pipeline(admin, sales: Sales):
    client = client_for(admin)
    url = reverse("sales:settings_pipeline_update", args=[sales.air.pk])
    client.post(url, {"name": "Air cargo"})
    client.post(url, {"archived": "1"})
    sales.air.refresh_from_db()
    assert (sales.air.name, sales.air.archived) == ("Air cargo", True)


def test_changing_a_stage(admin, sales: Sales):
    stage = sales.stages["In work"]
    prefix = f"s{stage.pk}"
    response = client_for(admin).post(
        reverse("sales:settings_stage_update", args=[stage.pk]),
        {
            f"{prefix}-name": "In transit",
            f"{prefix}-probability": "90",
            f"{prefix}-time_limit_days": "",
            f"{prefix}-required_fields": ["amount", "organization"],
        },
        follow=True,
    )
    stage.refresh_from_db()
    assert stage.name == "In transit" and stage.probability == 90
    assert stage.time_limit_days is None
    assert stage.required_fields == ["amount", "organization"]
    assert "Stage saved." in _messages(response)


def test_a_bad_probability_is_a_message(admin, sales: Sales):
    stage = sales.stages["In work"]
    prefix = f"s{stage.pk}"
    response = client_for(admin).post(
        reverse("sales:settings_stage_update", args=[stage.pk]),
        {f"{prefix}-name": "In work", f"{prefix}-probability": "150"},
        follow=True,
    )
    assert response.status_code == 200
    assert any("Probability" in text for text in _messages(response))
    stage.refresh_from_db()
    assert stage.probability == 85


def test_adding_and_reordering_stages(admin, sales: Sales):
    client = client_for(admin)
    client.post(
        reverse("sales:settings_stage_create", args=[sales.pipeline.pk]),
        {"name": "Customs", "kind": "open", "probability": "90", "time_limit_days": "2"},
    )
    assert _names(sales.pipeline)[4] == "Customs"  # the last open stage, before won
    customs = Stage.objects.get(pipeline=sales.pipeline, name="Customs")
    client.post(reverse("sales:settings_stage_move", args=[customs.pk]), {"direction": "up"})
    assert _names(sales.pipeline)[3:5] == ["Customs", "In work"]
    client.post(reverse("sales:settings_stage_move", args=[customs.pk]), {"direction": "down"})
    assert _names(sales.pipeline)[3:5] == ["In work", "Customs"]


def test_a_stage_with_deals_is_not_deleted_and_the_page_says_why(admin, sales: Sales):
    stage = sales.stages["Request received"]
    response = client_for(admin).post(
        reverse("sales:settings_stage_delete", args=[stage.pk]), follow=True
    )
    assert "3 deals are in this stage: move them to another stage first." in _messages(response)
    assert Stage.objects.filter(pk=stage.pk, archived=False).exists()


def test_an_empty_stage_is_deleted(admin, sales: Sales):
    stage = sales.stages["In work"]
    response = client_for(admin).post(
        reverse("sales:settings_stage_delete", args=[stage.pk]), follow=True
    )
    assert "Stage “In work” deleted." in _messages(response)
    assert "In work" not in _names(sales.pipeline)


def test_checklist_items_are_added_and_deleted(admin, sales: Sales):
    client = client_for(admin)
    stage = sales.stages["Proposal"]
    client.post(reverse("sales:settings_checklist_add", args=[stage.pk]), {"label": "Rate sheet"})
    item = ChecklistItem.objects.get(stage=stage, label="Rate sheet")
    client.post(
        reverse("sales:settings_checklist_delete", args=[item.pk]),
        {"pipeline": sales.pipeline.pk},
    )
    assert not ChecklistItem.objects.filter(pk=item.pk).exists()


def test_lost_reasons_are_added_and_archived(admin, sales: Sales):
    client = client_for(admin)
    client.post(reverse("sales:settings_lost_reason_create"), {"name": "Cargo not ready"})
    reason = LostReason.objects.get(name="Cargo not ready")
    client.post(reverse("sales:settings_lost_reason_archive", args=[reason.pk]))
    reason.refresh_from_db()
    assert reason.archived
    page = client.get(URL).content.decode()
    assert "Cargo not ready" not in page
