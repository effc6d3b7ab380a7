"""The catalogue and quotes API: products, quotes on deals, their lines and versions,
sending, the manager's accept/decline, the PDF, and the company's details on quotes.

Everyone reads the catalogue; administrators and managers keep it. A quote is read by
whoever sees its deal and written by whoever may change the deal (agents: their own
deals); analysts only read. Another workspace's records are 404.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Status

from klient.core.api_support import ERROR_CODES, ErrorOut, Id, InSchema, Limit, api_user
from klient.core.pagination import paginate_id_desc
from klient.sales.quote_models import Quote
from klient.sales.quotes import catalogue, profile, sending, services
from klient.sales.quotes.line_services import LineIn
from klient.sales.quotes.schemas import (
    CompanyProfileOut,
    CompanyProfilePatch,
    DecisionIn,
    LineOut,
    LinesIn,
    ProductIn,
    ProductOut,
    ProductPageOut,
    ProductPatch,
    QuoteDetailOut,
    QuoteIn,
    QuotePageOut,
    QuotePatch,
    SendIn,
    SentOut,
    VersionOut,
)
from klient.sales.quotes.schemas import LineIn as LineSchema
from klient.sales.quotes.selectors import (
    company_profile_get,
    product_get,
    product_list,
    quote_get,
    quote_lines,
    quote_list,
    quote_versions,
)
from klient.sales.quotes.views_support import pdf_response, quote_pdf_for_download

router = Router(tags=["quotes"])
RESPONSES = {ERROR_CODES: ErrorOut}


class ProductFilters(InSchema):
    q: str = ""
    include_archived: bool = False


class QuoteFilters(InSchema):
    deal_id: Id | None = None
    current_only: bool = False


def _lines(rows: list[LineSchema]) -> list[LineIn]:
    return [LineIn(**row.model_dump()) for row in rows]


def _detail(quote: Quote) -> dict[str, Any]:
    return {
        **QuoteDetailOut.model_validate({**_quote_fields(quote), "lines": []}).model_dump(),
        "lines": [LineOut.model_validate(line).model_dump() for line in quote_lines(quote=quote)],
    }


def _quote_fields(quote: Quote) -> dict[str, Any]:
    return {
        field: getattr(quote, field) for field in QuoteDetailOut.model_fields if field != "lines"
    }


# --- catalogue -------------------------------------------------------------------------


@router.get("/products", response={200: ProductPageOut, **RESPONSES}, summary="List the catalogue")
def products_index(
    request: HttpRequest,
    filters: Query[ProductFilters],
    cursor: str | None = None,
    limit: Limit = 50,
) -> Any:
    """Products and services, newest first; `q` matches the name or the exact code."""
    rows = product_list(
        user=api_user(request), include_archived=filters.include_archived, query=filters.q
    )
    return paginate_id_desc(rows, cursor=cursor, limit=limit)


@router.post("/products", response={201: ProductOut, **RESPONSES}, summary="Add a catalogue item")
def product_add(request: HttpRequest, payload: ProductIn) -> Any:
    """Administrators and managers. The price is net (without VAT)."""
    product = catalogue.product_create(actor=api_user(request), **payload.model_dump())
    return Status(201, product)


@router.get(
    "/products/{product_id}", response={200: ProductOut, **RESPONSES}, summary="Get an item"
)
def product_detail(request: HttpRequest, product_id: Id) -> Any:
    return product_get(user=api_user(request), product_id=product_id)


@router.patch(
    "/products/{product_id}", response={200: ProductOut, **RESPONSES}, summary="Change an item"
)
def product_change(request: HttpRequest, product_id: Id, payload: ProductPatch) -> Any:
    """Quotes already made keep the name and price they copied."""
    return catalogue.product_update(
        actor=api_user(request), product_id=product_id, data=payload.changes()
    )


@router.post(
    "/products/{product_id}/archive",
    response={200: ProductOut, **RESPONSES},
    summary="Archive an item",
)
def product_archive(request: HttpRequest, product_id: Id) -> Any:
    return catalogue.product_archive(actor=api_user(request), product_id=product_id)


@router.post(
    "/products/{product_id}/restore",
    response={200: ProductOut, **RESPONSES},
    summary="Restore an archived item",
)
def product_restore(request: HttpRequest, product_id: Id) -> Any:
    return catalogue.product_archive(actor=api_user(request), product_id=product_id, archived=False)


# --- quotes ----------------------------------------------------------------------------


@router.get("/quotes", response={200: QuotePageOut, **RESPONSES}, summary="List quotes")
def quotes_index(
    request: HttpRequest,
    filters: Query[QuoteFilters],
    cursor: str | None = None,
    limit: Limit = 50,
) -> Any:
    """Quotes of the deals you may see, newest first; `deal_id` for one deal's."""
    rows = quote_list(
        user=api_user(request), deal_id=filters.deal_id, current_only=filters.current_only
    )
    return paginate_id_desc(rows, cursor=cursor, limit=limit)


@router.post(
    "/deals/{deal_id}/quotes",
    response={201: QuoteDetailOut, **RESPONSES},
    summary="Make a quote on a deal",
)
def quote_add(request: HttpRequest, deal_id: Id, payload: QuoteIn) -> Any:
    """A numbered draft with its lines (each from `product_id` or written out). A bad
    line (a negative quantity, a discount over 100, another currency) refuses the whole
    quote with a 422 naming it; nothing is written."""
    fields = payload.model_dump(exclude={"lines"})
    quote = services.quote_create(
        actor=api_user(request), deal_id=deal_id, lines=_lines(payload.lines), **fields
    )
    return Status(201, _detail(quote))


@router.get(
    "/quotes/{quote_id}", response={200: QuoteDetailOut, **RESPONSES}, summary="Get a quote"
)
def quote_detail(request: HttpRequest, quote_id: Id) -> Any:
    return _detail(quote_get(user=api_user(request), quote_id=quote_id))


@router.patch(
    "/quotes/{quote_id}", response={200: QuoteDetailOut, **RESPONSES}, summary="Change a draft"
)
def quote_change(request: HttpRequest, quote_id: Id, payload: QuotePatch) -> Any:
    """Its language, addressee, validity date or notes; a sent quote is a 409
    `quote_not_draft` (make a new version)."""
    quote = services.quote_update(
        actor=api_user(request), quote_id=quote_id, data=payload.changes()
    )
    return _detail(quote)


@router.delete("/quotes/{quote_id}", response={204: None, **RESPONSES}, summary="Delete a draft")
def quote_remove(request: HttpRequest, quote_id: Id) -> Any:
    services.quote_delete(actor=api_user(request), quote_id=quote_id)
    return Status(204, None)


@router.get(
    "/quotes/{quote_id}/lines", response={200: list[LineOut], **RESPONSES}, summary="Quote lines"
)
def lines_index(request: HttpRequest, quote_id: Id) -> Any:
    return quote_lines(quote=quote_get(user=api_user(request), quote_id=quote_id))


@router.put(
    "/quotes/{quote_id}/lines",
    response={200: QuoteDetailOut, **RESPONSES},
    summary="Replace a draft's lines",
)
def lines_replace(request: HttpRequest, quote_id: Id, payload: LinesIn) -> Any:
    """All lines at once; every line is checked first, and one bad line changes nothing."""
    quote = services.quote_lines_set(
        actor=api_user(request), quote_id=quote_id, lines=_lines(payload.lines)
    )
    return _detail(quote)


@router.get(
    "/quotes/{quote_id}/versions",
    response={200: list[VersionOut], **RESPONSES},
    summary="Versions of a quote",
)
def versions_index(request: HttpRequest, quote_id: Id) -> Any:
    """Every version of the quote's number, newest first."""
    return quote_versions(quote=quote_get(user=api_user(request), quote_id=quote_id))


@router.post(
    "/quotes/{quote_id}/versions",
    response={201: QuoteDetailOut, **RESPONSES},
    summary="Make a new version",
)
def version_add(request: HttpRequest, quote_id: Id) -> Any:
    """Of a sent or declined quote: same number, version + 1, lines copied, a draft;
    the previous version becomes `superseded`."""
    quote = services.quote_version_new(actor=api_user(request), quote_id=quote_id)
    return Status(201, _detail(quote))


@router.post(
    "/quotes/{quote_id}/send", response={200: SentOut, **RESPONSES}, summary="Email a quote"
)
def quote_send(request: HttpRequest, quote_id: Id, payload: SendIn) -> Any:
    """To the deal's contact people with an email (or `person_ids`), the PDF attached and
    a link to accept or decline; queued, sent by a worker. Recorded on the deal's
    timeline."""
    sent = sending.quote_send(
        actor=api_user(request),
        quote_id=quote_id,
        person_ids=payload.person_ids,
        message=payload.message,
    )
    return {
        "quote": _quote_fields(sent.quote),
        "messages": [
            {"id": message.pk, "address": message.address, "status": message.status}
            for message in sent.messages
        ],
        "decision_url": sent.url,
    }


@router.post(
    "/quotes/{quote_id}/accept",
    response={200: QuoteDetailOut, **RESPONSES},
    summary="Record that the client accepted",
)
def quote_accept(request: HttpRequest, quote_id: Id, payload: DecisionIn) -> Any:
    quote = services.quote_decide(
        actor=api_user(request), quote_id=quote_id, decision="accepted", note=payload.note
    )
    return _detail(quote)


@router.post(
    "/quotes/{quote_id}/decline",
    response={200: QuoteDetailOut, **RESPONSES},
    summary="Record that the client declined",
)
def quote_decline(request: HttpRequest, quote_id: Id, payload: DecisionIn) -> Any:
    quote = services.quote_decide(
        actor=api_user(request), quote_id=quote_id, decision="declined", note=payload.note
    )
    return _detail(quote)


@router.get(
    "/quotes/{quote_id}/pdf",
    response={200: None, **RESPONSES},
    summary="Download a quote's PDF",
)
def quote_pdf(request: HttpRequest, quote_id: Id) -> HttpResponse:
    """`application/pdf`: a sent quote as it was sent, a draft as it is now."""
    quote = quote_get(user=api_user(request), quote_id=quote_id)
    return pdf_response(*quote_pdf_for_download(quote))


# --- company details -------------------------------------------------------------------


def _profile_out(workspace_id: int) -> dict[str, Any]:
    current = company_profile_get(workspace_id=workspace_id)
    fields = {
        name: getattr(current, name)
        for name in CompanyProfileOut.model_fields
        if name != "has_logo"
    }
    return {**fields, "has_logo": bool(current.logo_path)}


@router.get(
    "/quotes-company",
    response={200: CompanyProfileOut, **RESPONSES},
    summary="The company's details on quotes",
)
def company_detail(request: HttpRequest) -> Any:
    return _profile_out(int(api_user(request).workspace_id or 0))


@router.patch(
    "/quotes-company",
    response={200: CompanyProfileOut, **RESPONSES},
    summary="Change the company's details on quotes",
)
def company_change(request: HttpRequest, payload: CompanyProfilePatch) -> Any:
    """Administrators only."""
    user = api_user(request)
    profile.company_profile_update(actor=user, data=payload.changes())
    return _profile_out(int(user.workspace_id or 0))
