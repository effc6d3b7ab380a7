"""Quote test data, made through the services: a deal with two contact people, a small
catalogue, and the quotes' registrations (until sales/plug.py calls quotes_plug)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from klient.contacts.services import organization_create, person_create
from klient.core.models import User
from klient.core.numbering import number_sequences
from klient.sales.models import Deal, Pipeline
from klient.sales.quote_models import Product, Quote
from klient.sales.quotes.catalogue import product_create
from klient.sales.quotes.line_services import LineIn
from klient.sales.quotes.plug import quotes_plug
from klient.sales.quotes.services import quote_create
from tests.sales.factories import deal_make, pipeline_make

QUOTE_URLS = "tests.sales.quotes_urls"


def quotes_registered() -> None:
    if "sales.quote" not in number_sequences:
        quotes_plug()


# Registries are in memory: registered once, when the first quotes test module loads.
quotes_registered()


@pytest.fixture
def pipeline(admin) -> Pipeline:
    return pipeline_make(admin)


def client_deal(owner: User, pipeline: Pipeline, label: str = "A", **kwargs: Any) -> Deal:
    organization = organization_create(
        actor=owner,
        name=f"ООО «Ромашка {label}»",
        tax_id="7701234567",
        address="Москва, ул. Ленина, 1",
    )
    anna = person_create(
        actor=owner,
        first_name="Анна",
        last_name="Клиентова",
        emails=[f"anna.{label.lower()}@client.example"],
        preferred_language="ru",
    )
    boris = person_create(
        actor=owner,
        first_name="Борис",
        last_name="Логистов",
        emails=[f"boris.{label.lower()}@client.example"],
    )
    return deal_make(
        owner,
        pipeline,
        organization_id=organization.pk,
        contacts=[(anna.pk, "ЛПР"), (boris.pk, "логистика")],
        owner_id=owner.pk,
        **kwargs,
    )


@pytest.fixture
def deal(agent_a, pipeline) -> Deal:
    return client_deal(agent_a, pipeline)


@pytest.fixture
def freight(manager_a) -> Product:
    return product_create(
        actor=manager_a,
        name="Морская перевозка 40' контейнера",
        unit="конт.",
        price=Decimal("1234.50"),
        vat_rate=Decimal(20),
        currency="RUB",
        sku="SEA-40",
    )


@pytest.fixture
def customs(manager_a) -> Product:
    return product_create(
        actor=manager_a,
        name="Таможенное оформление",
        unit="декл.",
        price=Decimal("10.03"),
        vat_rate=Decimal(20),
        currency="RUB",
        kind="service",
    )


def quote_make(actor: User, deal: Deal, *lines: LineIn, **kwargs: Any) -> Quote:
    if not lines:
        lines = (LineIn(name="Перевозка", quantity=1, unit_price=Decimal(100), vat_rate=20),)
    return quote_create(actor=actor, deal_id=deal.pk, lines=list(lines), **kwargs)
