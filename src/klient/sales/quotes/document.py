"""What a quote's PDF prints, read from the database into plain values (`QuoteDocument`),
so the renderer (`pdf.py`) runs no query and is tested on hand-made documents."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.utils import timezone

from klient.core.models import Workspace
from klient.money.amounts import Money
from klient.money.vat import VatRateTotal
from klient.sales.quote_models import Quote, QuoteLine
from klient.sales.quotes.lines import line_compute, quote_totals
from klient.sales.quotes.profile import logo_file
from klient.sales.quotes.selectors import company_profile_get


@dataclass(frozen=True)
class Company:
    name: str
    tax_id: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""
    website: str = ""
    bank_details: str = ""
    terms: str = ""
    logo: Path | None = None


@dataclass(frozen=True)
class Client:
    organization: str = ""
    tax_id: str = ""
    address: str = ""
    person: str = ""
    person_title: str = ""
    email: str = ""


@dataclass(frozen=True)
class DocumentLine:
    name: str
    description: str
    unit: str
    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal
    vat_rate: Decimal
    net: Money
    vat: Money
    gross: Money


@dataclass(frozen=True)
class QuoteDocument:
    number: str
    version: int
    language: str
    currency: str
    issued_on: date
    valid_until: date | None
    company: Company
    client: Client
    lines: list[DocumentLine]
    net: Money
    vat: Money
    gross: Money
    by_rate: tuple[VatRateTotal, ...] = ()
    notes: str = ""
    deal_title: str = ""


def quote_document(quote: Quote) -> QuoteDocument:
    """The quote as printed: the company's current details, the client's, the lines."""
    profile = company_profile_get(workspace_id=quote.workspace_id)
    workspace_name = Workspace.objects.values_list("name", flat=True).get(pk=quote.workspace_id)
    company = Company(
        name=profile.legal_name or str(workspace_name),
        tax_id=profile.tax_id,
        address=profile.address,
        phone=profile.phone,
        email=profile.email,
        website=profile.website,
        bank_details=profile.bank_details,
        terms=profile.quote_terms,
        logo=logo_file(profile),
    )
    deal = quote.deal
    organization = deal.organization
    person = quote.person
    client = Client(
        organization=(organization.legal_name or organization.name) if organization else "",
        tax_id=organization.tax_id if organization else "",
        address=organization.address if organization else "",
        person=person.full_name if person else "",
        person_title=person.title if person else "",
        email=person.primary_email if person else "",
    )
    rows = list(QuoteLine.objects.filter(quote=quote).order_by("position", "id"))
    lines = []
    figures = []
    for row in rows:
        amounts = line_compute(
            quantity=Decimal(row.quantity),
            unit_price=Decimal(row.unit_price),
            discount_percent=Decimal(row.discount_percent),
            vat_rate=Decimal(row.vat_rate),
            currency=quote.currency,
        )
        figures.append(amounts)
        lines.append(
            DocumentLine(
                name=row.name,
                description=row.description,
                unit=row.unit,
                quantity=Decimal(row.quantity),
                unit_price=Decimal(row.unit_price),
                discount_percent=Decimal(row.discount_percent),
                vat_rate=Decimal(row.vat_rate),
                net=amounts.net,
                vat=amounts.vat,
                gross=amounts.gross,
            )
        )
    totals = quote_totals(figures, currency=quote.currency)
    issued = quote.sent_at or quote.created_at or timezone.now()
    return QuoteDocument(
        number=quote.number,
        version=quote.version,
        language=quote.language,
        currency=quote.currency,
        issued_on=timezone.localdate(issued),
        valid_until=quote.valid_until,
        company=company,
        client=client,
        lines=lines,
        net=totals.net,
        vat=totals.vat,
        gross=totals.gross,
        by_rate=totals.by_rate,
        notes=quote.notes,
        deal_title=deal.title,
    )
