"""A country's public holidays and its weekend days worked by decree, from the `holidays`
package (offline, pure Python). No Django.

For Russia the package carries the government's yearly transfers: the holidays moved to
other dates ("Day off (substituted from 01/03/2026)") and the Saturdays worked instead
(`weekend_workdays`, e.g. 2025-11-01). It does not carry Russia's shortened pre-holiday
days (one hour less); add those as working days with their own hours. For Bulgaria it has
the holidays and the days off moved from a weekend, and no worked Saturdays.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import holidays

from klient.calendars.spec import WorktimeError

# ISO country code -> the languages the package names that country's holidays in.
COUNTRY_LANGUAGES = {"RU": {"en": "en_US", "ru": "ru"}, "BG": {"en": "en_US", "bg": "bg"}}


class UnknownCountry(WorktimeError):
    pass


@dataclass(frozen=True)
class PublicDay:
    day: date
    is_holiday: bool  # False: a weekend day worked by decree
    name: str


def public_days(country: str, years: Iterable[int], language: str = "") -> list[PublicDay]:
    """Holidays and worked weekend days of `country` ("RU", "BG") in `years`, by date.

    Holiday names are in `language` ("en", "ru", "bg") when the package has it, else in
    the country's own language; a worked weekend day has no name of its own.
    """
    if country not in COUNTRY_LANGUAGES:
        raise UnknownCountry(f"no public holidays for {country!r}")
    table = holidays.country_holidays(
        country,
        years=sorted(set(years)),
        language=COUNTRY_LANGUAGES[country].get(language),
    )
    days = [PublicDay(day, True, name) for day, name in table.items()]
    days += [PublicDay(day, False, "") for day in table.weekend_workdays]
    return sorted(days, key=lambda public_day: public_day.day)
