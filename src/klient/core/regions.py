"""Phone regions: where a phone number written without a country code is read.

The codes are phonenumbers' (ISO 3166-1 alpha-2 regions it has numbering plans for);
the names come from babel's CLDR data in the reader's language.
"""

from __future__ import annotations

from functools import cache

import phonenumbers
from babel import Locale, UnknownLocaleError
from django.utils.translation import to_locale

PHONE_REGIONS: frozenset[str] = frozenset(phonenumbers.SUPPORTED_REGIONS)


def is_phone_region(code: object) -> bool:
    return isinstance(code, str) and code in PHONE_REGIONS


@cache
def _choices(language: str) -> tuple[tuple[str, str], ...]:
    try:
        names = Locale.parse(to_locale(language)).territories
    except (UnknownLocaleError, ValueError):
        names = Locale.parse("en").territories
    labelled = [
        (code, f"{names.get(code, code)} (+{phonenumbers.country_code_for_region(code)})")
        for code in PHONE_REGIONS
    ]
    return tuple(sorted(labelled, key=lambda choice: choice[1].casefold()))


def phone_region_choices(*, language: str | None) -> list[tuple[str, str]]:
    """(code, "Bulgaria (+359)") for a select, by name in the language."""
    return list(_choices(language or "en"))
