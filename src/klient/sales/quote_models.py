"""The catalogue (products and services), the company's details printed on quotes, and
quotes (commercial proposals) with their lines.

A quote belongs to a deal. Its number (`КП-2026-00042`) is shared by its versions: a new
version copies the lines, and the previous one is kept, `superseded`. Money follows
docs/money.md: DECIMAL(18, 4) amounts beside an ISO 4217 code, no floats; each line's
net, VAT and gross are stored rounded, and the quote's totals are the sums of its lines.

Imported at the end of `sales/models.py`, so Django registers these models in `sales`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from klient.contacts.models import Person
from klient.core.models import User, Workspace
from klient.money.amounts import Money
from klient.money.fields import amount_field, currency_field


def percent_field(verbose_name: Any, **kwargs: Any) -> models.DecimalField[Any, Decimal]:
    """A percentage from 0 to 100 with two decimals (a VAT rate, a discount)."""
    return models.DecimalField(verbose_name, max_digits=5, decimal_places=2, **kwargs)


class Product(models.Model):
    """A product or a service of the catalogue: what a quote line starts from. Prices are
    net (without VAT); an archived item stays on the quotes that used it."""

    class Kind(models.TextChoices):
        PRODUCT = "product", _("Product")
        SERVICE = "service", _("Service")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.PRODUCT)
    name = models.CharField(_("name"), max_length=300)
    sku = models.CharField(_("code"), max_length=64, blank=True, default="")
    description = models.TextField(_("description"), blank=True, default="")
    unit = models.CharField(_("unit"), max_length=20)
    price = amount_field(_("price"))
    currency = currency_field(_("currency"))
    vat_rate = percent_field(_("VAT rate, %"))
    archived = models.BooleanField(_("archived"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["workspace", "archived", "name"], name="product_ws_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "sku"],
                condition=~models.Q(sku=""),
                name="product_unique_sku",
            ),
            models.CheckConstraint(condition=models.Q(price__gte=0), name="product_price_gte_0"),
            models.CheckConstraint(
                condition=models.Q(vat_rate__gte=0, vat_rate__lte=100),
                name="product_vat_rate_percent",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def money(self) -> Money:
        return Money(self.price, self.currency)


class SalesCompanyProfile(models.Model):
    """The workspace's own details on its quotes: the header of the PDF. One per
    workspace, edited by administrators."""

    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="+")
    legal_name = models.CharField(_("legal name"), max_length=255, blank=True, default="")
    tax_id = models.CharField(_("tax id"), max_length=64, blank=True, default="")
    address = models.TextField(_("address"), blank=True, default="")
    phone = models.CharField(_("phone"), max_length=40, blank=True, default="")
    email = models.CharField(_("email"), max_length=254, blank=True, default="")
    website = models.CharField(_("website"), max_length=255, blank=True, default="")
    bank_details = models.TextField(_("bank details"), blank=True, default="")
    # Under settings.KLIENT_FILES_DIR: sales/logos/<workspace id>/<random hex>.<png|jpg>.
    logo_path = models.CharField(max_length=200, blank=True, default="")
    # Printed under the lines of every quote: payment and delivery terms.
    quote_terms = models.TextField(_("terms printed on quotes"), blank=True, default="")
    # The workspace's prefix of quote numbers, instead of «КП»; empty: the default.
    quote_prefix = models.CharField(_("quote number prefix"), max_length=12, blank=True, default="")
    quote_valid_days = models.PositiveSmallIntegerField(_("quotes valid for, days"), default=30)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.legal_name


class Quote(models.Model):
    """One version of a commercial proposal on a deal. Drafts are edited; a sent quote
    is decided (accepted or declined) by the deal's manager or by the client from the
    link in the email, or replaced by a new version."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", _("Sent")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        SUPERSEDED = "superseded", _("Replaced by a new version")

    class DecidedVia(models.TextChoices):
        MANAGER = "manager", _("by the manager")
        CLIENT = "client", _("by the client")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    deal = models.ForeignKey("sales.Deal", on_delete=models.CASCADE, related_name="quotes")
    number = models.CharField(_("number"), max_length=40)
    version = models.PositiveIntegerField(_("version"), default=1)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    # The status a superseded version had, given back if its successor draft is deleted.
    status_before = models.CharField(max_length=12, blank=True, default="")
    language = models.CharField(_("language"), max_length=8)
    currency = currency_field(_("currency"))
    # Whom the quote is addressed to (a contact of the deal); the PDF's client block.
    person = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True, default="")
    net_total = amount_field(_("total without VAT"), default=0)
    vat_total = amount_field(_("VAT"), default=0)
    gross_total = amount_field(_("total with VAT"), default=0)
    # The PDF as last sent: what the client received, byte for byte.
    pdf = models.BinaryField(null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_count = models.PositiveIntegerField(default=0)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_via = models.CharField(max_length=8, choices=DecidedVia.choices, blank=True, default="")
    decision_note = models.CharField(_("comment"), max_length=500, blank=True, default="")
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["deal", "number", "version"], name="quote_deal_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "number", "version"], name="quote_unique_version"
            ),
            # One current version per number: two concurrent "new version" cannot both win.
            models.UniqueConstraint(
                fields=["workspace", "number"],
                condition=~models.Q(status="superseded"),
                name="quote_one_current_version",
            ),
            models.CheckConstraint(condition=models.Q(version__gte=1), name="quote_version_gte_1"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return f"{self.number} v{self.version}" if self.version > 1 else self.number

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_current(self) -> bool:
        return self.status != self.Status.SUPERSEDED

    @property
    def net(self) -> Money:
        return Money(self.net_total, self.currency)

    @property
    def vat(self) -> Money:
        return Money(self.vat_total, self.currency)

    @property
    def gross(self) -> Money:
        return Money(self.gross_total, self.currency)


class QuoteLine(models.Model):
    """A line: quantity × unit price, less the discount (net, rounded once), then VAT
    rounded on the line (klient.money.vat). The name, unit and price are copied from the
    catalogue when the line is made: a later price change does not rewrite a quote."""

    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(default=0)
    product = models.ForeignKey(
        Product, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("name"), max_length=300)
    description = models.TextField(_("description"), blank=True, default="")
    unit = models.CharField(_("unit"), max_length=20, blank=True, default="")
    quantity = models.DecimalField(_("quantity"), max_digits=15, decimal_places=3)
    unit_price = amount_field(_("unit price"))
    discount_percent = percent_field(_("discount, %"), default=0)
    vat_rate = percent_field(_("VAT rate, %"))
    net = amount_field(_("amount without VAT"))
    vat = amount_field(_("VAT"))
    gross = amount_field(_("amount with VAT"))

    class Meta:
        ordering = ["quote", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(quantity__gt=0), name="quote_line_qty_gt_0"),
            models.CheckConstraint(
                condition=models.Q(unit_price__gte=0), name="quote_line_price_gte_0"
            ),
            models.CheckConstraint(
                condition=models.Q(discount_percent__gte=0, discount_percent__lte=100),
                name="quote_line_discount_percent",
            ),
            models.CheckConstraint(
                condition=models.Q(vat_rate__gte=0, vat_rate__lte=100),
                name="quote_line_vat_rate_percent",
            ),
        ]

    def __str__(self) -> str:
        return self.name
