"""The client's page for a quote, opened from the link in the email without an account
(core.public_links, purpose `sales.quote_decision`): the quote, its PDF, and accept or
decline while it waits for an answer. Expired, revoked or unknown links all read the
same (the public error page)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_http_methods

from klient.core.models import PublicLink
from klient.core.public_links import public_link_resolve
from klient.core.public_views import public_page, public_render
from klient.core.throttle import client_address
from klient.sales.quote_models import Quote
from klient.sales.quotes.selectors import quote_get_public, quote_lines
from klient.sales.quotes.sending import DECISION_PURPOSE, quote_decide_public
from klient.sales.quotes.views_support import pdf_response, quote_pdf_for_download


def _link(request: HttpRequest, token: str) -> PublicLink:
    return public_link_resolve(
        token=token, purpose=DECISION_PURPOSE, request_ip=client_address(request)
    )


def _page(
    request: HttpRequest, link: PublicLink, token: str, *, just_decided: bool
) -> HttpResponse:
    quote = quote_get_public(workspace_id=link.workspace_id, quote_id=link.target_id)
    context = {
        "quote": quote,
        "lines": quote_lines(quote=quote),
        "token": token,
        "can_decide": quote.status == Quote.Status.SENT,
        "just_decided": just_decided,
    }
    return public_render(
        request, link=link, template="sales/quotes/public_quote.html", context=context
    )


@public_page
@require_http_methods(["GET", "POST"])
def quote_public(request: HttpRequest, token: str) -> HttpResponse:
    link = _link(request, token)
    if request.method == "POST":
        quote_decide_public(
            link=link,
            decision=request.POST.get("decision", ""),
            note=request.POST.get("note", ""),
        )
        return _page(request, link, token, just_decided=True)
    return _page(request, link, token, just_decided=False)


@public_page
@require_http_methods(["GET"])
def quote_public_pdf(request: HttpRequest, token: str) -> HttpResponse:
    link = _link(request, token)
    quote = quote_get_public(workspace_id=link.workspace_id, quote_id=link.target_id)
    return pdf_response(*quote_pdf_for_download(quote))
