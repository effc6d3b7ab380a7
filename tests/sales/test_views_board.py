"""The board: columns with counts and totals, the cards, the filters, moves from the board
(the columns redrawn, or next to the card: what the gate misses, a conflict, the lost
reason asked for), per role, and a fixed number of queries."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from klient.sales.models import Deal, Stage
from klient.sales.services import deal_move
from tests.sales.ui_factories import Sales, client_for, htmx, sales_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def sales(admin, agent_a, agent_a2, agent_b) -> Sales:
    return sales_world(admin, agent_a, agent_a2, agent_b)


NBSP = "\xa0"


def _move(client, deal: Deal, stage: Stage, **extra):
    data = {"stage_id": stage.pk, "version": deal.version, "from": "board", "next": "/deals/"}
    data.update(extra.pop("data", {}))
    return client.post(reverse("sales:deal_move", args=[deal.pk]), data, **extra)


def _stage_of(deal: Deal) -> str:
    return Deal.objects.select_related("stage").get(pk=deal.pk).stage.name


# Showing the board ---------------------------------------------------------------------


def test_the_board_shows_each_stage_with_its_count_totals_and_cards(admin, sales: Sales):
    sales.deal(admin, "Rotterdam — St Petersburg", amount=Decimal("1000"), currency="EUR")
    response = client_for(admin, "ru").get(reverse("sales:board"))
    assert response.status_code == 200
    columns = response.context["columns"]
    assert [column.stage.name for column in columns] == [
        "Request received",
        "Proposal",
        "Terms agreed",
        "In work",
        "Delivered",
        "Lost",
    ]
    first = columns[0]
    assert first.count == 4
    html = response.content.decode()
    # Totals per currency, written the Russian way.
    assert f"150{NBSP}000,50{NBSP}₽" in html
    assert f"1{NBSP}000,00{NBSP}€" in html
    assert "Shanghai — Novorossiysk" in html and "Istanbul — Varna" in html


def test_the_bare_board_shows_the_first_pipeline_and_the_switcher_the_others(admin, sales: Sales):
    client = client_for(admin)
    first = client.get(reverse("sales:board"))
    assert first.context["pipeline"] == sales.pipeline
    assert reverse("sales:pipeline_board", args=[sales.air.pk]) in first.content.decode()
    other = client.get(reverse("sales:pipeline_board", args=[sales.air.pk]))
    assert other.context["pipeline"] == sales.air
    assert [c.stage.name for c in other.context["columns"]][:2] == [
        "Request received",
        "Flight booked",
    ]


def test_a_card_past_its_stage_time_limit_is_flagged_overdue(admin, agent_a, sales: Sales):
    deal = sales.deals["Shanghai — Novorossiysk"]
    Deal.objects.filter(pk=deal.pk).update(
        stage=sales.stages["In work"], stage_due_at=timezone.now() - timedelta(hours=1)
    )
    response = client_for(agent_a).get(reverse("sales:board"))
    card = _card_html(response.content.decode(), deal.pk)
    assert "Overdue" in card
    assert "0 d in stage" in card
    other = sales.deals["Guangzhou — Moscow"]
    assert "Overdue" not in _card_html(response.content.decode(), other.pk)


def _card_html(html: str, deal_id: int) -> str:
    start = html.index(f'id="deal-card-{deal_id}"')
    return html[start : html.index("</li>", html.index('class="deal-card-problem"', start))]


def test_the_filters_narrow_the_cards_by_owner_mine_and_title(admin, agent_a, sales: Sales):
    client = client_for(admin)

    def titles(**query) -> set[str]:
        response = client.get(reverse("sales:board"), query)
        return {deal.title for column in response.context["columns"] for deal in column.deals}

    assert titles(owner=agent_a.pk) == {"Shanghai — Novorossiysk"}
    assert titles(q="varna") == {"Istanbul — Varna"}
    assert titles(mine="on") == set()
    assert titles(owner="not-a-number") == set(sales.deals)  # an invalid filter filters nothing


def test_the_filters_redraw_only_the_columns_for_htmx(admin, sales: Sales):
    response = client_for(admin).get(
        reverse("sales:board"), {"q": "varna"}, **htmx(target="board-columns")
    )
    html = response.content.decode()
    assert html.startswith('<div id="board-columns"')
    assert "Istanbul — Varna" in html and "Shanghai" not in html


# Who sees and who moves ----------------------------------------------------------------


def test_an_agent_sees_own_and_team_deals_and_may_move_only_own(agent_a, sales: Sales):
    response = client_for(agent_a).get(reverse("sales:board"))
    html = response.content.decode()
    own, team, other = (
        sales.deals["Shanghai — Novorossiysk"],
        sales.deals["Guangzhou — Moscow"],
        sales.deals["Istanbul — Varna"],
    )
    assert f'id="deal-card-{own.pk}"' in html and f'id="deal-card-{team.pk}"' in html
    assert f'id="deal-card-{other.pk}"' not in html
    assert f'id="move-{own.pk}"' in _card_html(html, own.pk)
    assert "draggable" in _card_html(html, own.pk)
    assert f'id="move-{team.pk}"' not in _card_html(html, team.pk)
    assert "draggable" not in _card_html(html, team.pk)


def test_an_agent_cannot_move_a_teammates_deal(agent_a, sales: Sales):
    team_deal = sales.deals["Guangzhou — Moscow"]
    response = _move(client_for(agent_a), team_deal, sales.stages["Proposal"], **htmx())
    assert response.status_code == 403
    assert _stage_of(team_deal) == "Request received"


def test_another_teams_agent_gets_404_for_the_deal(agent_b, sales: Sales):
    deal = sales.deals["Shanghai — Novorossiysk"]
    response = _move(client_for(agent_b), deal, sales.stages["Proposal"])
    assert response.status_code == 404
    assert _stage_of(deal) == "Request received"


def test_the_analyst_sees_every_card_without_move_controls_and_cannot_move(analyst, sales: Sales):
    client = client_for(analyst)
    html = client.get(reverse("sales:board")).content.decode()
    for deal in sales.deals.values():
        assert f'id="deal-card-{deal.pk}"' in html
    assert 'class="deal-card-move"' not in html and "draggable" not in html
    assert "New deal" not in html
    deal = sales.deals["Shanghai — Novorossiysk"]
    assert _move(client, deal, sales.stages["Proposal"]).status_code == 403
    assert _stage_of(deal) == "Request received"


def test_another_workspace_sees_nothing_of_ours(other_workspace_admin, sales: Sales):
    client = client_for(other_workspace_admin)
    assert client.get(reverse("sales:pipeline_board", args=[sales.pipeline.pk])).status_code == 404
    deal = sales.deals["Shanghai — Novorossiysk"]
    assert _move(client, deal, sales.stages["Proposal"]).status_code == 404
    board = client.get(reverse("sales:board"))
    assert board.status_code == 200 and board.context["pipeline"] is None


# Moving from the board -----------------------------------------------------------------


def test_a_move_redraws_the_columns_with_the_card_in_its_new_stage(agent_a, sales: Sales):
    deal = sales.deals["Shanghai — Novorossiysk"]
    response = _move(client_for(agent_a), deal, sales.stages["Proposal"], **htmx())
    assert response.status_code == 200
    assert _stage_of(deal) == "Proposal"
    columns = {column.stage.name: column for column in response.context["columns"]}
    assert [d.pk for d in columns["Proposal"].deals] == [deal.pk]
    assert deal.pk not in [d.pk for d in columns["Request received"].deals]
    html = response.content.decode()
    assert html.startswith('<div id="board-columns"')
    assert f'data-moved-deal="{deal.pk}"' in html
    assert "moved to “Proposal”" in html


def test_a_move_keeps_the_boards_filters(agent_a, sales: Sales):
    deal = sales.deals["Shanghai — Novorossiysk"]
    response = _move(
        client_for(agent_a), deal, sales.stages["Proposal"], data={"mine": "on"}, **htmx()
    )
    shown = {d.title for column in response.context["columns"] for d in column.deals}
    assert shown == {"Shanghai — Novorossiysk"}


def test_a_gate_refusal_says_what_is_missing_next_to_the_card_and_nothing_moves(
    agent_a2, sales: Sales
):
    deal = sales.deals["Guangzhou — Moscow"]  # agent_a2's, without an amount
    response = _move(client_for(agent_a2), deal, sales.stages["Terms agreed"], **htmx())
    assert response.status_code == 409
    assert response["HX-Retarget"] == f"#deal-{deal.pk}-problem"
    html = response.content.decode()
    assert "Not moved to “Terms agreed”" in html
    assert "Amount is not filled in" in html
    assert 'role="alert"' in html
    assert _stage_of(deal) == "Request received"


def test_a_concurrent_change_is_reported_as_a_conflict(agent_a, sales: Sales):
    deal = sales.deals["Shanghai — Novorossiysk"]
    stale = deal.version
    deal_move(actor=agent_a, deal_id=deal.pk, stage_id=sales.stages["Proposal"].pk)
    response = _move(
        client_for(agent_a), deal, sales.stages["In work"], data={"version": stale}, **htmx()
    )
    assert response.status_code == 409
    assert "Someone else changed this deal meanwhile" in response.content.decode()
    assert "Reload the board" in response.content.decode()
    assert _stage_of(deal) == "Proposal"


def test_a_move_into_the_lost_stage_asks_why_and_then_moves(agent_a, sales: Sales):
    deal = sales.deals["Shanghai — Novorossiysk"]
    client = client_for(agent_a)
    asked = _move(client, deal, sales.stages["Lost"], **htmx())
    assert asked.status_code == 422
    assert asked["HX-Retarget"] == f"#deal-{deal.pk}-problem"
    html = asked.content.decode()
    assert "Why was the deal lost?" in html
    assert "Price too high" in html and 'name="lost_reason_id"' in html
    assert _stage_of(deal) == "Request received"

    answered = _move(
        client,
        deal,
        sales.stages["Lost"],
        data={"lost_reason_id": sales.reasons[0].pk, "lost_note": "Cheaper by rail"},
        **htmx(),
    )
    assert answered.status_code == 200
    deal.refresh_from_db()
    assert deal.state == Deal.State.LOST
    assert deal.lost_reason == sales.reasons[0] and deal.lost_note == "Cheaper by rail"


def test_without_scripts_a_move_redirects_back_to_the_board(agent_a, sales: Sales):
    deal = sales.deals["Shanghai — Novorossiysk"]
    response = _move(client_for(agent_a), deal, sales.stages["Proposal"])
    assert response.status_code == 302 and response["Location"] == "/deals/"
    assert _stage_of(deal) == "Proposal"
    deal.refresh_from_db()
    refused = _move(client_for(agent_a), deal, sales.stages["Lost"])
    assert refused.status_code == 422
    assert "Why was the deal lost?" in refused.content.decode()


def test_a_missing_or_foreign_stage_is_a_message_not_a_500(agent_a, sales: Sales):
    deal = sales.deals["Shanghai — Novorossiysk"]
    client = client_for(agent_a)
    url = reverse("sales:deal_move", args=[deal.pk])
    assert client.post(url, {"stage_id": "", "from": "board"}, **htmx()).status_code == 422
    assert client.post(url, {"stage_id": "x²", "from": "board"}, **htmx()).status_code == 422
    other_pipeline_stage = sales.air.stages.first()
    refused = client.post(url, {"stage_id": other_pipeline_stage.pk, "from": "board"}, **htmx())
    assert refused.status_code == 422
    assert "another pipeline" in refused.content.decode()


# Cost -----------------------------------------------------------------------------------


def test_board_queries_do_not_grow_with_deals(admin, agent_a, sales: Sales):
    client = client_for(agent_a)
    url = reverse("sales:board")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    small = count()
    for index in range(20):
        deal = sales.deal(agent_a, f"Cargo {index}", amount=Decimal(index + 1))
        if index % 2:
            deal_move(actor=agent_a, deal_id=deal.pk, stage_id=sales.stages["Proposal"].pk)
    assert count() == small
