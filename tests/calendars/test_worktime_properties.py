"""Working-time arithmetic against a slow reference that walks minute by minute.

The reference knows only the rule: a minute is worked when the calendar's wall clock at
its start shows a time inside one of the working intervals of the date it shows. Random
weekly hours with breaks, holidays, extra working days, zones with clock changes (New
York, Sofia, Santiago and Beirut fall back at midnight, Lord Howe moves by 30 minutes,
Goose Bay once fell back across midnight)
and start instants in the weeks around the changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from klient.calendars.worktime import (
    CalendarSpec,
    add_business_time,
    add_business_time_many,
    business_time_between,
    is_open,
    next_opening,
)

ZONES = [
    "Europe/Moscow",
    "Europe/Sofia",
    "America/New_York",
    "America/Santiago",
    "Asia/Beirut",
    "Australia/Lord_Howe",
    "America/Goose_Bay",
    "UTC",
]
# Each window holds a clock change of one or more of the zones within its first 10 days;
# in 1990 Goose Bay fell back from 00:01 to 23:01 of the day before.
WINDOWS = [
    date(2025, 3, 3),
    date(2025, 3, 26),
    date(2025, 9, 2),
    date(2025, 9, 30),
    date(2025, 10, 22),
    date(1990, 10, 24),
]
REFERENCE_DAYS = 14
MINUTE = timedelta(minutes=1)


@dataclass(frozen=True)
class Case:
    zone: str
    weekly: dict[int, list[tuple[int, int]]]  # minutes from midnight, end exclusive
    holidays: frozenset[date]
    working_days: dict[date, list[tuple[int, int]]]
    start: datetime  # UTC, on a whole minute

    def spec(self) -> CalendarSpec:
        return CalendarSpec.build(
            time_zone=self.zone,
            weekly={day: [_times(i) for i in hours] for day, hours in self.weekly.items()},
            holidays=self.holidays,
            working_days={d: [_times(i) for i in hours] for d, hours in self.working_days.items()},
        )


def _times(interval: tuple[int, int]) -> tuple[time, time]:
    start, end = interval
    return time(start // 60, start % 60), time(end // 60 % 24, end % 60)


def reference_is_open(case: Case, instant: datetime) -> bool:
    local = instant.astimezone(ZoneInfo(case.zone))
    day = local.date()
    if day in case.working_days:
        hours = case.working_days[day]
    elif day in case.holidays:
        hours = []
    else:
        hours = case.weekly.get(day.weekday(), [])
    minute = local.hour * 60 + local.minute
    return any(start <= minute < end for start, end in hours)


def reference_minutes(case: Case) -> list[bool]:
    """Whether each minute from the start on is worked, for REFERENCE_DAYS days."""
    return [
        reference_is_open(case, case.start + k * MINUTE) for k in range(REFERENCE_DAYS * 24 * 60)
    ]


def reference_add(case: Case, worked: list[bool], minutes: int) -> datetime:
    if minutes == 0:
        return case.start
    count = 0
    for k, is_worked in enumerate(worked):
        count += is_worked
        if count == minutes:
            return case.start + (k + 1) * MINUTE
    raise AssertionError("beyond the reference window")


@st.composite
def intervals(draw: st.DrawFn, max_breaks: int = 3) -> list[tuple[int, int]]:
    """A day's intervals: sorted distinct cut points on a 5-minute grid, paired up."""
    cuts = sorted(
        draw(st.lists(st.integers(0, 288), unique=True, min_size=0, max_size=2 * max_breaks + 2))
    )
    cuts = [5 * cut for cut in cuts[: len(cuts) // 2 * 2]]
    return list(zip(cuts[::2], cuts[1::2], strict=True))


@st.composite
def cases(draw: st.DrawFn) -> Case:
    weekly = {day: draw(intervals()) for day in range(7)}
    assume(any(weekly.values()))
    window = draw(st.sampled_from(WINDOWS))
    nearby = st.integers(-1, REFERENCE_DAYS + 11).map(lambda k: window + timedelta(days=k))
    holidays = draw(st.frozensets(nearby, max_size=6))
    extra_dates = draw(st.lists(nearby, unique=True, max_size=3))
    working_days = {}
    for day in extra_dates:
        hours = draw(intervals(max_breaks=1))
        if hours and day not in holidays:
            working_days[day] = hours
    start = datetime(window.year, window.month, window.day, tzinfo=UTC) + MINUTE * draw(
        st.integers(0, 7 * 24 * 60)
    )
    return Case(draw(st.sampled_from(ZONES)), weekly, holidays, working_days, start)


@settings(max_examples=60, deadline=None)
@given(case=cases(), fraction=st.floats(0, 1))
def test_adding_minutes_matches_the_reference(case, fraction):
    worked = reference_minutes(case)
    minutes = int(fraction * sum(worked))
    result = add_business_time(case.spec(), case.start, minutes * MINUTE)
    assert result.astimezone(UTC) == reference_add(case, worked, minutes)


@settings(max_examples=60, deadline=None)
@given(case=cases(), length=st.integers(0, REFERENCE_DAYS * 24 * 60))
def test_business_time_between_matches_the_reference(case, length):
    worked = reference_minutes(case)
    end = case.start + length * MINUTE
    assert business_time_between(case.spec(), case.start, end) == sum(worked[:length]) * MINUTE
    assert business_time_between(case.spec(), end, case.start) == -sum(worked[:length]) * MINUTE


@settings(max_examples=60, deadline=None)
@given(case=cases())
def test_next_opening_and_is_open_match_the_reference(case):
    worked = reference_minutes(case)
    assume(any(worked))
    spec = case.spec()
    opening = next_opening(spec, case.start)
    assert opening.astimezone(UTC) == case.start + worked.index(True) * MINUTE
    assert is_open(spec, case.start) == worked[0]


@settings(max_examples=30, deadline=None)
@given(case=cases(), offsets=st.lists(st.tuples(st.integers(0, 20000), st.integers(0, 3000))))
def test_a_batch_gives_what_one_by_one_gives(case, offsets):
    spec = case.spec()
    items = [(case.start + k * MINUTE, minutes * MINUTE) for k, minutes in offsets]
    expected = [add_business_time(spec, start, duration) for start, duration in items]
    assert [r.astimezone(UTC) for r in add_business_time_many(spec, items)] == [
        r.astimezone(UTC) for r in expected
    ]
