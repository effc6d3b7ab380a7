"""Quotes through their services: made from a deal with catalogue lines, refused whole
on a bad line, numbered per workspace and year, versioned, decided by the manager; and
who may do what."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from klient.core.errors import NotFound, PermissionDenied, ValidationFailed
from klient.core.models import AuditEvent, NumberSequence
from klient.money.errors import CurrencyMismatch, UnsupportedCurrency
from klient.sales.quote_models import Quote, QuoteLine
from klient.sales.quotes.catalogue import product_archive, product_create, product_update
from klient.sales.quotes.errors import QuoteAlreadyDecided, QuoteNotCurrent, QuoteNotDraft
from klient.sales.quotes.line_services import LineIn
from klient.sales.quotes.profile import company_profile_update
from klient.sales.quotes.services import (
    quote_create,
    quote_decide,
    quote_delete,
    quote_lines_set,
    quote_update,
    quote_version_new,
)
from tests.sales import quotes_support as support
from tests.sales.factories import pipeline_make
from tests.sales.quotes_support import client_deal, quote_make

# Fixtures (assigned, so a test's parameter of the same name is not a redefinition).
customs = support.customs
deal = support.deal
freight = support.freight
pipeline = support.pipeline

pytestmark = pytest.mark.django_db
D = Decimal
YEAR = timezone.localdate().year


def test_a_quote_from_catalogue_lines_copies_the_items_and_adds_up(agent_a, deal, freight, customs):
    quote = quote_make(
        agent_a,
        deal,
        LineIn(product_id=freight.pk, quantity=3, discount_percent=D(10)),
        LineIn(product_id=customs.pk, quantity=3),
    )

    lines = list(QuoteLine.objects.filter(quote=quote).order_by("position"))
    assert [
        (line.name, line.unit, line.unit_price, line.net, line.vat, line.gross) for line in lines
    ] == [
        (
            "Морская перевозка 40' контейнера",
            "конт.",
            D("1234.5"),
            D("3333.15"),
            D("666.63"),
            D("3999.78"),
        ),
        ("Таможенное оформление", "декл.", D("10.03"), D("30.09"), D("6.02"), D("36.11")),
    ]
    assert (quote.net_total, quote.vat_total, quote.gross_total) == (
        D("3363.24"),
        D("672.65"),
        D("4035.89"),
    )
    assert (quote.status, quote.version, quote.currency, quote.language) == (
        "draft",
        1,
        "RUB",
        "ru",
    )
    assert quote.person.first_name == "Анна"
    assert re.fullmatch(rf"КП-{YEAR}-\d{{5}}", quote.number)


def test_a_line_overrides_the_catalogue_price_and_a_later_price_change_leaves_the_quote(
    agent_a, manager_a, deal, freight
):
    quote = quote_make(agent_a, deal, LineIn(product_id=freight.pk, quantity=1, unit_price=D(1000)))

    product_update(
        actor=manager_a, product_id=freight.pk, data={"price": D(2000), "name": "Другое"}
    )

    line = QuoteLine.objects.get(quote=quote)
    assert (line.name, line.unit_price, quote.gross_total) == (
        "Морская перевозка 40' контейнера",
        D(1000),
        D("1200.00"),
    )


def test_a_negative_quantity_refuses_the_whole_quote_and_takes_no_number(agent_a, deal):
    lines = [
        LineIn(name="Перевозка", quantity=1, unit_price=D(100), vat_rate=20),
        LineIn(name="Страховка", quantity=D(-2), unit_price=D(50), vat_rate=20),
    ]

    with pytest.raises(ValidationFailed) as refused:
        quote_create(actor=agent_a, deal_id=deal.pk, lines=lines)

    assert {key: str(value) for key, value in refused.value.fields.items()} == {
        "lines[1].quantity": "The quantity must be greater than zero."
    }
    assert (Quote.objects.count(), QuoteLine.objects.count()) == (0, 0)
    assert not NumberSequence.objects.filter(key="sales.quote").exists()
    assert quote_make(agent_a, deal).number == f"КП-{YEAR}-00001"


def test_a_discount_over_100_is_refused_and_the_draft_keeps_its_lines(agent_a, deal):
    quote = quote_make(agent_a, deal)

    with pytest.raises(ValidationFailed) as refused:
        quote_lines_set(
            actor=agent_a,
            quote_id=quote.pk,
            lines=[
                LineIn(name="Перевозка", quantity=1, unit_price=D(100), vat_rate=20),
                LineIn(
                    name="Скидка",
                    quantity=1,
                    unit_price=D(100),
                    vat_rate=20,
                    discount_percent=D(101),
                ),
            ],
        )

    assert {key: str(value) for key, value in refused.value.fields.items()} == {
        "lines[1].discount_percent": "A discount is a percentage from 0 to 100."
    }
    quote.refresh_from_db()
    assert list(QuoteLine.objects.filter(quote=quote).values_list("name", flat=True)) == [
        "Перевозка"
    ]
    assert quote.gross_total == D("120.00")


def test_every_bad_line_is_named_at_once(agent_a, deal):
    with pytest.raises(ValidationFailed) as refused:
        quote_make(
            agent_a,
            deal,
            LineIn(name="", quantity=1, unit_price=D(1), vat_rate=20),
            LineIn(name="B", quantity=1, unit_price=D(-1), vat_rate=120),
            LineIn(product_id=999_999, quantity=1),
        )

    assert set(refused.value.fields) == {
        "lines[0].name",
        "lines[1].unit_price",
        "lines[1].vat_rate",
        "lines[2].product_id",
    }


def test_an_unknown_currency_is_refused(agent_a, deal):
    with pytest.raises(UnsupportedCurrency):
        quote_make(agent_a, deal, currency="XYZ")

    assert Quote.objects.count() == 0


def test_currencies_never_mix_in_one_quote(agent_a, manager_a, deal, freight):
    euro = product_create(
        actor=manager_a, name="Freight EU", unit="pcs", price=D(100), vat_rate=0, currency="EUR"
    )

    with pytest.raises(CurrencyMismatch) as from_product:
        quote_make(
            agent_a,
            deal,
            LineIn(product_id=freight.pk, quantity=1),
            LineIn(product_id=euro.pk, quantity=1),
        )
    with pytest.raises(CurrencyMismatch) as written:
        quote_make(
            agent_a, deal, LineIn(name="X", quantity=1, unit_price=D(1), vat_rate=0, currency="USD")
        )

    assert from_product.value.code == "currency_mismatch"
    assert from_product.value.status == 422
    assert list(from_product.value.fields) == ["lines[1].product_id"]
    assert list(written.value.fields) == ["lines[0].currency"]
    assert Quote.objects.count() == 0


def test_a_eur_quote_takes_eur_items(agent_a, manager_a, deal):
    euro = product_create(
        actor=manager_a,
        name="Freight EU",
        unit="pcs",
        price=D("99.99"),
        vat_rate=20,
        currency="EUR",
    )

    quote = quote_make(agent_a, deal, LineIn(product_id=euro.pk, quantity=2), currency="EUR")

    assert (quote.currency, quote.gross_total) == ("EUR", D("239.98"))


def test_numbers_count_per_workspace_and_the_workspace_may_set_its_prefix(
    admin, agent_a, deal, other_workspace_admin, pipeline
):
    first = quote_make(agent_a, deal)
    second = quote_make(agent_a, deal)
    company_profile_update(actor=admin, data={"quote_prefix": "QT"})
    third = quote_make(agent_a, deal)
    stranger_deal = client_deal(other_workspace_admin, pipeline_make(other_workspace_admin), "B")
    theirs = quote_make(other_workspace_admin, stranger_deal)

    assert [first.number, second.number, third.number, theirs.number] == [
        f"КП-{YEAR}-00001",
        f"КП-{YEAR}-00002",
        f"QT-{YEAR}-00003",
        f"КП-{YEAR}-00001",
    ]


def test_a_prefix_with_spaces_is_refused(admin):
    with pytest.raises(ValidationFailed) as refused:
        company_profile_update(actor=admin, data={"quote_prefix": "K P"})

    assert list(refused.value.fields) == ["quote_prefix"]


def _sent(quote: Quote) -> Quote:
    Quote.objects.filter(pk=quote.pk).update(status=Quote.Status.SENT)
    quote.refresh_from_db()
    return quote


def test_a_new_version_copies_the_lines_and_supersedes_the_previous(agent_a, deal, freight):
    first = _sent(
        quote_make(agent_a, deal, LineIn(product_id=freight.pk, quantity=2, discount_percent=D(5)))
    )

    second = quote_version_new(actor=agent_a, quote_id=first.pk)

    first.refresh_from_db()
    assert (second.number, second.version, second.status) == (first.number, 2, "draft")
    assert first.status == "superseded"
    assert second.gross_total == first.gross_total
    copied = QuoteLine.objects.filter(quote=second).values_list(
        "name", "quantity", "discount_percent"
    )
    assert list(copied) == [("Морская перевозка 40' контейнера", D(2), D(5))]
    assert QuoteLine.objects.filter(quote=first).count() == 1


def test_a_superseded_or_draft_version_cannot_be_versioned_or_changed(agent_a, deal):
    first = _sent(quote_make(agent_a, deal))
    second = quote_version_new(actor=agent_a, quote_id=first.pk)

    with pytest.raises(QuoteNotCurrent):
        quote_version_new(actor=agent_a, quote_id=first.pk)
    with pytest.raises(QuoteNotCurrent):
        quote_update(actor=agent_a, quote_id=first.pk, data={"notes": "x"})
    with pytest.raises(QuoteNotDraft):
        quote_lines_set(actor=agent_a, quote_id=_sent(second).pk, lines=[])


def test_deleting_a_later_draft_gives_the_previous_version_its_status_back(agent_a, deal):
    first = _sent(quote_make(agent_a, deal))
    second = quote_version_new(actor=agent_a, quote_id=first.pk)

    quote_delete(actor=agent_a, quote_id=second.pk)

    first.refresh_from_db()
    assert first.status == "sent"
    assert list(Quote.objects.values_list("pk", flat=True)) == [first.pk]


def test_the_manager_records_a_decision_once(agent_a, deal):
    quote = _sent(quote_make(agent_a, deal))

    quote_decide(actor=agent_a, quote_id=quote.pk, decision="accepted", note="по телефону")

    quote.refresh_from_db()
    assert (quote.status, quote.decided_via, quote.decided_by, quote.decision_note) == (
        "accepted",
        "manager",
        agent_a,
        "по телефону",
    )
    with pytest.raises(QuoteAlreadyDecided):
        quote_decide(actor=agent_a, quote_id=quote.pk, decision="declined")
    with pytest.raises(QuoteAlreadyDecided):
        quote_version_new(actor=agent_a, quote_id=quote.pk)
    assert AuditEvent.objects.filter(action="quote.accept", object_id=quote.pk).count() == 1


def test_an_unknown_decision_is_refused(agent_a, deal):
    quote = quote_make(agent_a, deal)

    with pytest.raises(ValidationFailed):
        quote_decide(actor=agent_a, quote_id=quote.pk, decision="maybe")


def test_a_past_validity_date_is_refused(agent_a, deal):
    with pytest.raises(ValidationFailed) as refused:
        quote_make(agent_a, deal, valid_until=timezone.localdate() - timedelta(days=1))

    assert list(refused.value.fields) == ["valid_until"]


def test_the_addressee_must_be_a_contact_of_the_deal(agent_a, deal, pipeline):
    other = client_deal(agent_a, pipeline, "C")
    stranger = other.contacts.first().person_id

    with pytest.raises(ValidationFailed) as refused:
        quote_make(agent_a, deal, person_id=stranger)

    assert list(refused.value.fields) == ["person_id"]


# --- who may do what --------------------------------------------------------------------


def test_an_agent_quotes_only_on_their_own_deals(agent_a, agent_a2, deal):
    with pytest.raises(PermissionDenied):
        quote_make(agent_a2, deal)


def test_a_manager_quotes_on_the_team_s_deals_and_an_agent_of_another_team_sees_none(
    manager_a, agent_b, deal
):
    quote = quote_make(manager_a, deal)

    with pytest.raises(NotFound):
        quote_make(agent_b, deal)
    with pytest.raises(NotFound):
        quote_decide(actor=agent_b, quote_id=quote.pk, decision="accepted")


def test_an_analyst_reads_but_never_writes(analyst, agent_a, deal):
    quote = quote_make(agent_a, deal)

    with pytest.raises(PermissionDenied):
        quote_make(analyst, deal)
    with pytest.raises(PermissionDenied):
        quote_update(actor=analyst, quote_id=quote.pk, data={"notes": "x"})


def test_another_workspace_finds_nothing(other_workspace_admin, agent_a, deal):
    quote = quote_make(agent_a, deal)

    with pytest.raises(NotFound):
        quote_make(other_workspace_admin, deal)
    with pytest.raises(NotFound):
        quote_delete(actor=other_workspace_admin, quote_id=quote.pk)


def test_the_catalogue_is_kept_by_managers_and_admins(agent_a, manager_a, analyst, freight):
    for reader in (agent_a, analyst):
        with pytest.raises(PermissionDenied):
            product_create(actor=reader, name="X", unit="pcs", price=D(1), vat_rate=0)
        with pytest.raises(PermissionDenied):
            product_archive(actor=reader, product_id=freight.pk)

    product_archive(actor=manager_a, product_id=freight.pk)
    freight.refresh_from_db()
    assert freight.archived is True


def test_a_product_code_is_unique_in_the_workspace(manager_a, freight):
    with pytest.raises(ValidationFailed) as refused:
        product_create(
            actor=manager_a, name="Копия", unit="конт.", price=D(1), vat_rate=20, sku="SEA-40"
        )

    assert list(refused.value.fields) == ["sku"]


def test_a_product_with_bad_numbers_is_refused_with_every_error(manager_a):
    with pytest.raises(ValidationFailed) as refused:
        product_create(
            actor=manager_a, name="", unit="шт.", price=D(-5), vat_rate=D(101), currency="RUB"
        )

    assert set(refused.value.fields) == {"name", "price", "vat_rate"}
