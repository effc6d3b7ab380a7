"""A business calendar as plain, frozen data: a time zone, weekly working intervals (breaks
are the gaps between them), holidays and extra working days. Pure Python, no Django.

Intervals are local wall-clock times in whole minutes, `start` inclusive and `end`
exclusive; an `end` of 00:00 means midnight at the end of the day (written "24:00"), so a
night shift is two intervals, 22:00-24:00 and the next day's 00:00-06:00.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from functools import cache
from itertools import pairwise
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

MINUTES_PER_DAY = 24 * 60
WEEKDAYS = range(7)  # Monday = 0, as date.weekday()


class WorktimeError(ValueError):
    """Base of every error of the working-time module."""


class InvalidCalendar(WorktimeError):
    """The calendar's data breaks a rule (unknown zone, a bad interval, a date listed twice)."""


class UnknownTimeZone(InvalidCalendar):
    pass


class InvalidInterval(InvalidCalendar):
    """An interval does not end after it starts, is not in whole minutes, or cannot be read."""


class OverlappingIntervals(InvalidCalendar):
    pass


class NoWorkingHours(InvalidCalendar):
    """The week has no working interval at all: no deadline could ever be reached."""


class NaiveInstant(WorktimeError):
    """An instant without a time zone: which moment it is cannot be known."""


class HorizonExceeded(WorktimeError):
    """The answer lies further than the search horizon (10 years of calendar time)."""


class NotABusinessDay(WorktimeError):
    pass


@dataclass(frozen=True, order=True)
class Interval:
    """One working interval of a day in local wall-clock time; `end` 00:00 is 24:00."""

    start: time
    end: time

    def __post_init__(self) -> None:
        for moment in (self.start, self.end):
            if moment.second or moment.microsecond or moment.tzinfo is not None:
                raise InvalidInterval(f"{moment} is not a whole-minute local time")
        if self.start_minute >= self.end_minute:
            raise InvalidInterval(f"{self} does not end after it starts")

    @property
    def start_minute(self) -> int:
        return self.start.hour * 60 + self.start.minute

    @property
    def end_minute(self) -> int:
        minute = self.end.hour * 60 + self.end.minute
        return minute or MINUTES_PER_DAY

    def __str__(self) -> str:
        return f"{_hhmm(self.start_minute)}-{_hhmm(self.end_minute)}"


IntervalLike = Interval | tuple[time, time]


def _hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _interval(value: IntervalLike) -> Interval:
    return value if isinstance(value, Interval) else Interval(value[0], value[1])


def intervals_normalize(values: Iterable[IntervalLike]) -> tuple[Interval, ...]:
    """Intervals sorted by start; touching ones are kept apart, overlapping ones refused."""
    ordered = sorted(_interval(value) for value in values)
    for before, after in pairwise(ordered):
        if after.start_minute < before.end_minute:
            raise OverlappingIntervals(f"{before} overlaps {after}")
    return tuple(ordered)


_CLOCK = r"(\d{1,2})[:.](\d{2})"
_RANGE = re.compile(rf"^\s*{_CLOCK}\s*[-–—]\s*{_CLOCK}\s*$")


def intervals_parse(text: str) -> tuple[Interval, ...]:
    """Read "09:00-13:00, 14:00-18:00" (en dash, "9.00" and "24:00" accepted); "" is a day off."""
    parts = [part for part in re.split(r"[,;\n]", text) if part.strip()]
    intervals = []
    for part in parts:
        match = _RANGE.match(part)
        if match is None:
            raise InvalidInterval(f"cannot read {part.strip()!r}")
        sh, sm, eh, em = (int(group) for group in match.groups())
        if sh > 23 or sm > 59 or em > 59 or eh > 24 or (eh == 24 and em):
            raise InvalidInterval(f"no such time in {part.strip()!r}")
        intervals.append(Interval(time(sh, sm), time(eh % 24, em)))
    return intervals_normalize(intervals)


def intervals_format(intervals: Iterable[Interval]) -> str:
    return ", ".join(str(interval) for interval in intervals)


MinuteSpans = tuple[tuple[timedelta, timedelta], ...]


def _offsets(intervals: tuple[Interval, ...]) -> MinuteSpans:
    return tuple(
        (timedelta(minutes=i.start_minute), timedelta(minutes=i.end_minute)) for i in intervals
    )


@dataclass(frozen=True)
class CalendarSpec:
    """A calendar's rules. Build it with `CalendarSpec.build(...)`, which validates.

    A date in `working_days` is worked with its own intervals whatever its weekday (a
    transferred working Saturday, a shortened pre-holiday day); a date in `holidays` is
    closed; any other date works its weekday's intervals.
    """

    time_zone: str
    weekly: tuple[tuple[Interval, ...], ...]
    holidays: frozenset[date] = frozenset()
    working_days: tuple[tuple[date, tuple[Interval, ...]], ...] = ()
    zone: ZoneInfo = field(init=False, repr=False, compare=False)
    _weekly_offsets: tuple[MinuteSpans, ...] = field(init=False, repr=False, compare=False)
    _day_intervals: Mapping[date, tuple[Interval, ...]] = field(
        init=False, repr=False, compare=False
    )
    _day_offsets: Mapping[date, MinuteSpans] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        try:
            zone = ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise UnknownTimeZone(f"unknown time zone {self.time_zone!r}") from error
        if len(self.weekly) != 7:
            raise InvalidCalendar("a week has 7 days, Monday first")
        weekly = tuple(intervals_normalize(day) for day in self.weekly)
        if not any(weekly):
            raise NoWorkingHours("the week has no working hours")
        days: dict[date, tuple[Interval, ...]] = {}
        for day, intervals in self.working_days:
            if day in days:
                raise InvalidCalendar(f"{day} is listed twice as a working day")
            if day in self.holidays:
                raise InvalidCalendar(f"{day} is both a holiday and a working day")
            normalized = intervals_normalize(intervals)
            if not normalized:
                raise InvalidCalendar(f"working day {day} has no hours")
            days[day] = normalized
        object.__setattr__(self, "weekly", weekly)
        object.__setattr__(self, "zone", zone)
        object.__setattr__(self, "_weekly_offsets", tuple(_offsets(day) for day in weekly))
        object.__setattr__(self, "working_days", tuple(sorted(days.items())))
        object.__setattr__(self, "_day_intervals", days)
        object.__setattr__(self, "_day_offsets", {d: _offsets(i) for d, i in days.items()})

    @classmethod
    def build(
        cls,
        *,
        time_zone: str,
        weekly: Mapping[int, Iterable[IntervalLike]],
        holidays: Iterable[date] = (),
        working_days: Mapping[date, Iterable[IntervalLike]] | None = None,
    ) -> CalendarSpec:
        """`weekly` maps weekday (Monday = 0) to that day's intervals; missing days are off."""
        if set(weekly) - set(WEEKDAYS):
            raise InvalidCalendar("weekdays are numbered 0 (Monday) to 6 (Sunday)")
        return cls(
            time_zone=time_zone,
            weekly=tuple(tuple(_interval(i) for i in weekly.get(day, ())) for day in WEEKDAYS),
            holidays=frozenset(holidays),
            working_days=tuple(
                sorted(
                    (day, tuple(_interval(i) for i in intervals))
                    for day, intervals in (working_days or {}).items()
                )
            ),
        )

    def hours_on(self, day: date) -> tuple[Interval, ...]:
        """The working intervals of a local date (empty on a day off)."""
        extra = self._day_intervals.get(day)
        if extra is not None:
            return extra
        if day in self.holidays:
            return ()
        return self.weekly[day.weekday()]

    def offsets_on(self, day: date) -> MinuteSpans:
        """`hours_on` as (start, end) offsets from local midnight, for the arithmetic."""
        extra = self._day_offsets.get(day)
        if extra is not None:
            return extra
        if day in self.holidays:
            return ()
        return self._weekly_offsets[day.weekday()]


@cache
def time_zone_names() -> tuple[str, ...]:
    """Every IANA zone name this machine knows, sorted (read once: it walks the tz files)."""
    return tuple(sorted(available_timezones()))
