"""A quote as a PDF: A4, the company's logo and details, the client, the lines with VAT
per line, the totals per VAT rate, page numbers; in the quote's language with its
numbers and dates written that language's way.

Pure Python: fpdf2 draws the pages and embeds (a subset of) Source Sans Pro from the
`font-source-sans-pro` package (SIL Open Font License), which covers Cyrillic, ₽ and €.
Nothing is needed from the system: no fonts, no libraries, no browser. The lines'
table repeats its header on every page it runs onto.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from pathlib import Path

from babel.dates import format_date
from babel.numbers import format_decimal
from django.utils import translation
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from klient.money.amounts import Money, money_format
from klient.money.currencies import babel_locale, minor_units
from klient.sales.quotes.document import QuoteDocument

FONT = "SourceSansPro"
# The package ships the font files; found without importing it (it has no types).
FONT_DIR = Path(str(resources.files("font_source_sans_pro") / "files"))
MARGIN = 15.0
WIDTH = 210.0 - 2 * MARGIN
# Column widths in mm (they add up to WIDTH): №, item, quantity, unit, price, discount,
# net, VAT rate, VAT, total.
COLUMNS = (7.0, 44.0, 13.0, 12.0, 20.0, 14.0, 20.0, 12.0, 17.0, 21.0)
ALIGN = ("RIGHT", "LEFT", "RIGHT", "LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "RIGHT")
GREY = (235, 235, 235)
INK = (30, 30, 30)
MUTED = (100, 100, 100)


@dataclass(frozen=True)
class Numbers:
    """How the quote's language writes its figures."""

    locale: str
    currency: str

    def amount(self, money: Money) -> str:
        digits = minor_units(self.currency)
        pattern = "#,##0." + "0" * digits if digits else "#,##0"
        return str(format_decimal(money.amount, format=pattern, locale=self.locale))

    def money(self, money: Money) -> str:
        return money_format(money, language=self.locale)

    def quantity(self, value: Decimal) -> str:
        return str(format_decimal(value, format="#,##0.###", locale=self.locale))

    def price(self, value: Decimal) -> str:
        digits = minor_units(self.currency)
        pattern = "#,##0." + "0" * digits + "##" if digits else "#,##0.####"
        return str(format_decimal(value, format=pattern, locale=self.locale))

    def percent(self, value: Decimal) -> str:
        return str(format_decimal(value, format="#,##0.##", locale=self.locale))

    def date(self, value: object) -> str:
        return str(format_date(value, format="long", locale=self.locale))  # type: ignore[arg-type]


class _QuotePdf(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=8)
        self.set_text_color(*MUTED)
        page = _("Page %(page)s of %(pages)s") % {"page": self.page_no(), "pages": "{nb}"}
        self.cell(WIDTH / 2, 5, self.footer_text, align="L")
        self.cell(WIDTH / 2, 5, page, align="R")


def quote_pdf_render(document: QuoteDocument) -> bytes:
    """The quote's PDF, in its language."""
    with translation.override(document.language):
        return _render(document)


def _render(doc: QuoteDocument) -> bytes:
    numbers = Numbers(locale=babel_locale(doc.language), currency=doc.currency)
    pdf = _QuotePdf(orientation="portrait", unit="mm", format="A4")
    pdf.set_title(f"{doc.number}")
    pdf.set_author(doc.company.name)
    pdf.set_creator("Klient")
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.alias_nb_pages()
    pdf.add_font(FONT, "", str(FONT_DIR / "SourceSansPro-Regular.ttf"))
    pdf.add_font(FONT, "B", str(FONT_DIR / "SourceSansPro-Bold.ttf"))
    title = _("Commercial proposal %(number)s") % {"number": doc.number}
    if doc.version > 1:
        title = _("%(title)s, version %(version)s") % {"title": title, "version": doc.version}
    pdf.footer_text = title
    pdf.set_text_color(*INK)
    pdf.add_page()
    _header(pdf, doc)
    _title(pdf, doc, numbers, title)
    _client(pdf, doc)
    _lines(pdf, doc, numbers)
    _totals(pdf, doc, numbers)
    _closing(pdf, doc)
    return bytes(pdf.output())


def _header(pdf: FPDF, doc: QuoteDocument) -> None:
    company = doc.company
    top = pdf.get_y()
    logo_bottom = top
    if company.logo is not None:
        try:
            info = pdf.image(str(company.logo), x=MARGIN, y=top, h=18, keep_aspect_ratio=True)
            logo_bottom = top + float(info.rendered_height)
        except Exception:  # a damaged file on disk: the quote prints without its logo
            logo_bottom = top
    block_x = MARGIN + WIDTH * 0.4
    pdf.set_xy(block_x, top)
    pdf.set_font(FONT, "B", size=11)
    pdf.multi_cell(WIDTH * 0.6, 5, company.name, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, size=8.5)
    pdf.set_text_color(*MUTED)
    details = [company.address]
    if company.tax_id:
        details.append(_("Tax ID: %(value)s") % {"value": company.tax_id})
    contacts = " · ".join(item for item in (company.phone, company.email, company.website) if item)
    details.append(contacts)
    for text in details:
        if text:
            pdf.set_x(block_x)
            pdf.multi_cell(WIDTH * 0.6, 4, text, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(*INK)
    pdf.set_y(max(pdf.get_y(), logo_bottom) + 3)
    pdf.set_draw_color(*MUTED)
    pdf.line(MARGIN, pdf.get_y(), MARGIN + WIDTH, pdf.get_y())
    pdf.ln(5)


def _title(pdf: FPDF, doc: QuoteDocument, numbers: Numbers, title: str) -> None:
    pdf.set_font(FONT, "B", size=15)
    pdf.multi_cell(WIDTH, 7, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, size=9.5)
    facts = [_("Date: %(date)s") % {"date": numbers.date(doc.issued_on)}]
    if doc.valid_until is not None:
        facts.append(_("Valid until: %(date)s") % {"date": numbers.date(doc.valid_until)})
    pdf.multi_cell(WIDTH, 5, "    ".join(facts), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)


def _client(pdf: FPDF, doc: QuoteDocument) -> None:
    client = doc.client
    rows = []
    if client.organization:
        rows.append(client.organization)
        if client.tax_id:
            rows.append(_("Tax ID: %(value)s") % {"value": client.tax_id})
        if client.address:
            rows.append(client.address)
    if client.person:
        person = client.person
        if client.person_title:
            person = f"{person}, {client.person_title}"
        rows.append(_("Attention: %(name)s") % {"name": person})
    if not rows:
        return
    pdf.set_font(FONT, "B", size=9.5)
    pdf.cell(WIDTH, 5, _("Prepared for"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, size=9.5)
    for text in rows:
        pdf.multi_cell(WIDTH, 4.6, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)


def _lines(pdf: FPDF, doc: QuoteDocument, numbers: Numbers) -> None:
    pdf.set_font(FONT, size=8.5)
    pdf.set_text_color(*MUTED)
    pdf.cell(
        WIDTH,
        5,
        _("Amounts in %(currency)s") % {"currency": doc.currency},
        new_x=XPos.LMARGIN,
        new_y=YPos.NEXT,
    )
    pdf.set_text_color(*INK)
    headings = (
        _("No."),
        _("Item"),
        _("Qty"),
        _("Unit"),
        _("Price"),
        _("Disc., %"),
        _("Net"),
        _("VAT, %"),
        _("VAT"),
        _("Total"),
    )
    with pdf.table(
        col_widths=COLUMNS,
        width=WIDTH,
        text_align=ALIGN,
        headings_style=FontFace(emphasis="BOLD", fill_color=GREY),
        repeat_headings=1,
        line_height=4.2,
        padding=(1.2, 1, 1.2, 1),
        v_align="TOP",
    ) as table:
        row = table.row()
        for heading in headings:
            row.cell(heading, align="CENTER")
        for index, line in enumerate(doc.lines, start=1):
            name = line.name
            if line.description:
                name = f"{name}\n{line.description}"
            row = table.row()
            for value in (
                str(index),
                name,
                numbers.quantity(line.quantity),
                line.unit,
                numbers.price(line.unit_price),
                numbers.percent(line.discount_percent) if line.discount_percent else "—",
                numbers.amount(line.net),
                numbers.percent(line.vat_rate),
                numbers.amount(line.vat),
                numbers.amount(line.gross),
            ):
                row.cell(value)
    pdf.ln(3)


def _totals(pdf: FPDF, doc: QuoteDocument, numbers: Numbers) -> None:
    rows: list[tuple[str, str, bool]] = [(_("Total without VAT"), numbers.money(doc.net), False)]
    for rate in doc.by_rate:
        rows.append(
            (
                _("VAT %(rate)s%%") % {"rate": numbers.percent(rate.rate)},
                numbers.money(rate.vat),
                False,
            )
        )
    if len(doc.by_rate) > 1:
        rows.append((_("VAT total"), numbers.money(doc.vat), False))
    rows.append((_("Total with VAT"), numbers.money(doc.gross), True))
    if pdf.will_page_break(6 * len(rows)):
        pdf.add_page()
    for label, value, strong in rows:
        pdf.set_font(FONT, "B" if strong else "", size=11 if strong else 9.5)
        pdf.set_x(MARGIN + WIDTH * 0.45)
        pdf.cell(WIDTH * 0.33, 6, label, align="R")
        pdf.cell(WIDTH * 0.22, 6, value, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(4)


def _closing(pdf: FPDF, doc: QuoteDocument) -> None:
    for heading, text in (
        (_("Notes"), doc.notes),
        (_("Terms"), doc.company.terms),
        (_("Bank details"), doc.company.bank_details),
    ):
        if not text.strip():
            continue
        pdf.set_font(FONT, "B", size=9.5)
        pdf.cell(WIDTH, 5, heading, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font(FONT, size=9)
        pdf.multi_cell(WIDTH, 4.4, text.strip(), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(2)


def quote_pdf_filename(document: QuoteDocument) -> str:
    """`КП-2026-00042.pdf`, `КП-2026-00042-v2.pdf`."""
    base = document.number if document.version == 1 else f"{document.number}-v{document.version}"
    return f"{base}.pdf"
