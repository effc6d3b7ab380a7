"""A quote's PDF, read back with pypdf: A4, the embedded Source Sans Pro from the pip
package (no system font), Cyrillic text, the company's details and logo, VAT per line and
in total in the quote's language, and on a long quote the table header again on page 2."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from PIL import Image
from pypdf import PdfReader

from klient.sales.quotes.line_services import LineIn
from klient.sales.quotes.pdf import FONT_DIR
from klient.sales.quotes.profile import company_logo_set, company_profile_update
from klient.sales.quotes.sending import quote_pdf_bytes
from tests.sales import quotes_support as support
from tests.sales.quotes_support import quote_make

# Fixtures (assigned, so a test's parameter of the same name is not a redefinition).
customs = support.customs
deal = support.deal
freight = support.freight
pipeline = support.pipeline

pytestmark = pytest.mark.django_db
D = Decimal


def text_of(pdf: bytes) -> list[str]:
    """Each page's text, runs of spaces of any kind and line breaks (a cell wraps) as one space."""
    reader = PdfReader(io.BytesIO(pdf))
    return [re.sub(r"\s+", " ", page.extract_text()) for page in reader.pages]


def png(width: int = 120, height: int = 40) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (20, 90, 160)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def company(admin):
    company_profile_update(
        actor=admin,
        data={
            "legal_name": "ООО «Морской экспресс»",
            "tax_id": "7707083893",
            "address": "Санкт-Петербург, Невский пр., 10",
            "phone": "+7 812 000-00-00",
            "email": "sales@sea.example",
            "bank_details": "р/с 40702810900000000001 в ПАО «Банк», БИК 044525225",
        },
    )
    return company_logo_set(actor=admin, content=png())


def test_a_russian_quote_prints_cyrillic_the_company_the_client_and_the_totals(
    agent_a, deal, freight, customs, company
):
    quote = quote_make(
        agent_a,
        deal,
        LineIn(product_id=freight.pk, quantity=3, discount_percent=D(10)),
        LineIn(product_id=customs.pk, quantity=3),
        language="ru",
    )

    filename, pdf = quote_pdf_bytes(quote)

    [page] = text_of(pdf)
    assert filename == f"{quote.number}.pdf"
    for expected in (
        quote.number,
        "ООО «Морской экспресс»",
        "7707083893",
        "ООО «Ромашка A»",
        "Анна Клиентова",
        "Морская перевозка 40' контейнера",
        "Таможенное оформление",
        "3 333,15",  # the first line's net, less 10 %
        "666,63",  # its VAT
        "3 999,78",  # its total
        "6,02",  # 3 × 10.03 = 30.09 at 20 %: 6.018 → 6.02
        "3 363,24 ₽",  # without VAT
        "672,65 ₽",  # VAT
        "4 035,89 ₽",  # with VAT
        "р/с 40702810900000000001",
    ):
        assert expected in page, expected


def test_the_page_is_a4_with_the_package_font_embedded_and_the_logo(agent_a, deal, company):
    quote = quote_make(agent_a, deal)

    _name, pdf = quote_pdf_bytes(quote)

    reader = PdfReader(io.BytesIO(pdf))
    page = reader.pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
    fonts = {str(font.get_object()["/BaseFont"]) for font in page["/Resources"]["/Font"].values()}
    assert fonts and all("SourceSansPro" in name for name in fonts)
    assert all(
        "/FontFile2" in font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
        for font in page["/Resources"]["/Font"].values()
    )
    assert len(page["/Resources"]["/XObject"]) == 1  # the logo
    assert FONT_DIR.name == "files" and "font_source_sans_pro" in str(FONT_DIR)


def test_an_english_quote_writes_numbers_and_dates_the_english_way(agent_a, deal, freight):
    quote = quote_make(agent_a, deal, LineIn(product_id=freight.pk, quantity=1000), language="en")

    [page] = text_of(quote_pdf_bytes(quote)[1])

    assert "Commercial proposal " + quote.number in page
    assert "1,234,500.00" in page  # net
    assert "RUB1,481,400.00" in page  # with VAT, as CLDR writes roubles in English
    assert re.search(r"Valid until: [A-Z][a-z]+ \d{1,2}, \d{4}", page)


def test_a_60_line_quote_repeats_the_table_header_on_page_2(agent_a, deal):
    lines = [
        LineIn(
            name=f"Позиция {n}: перевозка и экспедирование груза",
            quantity=n,
            unit_price=D("10.03"),
            vat_rate=20,
        )
        for n in range(1, 61)
    ]
    quote = quote_make(agent_a, deal, *lines, language="en")

    pages = text_of(quote_pdf_bytes(quote)[1])

    assert len(pages) >= 2
    header = ["No.", "Item", "Qty", "Unit", "Price", "Disc., %", "Net", "VAT, %", "VAT", "Total"]
    second = pages[1]
    positions = [second.find(word) for word in header]
    assert all(position >= 0 for position in positions), positions
    assert positions[0] < second.find("Позиция")  # the header comes before the lines
    assert "Page 2 of" in second
    assert "Позиция 60" in pages[-1]
    assert "Total with VAT" in pages[-1]
