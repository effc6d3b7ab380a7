"""`{% load funnel_format %}`: the funnel's numbers as the reader's language writes them
(babel, CLDR): counts "1 234", shares "66,7 %", durations "1,6 дн.", and the bucket a
percentile was read from ("1–2 дн.")."""

from __future__ import annotations

from functools import lru_cache

from babel import Locale
from babel.numbers import format_decimal, format_percent
from django import template
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from klient.core.rollups import DAY, HOUR, Quantile
from klient.money.currencies import babel_locale

register = template.Library()

MINUTE = 60


def _locale() -> str:
    return babel_locale(get_language())


@lru_cache(maxsize=8)
def _percent_pattern(locale: str) -> str:
    pattern = Locale.parse(locale).percent_formats[None].pattern
    return str(pattern).replace("#,##0", "#,##0.0", 1)


def count_text(value: int | None) -> str:
    return "" if value is None else str(format_decimal(value, locale=_locale()))


def share_text(value: float | None) -> str:
    """A share (0..1) as a percentage with one decimal; "—" when there is none."""
    if value is None:
        return "—"
    locale = _locale()
    return str(format_percent(value, format=_percent_pattern(locale), locale=locale))


def duration_text(seconds: float | None) -> str:
    """Minutes under an hour, hours under a day, days beyond; one decimal at most."""
    if seconds is None:
        return "—"
    locale = _locale()
    if seconds < HOUR:
        number = format_decimal(round(seconds / MINUTE), locale=locale)
        return _("%(number)s min") % {"number": number}
    if seconds < DAY:
        number = format_decimal(round(seconds / HOUR, 1), format="#,##0.#", locale=locale)
        return _("%(number)s h") % {"number": number}
    number = format_decimal(round(seconds / DAY, 1), format="#,##0.#", locale=locale)
    return _("%(number)s d") % {"number": number}


def bounds_text(quantile: Quantile | None) -> str:
    """The bucket the value lies in: "1 d – 2 d", or "365 d or more" for the open one."""
    if quantile is None:
        return ""
    if quantile.high is None:
        return _("%(low)s or more") % {"low": duration_text(quantile.low)}
    return _("%(low)s – %(high)s") % {
        "low": duration_text(quantile.low),
        "high": duration_text(quantile.high),
    }


register.filter("funnel_count", count_text)
register.filter("funnel_share", share_text)
register.filter("funnel_duration", duration_text)
register.filter("funnel_bounds", bounds_text)
