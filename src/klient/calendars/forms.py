"""Forms of the calendars page: they read input only; the rules live in services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from klient.calendars.models import CalendarException, Weekday
from klient.calendars.spec import (
    Interval,
    InvalidCalendar,
    OverlappingIntervals,
    intervals_format,
    intervals_parse,
    time_zone_names,
)

COUNTRIES = {"RU": _("Russia"), "BG": _("Bulgaria")}


class HoursField(forms.Field):
    """A day's intervals written as "09:00-13:00, 14:00-18:00"."""

    widget = forms.TextInput(attrs={"autocomplete": "off"})

    def to_python(self, value: Any) -> tuple[Interval, ...]:
        try:
            return intervals_parse(value or "")
        except OverlappingIntervals as error:
            raise ValidationError(_("Working intervals overlap.")) from error
        except InvalidCalendar as error:
            raise ValidationError(
                _("Write each interval as 09:00-13:00, ending after it starts.")
            ) from error

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, tuple | list):
            return intervals_format(value)
        return value


def weekday_field_name(day: int) -> str:
    return f"weekday_{day}"


class WeekForm(forms.Form):
    """One field per weekday, named like the services' error keys (`weekday_0`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for day, label in Weekday.choices:
            self.fields[weekday_field_name(day)] = HoursField(label=label, required=False)

    def weekly(self) -> dict[int, tuple[Interval, ...]]:
        return {day: self.cleaned_data[weekday_field_name(day)] for day in range(7)}


class CalendarForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    time_zone = forms.ChoiceField(label=_("Time zone"))
    is_default = forms.BooleanField(
        label=_("Default calendar"),
        required=False,
        help_text=_("Used where no other calendar is chosen."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = [(z, z) for z in time_zone_names()]  # type: ignore[attr-defined]


class CalendarCreateForm(CalendarForm, WeekForm):
    pass


class ExceptionForm(forms.Form):
    date = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=CalendarException.Kind.choices)
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    hours = HoursField(
        label=_("Hours of a working day"),
        required=False,
        help_text=_("Empty: the calendar's usual working day."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Its own ids: the calendar page also has the calendar's form with a "name".
        kwargs.setdefault("auto_id", "exception_%s")
        super().__init__(*args, **kwargs)


class PublicHolidaysForm(forms.Form):
    country = forms.ChoiceField(label=_("Country"), choices=list(COUNTRIES.items()))
    year_from = forms.IntegerField(label=_("From year"), min_value=1990, max_value=2100)
    year_to = forms.IntegerField(label=_("To year"), min_value=1990, max_value=2100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "holidays_%s")
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("year_from") and data.get("year_to") and data["year_to"] < data["year_from"]:
            self.add_error("year_to", _("The last year cannot come before the first."))
        return data

    def years(self) -> range:
        return range(self.cleaned_data["year_from"], self.cleaned_data["year_to"] + 1)
