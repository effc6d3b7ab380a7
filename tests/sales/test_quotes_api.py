"""The catalogue and quotes API: exact payloads, typed refusals (a negative quantity, a
discount over 100 %, an unknown or mixed currency), and what each role may do."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import quote as quote_url

import pytest

from klient.sales.quote_models import Quote
from klient.sales.quotes.catalogue import product_create
from tests.api.client import ApiClient
from tests.sales import quotes_support as support
from tests.sales.api_world import put
from tests.sales.factories import pipeline_make
from tests.sales.quotes_support import client_deal, quote_make

deal = support.deal
pipeline = support.pipeline
freight = support.freight

pytestmark = [pytest.mark.django_db, pytest.mark.urls(support.QUOTE_URLS)]


def line(**fields):
    return {
        "name": "Перевозка",
        "quantity": "2",
        "unit_price": "1234.50",
        "vat_rate": "20",
        **fields,
    }


def test_a_manager_adds_a_catalogue_item_and_everyone_reads_it(manager_a, agent_a, analyst):
    created = ApiClient(manager_a).post(
        "/products",
        {"name": "Авиаперевозка", "unit": "кг", "price": "3.5", "vat_rate": "20", "sku": "AIR-1"},
    )

    assert created.status_code == 201
    body = created.json()
    assert body == {
        "id": body["id"],
        "kind": "product",
        "name": "Авиаперевозка",
        "sku": "AIR-1",
        "description": "",
        "unit": "кг",
        "price": "3.5000",
        "currency": "RUB",
        "vat_rate": "20.00",
        "archived": False,
    }
    for reader in (agent_a, analyst):
        listed = ApiClient(reader).get("/products")
        assert [item["id"] for item in listed.json()["items"]] == [body["id"]]


def test_agents_and_analysts_do_not_keep_the_catalogue(agent_a, analyst, freight):
    for reader in (agent_a, analyst):
        api = ApiClient(reader)
        assert (
            api.post(
                "/products", {"name": "X", "unit": "шт", "price": "1", "vat_rate": "0"}
            ).status_code
            == 403
        )
        assert api.patch(f"/products/{freight.pk}", {"price": "1"}).status_code == 403
        assert api.post(f"/products/{freight.pk}/archive").status_code == 403


def test_another_workspace_s_item_is_not_found(other_workspace_admin, freight):
    api = ApiClient(other_workspace_admin)

    assert api.get(f"/products/{freight.pk}").status_code == 404
    assert api.patch(f"/products/{freight.pk}", {"price": "1"}).status_code == 404
    assert api.get("/products").json()["items"] == []


def test_a_quote_is_made_on_a_deal_with_exact_figures(agent_a, deal, freight):
    response = ApiClient(agent_a).post(
        f"/deals/{deal.pk}/quotes",
        {
            "lines": [
                {"product_id": freight.pk, "quantity": "3", "discount_percent": "10"},
                line(name="Страховка", quantity="1", unit_price="10.03"),
            ],
            "language": "bg",
        },
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["version"], body["currency"], body["language"]) == (
        "draft",
        1,
        "RUB",
        "bg",
    )
    assert (body["net_total"], body["vat_total"], body["gross_total"]) == (
        "3343.18",
        "668.64",
        "4011.82",
    )
    assert [
        (
            item["name"],
            item["quantity"],
            item["discount_percent"],
            item["net"],
            item["vat"],
            item["gross"],
        )
        for item in body["lines"]
    ] == [
        ("Морская перевозка 40' контейнера", "3.000", "10.00", "3333.15", "666.63", "3999.78"),
        ("Страховка", "1.000", "0.00", "10.03", "2.01", "12.04"),
    ]


@pytest.mark.parametrize(
    ("bad", "field", "message"),
    [
        ({"quantity": "-1"}, "lines[1].quantity", "The quantity must be greater than zero."),
        (
            {"discount_percent": "100.5"},
            "lines[1].discount_percent",
            "A discount is a percentage from 0 to 100.",
        ),
        ({"unit_price": "-3"}, "lines[1].unit_price", "The price cannot be negative."),
    ],
)
def test_a_bad_line_is_a_422_naming_it_and_nothing_is_made(agent_a, deal, bad, field, message):
    response = ApiClient(agent_a).post(f"/deals/{deal.pk}/quotes", {"lines": [line(), line(**bad)]})

    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"
    assert response.json()["fields"] == {field: message}
    assert Quote.objects.count() == 0


def test_an_unknown_currency_and_mixed_currencies_are_refused(agent_a, deal, freight):
    api = ApiClient(agent_a)

    unknown = api.post(f"/deals/{deal.pk}/quotes", {"lines": [line()], "currency": "XYZ"})
    mixed = api.post(f"/deals/{deal.pk}/quotes", {"lines": [line(currency="EUR")]})
    mixed_product = api.post(
        f"/deals/{deal.pk}/quotes",
        {"currency": "EUR", "lines": [{"product_id": freight.pk, "quantity": "1"}]},
    )

    assert (unknown.status_code, unknown.json()["code"]) == (422, "unsupported_currency")
    assert (mixed.status_code, mixed.json()["code"]) == (422, "currency_mismatch")
    assert list(mixed.json()["fields"]) == ["lines[0].currency"]
    assert (mixed_product.status_code, mixed_product.json()["code"]) == (422, "currency_mismatch")
    assert Quote.objects.count() == 0


def test_a_float_free_body_keeps_its_digits(agent_a, deal):
    response = ApiClient(agent_a).post(
        f"/deals/{deal.pk}/quotes", {"lines": [line(quantity="0.125", unit_price="0.0001")]}
    )

    assert response.status_code == 201
    assert (response.json()["lines"][0]["quantity"], response.json()["lines"][0]["unit_price"]) == (
        "0.125",
        "0.0001",
    )


def test_lines_are_replaced_on_a_draft_only(agent_a, deal):
    quote = quote_make(agent_a, deal)
    api = ApiClient(agent_a)

    replaced = put(api, f"/quotes/{quote.pk}/lines", {"lines": [line(quantity="1")]})
    Quote.objects.filter(pk=quote.pk).update(status="sent")
    refused = put(api, f"/quotes/{quote.pk}/lines", {"lines": [line()]})

    assert (replaced.status_code, replaced.json()["gross_total"]) == (200, "1481.40")
    assert (refused.status_code, refused.json()["code"]) == (409, "quote_not_draft")


def test_versions_send_and_the_manager_s_answer(agent_a, deal):
    api = ApiClient(agent_a)
    quote = quote_make(agent_a, deal)

    early = api.post(f"/quotes/{quote.pk}/versions")
    sent = api.post(f"/quotes/{quote.pk}/send", {"message": "Добрый день"})
    second = api.post(f"/quotes/{quote.pk}/versions")
    versions = api.get(f"/quotes/{quote.pk}/versions")
    second_id = second.json()["id"]
    api.post(f"/quotes/{second_id}/send", {})
    accepted = api.post(f"/quotes/{second_id}/accept", {"note": "по телефону"})
    twice = api.post(f"/quotes/{second_id}/decline", {})

    assert (early.status_code, early.json()["code"]) == (409, "conflict")
    assert sent.status_code == 200
    assert sorted(item["address"] for item in sent.json()["messages"]) == [
        "anna.a@client.example",
        "boris.a@client.example",
    ]
    assert sent.json()["quote"]["status"] == "sent"
    assert "/deals/q/" in sent.json()["decision_url"]
    assert (second.status_code, second.json()["version"], second.json()["number"]) == (
        201,
        2,
        quote.number,
    )
    assert [(item["version"], item["status"]) for item in versions.json()] == [
        (2, "draft"),
        (1, "superseded"),
    ]
    assert (accepted.status_code, accepted.json()["status"], accepted.json()["decided_via"]) == (
        200,
        "accepted",
        "manager",
    )
    assert (twice.status_code, twice.json()["code"]) == (409, "quote_decided")


def test_the_pdf_downloads_for_whoever_sees_the_deal(agent_a, analyst, agent_b, deal):
    quote = quote_make(agent_a, deal)

    mine = ApiClient(agent_a).get(f"/quotes/{quote.pk}/pdf")
    read = ApiClient(analyst).get(f"/quotes/{quote.pk}/pdf")
    other_team = ApiClient(agent_b).get(f"/quotes/{quote.pk}/pdf")

    assert (mine.status_code, mine["Content-Type"]) == (200, "application/pdf")
    assert mine.content.startswith(b"%PDF-")
    assert mine["Content-Disposition"].endswith(f"filename*=UTF-8''{quote_url(quote.number)}.pdf")
    assert read.status_code == 200
    assert other_team.status_code == 404


@pytest.mark.parametrize(
    ("who", "read", "write"),
    [
        ("agent_a", 200, 200),
        ("manager_a", 200, 200),
        ("admin", 200, 200),
        ("agent_a2", 200, 403),  # same team: sees the deal, may not change another's
        ("analyst", 200, 403),
        ("agent_b", 404, 404),
        ("other_workspace_admin", 404, 404),
    ],
)
def test_each_role_reads_and_writes_quotes_as_it_may_the_deal(
    request, agent_a, deal, who, read, write
):
    quote = quote_make(agent_a, deal)
    api = ApiClient(request.getfixturevalue(who))

    assert api.get(f"/quotes/{quote.pk}").status_code == read
    assert api.patch(f"/quotes/{quote.pk}", {"notes": "Срок поставки 14 дней"}).status_code == write
    listed = [item["id"] for item in api.get("/quotes", deal_id=deal.pk).json()["items"]]
    assert listed == ([quote.pk] if read == 200 else [])


def test_a_quote_on_a_deal_one_may_not_change_or_see(
    agent_a2, agent_b, analyst, other_workspace_admin, deal
):
    body = {"lines": [line()]}

    assert ApiClient(agent_a2).post(f"/deals/{deal.pk}/quotes", body).status_code == 403
    assert ApiClient(analyst).post(f"/deals/{deal.pk}/quotes", body).status_code == 403
    assert ApiClient(agent_b).post(f"/deals/{deal.pk}/quotes", body).status_code == 404
    assert (
        ApiClient(other_workspace_admin).post(f"/deals/{deal.pk}/quotes", body).status_code == 404
    )
    assert Quote.objects.count() == 0


def test_a_foreign_product_or_addressee_is_a_field_error(
    agent_a, deal, other_workspace_admin, manager_a
):
    theirs = client_deal(other_workspace_admin, pipeline_make(other_workspace_admin), "Z")
    their_person = theirs.contacts.first().person_id
    their_product = product_create(
        actor=other_workspace_admin, name="Чужое", unit="шт", price=Decimal(1), vat_rate=0
    )
    api = ApiClient(agent_a)

    product = api.post(
        f"/deals/{deal.pk}/quotes", {"lines": [{"product_id": their_product.pk, "quantity": "1"}]}
    )
    person = api.post(f"/deals/{deal.pk}/quotes", {"lines": [line()], "person_id": their_person})

    assert (product.status_code, product.json()["fields"]) == (
        422,
        {"lines[0].product_id": "Unknown product."},
    )
    assert (person.status_code, list(person.json()["fields"])) == (422, ["person_id"])


def test_the_company_details_are_read_by_all_and_changed_by_admins(admin, agent_a):
    refused = ApiClient(agent_a).patch("/quotes-company", {"legal_name": "ООО «Х»"})
    changed = ApiClient(admin).patch(
        "/quotes-company", {"legal_name": "ООО «Морской экспресс»", "quote_prefix": "KP"}
    )
    read = ApiClient(agent_a).get("/quotes-company")

    assert refused.status_code == 403
    assert changed.status_code == 200
    assert (read.json()["legal_name"], read.json()["quote_prefix"], read.json()["has_logo"]) == (
        "ООО «Морской экспресс»",
        "KP",
        False,
    )
