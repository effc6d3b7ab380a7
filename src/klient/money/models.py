"""Exchange rates of a workspace. What a row means and which row applies: klient.money.rates."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from klient.core.models import User, Workspace
from klient.money.rates import RATE_DECIMAL_PLACES, RATE_MAX_DIGITS


class ExchangeRate(models.Model):
    """1 `quote` is worth `rate` `base` from `valid_on` on (base RUB, quote EUR, 98.5)."""

    class Source(models.TextChoices):
        MANUAL = "manual", _("Entered by hand")
        FILE = "file", _("Imported from a file")

    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="exchange_rates"
    )
    base = models.CharField(_("base currency"), max_length=3)
    quote = models.CharField(_("currency"), max_length=3)
    rate = models.DecimalField(
        _("rate"), max_digits=RATE_MAX_DIGITS, decimal_places=RATE_DECIMAL_PLACES
    )
    valid_on = models.DateField(_("valid from"))
    source = models.CharField(
        _("source"), max_length=8, choices=Source.choices, default=Source.MANUAL
    )
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            # Also the index of the rule's lookup: (workspace, base, quote, valid_on <= D).
            models.UniqueConstraint(
                fields=["workspace", "base", "quote", "valid_on"],
                name="exchange_rate_unique_day",
            ),
            models.CheckConstraint(condition=models.Q(rate__gt=0), name="exchange_rate_positive"),
            models.CheckConstraint(
                condition=~models.Q(base=models.F("quote")), name="exchange_rate_two_currencies"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.valid_on}: 1 {self.quote} = {self.rate} {self.base}"
