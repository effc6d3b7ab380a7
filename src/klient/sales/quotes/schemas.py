"""Request and response schemas of the catalogue and quotes API. Amounts, quantities and
percentages travel as decimal strings ("1234.50"), never floats; the services check
their ranges, so a negative quantity or a discount over 100 % is a 422 naming the line
and the field (`lines[2].quantity`)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, Schema
from pydantic import field_serializer

from klient.core.api_support import Id, InSchema, PatchSchema, omittable
from klient.core.params import MAX_DATE, MIN_DATE

Number = Annotated[
    Decimal,
    Field(
        allow_inf_nan=False,
        max_digits=24,
        description='A decimal string ("1234.50"); checked by the service.',
    ),
]
QuoteDate = Annotated[date, Field(ge=MIN_DATE, le=MAX_DATE)]
Language = Literal["en", "ru", "bg"]
ProductKind = Literal["product", "service"]
FOUR = Decimal("0.0001")
TWO = Decimal("0.01")
THREE = Decimal("0.001")


# --- catalogue -------------------------------------------------------------------------


class ProductIn(InSchema):
    kind: ProductKind = "product"
    name: str = Field(max_length=300)
    sku: str = Field("", max_length=64)
    description: str = Field("", max_length=5000)
    unit: str = Field(max_length=20)
    price: Number
    currency: str | None = Field(None, max_length=3, description="The workspace's if omitted.")
    vat_rate: Number


class ProductPatch(PatchSchema):
    kind: ProductKind = omittable()
    name: str = omittable(max_length=300)
    sku: str = omittable(max_length=64)
    description: str = omittable(max_length=5000)
    unit: str = omittable(max_length=20)
    price: Number = omittable()
    currency: str = omittable(max_length=3)
    vat_rate: Number = omittable()


class ProductOut(Schema):
    id: int
    kind: str
    name: str
    sku: str
    description: str
    unit: str
    price: Decimal
    currency: str
    vat_rate: Decimal
    archived: bool

    @field_serializer("price")
    def _price(self, value: Decimal) -> Decimal:
        return value.quantize(FOUR)

    @field_serializer("vat_rate")
    def _rate(self, value: Decimal) -> Decimal:
        return value.quantize(TWO)


class ProductPageOut(Schema):
    items: list[ProductOut]
    next_cursor: str | None


# --- quotes ----------------------------------------------------------------------------


class LineIn(InSchema):
    product_id: Id | None = None
    name: str = Field("", max_length=300, description="The product's if omitted.")
    description: str = Field("", max_length=5000)
    unit: str = Field("", max_length=20)
    quantity: Number
    unit_price: Number | None = Field(None, description="The product's price if omitted.")
    discount_percent: Number = Decimal(0)
    vat_rate: Number | None = Field(None, description="The product's rate if omitted.")
    currency: str = Field(
        "", max_length=3, description="If given, must be the quote's: currencies never mix."
    )


class QuoteIn(InSchema):
    lines: list[LineIn] = Field(default_factory=list, max_length=500)
    currency: str | None = Field(None, max_length=3, description="The deal's if omitted.")
    language: Language | None = Field(None, description="The addressee's if omitted.")
    person_id: Id | None = Field(
        None, description="A contact of the deal; the first one if omitted."
    )
    valid_until: QuoteDate | None = None
    notes: str = Field("", max_length=10_000)


class QuotePatch(PatchSchema):
    language: Language = omittable()
    person_id: Id | None = omittable()
    valid_until: QuoteDate | None = omittable()
    notes: str = omittable(max_length=10_000)


class LinesIn(InSchema):
    lines: list[LineIn] = Field(max_length=500)


class LineOut(Schema):
    id: int
    position: int
    product_id: int | None
    name: str
    description: str
    unit: str
    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal
    vat_rate: Decimal
    net: Decimal
    vat: Decimal
    gross: Decimal

    @field_serializer("quantity")
    def _quantity(self, value: Decimal) -> Decimal:
        return value.quantize(THREE)

    @field_serializer("unit_price")
    def _price(self, value: Decimal) -> Decimal:
        return value.quantize(FOUR)

    @field_serializer("discount_percent", "vat_rate")
    def _percent(self, value: Decimal) -> Decimal:
        return value.quantize(TWO)

    @field_serializer("net", "vat", "gross")
    def _amount(self, value: Decimal) -> Decimal:
        return value.quantize(TWO)


class QuoteOut(Schema):
    id: int
    deal_id: int
    number: str
    version: int
    status: str
    language: str
    currency: str
    person_id: int | None
    valid_until: date | None
    notes: str
    net_total: Decimal
    vat_total: Decimal
    gross_total: Decimal
    sent_at: datetime | None
    decided_at: datetime | None
    decided_via: str
    decision_note: str
    created_at: datetime

    @field_serializer("net_total", "vat_total", "gross_total")
    def _amount(self, value: Decimal) -> Decimal:
        return value.quantize(TWO)


class QuoteDetailOut(QuoteOut):
    lines: list[LineOut]


class QuotePageOut(Schema):
    items: list[QuoteOut]
    next_cursor: str | None


class VersionOut(Schema):
    id: int
    version: int
    status: str
    created_at: datetime
    sent_at: datetime | None


class SendIn(InSchema):
    person_ids: list[Id] | None = Field(
        None, max_length=50, description="Contacts of the deal; all with an email if omitted."
    )
    message: str = Field("", max_length=5000)


class MessageOut(Schema):
    id: int
    address: str
    status: str


class SentOut(Schema):
    quote: QuoteOut
    messages: list[MessageOut]
    decision_url: str = Field(description="The link the client accepts or declines from.")


class DecisionIn(InSchema):
    note: str = Field("", max_length=500)


class CompanyProfileOut(Schema):
    legal_name: str
    tax_id: str
    address: str
    phone: str
    email: str
    website: str
    bank_details: str
    quote_terms: str
    quote_prefix: str
    quote_valid_days: int
    has_logo: bool


class CompanyProfilePatch(PatchSchema):
    legal_name: str = omittable(max_length=255)
    tax_id: str = omittable(max_length=64)
    address: str = omittable(max_length=1000)
    phone: str = omittable(max_length=40)
    email: str = omittable(max_length=254)
    website: str = omittable(max_length=255)
    bank_details: str = omittable(max_length=2000)
    quote_terms: str = omittable(max_length=5000)
    quote_prefix: str = omittable(max_length=12)
    quote_valid_days: int = omittable(ge=1, le=365)
