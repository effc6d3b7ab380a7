"""Forms of the quote pages: the quote's details, its lines (a formset with empty rows
to fill; an empty row is skipped), a catalogue item and the company's details.

Numbers are typed the reader's way ("1 234,50" in Russian, "1,234.50" in English) and
read with `money.amounts.decimal_parse`; their ranges are the services' to check, so
the page and the API refuse the same things with the same words."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.forms import formset_factory
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from klient.core.errors import ValidationFailed
from klient.money.amounts import decimal_format, decimal_parse
from klient.money.currencies import currency_choices
from klient.sales.quote_models import Product
from klient.sales.quotes.line_services import LineIn

EXTRA_ROWS = 3
MORE_ROWS = 5
NUMBER_ATTRS = {"inputmode": "decimal", "autocomplete": "off", "class": "num"}


def _number(value: str) -> Decimal:
    return decimal_parse(value, language=get_language())


def number_text(value: Decimal | None) -> str:
    if value is None:
        return ""
    return decimal_format(Decimal(value).normalize(), language=get_language())


class QuoteForm(forms.Form):
    language = forms.ChoiceField(label=_("Language of the quote"), choices=())
    person = forms.TypedChoiceField(
        label=_("Addressed to"), coerce=int, required=False, empty_value=None, choices=()
    )
    currency = forms.ChoiceField(label=_("Currency"), choices=())
    valid_until = forms.DateField(
        label=_("Valid until"), widget=forms.DateInput(attrs={"type": "date"})
    )
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(
        self, *args: Any, people: Sequence[tuple[int, str]], editing: bool, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = list(settings.LANGUAGES)  # type: ignore[attr-defined]
        self.fields["person"].choices = [("", _("No one in particular")), *people]  # type: ignore[attr-defined]
        self.fields["currency"].choices = currency_choices(language=get_language())  # type: ignore[attr-defined]
        if editing:
            del self.fields["currency"]  # a quote keeps the currency it was made in


class LineForm(forms.Form):
    product = forms.TypedChoiceField(
        label=_("Catalogue item"), coerce=int, required=False, empty_value=None, choices=()
    )
    name = forms.CharField(label=_("Item"), required=False, max_length=300)
    quantity = forms.CharField(
        label=_("Quantity"), required=False, max_length=30, widget=forms.TextInput(NUMBER_ATTRS)
    )
    unit = forms.CharField(label=_("Unit"), required=False, max_length=20)
    unit_price = forms.CharField(
        label=_("Price"), required=False, max_length=30, widget=forms.TextInput(NUMBER_ATTRS)
    )
    discount_percent = forms.CharField(
        label=_("Discount, %"), required=False, max_length=10, widget=forms.TextInput(NUMBER_ATTRS)
    )
    vat_rate = forms.CharField(
        label=_("VAT, %"), required=False, max_length=10, widget=forms.TextInput(NUMBER_ATTRS)
    )

    def __init__(self, *args: Any, products: Sequence[tuple[int, str]] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["product"].choices = [("", "—"), *products]  # type: ignore[attr-defined]

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not any(data.get(key) for key in ("product", "name", "quantity", "unit_price"))

    def line(self) -> LineIn | None:
        """The row as a service's line; None for an empty row. Numbers that do not read
        as numbers become errors on their fields."""
        if self.is_blank():
            return None
        data = self.cleaned_data
        numbers: dict[str, Decimal | None] = {}
        for key in ("quantity", "unit_price", "discount_percent", "vat_rate"):
            text = (data.get(key) or "").strip()
            if not text:
                numbers[key] = None
                continue
            try:
                numbers[key] = _number(text)
            except ValidationFailed as error:
                self.add_error(key, str(error.message))
        if self.errors:
            return None
        return LineIn(
            product_id=data.get("product"),
            name=data.get("name") or "",
            unit=data.get("unit") or "",
            quantity=numbers["quantity"],
            unit_price=numbers["unit_price"],
            discount_percent=numbers["discount_percent"] or 0,
            vat_rate=numbers["vat_rate"],
        )


LineFormSet = formset_factory(LineForm, extra=0)


def line_initial(line: LineIn) -> dict[str, Any]:
    def text(value: object) -> str:
        return number_text(value) if isinstance(value, Decimal) else str(value or "")

    return {
        "product": line.product_id,
        "name": line.name,
        "quantity": text(line.quantity),
        "unit": line.unit,
        "unit_price": text(line.unit_price),
        "discount_percent": text(line.discount_percent) if line.discount_percent else "",
        "vat_rate": text(line.vat_rate),
    }


class ProductForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Product.Kind.choices)
    name = forms.CharField(label=_("Name"), max_length=300)
    sku = forms.CharField(label=_("Code"), max_length=64, required=False)
    unit = forms.CharField(label=_("Unit"), max_length=20, help_text=_("pcs, h, container, kg…"))
    price = forms.CharField(
        label=_("Price without VAT"), max_length=30, widget=forms.TextInput(NUMBER_ATTRS)
    )
    currency = forms.ChoiceField(label=_("Currency"), choices=())
    vat_rate = forms.CharField(
        label=_("VAT rate, %"), max_length=10, widget=forms.TextInput(NUMBER_ATTRS)
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["currency"].choices = currency_choices(language=get_language())  # type: ignore[attr-defined]

    def values(self) -> dict[str, Any] | None:
        data = dict(self.cleaned_data)
        for key in ("price", "vat_rate"):
            try:
                data[key] = _number(data[key])
            except ValidationFailed as error:
                self.add_error(key, str(error.message))
        return None if self.errors else data


class CompanyProfileForm(forms.Form):
    legal_name = forms.CharField(label=_("Legal name"), max_length=255, required=False)
    tax_id = forms.CharField(
        label=_("Tax ID"),
        max_length=64,
        required=False,
        help_text=_("ИНН/КПП, ЕИК/ДДС №, VAT number…"),
    )
    address = forms.CharField(
        label=_("Address"), max_length=1000, required=False, widget=forms.Textarea({"rows": 2})
    )
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    email = forms.CharField(label=_("Email"), max_length=254, required=False)
    website = forms.CharField(label=_("Website"), max_length=255, required=False)
    bank_details = forms.CharField(
        label=_("Bank details"),
        max_length=2000,
        required=False,
        widget=forms.Textarea({"rows": 3}),
    )
    quote_terms = forms.CharField(
        label=_("Terms printed on quotes"),
        max_length=5000,
        required=False,
        widget=forms.Textarea({"rows": 3}),
    )
    quote_prefix = forms.CharField(
        label=_("Quote number prefix"),
        max_length=12,
        required=False,
        help_text=_("Empty: КП (КП-2026-00042)."),
    )
    quote_valid_days = forms.IntegerField(
        label=_("Quotes valid for, days"), min_value=1, max_value=365
    )
    logo = forms.FileField(
        label=_("Logo"),
        required=False,
        help_text=_("PNG or JPEG, up to 2 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
    )
    logo_clear = forms.BooleanField(label=_("Remove the logo"), required=False)

    def profile_data(self) -> dict[str, Any]:
        return {
            key: value
            for key, value in self.cleaned_data.items()
            if key not in ("logo", "logo_clear")
        }
