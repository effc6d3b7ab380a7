"""The pipelines router: pipelines with their stages, stage set-up, lost reasons."""

from __future__ import annotations

import pytest

from klient.calendars.services import calendar_create
from klient.calendars.spec import intervals_parse
from klient.sales.models import ChecklistItem, LostReason, Pipeline, Stage
from klient.sales.pipeline_services import lost_reason_create
from klient.sales.services import deal_move
from tests.api.client import ApiClient
from tests.sales.api_world import outside_make, put
from tests.sales.factories import deal_make, pipeline_make, stages_of

ADMIN_ONLY = {
    "code": "permission_denied",
    "message": "Only administrators can do this.",
    "fields": {},
}
PIPELINE_NOT_FOUND = {"code": "not_found", "message": "Pipeline not found.", "fields": {}}
STAGE_NOT_FOUND = {"code": "not_found", "message": "Stage not found.", "fields": {}}
NON_ADMINS = ("manager_a", "agent_a", "analyst")
READERS = ("admin", "manager_a", "agent_a", "agent_b", "analyst")


@pytest.fixture
def pipeline(admin):
    return pipeline_make(admin)


@pytest.fixture
def stages(pipeline):
    return stages_of(pipeline)


def stage_out(stage, checklist=()):
    return {
        "id": stage.pk,
        "pipeline_id": stage.pipeline_id,
        "name": stage.name,
        "kind": stage.kind,
        "position": stage.position,
        "probability": stage.probability,
        "time_limit_days": stage.time_limit_days,
        "required_fields": stage.required_fields,
        "checklist": list(checklist),
    }


def checklist_out(stage):
    return [
        {"id": item.pk, "label": item.label, "position": item.position}
        for item in ChecklistItem.objects.filter(stage=stage).order_by("position")
    ]


# --- reading ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", READERS)
def test_every_role_reads_pipelines_with_stages_gates_and_checklists(request, role, stages):
    user = request.getfixturevalue(role)

    response = ApiClient(user).get("/pipelines")

    assert response.status_code == 200
    [pipeline] = response.json()
    assert pipeline["name"] == "Sea freight"
    assert pipeline["archived"] is False
    assert pipeline["calendar_id"] is None
    assert pipeline["stages"] == [
        stage_out(stages["Request received"]),
        stage_out(stages["Proposal"]),
        stage_out(stages["Terms agreed"], checklist_out(stages["Terms agreed"])),
        stage_out(stages["In work"]),
        stage_out(stages["Delivered"]),
        stage_out(stages["Lost"]),
    ]
    assert pipeline["stages"][1]["required_fields"] == ["amount"]
    assert [item["label"] for item in pipeline["stages"][2]["checklist"]] == [
        "Customs declaration",
        "Insurance",
    ]
    assert pipeline["stages"][3]["time_limit_days"] == 5
    assert [stage["probability"] for stage in pipeline["stages"]] == [10, 30, 60, 85, 100, 0]


def test_pipeline_list_runs_a_fixed_number_of_queries(
    admin, pipeline, django_assert_max_num_queries
):
    pipeline_make(admin, name="Air freight")
    api = ApiClient(admin)

    # The token lookup, the pipelines, their stages, the stages' checklist items.
    with django_assert_max_num_queries(6):
        response = api.get("/pipelines")

    assert [row["name"] for row in response.json()] == ["Sea freight", "Air freight"]


def test_archived_pipelines_are_listed_only_on_request(admin, pipeline):
    api = ApiClient(admin)
    assert api.patch(f"/pipelines/{pipeline.pk}", {"archived": True}).status_code == 200

    assert api.get("/pipelines").json() == []
    assert [row["id"] for row in api.get("/pipelines", include_archived="true").json()] == [
        pipeline.pk
    ]


def test_get_one_pipeline(analyst, pipeline, stages):
    response = ApiClient(analyst).get(f"/pipelines/{pipeline.pk}")

    assert response.status_code == 200
    assert response.json()["id"] == pipeline.pk
    assert [stage["id"] for stage in response.json()["stages"]] == [
        stages[name].pk
        for name in (
            "Request received",
            "Proposal",
            "Terms agreed",
            "In work",
            "Delivered",
            "Lost",
        )
    ]


def test_another_workspace_sees_no_pipeline_and_gets_404(other_workspace_admin, pipeline):
    api = ApiClient(other_workspace_admin)

    assert api.get("/pipelines").json() == []
    response = api.get(f"/pipelines/{pipeline.pk}")
    assert response.status_code == 404
    assert response.json() == PIPELINE_NOT_FOUND


@pytest.mark.parametrize("path", ["/pipelines/100000000000000000000000", "/pipelines/0"])
def test_out_of_range_pipeline_id_is_422(admin, path):
    response = ApiClient(admin).get(path)

    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"
    assert set(response.json()["fields"]) == {"pipeline_id"}


# --- creating and changing -------------------------------------------------------------

NEW_PIPELINE = {
    "name": "Air freight",
    "stages": [
        {"name": "Request", "probability": 10, "checklist": ["Weight confirmed"]},
        {"name": "Booked", "probability": 70, "time_limit_days": 3, "required_fields": ["amount"]},
        {"name": "Flown", "kind": "won", "probability": 100},
        {"name": "Lost", "kind": "lost"},
    ],
}


def test_admin_creates_a_pipeline_with_stages(admin):
    response = ApiClient(admin).post("/pipelines", NEW_PIPELINE)

    assert response.status_code == 201
    body = response.json()
    pipeline = Pipeline.objects.get(pk=body["id"])
    stages = stages_of(pipeline)
    assert body["name"] == "Air freight"
    assert body["stages"] == [
        stage_out(stages["Request"], checklist_out(stages["Request"])),
        stage_out(stages["Booked"]),
        stage_out(stages["Flown"]),
        stage_out(stages["Lost"]),
    ]
    assert body["stages"][0]["checklist"][0]["label"] == "Weight confirmed"
    assert body["stages"][1]["time_limit_days"] == 3
    assert body["stages"][1]["required_fields"] == ["amount"]


@pytest.mark.parametrize("role", NON_ADMINS)
def test_only_admins_create_pipelines(request, role):
    response = ApiClient(request.getfixturevalue(role)).post("/pipelines", NEW_PIPELINE)

    assert response.status_code == 403
    assert response.json() == ADMIN_ONLY
    assert not Pipeline.objects.exists()


def test_a_pipeline_without_a_won_stage_is_422(admin):
    body = {"name": "Half", "stages": [{"name": "Request"}]}

    response = ApiClient(admin).post("/pipelines", body)

    assert response.status_code == 422
    assert response.json()["fields"] == {"stages": "A pipeline needs a won stage."}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"required_fields": ["colour"]}, "stages[0].required_fields[0]"),
        ({"probability": 101}, "stages[0].probability"),
        ({"time_limit_days": 0}, "stages[0].time_limit_days"),
        ({"kind": "paused"}, "stages[0].kind"),
        ({"probability": 10**23}, "stages[0].probability"),
    ],
)
def test_bad_stage_settings_are_422(admin, change, field):
    body = {
        "name": "Bad",
        "stages": [{"name": "Request", **change}, {"name": "Won", "kind": "won"}],
    }

    response = ApiClient(admin).post("/pipelines", body)

    assert response.status_code == 422
    assert set(response.json()["fields"]) == {field}


def test_a_calendar_of_another_workspace_is_422(admin, other_workspace_admin):
    theirs = calendar_create(
        workspace=other_workspace_admin.workspace,
        name="Their hours",
        time_zone="UTC",
        weekly={0: intervals_parse("09:00-18:00")},
    )

    response = ApiClient(admin).post("/pipelines", {**NEW_PIPELINE, "calendar_id": theirs.pk})

    assert response.status_code == 422
    assert response.json()["fields"] == {"calendar_id": "Unknown calendar."}
    assert not Pipeline.objects.filter(workspace=admin.workspace).exists()


def test_a_duplicate_pipeline_name_is_422(admin, pipeline):
    response = ApiClient(admin).post("/pipelines", {**NEW_PIPELINE, "name": "Sea freight"})

    assert response.status_code == 422
    assert response.json()["fields"] == {"name": "A pipeline with this name already exists."}


def test_admin_renames_a_pipeline(admin, pipeline):
    response = ApiClient(admin).patch(f"/pipelines/{pipeline.pk}", {"name": "Ocean freight"})

    assert response.status_code == 200
    assert response.json()["name"] == "Ocean freight"
    assert len(response.json()["stages"]) == 6


@pytest.mark.parametrize("role", NON_ADMINS)
def test_only_admins_change_pipelines(request, role, pipeline):
    api = ApiClient(request.getfixturevalue(role))

    response = api.patch(f"/pipelines/{pipeline.pk}", {"name": "Mine"})

    assert response.status_code == 403
    assert Pipeline.objects.get(pk=pipeline.pk).name == "Sea freight"


def test_another_workspace_admin_cannot_change_our_pipeline(other_workspace_admin, pipeline):
    response = ApiClient(other_workspace_admin).patch(
        f"/pipelines/{pipeline.pk}", {"name": "Taken"}
    )

    assert response.status_code == 404
    assert response.json() == PIPELINE_NOT_FOUND
    assert Pipeline.objects.get(pk=pipeline.pk).name == "Sea freight"


# --- stages ----------------------------------------------------------------------------


def test_admin_adds_a_stage_last_in_its_group(admin, pipeline, stages):
    body = {"name": "Customs", "probability": 90, "checklist": ["Broker booked"]}

    response = ApiClient(admin).post(f"/pipelines/{pipeline.pk}/stages", body)

    assert response.status_code == 201
    stage = Stage.objects.get(pk=response.json()["id"])
    assert response.json() == stage_out(stage, checklist_out(stage))
    assert stage.position == 4  # after "In work", before "Delivered" and "Lost"
    assert Stage.objects.get(pk=stages["Delivered"].pk).position == 5


def test_admin_changes_a_stage(admin, stages):
    stage = stages["In work"]

    response = ApiClient(admin).patch(
        f"/stages/{stage.pk}",
        {"probability": 90, "time_limit_days": None, "required_fields": ["organization"]},
    )

    assert response.status_code == 200
    stage.refresh_from_db()
    assert response.json() == stage_out(stage)
    assert (stage.probability, stage.time_limit_days, stage.required_fields) == (
        90,
        None,
        ["organization"],
    )


def test_a_stage_with_deals_keeps_its_kind(admin, stages, pipeline):
    deal_make(admin, pipeline)

    response = ApiClient(admin).patch(f"/stages/{stages['Request received'].pk}", {"kind": "won"})

    assert response.status_code == 409
    assert response.json()["code"] == "conflict"


def test_admin_reorders_stages(admin, pipeline, stages):
    order = [
        stages[name].pk
        for name in ("Proposal", "Request received", "Terms agreed", "In work", "Delivered", "Lost")
    ]

    response = put(ApiClient(admin), f"/pipelines/{pipeline.pk}/stage-order", {"stage_ids": order})

    assert response.status_code == 200
    assert [stage["id"] for stage in response.json()["stages"]] == order
    assert [stage["position"] for stage in response.json()["stages"]] == [0, 1, 2, 3, 4, 5]


def test_a_reorder_naming_another_workspaces_stage_is_422(
    admin, pipeline, stages, other_workspace_admin
):
    outside = outside_make(other_workspace_admin)
    ours = [stage.pk for stage in stages.values()]
    order = [*ours[:-1], outside.stages["Lost"].pk]

    response = put(ApiClient(admin), f"/pipelines/{pipeline.pk}/stage-order", {"stage_ids": order})

    assert response.status_code == 422
    assert response.json()["fields"] == {"stage_ids": "List every stage of the pipeline once."}


def test_a_reorder_with_a_huge_id_is_422(admin, pipeline):
    response = put(
        ApiClient(admin), f"/pipelines/{pipeline.pk}/stage-order", {"stage_ids": [10**23]}
    )

    assert response.status_code == 422
    assert set(response.json()["fields"]) == {"stage_ids[0]"}


def test_an_unused_stage_is_deleted(admin, stages):
    stage = stages["In work"]

    response = ApiClient(admin).delete(f"/stages/{stage.pk}")

    assert response.status_code == 200
    assert response.json() == {"id": stage.pk, "outcome": "deleted"}
    assert not Stage.objects.filter(pk=stage.pk).exists()


def test_a_stage_with_history_is_archived(admin, pipeline, stages):
    deal = deal_make(admin, pipeline, amount="10")
    deal_move(actor=admin, deal_id=deal.pk, stage_id=stages["Proposal"].pk)
    stage = stages["Request received"]

    response = ApiClient(admin).delete(f"/stages/{stage.pk}")

    assert response.status_code == 200
    assert response.json() == {"id": stage.pk, "outcome": "archived"}
    assert Stage.objects.get(pk=stage.pk).archived is True
    listed = ApiClient(admin).get(f"/pipelines/{pipeline.pk}").json()["stages"]
    assert stage.pk not in [row["id"] for row in listed]


def test_a_stage_with_deals_in_it_is_not_deleted(admin, pipeline, stages):
    deal_make(admin, pipeline)

    response = ApiClient(admin).delete(f"/stages/{stages['Request received'].pk}")

    assert response.status_code == 409
    assert response.json()["message"] == (
        "1 deals are in this stage: move them to another stage first."
    )
    assert Stage.objects.filter(pk=stages["Request received"].pk, archived=False).exists()


@pytest.mark.parametrize("role", NON_ADMINS)
def test_only_admins_set_up_stages(request, role, pipeline, stages):
    api = ApiClient(request.getfixturevalue(role))
    stage = stages["In work"]

    responses = [
        api.post(f"/pipelines/{pipeline.pk}/stages", {"name": "Mine"}),
        api.patch(f"/stages/{stage.pk}", {"probability": 1}),
        put(api, f"/pipelines/{pipeline.pk}/stage-order", {"stage_ids": [stage.pk]}),
        api.delete(f"/stages/{stage.pk}"),
        api.post(f"/stages/{stage.pk}/checklist", {"label": "Mine"}),
    ]

    assert [response.status_code for response in responses] == [403] * 5
    assert Stage.objects.get(pk=stage.pk).probability == 85
    assert Stage.objects.filter(pipeline=pipeline).count() == 6


def test_another_workspace_admin_cannot_touch_our_stages(other_workspace_admin, pipeline, stages):
    api = ApiClient(other_workspace_admin)
    stage = stages["In work"]

    responses = [
        api.post(f"/pipelines/{pipeline.pk}/stages", {"name": "Theirs"}),
        api.patch(f"/stages/{stage.pk}", {"probability": 1}),
        api.delete(f"/stages/{stage.pk}"),
        api.post(f"/stages/{stage.pk}/checklist", {"label": "Theirs"}),
    ]

    assert [response.json() for response in responses] == [
        PIPELINE_NOT_FOUND,
        STAGE_NOT_FOUND,
        STAGE_NOT_FOUND,
        STAGE_NOT_FOUND,
    ]
    assert Stage.objects.get(pk=stage.pk).probability == 85


def test_admin_adds_and_deletes_checklist_items(admin, stages):
    stage = stages["In work"]
    api = ApiClient(admin)

    added = api.post(f"/stages/{stage.pk}/checklist", {"label": "Driver booked"})

    assert added.status_code == 201
    item = ChecklistItem.objects.get(stage=stage)
    assert added.json() == {"id": item.pk, "label": "Driver booked", "position": 0}
    assert api.delete(f"/checklist-items/{item.pk}").status_code == 204
    assert not ChecklistItem.objects.filter(stage=stage).exists()


def test_another_workspaces_checklist_item_is_not_found(admin, other_workspace_admin):
    outside = outside_make(other_workspace_admin)

    response = ApiClient(admin).delete(f"/checklist-items/{outside.checklist_item.pk}")

    assert response.status_code == 404
    assert ChecklistItem.objects.filter(pk=outside.checklist_item.pk).exists()


# --- lost reasons ----------------------------------------------------------------------


def test_lost_reasons_are_listed_in_order_to_every_role(request, admin):
    price = lost_reason_create(actor=admin, name="Price")
    late = lost_reason_create(actor=admin, name="Too late")

    for role in READERS:
        response = ApiClient(request.getfixturevalue(role)).get("/lost-reasons")
        assert response.json() == [
            {"id": price.pk, "name": "Price", "position": 0, "archived": False},
            {"id": late.pk, "name": "Too late", "position": 1, "archived": False},
        ], role


def test_admin_creates_and_archives_a_lost_reason(admin):
    api = ApiClient(admin)

    created = api.post("/lost-reasons", {"name": "Price"})
    archived = api.post(f"/lost-reasons/{created.json()['id']}/archive")

    assert created.status_code == 201
    assert archived.status_code == 200
    assert archived.json() == {**created.json(), "archived": True}
    assert api.get("/lost-reasons").json() == []
    assert api.get("/lost-reasons", include_archived="true").json() == [archived.json()]


def test_a_duplicate_lost_reason_is_422(admin):
    lost_reason_create(actor=admin, name="Price")

    response = ApiClient(admin).post("/lost-reasons", {"name": "Price"})

    assert response.status_code == 422
    assert response.json()["fields"] == {"name": "This reason already exists."}


@pytest.mark.parametrize("role", NON_ADMINS)
def test_only_admins_manage_lost_reasons(request, role, admin):
    reason = lost_reason_create(actor=admin, name="Price")
    api = ApiClient(request.getfixturevalue(role))

    assert api.post("/lost-reasons", {"name": "Mine"}).status_code == 403
    assert api.post(f"/lost-reasons/{reason.pk}/archive").status_code == 403
    assert list(LostReason.objects.values_list("name", "archived")) == [("Price", False)]


def test_another_workspaces_lost_reasons_are_invisible(admin, other_workspace_admin):
    outside = outside_make(other_workspace_admin)
    api = ApiClient(admin)

    assert api.get("/lost-reasons").json() == []
    response = api.post(f"/lost-reasons/{outside.lost_reason.pk}/archive")
    assert response.status_code == 404
    assert LostReason.objects.get(pk=outside.lost_reason.pk).archived is False
