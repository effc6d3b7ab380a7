"""Who may see and change which deal through the API, and no write accepting an id its
actor cannot see.

Deals: agent_a's own, agent_a2's on team A (agent_a sees it through the team), agent_b's
on team B, and another workspace's. Every role reads what the visibility rule shows it
and gets a 404 for the rest; analysts read and are refused every write; agents change
only their own deals.
"""

from __future__ import annotations

from typing import Any

import pytest

from klient.sales.models import Deal, StageTransition
from klient.sales.pipeline_services import lost_reason_create
from tests.api.client import ApiClient
from tests.factories import TeamFactory, UserFactory
from tests.sales.api_world import client_records, outside_make, put
from tests.sales.factories import deal_make, pipeline_make, stages_of

DEAL_NOT_FOUND = {"code": "not_found", "message": "Deal not found.", "fields": {}}
NOT_YOURS = {
    "code": "permission_denied",
    "message": "You can change only your own deals.",
    "fields": {},
}
READ_ONLY = {"code": "permission_denied", "message": "Your role can only read.", "fields": {}}

# Which of the deals each role sees.
SEES = {
    "admin": {"a", "a2", "b"},
    "manager_a": {"a", "a2"},
    "agent_a": {"a", "a2"},
    "agent_b": {"b"},
    "analyst": {"a", "a2", "b"},
    "other_workspace_admin": set(),
}
# What moving each deal answers, per role.
MOVES = {
    "admin": {"a": 200, "a2": 200, "b": 200},
    "manager_a": {"a": 200, "a2": 200, "b": 404},
    "agent_a": {"a": 200, "a2": 403, "b": 404},
    "agent_b": {"a": 404, "a2": 404, "b": 200},
    "analyst": {"a": 403, "a2": 403, "b": 403},
    "other_workspace_admin": {"a": 404, "a2": 404, "b": 404},
}


@pytest.fixture
def world(
    admin, agent_a, agent_a2, agent_b, team_a, team_b, other_workspace_admin
) -> dict[str, Any]:
    pipeline = pipeline_make(admin)
    return {
        "pipeline": pipeline,
        "stages": stages_of(pipeline),
        "deals": {
            "a": deal_make(agent_a, pipeline, title="A", team_id=team_a.pk),
            "a2": deal_make(agent_a2, pipeline, title="A2", team_id=team_a.pk),
            "b": deal_make(agent_b, pipeline, title="B", team_id=team_b.pk),
        },
        "outside": outside_make(other_workspace_admin),
    }


@pytest.mark.parametrize("role", list(SEES))
def test_each_role_lists_and_reads_the_deals_it_may_see(request, role, world):
    api = ApiClient(request.getfixturevalue(role))
    deals = world["deals"]

    listed = {row["id"] for row in api.get("/deals").json()["items"]}

    assert listed - {world["outside"].deal.pk} == {deals[key].pk for key in SEES[role]}
    for key, deal in deals.items():
        response = api.get(f"/deals/{deal.pk}")
        if key in SEES[role]:
            assert response.status_code == 200, (role, key)
            assert response.json()["id"] == deal.pk
        else:
            assert response.status_code == 404, (role, key)
            assert response.json() == DEAL_NOT_FOUND
        history = api.get(f"/deals/{deal.pk}/transitions")
        assert history.status_code == (200 if key in SEES[role] else 404), (role, key)


@pytest.mark.parametrize("role", ["manager_a", "agent_a", "agent_b", "analyst"])
def test_nobody_reads_another_workspaces_deal(request, role, world):
    stranger_deal = world["outside"].deal

    response = ApiClient(request.getfixturevalue(role)).get(f"/deals/{stranger_deal.pk}")

    assert response.status_code == 404
    assert stranger_deal.title not in {
        row["title"]
        for row in ApiClient(request.getfixturevalue(role)).get("/deals").json()["items"]
    }


def test_an_admin_reads_no_deal_of_another_workspace(admin, world):
    api = ApiClient(admin)

    assert api.get(f"/deals/{world['outside'].deal.pk}").json() == DEAL_NOT_FOUND
    assert api.get("/deals", pipeline_id=world["outside"].pipeline.pk).json()["items"] == []


@pytest.mark.parametrize("role", list(MOVES))
def test_each_role_moves_only_the_deals_it_may_change(request, role, world):
    api = ApiClient(request.getfixturevalue(role))
    proposal = world["stages"]["Proposal"]

    for key, deal in world["deals"].items():
        response = api.post(f"/deals/{deal.pk}/move", {"stage_id": proposal.pk})

        assert response.status_code == MOVES[role][key], (role, key, response.content)
        moved = Deal.objects.get(pk=deal.pk).stage_id == proposal.pk
        assert moved is (response.status_code == 200)
        if response.status_code == 404:
            assert response.json() == DEAL_NOT_FOUND


def test_an_agent_is_refused_a_teammates_deal_it_can_see(agent_a, world):
    api = ApiClient(agent_a)
    teammates = world["deals"]["a2"]
    item = world["stages"]["Terms agreed"].checklist.first()

    responses = {
        "patch": api.patch(f"/deals/{teammates.pk}", {"title": "Mine now"}),
        "move": api.post(
            f"/deals/{teammates.pk}/move", {"stage_id": world["stages"]["Proposal"].pk}
        ),
        "tick": put(api, f"/deals/{teammates.pk}/checklist/{item.pk}", {"done": True}),
        "delete": api.delete(f"/deals/{teammates.pk}"),
    }

    assert {name: response.status_code for name, response in responses.items()} == {
        "patch": 403,
        "move": 403,
        "tick": 403,
        "delete": 403,
    }
    assert responses["patch"].json() == NOT_YOURS
    assert Deal.objects.get(pk=teammates.pk).title == "A2"
    assert Deal.objects.get(pk=teammates.pk).version == 1


def test_an_agent_cannot_hand_its_deal_to_a_colleague(agent_a, agent_a2, world):
    deal = world["deals"]["a"]

    response = ApiClient(agent_a).patch(f"/deals/{deal.pk}", {"owner_id": agent_a2.pk})

    assert response.status_code == 403
    assert Deal.objects.get(pk=deal.pk).owner_id == agent_a.pk


def test_an_agent_creates_deals_only_for_itself(agent_a, agent_a2, world):
    response = ApiClient(agent_a).post(
        "/deals", {"pipeline_id": world["pipeline"].pk, "title": "For a2", "owner_id": agent_a2.pk}
    )

    assert response.status_code == 403
    assert not Deal.objects.filter(title="For a2").exists()


def test_another_team_gets_404_on_every_write_to_team_as_deal(admin, agent_b, world):
    api = ApiClient(agent_b)
    deal = world["deals"]["a"]
    item = world["stages"]["Terms agreed"].checklist.first()
    air = pipeline_make(admin, name="Air")

    responses = [
        api.patch(f"/deals/{deal.pk}", {"title": "Taken"}),
        api.post(f"/deals/{deal.pk}/move", {"stage_id": world["stages"]["Proposal"].pk}),
        api.post(f"/deals/{deal.pk}/pipeline", {"stage_id": stages_of(air)["Request received"].pk}),
        put(api, f"/deals/{deal.pk}/checklist/{item.pk}", {"done": True}),
        api.delete(f"/deals/{deal.pk}"),
    ]

    assert [response.json() for response in responses] == [DEAL_NOT_FOUND] * 5
    assert Deal.objects.get(pk=deal.pk).version == 1


def test_an_analyst_reads_but_every_write_is_403(analyst, world):
    api = ApiClient(analyst)
    deal = world["deals"]["a"]
    item = world["stages"]["Terms agreed"].checklist.first()
    pipeline = world["pipeline"]

    responses = {
        "create": api.post("/deals", {"pipeline_id": pipeline.pk, "title": "Mine"}),
        "patch": api.patch(f"/deals/{deal.pk}", {"title": "Mine"}),
        "move": api.post(f"/deals/{deal.pk}/move", {"stage_id": world["stages"]["Proposal"].pk}),
        "pipeline": api.post(
            f"/deals/{deal.pk}/pipeline",
            {"stage_id": world["outside"].stages["Proposal"].pk},
        ),
        "tick": put(api, f"/deals/{deal.pk}/checklist/{item.pk}", {"done": True}),
        "delete": api.delete(f"/deals/{deal.pk}"),
        "pipeline_create": api.post(
            "/pipelines", {"name": "Mine", "stages": [{"name": "A"}, {"name": "B", "kind": "won"}]}
        ),
        "lost_reason": api.post("/lost-reasons", {"name": "Mine"}),
    }

    assert {name: r.status_code for name, r in responses.items()} == dict.fromkeys(responses, 403)
    assert api.get(f"/deals/{deal.pk}").status_code == 200
    assert Deal.objects.count() == 4  # three of ours, one of the other workspace
    assert Deal.objects.get(pk=deal.pk).version == 1


# --- foreign ids -------------------------------------------------------------------------

WRITERS = ("admin", "manager_a", "agent_a", "agent_b")
# Whose clients each writer cannot see: team B's for team A, team A's for team B, and
# another workspace's for the administrator.
HIDDEN_FROM = {
    "admin": "other_workspace_admin",
    "manager_a": "agent_b",
    "agent_a": "agent_b",
    "agent_b": "agent_a",
}
OWN_DEAL = {"admin": "b", "manager_a": "a2", "agent_a": "a", "agent_b": "b"}


@pytest.fixture
def foreign(request, world) -> dict[str, Any]:
    """What the writer may not name: a hidden client, another workspace's colleague,
    team, pipeline, stages, lost reason and checklist item, a deactivated colleague."""
    outside = world["outside"]
    writer = request.node.callspec.params["writer"]
    hidden = client_records(request.getfixturevalue(HIDDEN_FROM[writer]), "hidden")
    return {
        "organization": hidden["organization"].pk,
        "person": hidden["person"].pk,
        "stranger": outside.admin.pk,
        "former": UserFactory(workspace=world["pipeline"].workspace, is_active=False).pk,
        "team": TeamFactory(workspace=outside.admin.workspace).pk,
        "pipeline": outside.pipeline.pk,
        "stage": outside.stages["Proposal"].pk,
        "lost_stage": outside.stages["Lost"].pk,
        "lost_reason": outside.lost_reason.pk,
        "item": outside.checklist_item.pk,
    }


CREATE_CASES = {
    "pipeline_id": (lambda f, w: {"pipeline_id": f["pipeline"]}, "Unknown record."),
    "stage_id": (lambda f, w: {"stage_id": f["stage"]}, "This stage is not in the pipeline."),
    "organization_id": (
        lambda f, w: {"organization_id": f["organization"]},
        "Unknown organization.",
    ),
    "contacts": (lambda f, w: {"contacts": [{"person_id": f["person"]}]}, "Unknown person."),
    "owner_id": (lambda f, w: {"owner_id": f["stranger"]}, "Unknown colleague."),
    "team_id": (lambda f, w: {"team_id": f["team"]}, "Unknown team."),
}


@pytest.mark.parametrize("case", list(CREATE_CASES))
@pytest.mark.parametrize("writer", WRITERS)
def test_creating_a_deal_with_an_id_the_writer_cannot_see_is_422(
    request, writer, case, world, foreign
):
    body_of, message = CREATE_CASES[case]
    body = {"pipeline_id": world["pipeline"].pk, "title": "Foreign", **body_of(foreign, world)}

    response = ApiClient(request.getfixturevalue(writer)).post("/deals", body)

    assert response.status_code == 422, response.content
    assert response.json()["fields"] == {case: message}
    assert not Deal.objects.filter(title="Foreign").exists()


def test_a_deactivated_colleague_cannot_own_a_deal(admin, world):
    former = UserFactory(workspace=admin.workspace, is_active=False)

    response = ApiClient(admin).post(
        "/deals", {"pipeline_id": world["pipeline"].pk, "title": "Foreign", "owner_id": former.pk}
    )

    assert response.status_code == 422
    assert response.json()["fields"] == {"owner_id": "Unknown colleague."}


PATCH_CASES = {
    "organization_id": (lambda f: {"organization_id": f["organization"]}, "Unknown organization."),
    "contacts": (lambda f: {"contacts": [{"person_id": f["person"]}]}, "Unknown person."),
    "owner_id": (lambda f: {"owner_id": f["stranger"]}, "Unknown colleague."),
    "team_id": (lambda f: {"team_id": f["team"]}, "Unknown team."),
}


@pytest.mark.parametrize("case", list(PATCH_CASES))
@pytest.mark.parametrize("writer", WRITERS)
def test_changing_a_deal_to_an_id_the_writer_cannot_see_is_422(
    request, writer, case, world, foreign
):
    deal = world["deals"][OWN_DEAL[writer]]
    body_of, message = PATCH_CASES[case]

    response = ApiClient(request.getfixturevalue(writer)).patch(
        f"/deals/{deal.pk}", {"title": "Changed", **body_of(foreign)}
    )

    assert response.status_code == 422, response.content
    assert response.json()["fields"] == {case: message}
    assert Deal.objects.get(pk=deal.pk).title == deal.title
    assert Deal.objects.get(pk=deal.pk).version == 1


@pytest.mark.parametrize("writer", WRITERS)
def test_moving_with_an_id_the_writer_cannot_see_is_422(request, writer, world, foreign):
    deal = world["deals"][OWN_DEAL[writer]]
    lost = world["stages"]["Lost"]
    lost_reason_create(actor=request.getfixturevalue("admin"), name="Price")
    api = ApiClient(request.getfixturevalue(writer))

    responses = {
        "stage": api.post(f"/deals/{deal.pk}/move", {"stage_id": foreign["stage"]}),
        "lost_reason": api.post(
            f"/deals/{deal.pk}/move",
            {"stage_id": lost.pk, "lost_reason_id": foreign["lost_reason"]},
        ),
        "pipeline": api.post(f"/deals/{deal.pk}/pipeline", {"stage_id": foreign["stage"]}),
        "item": put(api, f"/deals/{deal.pk}/checklist/{foreign['item']}", {"done": True}),
    }

    assert {name: r.status_code for name, r in responses.items()} == dict.fromkeys(responses, 422)
    assert {name: r.json()["fields"] for name, r in responses.items()} == {
        "stage": {
            "stage_id": "This stage is not in the deal's pipeline; "
            "move the deal to another pipeline instead."
        },
        "lost_reason": {"lost_reason_id": "Unknown lost reason."},
        "pipeline": {"stage_id": "Unknown stage."},
        "item": {"item_id": "This item is not on the deal's checklist."},
    }
    assert Deal.objects.get(pk=deal.pk).version == 1
    assert StageTransition.objects.filter(deal=deal).count() == 1


@pytest.mark.parametrize(
    "path",
    [
        "/deals/100000000000000000000000",
        "/deals/100000000000000000000000/transitions",
        "/deals/0",
    ],
)
def test_out_of_range_deal_ids_in_the_path_are_422(admin, path):
    response = ApiClient(admin).get(path)

    assert response.status_code == 422
    assert set(response.json()["fields"]) == {"deal_id"}


@pytest.mark.parametrize(
    "body",
    [
        {"stage_id": 10**23},
        {"stage_id": 1, "version": 10**23},
        {"stage_id": 1, "lost_reason_id": 10**23},
        {"stage_id": "1; DROP TABLE"},
    ],
)
def test_out_of_range_ids_in_a_move_are_422(admin, world, body):
    deal = world["deals"]["a"]

    response = ApiClient(admin).post(f"/deals/{deal.pk}/move", body)

    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"
