"""Moving deals through the API: stages, gates, lost reasons, other pipelines, the
checklist and the stage history."""

from __future__ import annotations

import pytest

from klient.sales.models import ChecklistTick, Deal, StageTransition
from klient.sales.pipeline_services import lost_reason_archive, lost_reason_create
from tests.api.client import ApiClient
from tests.sales.api_world import put
from tests.sales.factories import deal_make, pipeline_make, stages_of

DEAL_CHANGED = {
    "code": "deal_changed",
    "message": "Someone else changed this deal meanwhile. Reload it and try again.",
    "fields": {},
    "missing": [],
}


@pytest.fixture
def pipeline(admin):
    return pipeline_make(admin)


@pytest.fixture
def stages(pipeline):
    return stages_of(pipeline)


@pytest.fixture
def deal(agent_a, pipeline):
    return deal_make(agent_a, pipeline)


def test_a_move_answers_the_transition_and_the_new_version(agent_a, deal, stages):
    response = ApiClient(agent_a).post(
        f"/deals/{deal.pk}/move", {"stage_id": stages["Proposal"].pk, "version": 1}
    )

    assert response.status_code == 200
    body = response.json()
    transition = StageTransition.objects.get(deal=deal, kind="moved")
    assert body == {
        "id": transition.pk,
        "kind": "moved",
        "pipeline_id": deal.pipeline_id,
        "from_stage_id": stages["Request received"].pk,
        "from_stage_name": "Request received",
        "to_stage_id": stages["Proposal"].pk,
        "to_stage_name": "Proposal",
        "actor_id": agent_a.pk,
        "actor_name": agent_a.display_name,
        "at": body["at"],
        "seconds_in_stage": transition.seconds_in_stage,
        "lost_reason_id": None,
        "deal_version": 2,
        "deal_state": "open",
    }
    assert Deal.objects.get(pk=deal.pk).stage_id == stages["Proposal"].pk


def test_a_blocked_gate_is_409_with_what_is_missing(agent_a, deal, stages):
    """Skipping to "In work" leaves "Proposal" (needs an amount) and "Terms agreed" (two
    checklist items) behind."""
    response = ApiClient(agent_a).post(f"/deals/{deal.pk}/move", {"stage_id": stages["In work"].pk})

    assert response.status_code == 409
    missing = [
        "Amount is not filled in",
        "“Customs declaration” is not done",
        "“Insurance” is not done",
    ]
    assert response.json() == {
        "code": "stage_gate",
        "message": "Before the deal moves on: " + "; ".join(missing) + ".",
        "fields": {f"missing_{index}": item for index, item in enumerate(missing)},
        "missing": missing,
    }
    assert Deal.objects.get(pk=deal.pk).stage_id == stages["Request received"].pk
    assert Deal.objects.get(pk=deal.pk).version == 1


def test_the_gate_opens_once_the_checklist_is_done_and_the_amount_filled(agent_a, deal, stages):
    api = ApiClient(agent_a)
    api.patch(f"/deals/{deal.pk}", {"amount": "100"})
    for item in stages["Terms agreed"].checklist.all():
        assert put(api, f"/deals/{deal.pk}/checklist/{item.pk}", {"done": True}).status_code == 200

    response = api.post(f"/deals/{deal.pk}/move", {"stage_id": stages["In work"].pk})

    assert response.status_code == 200
    assert response.json()["to_stage_name"] == "In work"


def test_the_deal_shows_what_its_next_stage_needs_before_a_move(agent_a, deal, stages):
    api = ApiClient(agent_a)
    assert (
        api.post(f"/deals/{deal.pk}/move", {"stage_id": stages["Proposal"].pk}).status_code == 200
    )

    body = api.get(f"/deals/{deal.pk}").json()

    assert body["next_stage_id"] == stages["Terms agreed"].pk
    assert body["missing"] == ["Amount is not filled in"]
    blocked = api.post(f"/deals/{deal.pk}/move", {"stage_id": stages["Terms agreed"].pk})
    assert blocked.json()["missing"] == body["missing"]


def test_moving_back_needs_no_gate(agent_a, pipeline, stages):
    deal = deal_make(agent_a, pipeline, stage_id=stages["Terms agreed"].pk)

    response = ApiClient(agent_a).post(
        f"/deals/{deal.pk}/move", {"stage_id": stages["Request received"].pk}
    )

    assert response.status_code == 200


def test_a_move_with_a_stale_version_is_409_and_writes_nothing(agent_a, deal, stages):
    api = ApiClient(agent_a)
    assert api.patch(f"/deals/{deal.pk}", {"title": "Renamed"}).json()["version"] == 2

    response = api.post(f"/deals/{deal.pk}/move", {"stage_id": stages["Proposal"].pk, "version": 1})

    assert response.status_code == 409
    assert response.json() == DEAL_CHANGED
    assert StageTransition.objects.filter(deal=deal).count() == 1


def test_two_moves_from_one_read_one_succeeds_and_one_is_409(
    agent_a, manager_a, deal, stages, team_a
):
    """Sequentially, as two people who both loaded version 1 (the threaded race is in
    test_api_concurrency.py, on PostgreSQL)."""
    Deal.objects.filter(pk=deal.pk).update(team=team_a)
    first = ApiClient(agent_a).post(
        f"/deals/{deal.pk}/move", {"stage_id": stages["Proposal"].pk, "version": 1}
    )
    second = ApiClient(manager_a).post(
        f"/deals/{deal.pk}/move", {"stage_id": stages["Lost"].pk, "version": 1}
    )

    assert (first.status_code, second.status_code) == (200, 409)
    assert second.json()["code"] == "deal_changed"
    assert Deal.objects.get(pk=deal.pk).stage_id == stages["Proposal"].pk


def test_a_stage_of_another_pipeline_is_422(admin, agent_a, deal):
    air = stages_of(pipeline_make(admin, name="Air freight"))

    response = ApiClient(agent_a).post(f"/deals/{deal.pk}/move", {"stage_id": air["Proposal"].pk})

    assert response.status_code == 422
    assert response.json()["fields"] == {
        "stage_id": "This stage is not in the deal's pipeline; "
        "move the deal to another pipeline instead."
    }


def test_the_same_stage_is_422(agent_a, deal, stages):
    response = ApiClient(agent_a).post(
        f"/deals/{deal.pk}/move", {"stage_id": stages["Request received"].pk}
    )

    assert response.status_code == 422
    assert response.json()["fields"] == {"stage_id": "The deal is already in this stage."}


def test_losing_a_deal_needs_a_reason_once_the_workspace_has_reasons(admin, agent_a, deal, stages):
    reason = lost_reason_create(actor=admin, name="Price")
    api = ApiClient(agent_a)

    without = api.post(f"/deals/{deal.pk}/move", {"stage_id": stages["Lost"].pk})
    lost = api.post(
        f"/deals/{deal.pk}/move",
        {"stage_id": stages["Lost"].pk, "lost_reason_id": reason.pk, "lost_note": "Too dear"},
    )

    assert without.status_code == 422
    assert without.json()["fields"] == {"lost_reason_id": "Choose why the deal was lost."}
    assert lost.status_code == 200
    assert (lost.json()["lost_reason_id"], lost.json()["deal_state"]) == (reason.pk, "lost")
    body = api.get(f"/deals/{deal.pk}").json()
    assert (body["state"], body["lost_reason_id"], body["lost_note"]) == (
        "lost",
        reason.pk,
        "Too dear",
    )
    assert body["closed_at"] is not None


def test_losing_a_deal_without_reasons_in_the_workspace_needs_none(agent_a, deal, stages):
    response = ApiClient(agent_a).post(f"/deals/{deal.pk}/move", {"stage_id": stages["Lost"].pk})

    assert response.status_code == 200
    assert response.json()["deal_state"] == "lost"


def test_archived_lost_reasons_are_not_required(admin, agent_a, deal, stages):
    lost_reason_archive(actor=admin, reason_id=lost_reason_create(actor=admin, name="Old").pk)

    response = ApiClient(agent_a).post(f"/deals/{deal.pk}/move", {"stage_id": stages["Lost"].pk})

    assert response.status_code == 200


# --- another pipeline ------------------------------------------------------------------


def test_a_deal_moves_to_another_pipeline(admin, agent_a, deal, stages):
    air = pipeline_make(admin, name="Air freight")
    target = stages_of(air)["Request received"]

    response = ApiClient(agent_a).post(
        f"/deals/{deal.pk}/pipeline", {"stage_id": target.pk, "version": 1}
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["kind"], body["pipeline_id"], body["to_stage_id"]) == (
        "pipeline",
        air.pk,
        target.pk,
    )
    assert (body["from_stage_id"], body["deal_version"]) == (stages["Request received"].pk, 2)
    deal.refresh_from_db()
    assert (deal.pipeline_id, deal.stage_id) == (air.pk, target.pk)


@pytest.mark.parametrize(
    ("which", "fields"),
    [
        ("own", {"stage_id": "The deal is already in this pipeline."}),
        ("lost", {"stage_id": "Choose a stage in progress or won."}),
    ],
)
def test_a_pipeline_move_to_a_wrong_stage_is_422(admin, agent_a, deal, stages, which, fields):
    air = stages_of(pipeline_make(admin, name="Air freight"))
    stage = stages["Proposal"] if which == "own" else air["Lost"]

    response = ApiClient(agent_a).post(f"/deals/{deal.pk}/pipeline", {"stage_id": stage.pk})

    assert response.status_code == 422
    assert response.json()["fields"] == fields


def test_a_pipeline_move_with_a_stale_version_is_409(admin, agent_a, deal):
    target = stages_of(pipeline_make(admin, name="Air freight"))["Request received"]
    ApiClient(agent_a).patch(f"/deals/{deal.pk}", {"title": "Renamed"})

    response = ApiClient(agent_a).post(
        f"/deals/{deal.pk}/pipeline", {"stage_id": target.pk, "version": 1}
    )

    assert response.status_code == 409
    assert response.json() == DEAL_CHANGED


# --- history ---------------------------------------------------------------------------


def test_the_history_lists_every_stage_entered_with_who_and_how_long(
    agent_a, manager_a, team_a, deal, stages
):
    Deal.objects.filter(pk=deal.pk).update(team=team_a)
    ApiClient(agent_a).post(f"/deals/{deal.pk}/move", {"stage_id": stages["Proposal"].pk})
    ApiClient(manager_a).post(f"/deals/{deal.pk}/move", {"stage_id": stages["Lost"].pk})

    response = ApiClient(manager_a).get(f"/deals/{deal.pk}/transitions")

    assert response.status_code == 200
    rows = response.json()
    stored = list(StageTransition.objects.filter(deal=deal).order_by("at", "id"))
    assert [
        (row["kind"], row["from_stage_name"], row["to_stage_name"], row["actor_id"]) for row in rows
    ] == [
        ("created", None, "Request received", agent_a.pk),
        ("moved", "Request received", "Proposal", agent_a.pk),
        ("moved", "Proposal", "Lost", manager_a.pk),
    ]
    assert [row["seconds_in_stage"] for row in rows] == [None] + [
        transition.seconds_in_stage for transition in stored[1:]
    ]
    assert all(isinstance(row["seconds_in_stage"], int) for row in rows[1:])
    assert [row["actor_name"] for row in rows] == [
        agent_a.display_name,
        agent_a.display_name,
        manager_a.display_name,
    ]
    assert [row["id"] for row in rows] == [transition.pk for transition in stored]


def test_the_history_runs_a_fixed_number_of_queries(
    agent_a, deal, stages, django_assert_max_num_queries
):
    api = ApiClient(agent_a)
    for name in ("Proposal", "Request received", "Proposal", "Request received"):
        api.post(f"/deals/{deal.pk}/move", {"stage_id": stages[name].pk})

    # The token lookup, the deal, the transitions with their stages and actors.
    with django_assert_max_num_queries(4):
        response = api.get(f"/deals/{deal.pk}/transitions")

    assert len(response.json()) == 5


# --- checklist -------------------------------------------------------------------------


def test_ticking_an_item_reports_whether_it_changed(agent_a, deal, stages):
    item = stages["Terms agreed"].checklist.get(label="Insurance")
    api = ApiClient(agent_a)

    first = put(api, f"/deals/{deal.pk}/checklist/{item.pk}", {"done": True})
    again = put(api, f"/deals/{deal.pk}/checklist/{item.pk}", {"done": True})
    undone = put(api, f"/deals/{deal.pk}/checklist/{item.pk}", {"done": False})

    assert first.status_code == 200
    assert {
        key: first.json()[key] for key in ("item_id", "label", "done", "done_by_id", "changed")
    } == {
        "item_id": item.pk,
        "label": "Insurance",
        "done": True,
        "done_by_id": agent_a.pk,
        "changed": True,
    }
    assert first.json()["done_at"] is not None
    assert (again.json()["done"], again.json()["changed"]) == (True, False)
    assert undone.json() == {
        "item_id": item.pk,
        "label": "Insurance",
        "done": False,
        "done_at": None,
        "done_by_id": None,
        "changed": True,
    }
    assert not ChecklistTick.objects.filter(deal=deal).exists()


def test_an_item_of_another_pipeline_is_422(admin, agent_a, deal):
    air = stages_of(pipeline_make(admin, name="Air freight"))
    item = air["Terms agreed"].checklist.first()

    response = put(ApiClient(agent_a), f"/deals/{deal.pk}/checklist/{item.pk}", {"done": True})

    assert response.status_code == 422
    assert response.json()["fields"] == {"item_id": "This item is not on the deal's checklist."}


@pytest.mark.parametrize("body", [{}, {"done": "maybe"}, {"done": True, "extra": 1}])
def test_a_malformed_tick_is_422(agent_a, deal, stages, body):
    item = stages["Terms agreed"].checklist.first()

    response = put(ApiClient(agent_a), f"/deals/{deal.pk}/checklist/{item.pk}", body)

    assert response.status_code == 422
