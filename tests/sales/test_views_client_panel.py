"""The open-deals panel on a person's and an organization's card."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from klient.sales.services import deal_move
from tests.sales.ui_factories import Sales, client_for, client_of, sales_make

pytestmark = pytest.mark.django_db


def _panel(response) -> str:
    """The open-deals panel of a card page."""
    html = response.content.decode()
    start = html.index('aria-labelledby="client-deals-title"')
    return html[start : html.index("</section>", start)]


@pytest.fixture
def sales(admin) -> Sales:
    return sales_make(admin)


def test_the_organization_card_lists_its_open_deals_with_a_new_deal_link(agent_a, sales: Sales):
    people = client_of(agent_a, "Panel")
    organization = people["organization"]
    deal = sales.deal(
        agent_a, "Qingdao — Kaliningrad", organization_id=organization.pk, amount=Decimal("5000")
    )
    lost = sales.deal(agent_a, "Lost one", organization_id=organization.pk)
    deal_move(
        actor=agent_a,
        deal_id=lost.pk,
        stage_id=sales.stages["Lost"].pk,
        lost_reason_id=sales.reasons[0].pk,
    )
    html = _panel(
        client_for(agent_a).get(reverse("contacts:organization_detail", args=[organization.pk]))
    )
    assert "Open deals" in html
    assert reverse("sales:deal_detail", args=[deal.pk]) in html
    assert "Request received" in html and "RUB5,000.00" in html
    assert "Lost one" not in html
    assert f"{reverse('sales:deal_create')}?organization={organization.pk}" in html


def test_the_person_card_lists_the_deals_they_are_on(agent_a, sales: Sales):
    person = client_of(agent_a, "Person")["person"]
    deal = sales.deal(agent_a, "Mersin — Novorossiysk", contacts=[(person.pk, "Shipper")])
    html = (
        client_for(agent_a)
        .get(reverse("contacts:person_detail", args=[person.pk]))
        .content.decode()
    )
    assert reverse("sales:deal_detail", args=[deal.pk]) in html
    assert f"{reverse('sales:deal_create')}?person={person.pk}" in html


def test_the_panel_shows_only_deals_the_reader_sees(admin, agent_a, team_b, sales: Sales):
    organization = client_of(agent_a, "Shared")["organization"]
    url = reverse("contacts:organization_detail", args=[organization.pk])
    # The administrator's deal with agent_a's client, kept to team B.
    sales.deal(admin, "Team B deal", organization_id=organization.pk, team_id=team_b.pk)
    assert "Team B deal" in _panel(client_for(admin).get(url))
    assert "Team B deal" not in _panel(client_for(agent_a).get(url))


def test_the_analyst_gets_no_new_deal_link(analyst, agent_a, sales: Sales):
    organization = client_of(agent_a, "Read")["organization"]
    html = (
        client_for(analyst)
        .get(reverse("contacts:organization_detail", args=[organization.pk]))
        .content.decode()
    )
    assert "Open deals" in html
    assert reverse("sales:deal_create") not in html


def test_the_card_queries_do_not_grow_with_deals(agent_a, sales: Sales):
    organization = client_of(agent_a, "Cost")["organization"]
    client = client_for(agent_a)
    url = reverse("contacts:organization_detail", args=[organization.pk])

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    sales.deal(agent_a, "First", organization_id=organization.pk)
    small = count()
    for index in range(6):
        sales.deal(agent_a, f"More {index}", organization_id=organization.pk)
    assert count() == small
