"""Money's domain errors: each is a typed 4xx in the API and a message in the UI."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils.translation import gettext_lazy as _

from klient.core.errors import KlientError, ValidationFailed


class UnsupportedCurrency(ValidationFailed):
    code = "unsupported_currency"
    default_message = _("This currency is not supported.")

    def __init__(self, currency: object) -> None:
        super().__init__(
            _("Currency “%(currency)s” is not supported.") % {"currency": currency},
            fields={"currency": _("Unsupported currency.")},
        )
        self.currency = currency


class CurrencyMismatch(KlientError):
    """Two amounts in different currencies met in one sum or comparison."""

    code = "currency_mismatch"
    status = 422
    default_message = _("Amounts in different currencies cannot be combined.")

    def __init__(self, left: str, right: str) -> None:
        super().__init__(
            _("Amounts in %(left)s and %(right)s cannot be combined without a conversion.")
            % {"left": left, "right": right}
        )
        self.currencies = (left, right)


class InvalidAmount(ValidationFailed):
    """An amount that is not a finite number, or a user's entry that does not read as one."""

    code = "invalid_amount"
    default_message = _("This is not a valid amount.")

    def __init__(self, message: Any = None, *, field: str = "amount") -> None:
        message = message if message is not None else self.default_message
        super().__init__(message, fields={field: message})


class InvalidVatRate(ValidationFailed):
    code = "invalid_vat_rate"
    default_message = _("A VAT rate is a percentage from 0 to 100.")

    def __init__(self) -> None:
        super().__init__(fields={"vat_rate": self.default_message})


class RateNotFound(KlientError):
    """No exchange rate for the pair on or before the date (see docs/money.md, the rate rule)."""

    code = "rate_not_found"
    status = 422
    default_message = _("No exchange rate for this conversion.")

    def __init__(self, source: str, target: str, on: date) -> None:
        super().__init__(
            _("No rate for %(source)s→%(target)s on or before %(date)s.")
            % {"source": source, "target": target, "date": on.isoformat()}
        )
        self.source, self.target, self.on = source, target, on


class RatesFileInvalid(ValidationFailed):
    """A rates file with errors: nothing of it was stored. `rows` lists (line, message)."""

    code = "rates_file_invalid"
    default_message = _(
        "The file was not imported because some rows have errors; nothing was saved."
    )

    def __init__(self, rows: list[tuple[int, str]]) -> None:
        super().__init__(fields={"file": self.default_message})
        self.rows = rows

    def as_dict(self) -> dict[str, Any]:
        return {**super().as_dict(), "rows": [{"line": n, "error": e} for n, e in self.rows]}
