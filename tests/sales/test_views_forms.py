"""The new and edit forms of a deal: prefilled from the board and from a client's card,
amounts typed the reader's way, contact people with roles, a conflict on a stale
version, and who may use them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from klient.sales.models import Deal, DealContact
from klient.sales.services import deal_update
from tests.sales.ui_factories import Sales, client_for, client_of, sales_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def sales(admin, agent_a, agent_a2, agent_b) -> Sales:
    return sales_world(admin, agent_a, agent_a2, agent_b)


def _form_data(**values) -> dict:
    data = {
        "title": "Busan — Vladivostok",
        "currency": "RUB",
        "amount": "",
        "contact_rows": "2",
        "contact_0": "",
        "role_0": "",
        "contact_1": "",
        "role_1": "",
    }
    data.update(values)
    return data


def test_new_deal_from_the_board_starts_in_that_pipelines_first_stage(agent_a, sales: Sales):
    client = client_for(agent_a)
    page = client.get(reverse("sales:deal_create"), {"pipeline": sales.air.pk})
    assert page.status_code == 200
    first_air = sales.air.stages.get(name="Request received")
    assert page.context["form"].initial["stage"] == first_air.pk
    response = client.post(
        reverse("sales:deal_create") + f"?pipeline={sales.air.pk}",
        _form_data(stage=first_air.pk, amount="1,234.50", owner=agent_a.pk),
    )
    assert response.status_code == 302
    deal = Deal.objects.get(title="Busan — Vladivostok")
    assert (deal.pipeline, deal.stage, deal.owner) == (sales.air, first_air, agent_a)
    assert deal.amount == Decimal("1234.50")


def test_the_amount_is_read_in_the_readers_language(agent_a, sales: Sales):
    client = client_for(agent_a, "ru")
    stage = sales.stages["Request received"]
    client.post(
        reverse("sales:deal_create"),
        _form_data(stage=stage.pk, amount="1 234,50", owner=agent_a.pk),
    )
    assert Deal.objects.get(title="Busan — Vladivostok").amount == Decimal("1234.50")
    bad = client.post(
        reverse("sales:deal_create"),
        _form_data(stage=stage.pk, amount="12abc", title="Other", owner=agent_a.pk),
    )
    assert bad.status_code == 422
    assert not Deal.objects.filter(title="Other").exists()
    assert bad.context["form"].errors["amount"]


def test_new_deal_from_an_organization_card_is_prefilled(agent_a, sales: Sales):
    people = client_of(agent_a, "Card")
    client = client_for(agent_a)
    page = client.get(reverse("sales:deal_create"), {"organization": people["organization"].pk})
    html = page.content.decode()
    assert f'<option value="{people["organization"].pk}" selected>Org of Card</option>' in html
    from_person = client.get(reverse("sales:deal_create"), {"person": people["person"].pk})
    assert "Anna Of Card" in from_person.content.decode()
    response = client.post(
        reverse("sales:deal_create"),
        _form_data(
            stage=sales.stages["Request received"].pk,
            organization=people["organization"].pk,
            contact_0=people["person"].pk,
            role_0="Decision maker",
            owner=agent_a.pk,
        ),
    )
    assert response.status_code == 302
    deal = Deal.objects.get(title="Busan — Vladivostok")
    assert deal.organization == people["organization"]
    assert list(DealContact.objects.filter(deal=deal).values_list("person_id", "role")) == [
        (people["person"].pk, "Decision maker")
    ]


def test_an_agent_cannot_pick_another_teams_organization(agent_a, agent_b, sales: Sales):
    theirs = client_of(agent_b, "B")["organization"]
    response = client_for(agent_a).post(
        reverse("sales:deal_create"),
        _form_data(
            stage=sales.stages["Request received"].pk, organization=theirs.pk, owner=agent_a.pk
        ),
    )
    assert response.status_code == 422
    assert "Unknown organization." in response.content.decode()
    assert not Deal.objects.filter(title="Busan — Vladivostok").exists()


def test_editing_saves_the_fields_with_the_version_read(agent_a, sales: Sales):
    deal = sales.deals["Shanghai — Novorossiysk"]
    client = client_for(agent_a)
    page = client.get(reverse("sales:deal_edit", args=[deal.pk]))
    assert page.context["form"].initial["version"] == deal.version
    assert page.context["form"].initial["amount"] == "150,000.50"
    response = client.post(
        reverse("sales:deal_edit", args=[deal.pk]),
        _form_data(
            title="Shanghai — Novorossiysk, 2 containers",
            amount="300,000",
            owner=agent_a.pk,
            source="Website",
            version=deal.version,
        ),
    )
    assert response.status_code == 302
    deal.refresh_from_db()
    assert deal.title == "Shanghai — Novorossiysk, 2 containers"
    assert deal.amount == Decimal("300000") and deal.source == "Website"


def test_editing_after_someone_elses_change_is_a_conflict(agent_a, sales: Sales):
    deal = sales.deals["Shanghai — Novorossiysk"]
    stale = deal.version
    deal_update(actor=agent_a, deal_id=deal.pk, data={"source": "Phone"})
    response = client_for(agent_a).post(
        reverse("sales:deal_edit", args=[deal.pk]),
        _form_data(title="Mine wins", owner=agent_a.pk, version=stale),
    )
    assert response.status_code == 409
    assert "Someone else changed this deal meanwhile" in response.content.decode()
    deal.refresh_from_db()
    assert deal.title == "Shanghai — Novorossiysk" and deal.source == "Phone"


def test_an_analyst_cannot_open_the_new_deal_form(analyst, sales: Sales):
    client = client_for(analyst)
    assert client.get(reverse("sales:deal_create")).status_code == 403
    assert client.post(reverse("sales:deal_create"), _form_data()).status_code == 403


def test_an_agent_is_offered_only_themselves_as_owner(agent_a, sales: Sales):
    form = client_for(agent_a).get(reverse("sales:deal_create")).context["form"]
    assert [value for value, _label in form.fields["owner"].choices if value] == [agent_a.pk]
