"""The deal page: what it shows (fields, contacts, progress, checklist, what is missing,
history, timeline), ticking, moving from it, moving to another pipeline, per role, and a
fixed number of queries."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from klient.activities import services as activity_services
from klient.sales.models import ChecklistTick, Deal, Stage
from klient.sales.services import checklist_tick, deal_move
from tests.sales.ui_factories import Sales, client_for, client_of, htmx, sales_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def sales(admin, agent_a, agent_a2, agent_b) -> Sales:
    return sales_world(admin, agent_a, agent_a2, agent_b)


def _page(client, deal: Deal):
    return client.get(reverse("sales:deal_detail", args=[deal.pk]))


def _to_terms(agent, deal: Deal, sales: Sales) -> Deal:
    """Through «Proposal» (an amount) to «Terms agreed», whose checklist gates the next."""
    deal_move(actor=agent, deal_id=deal.pk, stage_id=sales.stages["Terms agreed"].pk)
    deal.refresh_from_db()
    return deal


def test_the_page_shows_the_deal_its_people_its_progress_and_history(agent_a, sales: Sales):
    people = client_of(agent_a, "Sea")
    deal = sales.deal(
        agent_a,
        "Ningbo — Saint Petersburg",
        amount=Decimal("2500"),
        organization_id=people["organization"].pk,
        contacts=[(people["person"].pk, "Logistics manager")],
    )
    deal_move(actor=agent_a, deal_id=deal.pk, stage_id=sales.stages["Proposal"].pk)
    response = _page(client_for(agent_a), deal)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ningbo — Saint Petersburg" in html
    assert reverse("contacts:organization_detail", args=[people["organization"].pk]) in html
    assert "Anna Of Sea" in html and "Logistics manager" in html
    steps = response.context["steps"]
    assert [(s["stage"].name, s["state"]) for s in steps] == [
        ("Request received", "done"),
        ("Proposal", "current"),
        ("Terms agreed", "todo"),
        ("In work", "todo"),
        ("Delivered", "todo"),
    ]
    history = response.context["transitions"]
    assert [(t.from_stage and t.from_stage.name, t.to_stage.name) for t in history] == [
        ("Request received", "Proposal"),
        (None, "Request received"),
    ]
    assert "Stage history" in html
    assert 'id="timeline-items"' in html or "timeline" in html  # the activity panel
    assert "Move to “Terms agreed”" in html


def test_the_page_says_what_is_missing_before_the_next_stage(agent_a, sales: Sales):
    deal = _to_terms(agent_a, sales.deals["Shanghai — Novorossiysk"], sales)
    response = _page(client_for(agent_a), deal)
    assert response.context["missing"] == [
        "“Customs declaration” is not done",
        "“Insurance” is not done",
    ]
    html = response.content.decode()
    assert "Before the deal moves to “In work”:" in html
    assert "“Customs declaration” is not done" in html


def test_ticking_redraws_the_item_and_what_is_still_missing(agent_a, sales: Sales):
    deal = _to_terms(agent_a, sales.deals["Shanghai — Novorossiysk"], sales)
    item = sales.stages["Terms agreed"].checklist.get(label="Customs declaration")
    url = reverse("sales:checklist_tick", args=[deal.pk, item.pk])
    response = client_for(agent_a).post(url, {"done": "1"}, **htmx())
    assert response.status_code == 200
    assert ChecklistTick.objects.filter(deal=deal, item=item).exists()
    html = response.content.decode()
    assert html.startswith('<li class="checklist-item is-done">')
    assert 'aria-pressed="true"' in html
    assert '<div id="gate-missing" hx-swap-oob="true">' in html
    assert "“Customs declaration” is not done" not in html
    assert "“Insurance” is not done" in html
    client_for(agent_a).post(url, {"done": "0"})
    assert not ChecklistTick.objects.filter(deal=deal, item=item).exists()


def test_an_item_of_another_stage_redraws_the_whole_panel(agent_a, sales: Sales):
    deal = sales.deals["Shanghai — Novorossiysk"]  # in «Request received»
    item = sales.stages["Terms agreed"].checklist.first()
    response = client_for(agent_a).post(
        reverse("sales:checklist_tick", args=[deal.pk, item.pk]), {"done": "1"}, **htmx()
    )
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#deal-stage"
    assert response.content.decode().startswith('<section class="card deal-stage"')


def test_moving_to_the_next_stage_from_the_page(agent_a, sales: Sales):
    deal = sales.deals["Shanghai — Novorossiysk"]
    response = client_for(agent_a).post(
        reverse("sales:deal_move", args=[deal.pk]),
        {"stage_id": sales.stages["Proposal"].pk, "version": deal.version, "from": "deal"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("sales:deal_detail", args=[deal.pk])
    deal.refresh_from_db()
    assert deal.stage == sales.stages["Proposal"]


def test_a_refused_move_from_the_page_lists_what_is_missing(agent_a, sales: Sales):
    deal = _to_terms(agent_a, sales.deals["Shanghai — Novorossiysk"], sales)
    response = client_for(agent_a).post(
        reverse("sales:deal_move", args=[deal.pk]),
        {"stage_id": sales.stages["In work"].pk, "version": deal.version, "from": "deal"},
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert 'id="move-problem"' in html
    assert "Not moved to “In work”" in html and "“Insurance” is not done" in html
    assert _stage(deal) == "Terms agreed"


def _stage(deal: Deal) -> str:
    return Deal.objects.select_related("stage").get(pk=deal.pk).stage.name


def test_marking_lost_from_the_page_needs_a_reason(agent_a, sales: Sales):
    deal = sales.deals["Shanghai — Novorossiysk"]
    client = client_for(agent_a)
    url = reverse("sales:deal_move", args=[deal.pk])
    lost = sales.stages["Lost"].pk
    asked = client.post(url, {"stage_id": lost, "version": deal.version, "from": "deal"})
    assert asked.status_code == 422
    assert "Choose why the deal was lost." in asked.content.decode()
    assert '<details class="move-lost" open>' in asked.content.decode()
    done = client.post(
        url,
        {
            "stage_id": lost,
            "version": deal.version,
            "from": "deal",
            "lost_reason_id": sales.reasons[1].pk,
        },
    )
    assert done.status_code == 302
    deal.refresh_from_db()
    assert deal.state == Deal.State.LOST and deal.lost_reason == sales.reasons[1]
    page = _page(client, deal).content.decode()
    assert "Chose another carrier" in page


def test_moving_to_another_pipeline_proposes_the_matching_stage(agent_a, sales: Sales):
    deal = sales.deals["Shanghai — Novorossiysk"]
    client = client_for(agent_a)
    url = reverse("sales:deal_pipeline", args=[deal.pk])
    proposal = client.get(url, {"pipeline_id": sales.air.pk}, **htmx())
    assert proposal.status_code == 200
    received = Stage.objects.get(pipeline=sales.air, name="Request received")
    assert proposal.context["proposed"] == received
    assert [s.name for s in proposal.context["stages"]] == [
        "Request received",
        "Flight booked",
        "Delivered",
    ]
    booked = Stage.objects.get(pipeline=sales.air, name="Flight booked")
    moved = client.post(
        url, {"pipeline_id": sales.air.pk, "stage_id": booked.pk, "version": deal.version}
    )
    assert moved.status_code == 302
    deal.refresh_from_db()
    assert (deal.pipeline, deal.stage) == (sales.air, booked)


def test_a_stale_pipeline_move_is_reported(agent_a, sales: Sales):
    deal = sales.deals["Shanghai — Novorossiysk"]
    stale = deal.version
    deal_move(actor=agent_a, deal_id=deal.pk, stage_id=sales.stages["Proposal"].pk)
    booked = Stage.objects.get(pipeline=sales.air, name="Flight booked")
    response = client_for(agent_a).post(
        reverse("sales:deal_pipeline", args=[deal.pk]),
        {"pipeline_id": sales.air.pk, "stage_id": booked.pk, "version": stale},
    )
    assert response.status_code == 409
    assert "Someone else changed this deal meanwhile" in response.content.decode()
    assert _stage(deal) == "Proposal"


# Per role -------------------------------------------------------------------------------


def test_a_teammate_sees_the_deal_without_controls_and_is_refused(agent_a2, sales: Sales):
    deal = sales.deals["Shanghai — Novorossiysk"]  # agent_a's
    client = client_for(agent_a2)
    html = _page(client, deal).content.decode()
    assert "Shanghai — Novorossiysk" in html
    for control in ('class="move-actions"', reverse("sales:deal_edit", args=[deal.pk])):
        assert control not in html
    item = sales.stages["Terms agreed"].checklist.first()
    tick = client.post(reverse("sales:checklist_tick", args=[deal.pk, item.pk]), {"done": "1"})
    assert tick.status_code == 403
    assert client.get(reverse("sales:deal_edit", args=[deal.pk])).status_code == 403
    pipeline = client.get(
        reverse("sales:deal_pipeline", args=[deal.pk]), {"pipeline_id": sales.air.pk}
    )
    assert pipeline.status_code == 403


def test_the_analyst_reads_the_deal_and_cannot_change_it(analyst, sales: Sales):
    deal = sales.deals["Istanbul — Varna"]
    client = client_for(analyst)
    html = _page(client, deal).content.decode()
    assert "Istanbul — Varna" in html
    assert 'class="move-actions"' not in html and "Move to another pipeline" not in html
    refused = client.post(
        reverse("sales:deal_move", args=[deal.pk]),
        {"stage_id": sales.stages["Proposal"].pk, "from": "deal"},
    )
    assert refused.status_code == 403
    assert client.post(reverse("sales:deal_edit", args=[deal.pk]), {}).status_code == 403
    assert _stage(deal) == "Request received"


def test_another_team_and_another_workspace_get_404(agent_b, other_workspace_admin, sales: Sales):
    deal = sales.deals["Shanghai — Novorossiysk"]
    for user in (agent_b, other_workspace_admin):
        client = client_for(user)
        assert _page(client, deal).status_code == 404
        assert client.get(reverse("sales:deal_edit", args=[deal.pk])).status_code == 404
        item = sales.stages["Terms agreed"].checklist.first()
        url = reverse("sales:checklist_tick", args=[deal.pk, item.pk])
        assert client.post(url, {"done": "1"}).status_code == 404


def test_a_manager_moves_a_team_members_deal(manager_a, sales: Sales):
    deal = sales.deals["Guangzhou — Moscow"]
    response = client_for(manager_a).post(
        reverse("sales:deal_move", args=[deal.pk]),
        {"stage_id": sales.stages["Proposal"].pk, "from": "deal"},
    )
    assert response.status_code == 302
    assert _stage(deal) == "Proposal"


# Cost -----------------------------------------------------------------------------------


def test_deal_page_queries_do_not_grow_with_history_and_timeline(agent_a, sales: Sales):
    deal = _to_terms(agent_a, sales.deals["Shanghai — Novorossiysk"], sales)
    client = client_for(agent_a)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert _page(client, deal).status_code == 200
        return len(queries)

    small = count()
    for item in sales.stages["Terms agreed"].checklist.all():
        checklist_tick(actor=agent_a, deal_id=deal.pk, item_id=item.pk, done=True)
    for index in range(6):
        target = "In work" if index % 2 == 0 else "Terms agreed"
        deal_move(actor=agent_a, deal_id=deal.pk, stage_id=sales.stages[target].pk)
        activity_services.task_create(actor=agent_a, title=f"Call {index}", owner=deal)
    assert _stage(deal) == "Terms agreed"
    assert count() == small
