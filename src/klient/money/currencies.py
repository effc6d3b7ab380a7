"""The currencies Klient supports, with their ISO 4217 minor units, and the locale mapping.

Adding a currency is one line in `MINOR_UNITS`: its ISO 4217 code and the number of
digits after the decimal point (ISO 4217 "minor unit"). Names and symbols come from
babel's CLDR data in the reader's language.
"""

from __future__ import annotations

from babel import Locale, UnknownLocaleError
from babel.numbers import get_currency_name
from django.utils.translation import to_locale

from klient.money.errors import UnsupportedCurrency

# ISO 4217 code -> minor units. BGN stays after Bulgaria's move to the euro (2026-01-01):
# amounts and rates from before the switch are still kept and converted in it.
MINOR_UNITS: dict[str, int] = {
    "RUB": 2,
    "BGN": 2,
    "EUR": 2,
    "USD": 2,
    "GBP": 2,
    "CHF": 2,
    "CNY": 2,
    "TRY": 2,
    "KZT": 2,
    "UAH": 2,
    "BYN": 2,
    "JPY": 0,
}

SUPPORTED_CURRENCIES: tuple[str, ...] = tuple(sorted(MINOR_UNITS))

FALLBACK_LOCALE = "en"


def currency_check(code: object) -> str:
    """The code if Klient supports it (exact upper-case ISO 4217), else UnsupportedCurrency."""
    if not isinstance(code, str) or code not in MINOR_UNITS:
        raise UnsupportedCurrency(code)
    return code


def minor_units(code: str) -> int:
    return MINOR_UNITS[currency_check(code)]


def babel_locale(language: str | None) -> str:
    """Django's language code ("ru", "en-us") as a babel locale ("ru", "en_US"); "en" if unknown."""
    if not language:
        return FALLBACK_LOCALE
    name = to_locale(language)
    try:
        Locale.parse(name)
    except (UnknownLocaleError, ValueError):
        return FALLBACK_LOCALE
    return name


def currency_name(code: str, *, language: str | None) -> str:
    """The currency's name in the language ("российский рубль", "Euro")."""
    return str(get_currency_name(code, locale=babel_locale(language)))


def currency_choices(*, language: str | None) -> list[tuple[str, str]]:
    """(code, "CODE — name") for a select, ordered by code."""
    return [
        (code, f"{code} — {currency_name(code, language=language)}")
        for code in SUPPORTED_CURRENCIES
    ]
