"""Calendar writes, public holiday loading and the pure spec built from the rows."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from klient.calendars import services
from klient.calendars.demo import demo_calendars_create
from klient.calendars.models import BusinessCalendar, CalendarException, WorkingHours
from klient.calendars.selectors import calendar_spec_get
from klient.calendars.spec import intervals_parse
from klient.calendars.worktime import add_business_hours, is_business_day
from klient.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from klient.core.models import AuditEvent

OFFICE = intervals_parse("09:00-13:00, 14:00-18:00")
WEEK = dict.fromkeys(range(5), OFFICE)
MOSCOW = ZoneInfo("Europe/Moscow")


@pytest.fixture
def calendar(workspace, admin):
    return services.calendar_create(
        workspace=workspace, name="Office", time_zone="Europe/Moscow", weekly=WEEK, actor=admin
    )


def _dates(calendar, kind):
    return set(calendar.exceptions.filter(kind=kind).values_list("date", flat=True))


def test_create_stores_the_week_with_breaks_and_is_audited(calendar, admin):
    rows = WorkingHours.objects.filter(calendar=calendar, weekday=0)
    assert [(r.start, r.end) for r in rows] == [(time(9), time(13)), (time(14), time(18))]
    assert WorkingHours.objects.filter(calendar=calendar).count() == 10
    event = AuditEvent.objects.get(action="calendar.create", object_id=calendar.pk)
    assert (event.actor, event.changes["weekday_0"]) == (admin, [None, "09:00-13:00, 14:00-18:00"])


def test_the_first_calendar_becomes_the_default(calendar):
    assert calendar.is_default


def test_a_calendar_with_no_working_hours_is_refused(workspace, admin):
    with pytest.raises(ValidationFailed):
        services.calendar_create(
            workspace=workspace, name="Empty", time_zone="UTC", weekly={}, actor=admin
        )
    assert not BusinessCalendar.objects.exists()


def test_overlapping_hours_are_refused_on_their_weekday(calendar, admin):
    overlapping = {**WEEK, 2: intervals_parse("09:00-13:00")[:1] + intervals_parse("12:00-18:00")}
    with pytest.raises(ValidationFailed) as caught:
        services.calendar_hours_set(calendar=calendar, weekly=overlapping, actor=admin)
    assert set(caught.value.fields) == {"weekday_2"}


def test_hours_set_replaces_the_week_and_audits_the_changed_days(calendar, admin):
    services.calendar_hours_set(
        calendar=calendar, weekly={**WEEK, 5: intervals_parse("10:00-14:00")}, actor=admin
    )
    assert WorkingHours.objects.filter(calendar=calendar, weekday=5).count() == 1
    event = AuditEvent.objects.get(action="calendar.hours_set")
    assert event.changes == {"weekday_5": ["", "10:00-14:00"]}


def test_making_another_calendar_default_moves_the_default(workspace, calendar, admin):
    sofia = services.calendar_create(
        workspace=workspace,
        name="Sofia",
        time_zone="Europe/Sofia",
        weekly=WEEK,
        is_default=True,
        actor=admin,
    )
    calendar.refresh_from_db()
    assert (calendar.is_default, sofia.is_default) == (False, True)


def test_the_default_cannot_be_unset_without_another(calendar, admin):
    with pytest.raises(ValidationFailed):
        services.calendar_update(calendar=calendar, actor=admin, is_default=False)


def test_duplicate_names_and_unknown_zones_are_refused(workspace, calendar, admin):
    with pytest.raises(Conflict):
        services.calendar_create(
            workspace=workspace, name="Office", time_zone="UTC", weekly=WEEK, actor=admin
        )
    with pytest.raises(ValidationFailed) as caught:
        services.calendar_update(calendar=calendar, actor=admin, time_zone="Europe/Atlantis")
    assert set(caught.value.fields) == {"time_zone"}


def test_only_an_admin_of_the_workspace_may_write(calendar, agent_a, other_workspace_admin):
    with pytest.raises(PermissionDenied):
        services.calendar_update(calendar=calendar, actor=agent_a, name="Mine")
    with pytest.raises(NotFound):
        services.calendar_update(calendar=calendar, actor=other_workspace_admin, name="Mine")


def test_a_date_can_be_listed_once(calendar, admin):
    services.calendar_exception_add(
        calendar=calendar, day=date(2026, 6, 1), kind="holiday", actor=admin
    )
    with pytest.raises(Conflict):
        services.calendar_exception_add(
            calendar=calendar, day=date(2026, 6, 1), kind="working_day", actor=admin
        )


def test_a_holiday_with_hours_is_refused(calendar, admin):
    with pytest.raises(ValidationFailed):
        services.calendar_exception_add(
            calendar=calendar, day=date(2026, 6, 1), kind="holiday", hours=OFFICE, actor=admin
        )


def test_removing_a_date_is_audited(calendar, admin):
    added = services.calendar_exception_add(
        calendar=calendar, day=date(2026, 6, 1), kind="holiday", actor=admin
    )
    services.calendar_exception_remove(calendar=calendar, exception_id=added.pk, actor=admin)
    assert not CalendarException.objects.exists()
    event = AuditEvent.objects.get(action="calendar.exception_remove")
    assert event.changes["date"] == ["2026-06-01", None]


def test_russian_public_holidays_and_transfers_load(calendar, admin):
    added = services.calendar_public_holidays_load(
        calendar=calendar, country="RU", years=range(2025, 2028), actor=admin
    )
    holidays = _dates(calendar, "holiday")
    assert {date(2026, 1, 7), date(2026, 5, 9), date(2026, 1, 9), date(2026, 5, 11)} <= holidays
    assert date(2026, 1, 12) not in holidays
    assert _dates(calendar, "working_day") == {date(2025, 11, 1), date(2027, 2, 20)}
    assert added == calendar.exceptions.count()
    assert AuditEvent.objects.get(action="calendar.public_holidays_load").changes["added"] == [
        None,
        added,
    ]


def test_bulgarian_public_holidays_load(calendar, admin):
    services.calendar_public_holidays_load(
        calendar=calendar, country="BG", years=range(2026, 2027), actor=admin, language="bg"
    )
    liberation = calendar.exceptions.get(date=date(2026, 3, 3))
    assert (liberation.kind, liberation.name, liberation.source) == (
        "holiday",
        "Ден на Освобождението на България от османско иго",
        "BG",
    )


def test_loading_again_keeps_dates_already_listed(calendar, admin):
    services.calendar_exception_add(
        calendar=calendar,
        day=date(2026, 1, 7),
        kind="working_day",
        name="On duty",
        actor=admin,
    )
    services.calendar_public_holidays_load(
        calendar=calendar, country="RU", years=range(2026, 2027), actor=admin
    )
    again = services.calendar_public_holidays_load(
        calendar=calendar, country="RU", years=range(2026, 2027), actor=admin
    )
    assert again == 0
    assert calendar.exceptions.get(date=date(2026, 1, 7)).name == "On duty"


def test_unknown_countries_and_too_many_years_are_refused(calendar, admin):
    with pytest.raises(ValidationFailed):
        services.calendar_public_holidays_load(
            calendar=calendar, country="FR", years=range(2026, 2027), actor=admin
        )
    with pytest.raises(ValidationFailed):
        services.calendar_public_holidays_load(
            calendar=calendar, country="RU", years=range(2020, 2040), actor=admin
        )


def test_the_spec_is_built_in_three_queries(workspace, calendar, admin, django_assert_num_queries):
    services.calendar_public_holidays_load(
        calendar=calendar, country="RU", years=range(2025, 2026), actor=admin
    )
    with django_assert_num_queries(3):
        spec = calendar_spec_get(workspace=workspace)
    assert spec.time_zone == "Europe/Moscow"
    assert not is_business_day(spec, date(2025, 11, 3))
    # Saturday 2025-11-01 was worked by decree: it works the calendar's usual day.
    assert spec.hours_on(date(2025, 11, 1)) == OFFICE


def test_a_working_day_keeps_its_own_hours_in_the_spec(workspace, calendar, admin):
    services.calendar_exception_add(
        calendar=calendar,
        day=date(2025, 12, 30),
        kind="working_day",
        hours=intervals_parse("09:00-13:00, 14:00-17:00"),
        actor=admin,
    )
    spec = calendar_spec_get(workspace=workspace, calendar_id=calendar.pk)
    assert str(spec.hours_on(date(2025, 12, 30))[-1]) == "14:00-17:00"


def test_another_workspaces_calendar_spec_is_not_found(calendar, other_workspace_admin):
    with pytest.raises(NotFound):
        calendar_spec_get(workspace=other_workspace_admin.workspace, calendar_id=calendar.pk)


def test_demo_calendars_count_moscow_deadlines_over_russian_holidays(workspace):
    first = demo_calendars_create(workspace)
    again = demo_calendars_create(workspace)
    assert [c.name for c in first] == [c.name for c in again] == ["Moscow office", "Sofia office"]
    assert BusinessCalendar.objects.get(is_default=True).name == "Moscow office"
    spec = calendar_spec_get(workspace=workspace)
    # Thursday 2026-01-08 is inside the New Year holidays; Friday the 9th is a moved day off.
    start = datetime(2025, 12, 30, 17, 0, tzinfo=MOSCOW)
    assert add_business_hours(spec, start, 2) == datetime(2026, 1, 12, 10, 0, tzinfo=MOSCOW)
    sofia = calendar_spec_get(workspace=workspace, calendar_id=first[1].pk)
    assert not is_business_day(sofia, date(2026, 3, 3))
