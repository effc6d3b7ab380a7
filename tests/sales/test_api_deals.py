"""The deals router: create, read, list, change and delete deals."""

from __future__ import annotations

from datetime import date

import pytest

from klient.contacts.services import organization_create, person_create
from klient.sales.models import Deal, DealContact
from klient.sales.services import checklist_tick, deal_move
from tests.api.client import ApiClient, walk
from tests.sales.factories import deal_make, pipeline_make, stages_of

DEAL_CHANGED = {
    "code": "deal_changed",
    "message": "Someone else changed this deal meanwhile. Reload it and try again.",
    "fields": {},
}


@pytest.fixture
def pipeline(admin):
    return pipeline_make(admin)


@pytest.fixture
def stages(pipeline):
    return stages_of(pipeline)


# --- create ----------------------------------------------------------------------------


def test_create_a_deal_returns_201_with_the_deal(agent_a, team_a, pipeline, stages):
    organization = organization_create(actor=agent_a, name="ООО Ромашка")
    person = person_create(actor=agent_a, first_name="Иван", last_name="Кузнецов")

    response = ApiClient(agent_a).post(
        "/deals",
        {
            "pipeline_id": pipeline.pk,
            "title": "  Shanghai —  Novorossiysk ",
            "organization_id": organization.pk,
            "contacts": [{"person_id": person.pk, "role": "Decision maker"}],
            "team_id": team_a.pk,
            "amount": "1500.5",
            "currency": "USD",
            "expected_close_on": "2026-03-31",
            "source": "Website",
            "description": "Two 40' containers",
        },
    )

    assert response.status_code == 201
    body = response.json()
    deal = Deal.objects.get(pk=body["id"])
    assert body == {
        "id": deal.pk,
        "title": "Shanghai — Novorossiysk",
        "pipeline_id": pipeline.pk,
        "stage_id": stages["Request received"].pk,
        "state": "open",
        "organization_id": organization.pk,
        "owner_id": agent_a.pk,
        "team_id": team_a.pk,
        "amount": "1500.5000",
        "currency": "USD",
        "expected_close_on": "2026-03-31",
        "source": "Website",
        "description": "Two 40' containers",
        "lost_reason_id": None,
        "lost_note": "",
        "pipeline_entered_at": body["pipeline_entered_at"],
        "stage_entered_at": body["pipeline_entered_at"],
        "stage_due_at": None,
        "closed_at": None,
        "version": 1,
        "created_by_id": agent_a.pk,
        "created_at": body["created_at"],
        "updated_at": body["updated_at"],
        "contacts": [
            {"person_id": person.pk, "full_name": person.full_name, "role": "Decision maker"}
        ],
        "checklist": [],
        "next_stage_id": stages["Proposal"].pk,
        "missing": [],
    }
    assert deal.amount == 1500.5
    assert deal.currency == "USD"


def test_a_deal_starts_in_the_chosen_stage_in_the_workspace_currency(manager_a, pipeline, stages):
    response = ApiClient(manager_a).post(
        "/deals",
        {"pipeline_id": pipeline.pk, "title": "Rail", "stage_id": stages["Proposal"].pk},
    )

    assert response.status_code == 201
    assert response.json()["stage_id"] == stages["Proposal"].pk
    assert response.json()["currency"] == manager_a.workspace.default_currency
    assert response.json()["missing"] == ["Amount is not filled in"]


def test_a_deal_cannot_start_lost(admin, pipeline, stages):
    response = ApiClient(admin).post(
        "/deals", {"pipeline_id": pipeline.pk, "title": "X", "stage_id": stages["Lost"].pk}
    )

    assert response.status_code == 422
    assert response.json()["fields"] == {"stage_id": "A new deal cannot start lost."}


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({"amount": "-1"}, {"amount": "The amount cannot be negative."}),
        ({"amount": -0.01}, {"amount": "The amount cannot be negative."}),
        ({"currency": "XYZ"}, {"currency": "Unsupported currency."}),
        ({"currency": "rub"}, {"currency": "Unsupported currency."}),
    ],
)
def test_bad_money_is_422_and_nothing_is_created(admin, pipeline, change, fields):
    response = ApiClient(admin).post("/deals", {"pipeline_id": pipeline.pk, "title": "X", **change})

    assert response.status_code == 422
    assert response.json()["fields"] == fields
    assert not Deal.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": "1.00001"}, "amount"),
        ({"amount": "100000000000000"}, "amount"),
        ({"amount": "1e400"}, "amount"),
        ({"amount": "NaN"}, "amount"),
        ({"amount": "Infinity"}, "amount"),
        ({"amount": "ten"}, "amount"),
        ({"title": ""}, "title"),
        ({"title": "x" * 301}, "title"),
        ({"expected_close_on": "0001-01-01"}, "expected_close_on"),
        ({"expected_close_on": "31.12.2026"}, "expected_close_on"),
        ({"owner_id": 10**23}, "owner_id"),
        ({"organization_id": 0}, "organization_id"),
        ({"contacts": [{"person_id": 10**23}]}, "contacts[0].person_id"),
        ({"colour": "red"}, "colour"),
        ({"source": "a\x00b"}, "source"),
    ],
)
def test_malformed_fields_are_422(admin, pipeline, change, field):
    response = ApiClient(admin).post("/deals", {"pipeline_id": pipeline.pk, "title": "X", **change})

    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"
    assert set(response.json()["fields"]) == {field}
    assert not Deal.objects.exists()


def test_a_person_listed_twice_is_422(admin, pipeline):
    person = person_create(actor=admin, last_name="Twice")
    contacts = [{"person_id": person.pk}, {"person_id": person.pk, "role": "again"}]

    response = ApiClient(admin).post(
        "/deals", {"pipeline_id": pipeline.pk, "title": "X", "contacts": contacts}
    )

    assert response.status_code == 422
    assert response.json()["fields"] == {"contacts": "A person is listed twice."}


def test_an_archived_pipeline_takes_no_new_deal(admin, pipeline):
    ApiClient(admin).patch(f"/pipelines/{pipeline.pk}", {"archived": True})

    response = ApiClient(admin).post("/deals", {"pipeline_id": pipeline.pk, "title": "X"})

    assert response.status_code == 422
    assert response.json()["fields"] == {"pipeline_id": "This pipeline is archived."}


# --- read ------------------------------------------------------------------------------


def test_a_deal_shows_its_stage_checklist_and_what_blocks_the_next_stage(admin, pipeline, stages):
    deal = deal_make(admin, pipeline, amount="10", stage_id=stages["Terms agreed"].pk)
    customs, insurance = stages["Terms agreed"].checklist.order_by("position")
    checklist_tick(actor=admin, deal_id=deal.pk, item_id=customs.pk, done=True)

    body = ApiClient(admin).get(f"/deals/{deal.pk}").json()

    assert [
        {key: row[key] for key in ("item_id", "label", "done", "done_by_id")}
        for row in body["checklist"]
    ] == [
        {
            "item_id": customs.pk,
            "label": "Customs declaration",
            "done": True,
            "done_by_id": admin.pk,
        },
        {"item_id": insurance.pk, "label": "Insurance", "done": False, "done_by_id": None},
    ]
    assert body["checklist"][0]["done_at"] is not None
    assert body["checklist"][1]["done_at"] is None
    assert body["next_stage_id"] == stages["In work"].pk
    assert body["missing"] == ["“Insurance” is not done"]


def test_a_closed_deal_has_no_next_stage(admin, pipeline, stages):
    deal = deal_make(admin, pipeline, stage_id=stages["Delivered"].pk)

    body = ApiClient(admin).get(f"/deals/{deal.pk}").json()

    assert (body["state"], body["next_stage_id"], body["missing"]) == ("won", None, [])
    assert body["closed_at"] is not None


def test_a_contact_the_reader_may_not_see_is_listed_without_a_name(
    manager_a, agent_a, agent_b, team_a, pipeline
):
    """agent_b's client on a team A deal: manager_a sees the deal but not the person."""
    theirs = person_create(actor=agent_b, last_name="Hidden")
    ours = person_create(actor=agent_a, last_name="Known")
    deal = deal_make(agent_a, pipeline, team_id=team_a.pk)
    DealContact.objects.create(deal=deal, person=ours, role="Buyer", position=0)
    DealContact.objects.create(deal=deal, person=theirs, role="Broker", position=1)

    body = ApiClient(manager_a).get(f"/deals/{deal.pk}").json()

    assert body["contacts"] == [
        {"person_id": ours.pk, "full_name": ours.full_name, "role": "Buyer"},
        {"person_id": theirs.pk, "full_name": None, "role": "Broker"},
    ]


# --- list ------------------------------------------------------------------------------


def test_list_filters_by_pipeline_stage_state_owner_organization_person_and_text(
    admin, agent_a, pipeline, stages
):
    air = pipeline_make(admin, name="Air freight")
    organization = organization_create(actor=admin, name="ООО Ромашка")
    person = person_create(actor=admin, last_name="Petrov")
    sea = deal_make(
        admin,
        pipeline,
        title="Ёлки в Новороссийск",
        organization_id=organization.pk,
        contacts=[(person.pk, "")],
    )
    mine = deal_make(agent_a, pipeline, title="Agent's", stage_id=stages["Proposal"].pk)
    won = deal_make(admin, pipeline, title="Done", stage_id=stages["Delivered"].pk)
    flight = deal_make(admin, air, title="Flight")
    api = ApiClient(admin)

    def ids(**params):
        response = api.get("/deals", **params)
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["items"]]

    assert ids() == [flight.pk, won.pk, mine.pk, sea.pk]
    assert ids(pipeline_id=air.pk) == [flight.pk]
    assert ids(stage_id=stages["Proposal"].pk) == [mine.pk]
    assert ids(state="won") == [won.pk]
    assert ids(owner_id=agent_a.pk) == [mine.pk]
    assert ids(organization_id=organization.pk) == [sea.pk]
    assert ids(person_id=person.pk) == [sea.pk]
    assert ids(q="елки") == [sea.pk]
    assert ids(q="НОВОРОССИЙСК ёлки") == [sea.pk]
    assert ids(pipeline_id=pipeline.pk, state="open") == [mine.pk, sea.pk]


@pytest.mark.parametrize(
    "params",
    [
        {"pipeline_id": "100000000000000000000000"},
        {"stage_id": str(2**63)},
        {"owner_id": "-1"},
        {"organization_id": "x"},
        {"person_id": "1e3"},
        {"team_id": "²"},
        {"state": "paused"},
        {"ordering": "title"},
        {"limit": "100000000000000000000000"},
        {"limit": "0"},
        {"cursor": "!!!"},
        {"ordering": "amount", "cursor": "bm90LWEtbnVtYmVyfDE"},  # "not-a-number|1"
        {"ordering": "close_date", "cursor": "MjAyNi0xMy00MHwx"},  # "2026-13-40|1"
        {"ordering": "updated", "cursor": "MjAyNi0wMS0wMVQwMDowMDowMFp8eA"},  # "...Z|x"
    ],
)
def test_bad_list_parameters_are_422_never_500(admin, pipeline, params):
    deal_make(admin, pipeline)

    response = ApiClient(admin).get("/deals", **params)

    assert response.status_code == 422, response.content
    assert response.json()["code"] == "validation_error"


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("newest", ["late", "cheap", "rich", "undated"]),
        ("updated", ["rich", "late", "cheap", "undated"]),
        ("close_date", ["cheap", "rich", "late", "undated"]),
        ("amount", ["rich", "cheap", "late", "undated"]),
        ("longest_in_stage", ["undated", "cheap", "late", "rich"]),
    ],
)
def test_every_ordering_pages_through_all_deals_once(admin, pipeline, stages, ordering, expected):
    deals = {
        "undated": deal_make(admin, pipeline, title="undated"),
        "rich": deal_make(
            admin, pipeline, title="rich", amount="900", expected_close_on=date(2026, 5, 1)
        ),
        "cheap": deal_make(
            admin, pipeline, title="cheap", amount="5", expected_close_on=date(2026, 4, 1)
        ),
        "late": deal_make(admin, pipeline, title="late", expected_close_on=date(2026, 9, 1)),
    }
    deal_move(actor=admin, deal_id=deals["late"].pk, stage_id=stages["Proposal"].pk)
    deal_move(actor=admin, deal_id=deals["rich"].pk, stage_id=stages["Proposal"].pk)

    items = walk(ApiClient(admin), "/deals", ordering=ordering, limit=1)

    assert [row["title"] for row in items] == expected


def test_list_runs_a_fixed_number_of_queries(admin, pipeline, django_assert_max_num_queries):
    for index in range(5):
        deal_make(admin, pipeline, title=f"Deal {index}")
    api = ApiClient(admin)

    with django_assert_max_num_queries(3):
        response = api.get("/deals")

    assert len(response.json()["items"]) == 5


# --- change ----------------------------------------------------------------------------


def test_change_with_the_current_version_bumps_it(agent_a, pipeline):
    deal = deal_make(agent_a, pipeline)
    person = person_create(actor=agent_a, last_name="Buyer")

    response = ApiClient(agent_a).patch(
        f"/deals/{deal.pk}",
        {
            "version": 1,
            "title": "Renamed",
            "amount": "20",
            "contacts": [{"person_id": person.pk, "role": "Buyer"}],
        },
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["title"], body["amount"], body["version"]) == ("Renamed", "20.0000", 2)
    assert body["contacts"] == [
        {"person_id": person.pk, "full_name": person.full_name, "role": "Buyer"}
    ]
    assert Deal.objects.get(pk=deal.pk).version == 2


def test_change_with_a_stale_version_is_409_and_writes_nothing(agent_a, pipeline):
    deal = deal_make(agent_a, pipeline)
    api = ApiClient(agent_a)
    assert api.patch(f"/deals/{deal.pk}", {"version": 1, "title": "First"}).status_code == 200

    response = api.patch(f"/deals/{deal.pk}", {"version": 1, "title": "Second"})

    assert response.status_code == 409
    assert response.json() == DEAL_CHANGED
    assert Deal.objects.get(pk=deal.pk).title == "First"


def test_change_clears_a_field_sent_as_null(admin, pipeline):
    deal = deal_make(admin, pipeline, amount="10", expected_close_on=date(2026, 1, 1))

    body = (
        ApiClient(admin)
        .patch(f"/deals/{deal.pk}", {"amount": None, "expected_close_on": None})
        .json()
    )

    assert (body["amount"], body["expected_close_on"]) == (None, None)


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({"amount": "-5"}, {"amount": "The amount cannot be negative."}),
        ({"currency": "ABC"}, {"currency": "Unsupported currency."}),
        ({"title": "   "}, {"title": "This field is required."}),
    ],
)
def test_bad_changes_are_422(admin, pipeline, change, fields):
    deal = deal_make(admin, pipeline, amount="10")

    response = ApiClient(admin).patch(f"/deals/{deal.pk}", change)

    assert response.status_code == 422
    assert response.json()["fields"] == fields
    assert Deal.objects.get(pk=deal.pk).amount == 10


@pytest.mark.parametrize("field", ["title", "currency", "source", "description", "contacts"])
def test_null_for_a_required_field_is_422(admin, pipeline, field):
    deal = deal_make(admin, pipeline)

    response = ApiClient(admin).patch(f"/deals/{deal.pk}", {field: None})

    assert response.status_code == 422
    assert set(response.json()["fields"]) == {field}


def test_the_stage_is_not_changed_by_patch(admin, pipeline, stages):
    deal = deal_make(admin, pipeline)

    response = ApiClient(admin).patch(f"/deals/{deal.pk}", {"stage_id": stages["Proposal"].pk})

    assert response.status_code == 422
    assert set(response.json()["fields"]) == {"stage_id"}


# --- delete ----------------------------------------------------------------------------


def test_a_manager_deletes_a_teams_deal(manager_a, agent_a, team_a, pipeline):
    deal = deal_make(agent_a, pipeline, team_id=team_a.pk)

    response = ApiClient(manager_a).delete(f"/deals/{deal.pk}")

    assert response.status_code == 204
    assert not Deal.objects.filter(pk=deal.pk).exists()
    assert ApiClient(manager_a).get(f"/deals/{deal.pk}").status_code == 404


def test_an_agent_cannot_delete_even_its_own_deal(agent_a, pipeline):
    deal = deal_make(agent_a, pipeline)

    response = ApiClient(agent_a).delete(f"/deals/{deal.pk}")

    assert response.status_code == 403
    assert Deal.objects.filter(pk=deal.pk).exists()
