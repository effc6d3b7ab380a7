"""The quote pages: make a quote from the deal (numbers typed the reader's way), bad
lines shown beside their row with nothing made, the quote page per role, sending and
answering from it, the catalogue and the company's details; no inline styles or
scripts; a fixed number of queries whatever the number of lines."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from klient.notifications.models import MessageLog
from klient.sales.quote_models import Product, Quote, QuoteLine, SalesCompanyProfile
from klient.sales.quotes.line_services import LineIn
from klient.sales.quotes.views import deal_quotes_context
from tests.sales import quotes_support as support
from tests.sales.quotes_support import quote_make
from tests.sales.ui_factories import client_for

deal = support.deal
pipeline = support.pipeline
freight = support.freight

pytestmark = [pytest.mark.django_db, pytest.mark.urls(support.QUOTE_URLS)]
D = Decimal


def rows(*lines: dict[str, str]) -> dict[str, str]:
    data = {"form-TOTAL_FORMS": str(len(lines)), "form-INITIAL_FORMS": "0"}
    for index, fields in enumerate(lines):
        for key, value in fields.items():
            data[f"form-{index}-{key}"] = value
    return data


def create_data(deal, *lines: dict[str, str]) -> dict[str, str]:
    return {
        "language": "ru",
        "person": str(deal.contacts.first().person_id),
        "currency": "RUB",
        "valid_until": "2099-01-31",
        "notes": "",
        **rows(*lines),
    }


def no_inline_code(html: str) -> bool:
    return (
        " style=" not in html
        and "<style" not in html
        and "<script>" not in html
        and " on" + "click=" not in html
    )


def test_a_quote_is_made_from_the_deal_with_numbers_typed_in_russian(agent_a, deal, freight):
    client = client_for(agent_a, "ru")
    url = reverse("sales:quote_create", args=[deal.pk])

    form = client.get(url)
    response = client.post(
        url,
        create_data(
            deal,
            {"product": str(freight.pk), "quantity": "1,5", "discount_percent": "10"},
            {
                "name": "Страховка груза",
                "quantity": "1",
                "unit": "усл.",
                "unit_price": "1 000,50",
                "vat_rate": "20",
            },
            {},  # an empty row is skipped
        ),
    )

    assert form.status_code == 200 and no_inline_code(form.content.decode())
    quote = Quote.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("sales:quote_detail", args=[quote.pk])
    assert list(
        QuoteLine.objects.filter(quote=quote).values_list("name", "quantity", "unit_price", "net")
    ) == [
        ("Морская перевозка 40' контейнера", D("1.5"), D("1234.5"), D("1666.58")),
        ("Страховка груза", D(1), D("1000.5"), D("1000.5")),
    ]


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"quantity": "-2"}, "The quantity must be greater than zero."),
        ({"discount_percent": "150"}, "A discount is a percentage from 0 to 100."),
        ({"quantity": "два"}, "Enter a number, for example 1,234.50."),
    ],
)
def test_a_bad_line_is_shown_beside_its_row_and_nothing_is_made(agent_a, deal, bad, message):
    good = {"name": "Перевозка", "quantity": "1", "unit_price": "100", "vat_rate": "20"}

    response = client_for(agent_a).post(
        reverse("sales:quote_create", args=[deal.pk]), create_data(deal, good, {**good, **bad})
    )

    page = response.content.decode()
    assert response.status_code == 422
    assert message in page
    assert page.count('class="quote-line has-error"') == 1
    assert Quote.objects.count() == 0


def test_more_rows_are_added_without_saving(agent_a, deal):
    response = client_for(agent_a).post(
        reverse("sales:quote_create", args=[deal.pk]),
        {**create_data(deal, {"name": "Перевозка"}), "more": "1"},
    )

    assert response.status_code == 200
    assert response.content.decode().count('class="quote-line"') == 6
    assert Quote.objects.count() == 0


@pytest.mark.parametrize(("who", "status"), [("analyst", 403), ("agent_a2", 403), ("agent_b", 404)])
def test_who_may_not_change_the_deal_gets_no_quote_form(request, deal, who, status):
    client = client_for(request.getfixturevalue(who))

    assert client.get(reverse("sales:quote_create", args=[deal.pk])).status_code == status


def test_the_quote_page_offers_writers_the_actions_and_readers_only_the_pdf(
    agent_a, analyst, agent_b, deal
):
    quote = quote_make(agent_a, deal)
    url = reverse("sales:quote_detail", args=[quote.pk])

    mine = client_for(agent_a).get(url).content.decode()
    read = client_for(analyst).get(url)
    other_team = client_for(agent_b).get(url)

    assert quote.number in mine and no_inline_code(mine)
    assert reverse("sales:quote_send", args=[quote.pk]) in mine
    assert reverse("sales:quote_decide", args=[quote.pk]) in mine
    assert read.status_code == 200
    assert reverse("sales:quote_pdf", args=[quote.pk]) in read.content.decode()
    assert reverse("sales:quote_send", args=[quote.pk]) not in read.content.decode()
    assert other_team.status_code == 404


def test_sending_and_answering_from_the_page(agent_a, deal):
    quote = quote_make(agent_a, deal)
    client = client_for(agent_a)
    anna = deal.contacts.order_by("position").first().person_id

    sent = client.post(
        reverse("sales:quote_send", args=[quote.pk]),
        {"person": [str(anna)], "message": "Здравствуйте"},
    )
    decided = client.post(
        reverse("sales:quote_decide", args=[quote.pk]), {"decision": "declined", "note": "Дорого"}
    )

    quote.refresh_from_db()
    assert (sent.status_code, decided.status_code) == (302, 302)
    assert list(MessageLog.objects.values_list("address", flat=True)) == ["anna.a@client.example"]
    assert (quote.status, quote.decision_note) == ("declined", "Дорого")
    page = client.get(reverse("sales:quote_detail", args=[quote.pk])).content.decode()
    assert reverse("sales:quote_version", args=[quote.pk]) in page


def test_an_analyst_cannot_send_or_answer(analyst, agent_a, deal):
    quote = quote_make(agent_a, deal)
    client = client_for(analyst)

    assert client.post(reverse("sales:quote_send", args=[quote.pk])).status_code == 403
    assert (
        client.post(
            reverse("sales:quote_decide", args=[quote.pk]), {"decision": "accepted"}
        ).status_code
        == 403
    )
    quote.refresh_from_db()
    assert quote.status == "draft"


def test_a_sent_quote_is_not_edited_but_versioned(agent_a, deal):
    quote = quote_make(agent_a, deal)
    Quote.objects.filter(pk=quote.pk).update(status="sent")
    client = client_for(agent_a)

    edit = client.get(reverse("sales:quote_edit", args=[quote.pk]))
    version = client.post(reverse("sales:quote_version", args=[quote.pk]))

    second = Quote.objects.get(version=2)
    assert edit.status_code == 302
    assert version["Location"] == reverse("sales:quote_edit", args=[second.pk])
    assert client.get(version["Location"]).status_code == 200


def test_the_pdf_page_downloads(agent_a, deal):
    quote = quote_make(agent_a, deal)

    response = client_for(agent_a).get(reverse("sales:quote_pdf", args=[quote.pk]))

    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_quote_page_runs_a_fixed_number_of_queries(agent_a, deal):
    few = quote_make(agent_a, deal)
    many = quote_make(
        agent_a,
        deal,
        *[
            LineIn(name=f"Позиция {n}", quantity=n, unit_price=D(1), vat_rate=20)
            for n in range(1, 31)
        ],
    )
    client = client_for(agent_a)
    client.get(reverse("sales:quote_detail", args=[few.pk]))

    counts = []
    for quote in (few, many):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("sales:quote_detail", args=[quote.pk])).status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1]


def test_the_deal_panel_lists_current_quotes(agent_a, analyst, deal):
    quote = quote_make(agent_a, deal)

    mine = render_to_string("sales/quotes/_deal_quotes.html", deal_quotes_context(agent_a, deal))
    read = render_to_string("sales/quotes/_deal_quotes.html", deal_quotes_context(analyst, deal))

    assert quote.number in mine and reverse("sales:quote_create", args=[deal.pk]) in mine
    assert quote.number in read and reverse("sales:quote_create", args=[deal.pk]) not in read


def test_the_catalogue_page_and_form(manager_a, agent_a, freight):
    listed = client_for(agent_a).get(reverse("sales:product_list")).content.decode()
    created = client_for(manager_a, "ru").post(
        reverse("sales:product_create"),
        {
            "kind": "service",
            "name": "Хранение",
            "unit": "сутки",
            "price": "3,5",
            "currency": "RUB",
            "vat_rate": "20",
        },
    )
    refused = client_for(agent_a).get(reverse("sales:product_create"))

    assert "Морская перевозка 40&#x27; контейнера" in listed
    assert reverse("sales:product_create") not in listed
    assert created.status_code == 302
    assert Product.objects.get(name="Хранение").price == D("3.5")
    assert refused.status_code == 403


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (60, 20), (0, 0, 0)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_administrators_set_the_company_details_and_logo(admin, agent_a, settings):
    client = client_for(admin)
    url = reverse("sales:company_profile")
    data = {"legal_name": "ООО «Морской экспресс»", "quote_valid_days": "14", "quote_prefix": ""}

    saved = client.post(url, {**data, "logo": SimpleUploadedFile("logo.png", png(), "image/png")})
    refused = client.post(
        url,
        {
            **data,
            "legal_name": "Другое",
            "logo": SimpleUploadedFile("logo.png", b"<svg/>", "image/png"),
        },
    )

    profile = SalesCompanyProfile.objects.get()
    assert saved.status_code == 302
    assert refused.status_code == 422
    assert "The logo must be a PNG or JPEG image." in refused.content.decode()
    assert (profile.legal_name, profile.quote_valid_days) == ("ООО «Морской экспресс»", 14)
    assert (settings.KLIENT_FILES_DIR / profile.logo_path).read_bytes() == png()
    assert client_for(agent_a).get(url).status_code == 403
    logo = client_for(agent_a).get(reverse("sales:company_logo"))
    assert (logo.status_code, logo["Content-Type"]) == (200, "image/png")


def test_editing_a_draft_with_a_bad_line_saves_neither_details_nor_lines(agent_a, deal):
    quote = quote_make(agent_a, deal, notes="Старые условия")
    data = {
        "language": "en",
        "person": "",
        "valid_until": "2099-01-31",
        "notes": "Новые условия",
        **rows(
            {
                "name": "Перевозка",
                "quantity": "1",
                "unit_price": "5",
                "vat_rate": "20",
                "discount_percent": "101",
            }
        ),
    }

    response = client_for(agent_a).post(reverse("sales:quote_edit", args=[quote.pk]), data)

    quote.refresh_from_db()
    assert response.status_code == 422
    assert (quote.notes, quote.language, quote.gross_total) == ("Старые условия", "ru", D("120.00"))
    assert list(QuoteLine.objects.filter(quote=quote).values_list("name", flat=True)) == [
        "Перевозка"
    ]
