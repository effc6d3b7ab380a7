"""{{ amount|money:currency }} in templates, per the active language."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from klient.money.amounts import Money

NBSP = "\xa0"


def render(source: str, **context) -> str:
    return Template("{% load money %}" + source).render(Context(context))


@pytest.mark.parametrize(
    ("language", "currency", "expected"),
    [
        ("ru", "RUB", f"1{NBSP}234,50{NBSP}₽"),
        ("bg", "BGN", f"1{NBSP}234,50{NBSP}лв."),
        ("en", "EUR", "€1,234.50"),
    ],
)
def test_a_stored_amount_with_its_currency(language, currency, expected):
    with translation.override(language):
        html = render("{{ amount|money:currency }}", amount=Decimal("1234.5000"), currency=currency)
    assert html == expected


def test_a_money_value_needs_no_currency_argument():
    with translation.override("ru"):
        assert render("{{ m|money }}", m=Money(Decimal("5"), "EUR")) == f"5,00{NBSP}€"


def test_no_amount_renders_nothing():
    assert render("{{ amount|money:'RUB' }}", amount=None) == ""


def test_a_float_amount_is_refused():
    with pytest.raises(TypeError):
        render("{{ amount|money:'RUB' }}", amount=1.5)


def test_a_rate_in_russian():
    with translation.override("ru"):
        assert render("{{ r|rate }}", r=Decimal("98.1234000000")) == "98,1234"
