"""The deal list: filters, sorting, pages, totals per stage and currency, per role."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from klient.money.amounts import Money
from klient.sales.services import deal_move
from tests.sales.ui_factories import Sales, client_for, htmx, sales_world

pytestmark = pytest.mark.django_db
URL = "/deals/list/"


@pytest.fixture
def sales(admin, agent_a, agent_a2, agent_b) -> Sales:
    return sales_world(admin, agent_a, agent_a2, agent_b)


def _titles(response) -> list[str]:
    return [deal.title for deal in response.context["page"].items]


def test_the_list_is_at_its_url(admin, sales: Sales):
    assert reverse("sales:deal_list") == URL
    response = client_for(admin).get(URL)
    assert response.status_code == 200
    assert set(_titles(response)) == set(sales.deals)


def test_filters_by_pipeline_stage_state_owner_and_title(admin, agent_a, sales: Sales):
    moved = sales.deals["Istanbul — Varna"]
    deal_move(actor=admin, deal_id=moved.pk, stage_id=sales.stages["Proposal"].pk)
    client = client_for(admin)
    assert _titles(client.get(URL, {"stage": sales.stages["Proposal"].pk})) == ["Istanbul — Varna"]
    assert _titles(client.get(URL, {"pipeline": sales.air.pk})) == []
    assert _titles(client.get(URL, {"owner": agent_a.pk})) == ["Shanghai — Novorossiysk"]
    assert _titles(client.get(URL, {"q": "MOSCOW"})) == ["Guangzhou — Moscow"]
    assert _titles(client.get(URL, {"state": "lost"})) == []
    assert len(_titles(client.get(URL, {"state": "open"}))) == 3


def test_a_bad_filter_value_filters_nothing_and_is_no_error(admin, sales: Sales):
    response = client_for(admin).get(URL, {"stage": "x²", "state": "gone", "sort": "?"})
    assert response.status_code == 200
    assert len(_titles(response)) == 3
    assert client_for(admin).get(URL, {"cursor": "!!"}).status_code == 422


def test_sorted_by_amount_largest_first_undated_last(admin, agent_a, sales: Sales):
    sales.deal(agent_a, "Small", amount=Decimal("10"))
    sales.deal(agent_a, "Big", amount=Decimal("999999"))
    titles = _titles(client_for(admin).get(URL, {"sort": "amount"}))
    assert titles[:3] == ["Big", "Shanghai — Novorossiysk", "Small"]


def test_pages_follow_one_another_without_repeats(admin, agent_a, sales: Sales):
    for index in range(26):
        sales.deal(agent_a, f"Cargo {index:02d}", amount=Decimal(index))
    client = client_for(admin)
    first = client.get(URL, {"sort": "amount"})
    assert len(first.context["page"].items) == 25
    second = client.get(first.context["next_url"])
    seen = _titles(first) + _titles(second)
    assert len(seen) == len(set(seen)) == 29
    assert first.context["total"] == 29


def test_totals_per_stage_and_currency(admin, agent_a, sales: Sales):
    sales.deal(agent_a, "Euro one", amount=Decimal("100.10"), currency="EUR")
    sales.deal(agent_a, "Euro two", amount=Decimal("0.20"), currency="EUR")
    response = client_for(admin).get(URL)
    (row,) = response.context["stage_totals"]
    assert row.stage == sales.stages["Request received"] and row.count == 5
    assert sorted(row.totals, key=lambda money: money.currency) == [
        Money(Decimal("100.30"), "EUR"),
        Money(Decimal("150000.50"), "RUB"),
    ]


def test_an_agent_lists_own_and_team_deals_only(agent_a, agent_b, sales: Sales):
    assert set(_titles(client_for(agent_a).get(URL))) == {
        "Shanghai — Novorossiysk",
        "Guangzhou — Moscow",
    }
    mine = client_for(agent_b).get(URL)
    assert _titles(mine) == ["Istanbul — Varna"]
    assert [row.count for row in mine.context["stage_totals"]] == [1]


def test_another_workspace_lists_nothing_of_ours(other_workspace_admin, sales: Sales):
    response = client_for(other_workspace_admin).get(URL, {"pipeline": sales.pipeline.pk})
    assert response.status_code == 200 and _titles(response) == []


def test_the_search_redraws_only_the_results_for_htmx(admin, sales: Sales):
    response = client_for(admin).get(URL, {"q": "varna"}, **htmx(target="results"))
    html = response.content.decode()
    assert html.startswith('<div id="results">') and "Istanbul — Varna" in html


def test_list_queries_do_not_grow_with_deals(admin, agent_a, sales: Sales):
    client = client_for(agent_a)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL).status_code == 200
        return len(queries)

    small = count()
    for index in range(12):
        sales.deal(agent_a, f"Cargo {index}", amount=Decimal(index + 1))
    assert count() == small
