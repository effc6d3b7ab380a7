"""Working-time arithmetic on a business calendar: pure Python, no Django, no database.

The rule: an instant is *working time* when the wall clock in the calendar's zone shows a
time inside one of the working intervals of the date the wall clock shows. Everything
else follows from it, and every duration is real elapsed time:

- On a day the clocks go forward, a wall-clock time that does not exist is never shown:
  hours 01:00-04:00 on a day that jumps from 02:00 to 03:00 give 2 real hours, and an
  interval 02:30-04:00 opens at the jump (03:00).
- On a day the clocks go back, the repeated wall-clock times are worked twice: hours
  00:00-03:00 on a day that falls back from 02:00 to 01:00 give 4 real hours. An interval
  that ends inside the repeated hour (00:00-01:30) is worked from 00:00 to the first
  01:30, then again from the second 01:00 to the second 01:30.
- Hours that do not touch the change (09:00-18:00) are the same 9 hours as on any day.

Internally each local date's intervals become UTC spans: the date's window is cut where
the zone's offset changes (found by bisection, only on the days that change), and each
interval is mapped through each piece's offset. The work is O(days spanned), and a batch
shares one list of spans with running totals, so each of its answers costs O(log spans).
No answer is searched further than `HORIZON` (10 years) from its start.

`add_*` return the *earliest* instant by which the duration has elapsed: Friday 17:30 + 30
business minutes, closing at 18:00, is Friday 18:00, not Monday's opening. Adding zero
returns the start itself; a request received outside working hours that should count from
the next opening is `next_opening` first.
"""

from __future__ import annotations

import heapq
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from klient.calendars.spec import (
    CalendarSpec,
    HorizonExceeded,
    Interval,
    InvalidCalendar,
    InvalidInterval,
    MinuteSpans,
    NaiveInstant,
    NotABusinessDay,
    NoWorkingHours,
    OverlappingIntervals,
    UnknownTimeZone,
    WorktimeError,
    intervals_format,
    intervals_parse,
)

__all__ = [
    "HORIZON",
    "CalendarSpec",
    "HorizonExceeded",
    "Interval",
    "InvalidCalendar",
    "InvalidInterval",
    "NaiveInstant",
    "NoWorkingHours",
    "NotABusinessDay",
    "OverlappingIntervals",
    "UnknownTimeZone",
    "WorktimeError",
    "add_business_days",
    "add_business_hours",
    "add_business_minutes",
    "add_business_time",
    "add_business_time_many",
    "business_day_at",
    "business_day_end",
    "business_day_start",
    "business_days_between",
    "business_minutes_between",
    "business_time_between",
    "business_time_between_many",
    "deadline_by_cutoff",
    "intervals_format",
    "intervals_parse",
    "is_business_day",
    "is_open",
    "local_date",
    "next_business_day",
    "next_opening",
]

HORIZON = timedelta(days=3653)
_DAY = timedelta(days=1)
_ZERO = timedelta(0)
_MINUTE = timedelta(minutes=1)
# Real UTC offsets lie within -12:00..+14:00; a date's instants start no earlier than its
# midnight minus this.
_MAX_OFFSET = timedelta(hours=15)

Span = tuple[datetime, datetime]


def _utc(instant: datetime) -> datetime:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise NaiveInstant(f"{instant} has no time zone")
    return instant.astimezone(UTC)


def _wall_midnight(day: date) -> datetime:
    """The date's local midnight written as UTC: minus an offset, it is a real instant."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _offset(zone: ZoneInfo, instant: datetime) -> timedelta:
    offset = instant.astimezone(zone).utcoffset()
    assert offset is not None
    return offset


def _first_change(zone: ZoneInfo, lo: datetime, hi: datetime, before: timedelta) -> datetime:
    """The first instant in (lo, hi], to the second, whose offset is not `before`."""
    low, high = 0, int((hi - lo).total_seconds())
    while high - low > 1:
        middle = (low + high) // 2
        if _offset(zone, lo + timedelta(seconds=middle)) == before:
            low = middle
        else:
            high = middle
    return lo + timedelta(seconds=high)


def _offset_pieces(
    zone: ZoneInfo, lo: datetime, hi: datetime
) -> list[tuple[datetime, datetime, timedelta]]:
    """[lo, hi) cut where the zone's offset changes, each piece with its offset. Probes the
    ends and the middle: no real zone changes its offset twice within 1.5 days."""
    pieces = []
    start, offset, left = lo, _offset(zone, lo), lo
    for probe in (lo + (hi - lo) / 2, hi):
        if _offset(zone, probe) != offset:
            change = _first_change(zone, left, probe, offset)
            pieces.append((start, change, offset))
            start, offset = change, _offset(zone, change)
        left = probe
    pieces.append((start, hi, offset))
    return pieces


def _day_spans(zone: ZoneInfo, day: date, offsets: MinuteSpans) -> list[Span]:
    """The UTC spans in which the wall clock shows `day` inside one of `offsets`."""
    if not offsets:
        return []
    midnight = _wall_midnight(day)
    pieces = _offset_pieces(zone, midnight - _DAY, midnight + 2 * _DAY)
    spans = []
    for start, end in offsets:
        for piece_start, piece_end, offset in pieces:
            lo = max(midnight + start - offset, piece_start)
            hi = min(midnight + end - offset, piece_end)
            if lo < hi:
                spans.append((lo, hi))
    spans.sort()
    return spans


def _open_spans(spec: CalendarSpec, since: datetime, until: datetime) -> Iterator[Span]:
    """Working spans in time order, clipped to start at `since`, day by day up to `until`.

    A date's spans can come after the next date's (a zone falling back at midnight shows
    the previous date again), so spans wait in a heap until no later date can precede them.
    """
    day = (since - _DAY).date()
    waiting: list[Span] = []
    while _wall_midnight(day) - _DAY <= until:
        for span in _day_spans(spec.zone, day, spec.offsets_on(day)):
            heapq.heappush(waiting, span)
        day += _DAY
        while waiting and waiting[0][0] < _wall_midnight(day) - _MAX_OFFSET:
            start, end = heapq.heappop(waiting)
            if end > since:
                yield max(start, since), end
    while waiting:
        start, end = heapq.heappop(waiting)
        if end > since:
            yield max(start, since), end


class _Timeline:
    """The working spans from `since` on, pulled lazily, with running totals of work."""

    def __init__(self, spec: CalendarSpec, since: datetime, until: datetime) -> None:
        self._spans = _open_spans(spec, since, until)
        self._since, self._until = since, until
        self._starts: list[datetime] = []
        self._ends: list[datetime] = []
        self._totals: list[timedelta] = [_ZERO]  # work in the first k spans

    def _pull(self) -> bool:
        span = next(self._spans, None)
        if span is None:
            return False
        self._starts.append(span[0])
        self._ends.append(span[1])
        self._totals.append(self._totals[-1] + span[1] - span[0])
        return True

    def elapsed(self, instant: datetime) -> timedelta:
        """Working time from `since` to `instant`."""
        if not self._since <= instant <= self._until:
            raise HorizonExceeded(f"{instant} is outside the searched range")
        while (not self._ends or self._ends[-1] < instant) and self._pull():
            pass
        k = bisect_right(self._ends, instant)
        total = self._totals[k]
        if k < len(self._starts) and self._starts[k] < instant:
            total += instant - self._starts[k]
        return total

    def instant_at(self, elapsed: timedelta) -> datetime:
        """The earliest instant by which `elapsed` (> 0) working time has passed since `since`."""
        while self._totals[-1] < elapsed:
            if not self._pull():
                raise HorizonExceeded("no such working time within the horizon")
        k = bisect_left(self._totals, elapsed, lo=1)
        return self._starts[k - 1] + (elapsed - self._totals[k - 1])

    def opening_from(self, instant: datetime) -> datetime:
        while not self._ends or self._ends[-1] <= instant:
            if not self._pull():
                raise HorizonExceeded("no opening within the horizon")
        k = bisect_right(self._ends, instant)
        return max(self._starts[k], instant)


def _duration_check(duration: timedelta) -> None:
    if duration < _ZERO:
        raise WorktimeError("a duration to add cannot be negative")


def local_date(spec: CalendarSpec, instant: datetime) -> date:
    """The date the calendar's wall clock shows at `instant`."""
    return _utc(instant).astimezone(spec.zone).date()


def is_open(spec: CalendarSpec, instant: datetime) -> bool:
    local = _utc(instant).astimezone(spec.zone)
    clock = timedelta(
        hours=local.hour, minutes=local.minute, seconds=local.second, microseconds=local.microsecond
    )
    return any(start <= clock < end for start, end in spec.offsets_on(local.date()))


def next_opening(spec: CalendarSpec, instant: datetime) -> datetime:
    """`instant` itself when it is working time, else the start of the next working span."""
    start = _utc(instant)
    return _Timeline(spec, start, start + HORIZON).opening_from(start).astimezone(spec.zone)


def add_business_time(spec: CalendarSpec, start: datetime, duration: timedelta) -> datetime:
    """The earliest instant by which `duration` of working time has passed since `start`."""
    _duration_check(duration)
    begin = _utc(start)
    if not duration:
        return begin.astimezone(spec.zone)
    return _Timeline(spec, begin, begin + HORIZON).instant_at(duration).astimezone(spec.zone)


def add_business_minutes(spec: CalendarSpec, start: datetime, minutes: int) -> datetime:
    return add_business_time(spec, start, timedelta(minutes=minutes))


def add_business_hours(spec: CalendarSpec, start: datetime, hours: int) -> datetime:
    return add_business_time(spec, start, timedelta(hours=hours))


def add_business_time_many(
    spec: CalendarSpec, items: Iterable[tuple[datetime, timedelta]]
) -> list[datetime]:
    """`add_business_time` for many (start, duration) pairs at once, in their order; the
    calendar's spans are computed once for all of them (deadline recomputes)."""
    pairs = [(_utc(start), duration) for start, duration in items]
    for _, duration in pairs:
        _duration_check(duration)
    if not pairs:
        return []
    starts = [begin for begin, _ in pairs]
    line = _Timeline(spec, min(starts), max(starts) + HORIZON)
    return [
        (line.instant_at(line.elapsed(begin) + duration) if duration else begin).astimezone(
            spec.zone
        )
        for begin, duration in pairs
    ]


def business_time_between(spec: CalendarSpec, a: datetime, b: datetime) -> timedelta:
    """Working time from `a` to `b`; negative when `b` is before `a`."""
    return business_time_between_many(spec, [(a, b)])[0]


def business_minutes_between(spec: CalendarSpec, a: datetime, b: datetime) -> int:
    """`business_time_between` in whole minutes, rounded towards zero."""
    between = business_time_between(spec, a, b)
    whole = abs(between) // _MINUTE
    return whole if between >= _ZERO else -whole


def business_time_between_many(
    spec: CalendarSpec, pairs: Iterable[tuple[datetime, datetime]]
) -> list[timedelta]:
    """`business_time_between` for many (a, b) pairs, sharing one computation of spans."""
    utc_pairs = [(_utc(a), _utc(b)) for a, b in pairs]
    if not utc_pairs:
        return []
    instants = [instant for pair in utc_pairs for instant in pair]
    line = _Timeline(spec, min(instants), max(instants))
    return [line.elapsed(b) - line.elapsed(a) for a, b in utc_pairs]


def is_business_day(spec: CalendarSpec, day: date) -> bool:
    return bool(spec.offsets_on(day))


def next_business_day(spec: CalendarSpec, day: date, n: int = 1) -> date:
    """The `n`-th business day after `day` (n >= 1)."""
    if n < 1:
        raise WorktimeError("n counts business days after the date, from 1")
    for _ in range(HORIZON.days):
        day += _DAY
        if spec.offsets_on(day):
            n -= 1
            if not n:
                return day
    raise HorizonExceeded("no such business day within the horizon")


def business_days_between(spec: CalendarSpec, start: date, end: date) -> int:
    """How many business days follow `start` up to `end` included; negative backwards."""
    first, last = sorted((start, end))
    count = sum(1 for k in range(1, (last - first).days + 1) if spec.offsets_on(first + k * _DAY))
    return count if start <= end else -count


def _spans_of(spec: CalendarSpec, day: date) -> list[Span]:
    spans = _day_spans(spec.zone, day, spec.offsets_on(day))
    if not spans:
        raise NotABusinessDay(f"{day} is not a business day")
    return spans


def business_day_start(spec: CalendarSpec, day: date) -> datetime:
    """The first opening of a business day (NotABusinessDay on a day off)."""
    return _spans_of(spec, day)[0][0].astimezone(spec.zone)


def business_day_end(spec: CalendarSpec, day: date) -> datetime:
    """The last closing of a business day (NotABusinessDay on a day off)."""
    return _spans_of(spec, day)[-1][1].astimezone(spec.zone)


def business_day_at(spec: CalendarSpec, day: date, at: time) -> datetime:
    """The first working instant of `day` at or after wall-clock `at` (after a break when
    `at` falls in one); the day's end when it closes before `at`."""
    clock = timedelta(
        hours=at.hour, minutes=at.minute, seconds=at.second, microseconds=at.microsecond
    )
    if not spec.offsets_on(day):
        raise NotABusinessDay(f"{day} is not a business day")
    later = tuple((max(start, clock), end) for start, end in spec.offsets_on(day) if end > clock)
    spans = _day_spans(spec.zone, day, later)
    if spans:
        return spans[0][0].astimezone(spec.zone)
    return business_day_end(spec, day)


def add_business_days(spec: CalendarSpec, start: datetime, days: int) -> datetime:
    """The same wall-clock time `days` business days later, counted from the next opening
    at or after `start` (Monday 10:00 + 3 = Thursday 10:00; Saturday + 3 = Thursday's
    opening). On a target day closed at that time: its next opening that day, or its end."""
    if days < 0:
        raise WorktimeError("business days to add cannot be negative")
    opening = next_opening(spec, start)
    if not days:
        return opening
    target = next_business_day(spec, opening.date(), days)
    return business_day_at(spec, target, opening.time())


def deadline_by_cutoff(
    spec: CalendarSpec, received: datetime, *, cutoff: time, next_day_at: time
) -> datetime:
    """The cutoff rule: received (counted from the next opening) before `cutoff` - the end
    of that business day; at or after it - `next_day_at` on the next business day."""
    opening = next_opening(spec, received)
    if opening.time() < cutoff:
        return business_day_end(spec, opening.date())
    return business_day_at(spec, next_business_day(spec, opening.date()), next_day_at)
