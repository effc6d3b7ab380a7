"""Reads of the catalogue and quotes, scoped to the workspace; a quote is seen by whoever
may see its deal (the deal's one visibility rule, sales.selectors.deal_visibility_q)."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from klient.core.errors import NotFound
from klient.core.models import User
from klient.core.selectors import scoped
from klient.sales.quote_models import Product, Quote, QuoteLine, SalesCompanyProfile
from klient.sales.selectors import deal_visibility_q


def product_list(
    *, user: User, include_archived: bool = False, query: str = ""
) -> QuerySet[Product]:
    rows = scoped(Product, user=user)
    if not include_archived:
        rows = rows.filter(archived=False)
    text = query.strip()
    if text:
        rows = rows.filter(Q(name__icontains=text) | Q(sku__iexact=text))
    return rows.order_by("name", "id")


def product_get(*, user: User, product_id: int) -> Product:
    product = scoped(Product, user=user).filter(pk=product_id).first()
    if product is None:
        raise NotFound(_("Product not found."))
    return product


def quote_list(
    *, user: User, deal_id: int | None = None, current_only: bool = False
) -> QuerySet[Quote]:
    """Quotes of the deals the user may see, newest first."""
    rows = scoped(Quote, user=user).filter(deal_visibility_q(user, "deal__"))
    if deal_id is not None:
        rows = rows.filter(deal_id=deal_id)
    if current_only:
        rows = rows.exclude(status=Quote.Status.SUPERSEDED)
    return rows.select_related("deal", "person")


def quote_get(*, user: User, quote_id: int) -> Quote:
    quote = (
        quote_list(user=user)
        .filter(pk=quote_id)
        .select_related("deal__organization", "deal__owner", "decided_by", "created_by")
        .first()
    )
    if quote is None:
        raise NotFound(_("Quote not found."))
    return quote


def quote_lines(*, quote: Quote) -> list[QuoteLine]:
    return list(QuoteLine.objects.filter(quote=quote).order_by("position", "id"))


def quote_versions(*, quote: Quote) -> list[Quote]:
    """Every version of the quote's number, newest first."""
    return list(
        Quote.objects.filter(workspace_id=quote.workspace_id, number=quote.number)
        .order_by("-version")
        .only("pk", "number", "version", "status", "created_at", "sent_at", "gross_total")
    )


def quote_get_public(*, workspace_id: int, quote_id: int) -> Quote:
    """The quote a public link opens (the link already checked)."""
    quote = (
        Quote.objects.filter(workspace_id=workspace_id, pk=quote_id)
        .select_related("deal__organization", "person")
        .first()
    )
    if quote is None:
        raise NotFound(_("Quote not found."))
    return quote


def company_profile_get(*, workspace_id: int) -> SalesCompanyProfile:
    """The workspace's details for quotes; an unsaved empty one when none is set."""
    profile = SalesCompanyProfile.objects.filter(workspace_id=workspace_id).first()
    return profile or SalesCompanyProfile(workspace_id=workspace_id)
