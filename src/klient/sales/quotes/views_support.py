"""What the quote pages, the public page and the API share: the PDF to download and
its response."""

from __future__ import annotations

from urllib.parse import quote as url_quote

from django.http import HttpResponse

from klient.sales.quote_models import Quote
from klient.sales.quotes.document import quote_document
from klient.sales.quotes.pdf import quote_pdf_filename, quote_pdf_render


def quote_pdf_for_download(quote: Quote) -> tuple[str, bytes]:
    """(file name, bytes): a sent quote exactly as it was sent, a draft as it is now."""
    document = quote_document(quote)
    if quote.pdf and quote.status != Quote.Status.DRAFT:
        return quote_pdf_filename(document), bytes(quote.pdf)
    return quote_pdf_filename(document), quote_pdf_render(document)


def pdf_response(filename: str, content: bytes, *, inline: bool = False) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_")
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = (
        f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{url_quote(filename)}"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
