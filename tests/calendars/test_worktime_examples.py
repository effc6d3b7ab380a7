"""Working-time arithmetic on hand-worked examples; no database."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from klient.calendars.worktime import (
    CalendarSpec,
    HorizonExceeded,
    InvalidCalendar,
    NaiveInstant,
    NotABusinessDay,
    NoWorkingHours,
    OverlappingIntervals,
    WorktimeError,
    add_business_days,
    add_business_hours,
    add_business_minutes,
    add_business_time,
    add_business_time_many,
    business_day_at,
    business_day_end,
    business_days_between,
    business_minutes_between,
    business_time_between,
    deadline_by_cutoff,
    intervals_format,
    intervals_parse,
    is_business_day,
    is_open,
    next_business_day,
    next_opening,
)

MOSCOW = ZoneInfo("Europe/Moscow")
SOFIA = ZoneInfo("Europe/Sofia")
NEW_YORK = ZoneInfo("America/New_York")
OFFICE = intervals_parse("09:00-13:00, 14:00-18:00")
WEEKDAYS = dict.fromkeys(range(5), OFFICE)


def office(zone: str = "Europe/Moscow", **kwargs: object) -> CalendarSpec:
    return CalendarSpec.build(time_zone=zone, weekly=WEEKDAYS, **kwargs)  # type: ignore[arg-type]


def every_day(zone: str, hours: str) -> CalendarSpec:
    return CalendarSpec.build(
        time_zone=zone, weekly=dict.fromkeys(range(7), intervals_parse(hours))
    )


def msk(*args: int) -> datetime:
    return datetime(*args, tzinfo=MOSCOW)  # type: ignore[misc]


# --- adding working time -------------------------------------------------------------


def test_friday_1730_plus_two_hours_with_a_lunch_break_is_monday_1030():
    assert add_business_hours(office(), msk(2025, 6, 6, 17, 30), 2) == msk(2025, 6, 9, 10, 30)


def test_adding_skips_the_lunch_break():
    assert add_business_minutes(office(), msk(2025, 6, 9, 12, 30), 60) == msk(2025, 6, 9, 14, 30)


def test_the_result_is_the_earliest_instant_so_a_deadline_can_be_the_closing_time():
    assert add_business_minutes(office(), msk(2025, 6, 6, 17, 30), 30) == msk(2025, 6, 6, 18, 0)


def test_adding_zero_returns_the_start_even_when_closed():
    assert add_business_time(office(), msk(2025, 6, 7, 3, 0), timedelta(0)) == msk(2025, 6, 7, 3)


def test_adding_skips_a_holiday():
    # Monday 2026-05-11 is Victory Day (observed) in Russia.
    spec = office(holidays=[date(2026, 5, 11)])
    assert add_business_hours(spec, msk(2026, 5, 8, 17, 0), 3) == msk(2026, 5, 12, 11, 0)


def test_an_extra_working_saturday_is_worked():
    # Saturday 2025-11-01 was a working day in Russia; 3 and 4 November were days off.
    spec = office(
        holidays=[date(2025, 11, 3), date(2025, 11, 4)],
        working_days={date(2025, 11, 1): OFFICE},
    )
    assert add_business_hours(spec, msk(2025, 10, 31, 17, 0), 2) == msk(2025, 11, 1, 10, 0)
    assert add_business_hours(spec, msk(2025, 11, 1, 17, 0), 2) == msk(2025, 11, 5, 10, 0)


def test_a_shortened_working_day_uses_its_own_hours():
    spec = office(working_days={date(2025, 12, 30): intervals_parse("09:00-13:00, 14:00-17:00")})
    assert add_business_hours(spec, msk(2025, 12, 30, 16, 0), 2) == msk(2025, 12, 31, 10, 0)


def test_results_are_in_the_calendars_zone_whatever_the_start_zone():
    start = datetime(2025, 6, 6, 14, 30, tzinfo=UTC)  # 17:30 in Moscow
    result = add_business_hours(office(), start, 2)
    assert (result, result.tzinfo) == (msk(2025, 6, 9, 10, 30), MOSCOW)


def test_many_deadlines_at_once_equal_one_by_one():
    spec = office(holidays=[date(2025, 6, 12)])
    items = [
        (msk(2025, 6, 6, 17, 30), timedelta(hours=2)),
        (msk(2025, 5, 30, 9, 0), timedelta(hours=40)),
        (msk(2025, 6, 11, 12, 0), timedelta(minutes=90)),
        (msk(2025, 6, 7, 12, 0), timedelta(0)),
    ]
    assert add_business_time_many(spec, items) == [
        add_business_time(spec, start, duration) for start, duration in items
    ]
    assert add_business_time_many(spec, items)[2] == msk(2025, 6, 11, 14, 30)


# --- measuring, opening hours --------------------------------------------------------


def test_business_minutes_between_counts_only_working_time():
    spec = office()
    assert business_minutes_between(spec, msk(2025, 6, 6, 17, 30), msk(2025, 6, 9, 10, 30)) == 120
    assert business_minutes_between(spec, msk(2025, 6, 9, 10, 30), msk(2025, 6, 6, 17, 30)) == -120


def test_next_opening_of_a_closed_instant_is_the_next_interval_start():
    spec = office()
    assert next_opening(spec, msk(2025, 6, 7, 11, 0)) == msk(2025, 6, 9, 9, 0)
    assert next_opening(spec, msk(2025, 6, 9, 13, 0)) == msk(2025, 6, 9, 14, 0)


def test_next_opening_of_an_open_instant_is_itself():
    assert next_opening(office(), msk(2025, 6, 9, 9, 0)) == msk(2025, 6, 9, 9, 0)


def test_is_open_excludes_breaks_and_closing_time():
    spec = office()
    assert [
        is_open(spec, msk(2025, 6, 9, h, m)) for h, m in [(8, 59), (9, 0), (13, 0), (18, 0)]
    ] == [
        False,
        True,
        False,
        False,
    ]


def test_business_day_helpers():
    spec = office(holidays=[date(2026, 1, 9)])
    assert not is_business_day(spec, date(2026, 1, 9))
    assert next_business_day(spec, date(2026, 1, 8)) == date(2026, 1, 12)
    assert next_business_day(spec, date(2026, 1, 8), 2) == date(2026, 1, 13)
    assert business_days_between(spec, date(2026, 1, 8), date(2026, 1, 13)) == 2
    assert business_day_end(spec, date(2026, 1, 12)) == msk(2026, 1, 12, 18, 0)
    with pytest.raises(NotABusinessDay):
        business_day_end(spec, date(2026, 1, 10))


def test_business_day_at_a_break_or_after_closing():
    spec = office(working_days={date(2025, 12, 30): intervals_parse("09:00-12:00")})
    assert business_day_at(spec, date(2025, 6, 9), time(13, 15)) == msk(2025, 6, 9, 14, 0)
    assert business_day_at(spec, date(2025, 12, 30), time(15, 0)) == msk(2025, 12, 30, 12, 0)


# --- the service desk's cutoff rule and business days -------------------------------

CUTOFF = {"cutoff": time(14, 0), "next_day_at": time(11, 0)}


@pytest.mark.parametrize(
    ("received", "deadline"),
    [
        (msk(2025, 6, 9, 10, 0), msk(2025, 6, 9, 18, 0)),  # before 14:00: end of the day
        (msk(2025, 6, 9, 15, 0), msk(2025, 6, 10, 11, 0)),  # after: 11:00 next business day
        (msk(2025, 6, 9, 13, 30), msk(2025, 6, 10, 11, 0)),  # lunch: counts from 14:00
        (msk(2025, 6, 9, 7, 0), msk(2025, 6, 9, 18, 0)),  # before opening: counts from 09:00
        (msk(2025, 6, 6, 16, 0), msk(2025, 6, 9, 11, 0)),  # Friday afternoon: Monday 11:00
        (msk(2025, 6, 7, 12, 0), msk(2025, 6, 9, 18, 0)),  # Saturday: Monday's opening
        (msk(2025, 6, 11, 15, 0), msk(2025, 6, 13, 11, 0)),  # Thursday 12 June is a holiday
    ],
)
def test_cutoff_rule(received, deadline):
    spec = office(holidays=[date(2025, 6, 12)])
    assert deadline_by_cutoff(spec, received, **CUTOFF) == deadline


def test_three_business_days_count_from_receipt_at_the_same_time():
    spec = office()
    assert add_business_days(spec, msk(2025, 6, 11, 10, 0), 3) == msk(2025, 6, 16, 10, 0)


def test_business_days_from_a_weekend_count_from_the_next_opening():
    assert add_business_days(office(), msk(2025, 6, 7, 12, 0), 3) == msk(2025, 6, 12, 9, 0)


def test_business_days_are_counted_in_the_calendars_zone():
    # 23:30 UTC on Monday is already Tuesday 02:30 in Moscow: counts from Tuesday 09:00.
    received = datetime(2025, 6, 9, 23, 30, tzinfo=UTC)
    assert add_business_days(office(), received, 3) == msk(2025, 6, 13, 9, 0)


# --- clock changes ---------------------------------------------------------------------


def test_office_hours_are_unchanged_across_sofias_spring_weekend():
    # Sofia moves 03:00 -> 04:00 on Sunday 2025-03-30.
    result = add_business_hours(
        office("Europe/Sofia"), datetime(2025, 3, 28, 17, 0, tzinfo=SOFIA), 2
    )
    assert result == datetime(2025, 3, 31, 10, 0, tzinfo=SOFIA)
    assert result.utcoffset() == timedelta(hours=3)


def test_a_24_hour_calendar_has_a_23_hour_day_in_spring_in_sofia():
    spec = every_day("Europe/Sofia", "00:00-24:00")
    day = datetime(2025, 3, 30, tzinfo=SOFIA)
    assert business_time_between(spec, day, day + timedelta(days=1)) == timedelta(hours=23)
    assert add_business_hours(spec, datetime(2025, 3, 29, 12, tzinfo=SOFIA), 24) == datetime(
        2025, 3, 30, 13, tzinfo=SOFIA
    )


def test_an_interval_across_sofias_changes_is_measured_in_real_time():
    spec = every_day("Europe/Sofia", "02:00-05:00")
    spring, autumn = datetime(2025, 3, 30, tzinfo=SOFIA), datetime(2025, 10, 26, tzinfo=SOFIA)
    assert business_time_between(spec, spring, spring + timedelta(days=1)) == timedelta(hours=2)
    assert business_time_between(spec, autumn, autumn + timedelta(days=1)) == timedelta(hours=4)


def test_new_york_autumn_repeated_hour_is_worked_twice():
    # 2025-11-02: 02:00 EDT -> 01:00 EST. 00:00-01:30 is worked 90 + 30 minutes.
    spec = every_day("America/New_York", "00:00-01:30")
    day = datetime(2025, 11, 2, tzinfo=NEW_YORK)
    assert business_time_between(spec, day, day + timedelta(days=1)) == timedelta(minutes=120)
    first_0145 = datetime(2025, 11, 2, 5, 45, tzinfo=UTC)  # 01:45 EDT
    opening = next_opening(spec, first_0145)
    # Compared in UTC: Python never finds a fold=1 time equal to another zone's time.
    assert opening.astimezone(UTC) == datetime(2025, 11, 2, 6, 0, tzinfo=UTC)
    assert (opening.hour, opening.minute, opening.fold) == (1, 0, 1)


def test_new_york_spring_skipped_time_opens_at_the_jump():
    # 2025-03-09: 02:00 EST -> 03:00 EDT. An interval 02:30-04:00 opens at 03:00.
    spec = every_day("America/New_York", "02:30-04:00")
    day = datetime(2025, 3, 9, tzinfo=NEW_YORK)
    assert next_opening(spec, day) == datetime(2025, 3, 9, 3, 0, tzinfo=NEW_YORK)
    assert business_time_between(spec, day, day + timedelta(days=1)) == timedelta(hours=1)


def test_a_fall_back_across_midnight_shows_the_previous_date_again():
    # 1990-10-28 00:01 ADT Goose Bay fell back to 23:01 AST of the 27th.
    spec = every_day("America/Goose_Bay", "00:00-00:01, 23:30-24:00")
    zone = ZoneInfo("America/Goose_Bay")
    start = datetime(1990, 10, 27, 23, 30, tzinfo=zone)
    assert add_business_minutes(spec, start, 31).astimezone(UTC) == datetime(
        1990, 10, 28, 3, 1, tzinfo=UTC
    )  # 00:01 ADT, before the repeated 23:01-24:00
    assert business_time_between(spec, start, start + timedelta(hours=4)) == timedelta(minutes=62)


def test_moscow_has_no_clock_change():
    spec = every_day("Europe/Moscow", "00:00-24:00")
    day = msk(2025, 3, 30)
    assert business_time_between(spec, day, day + timedelta(days=1)) == timedelta(hours=24)


# --- refused input --------------------------------------------------------------------


def test_a_calendar_with_no_working_hours_is_refused():
    with pytest.raises(NoWorkingHours):
        CalendarSpec.build(time_zone="Europe/Moscow", weekly={})


def test_overlapping_intervals_are_refused():
    with pytest.raises(OverlappingIntervals):
        CalendarSpec.build(time_zone="UTC", weekly={0: intervals_parse("09:00-13:00, 12:00-18:00")})


@pytest.mark.parametrize("text", ["18:00-09:00", "9-13", "09:00-25:00", "10:00-10:00"])
def test_unreadable_or_backwards_intervals_are_refused(text):
    with pytest.raises(InvalidCalendar):
        intervals_parse(text)


def test_intervals_parse_accepts_dashes_dots_and_midnight():
    intervals = intervals_parse("9.00–13:00; 14:00-24:00")
    assert intervals_format(intervals) == "09:00-13:00, 14:00-24:00"


def test_unknown_time_zone_and_date_both_holiday_and_working_are_refused():
    with pytest.raises(InvalidCalendar):
        office("Mars/Olympus")
    with pytest.raises(InvalidCalendar):
        office(holidays=[date(2025, 1, 1)], working_days={date(2025, 1, 1): OFFICE})


def test_a_naive_instant_is_refused():
    with pytest.raises(NaiveInstant):
        add_business_hours(office(), datetime(2025, 6, 9, 10, 0), 1)


def test_a_negative_duration_is_refused():
    with pytest.raises(WorktimeError):
        add_business_time(office(), msk(2025, 6, 9, 10), timedelta(minutes=-1))


def test_no_search_goes_past_the_ten_year_horizon():
    start = date(2025, 1, 1)
    closed = [start + timedelta(days=k) for k in range(11 * 366)]
    with pytest.raises(HorizonExceeded):
        next_opening(office(holidays=closed), msk(2025, 1, 1))
    with pytest.raises(HorizonExceeded):
        add_business_hours(office(), msk(2025, 1, 1), 10**6)
