"""The administrator's calendar pages."""

from __future__ import annotations

from datetime import date, time

import pytest

from klient.calendars import services
from klient.calendars.models import BusinessCalendar, CalendarException, WorkingHours
from klient.calendars.spec import intervals_parse
from tests.factories import TEST_PASSWORD

WEEK = dict.fromkeys(range(5), intervals_parse("09:00-13:00, 14:00-18:00"))
HOURS_POST = {f"weekday_{day}": "09:00-13:00, 14:00-18:00" for day in range(5)}


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


@pytest.fixture
def calendar(workspace, admin):
    return services.calendar_create(
        workspace=workspace, name="Office", time_zone="Europe/Moscow", weekly=WEEK, actor=admin
    )


def test_admin_sees_the_calendars(admin_client, calendar):
    response = admin_client.get("/settings/calendars/")
    assert response.status_code == 200
    assert list(response.context["calendars"]) == [calendar]


def test_admin_creates_a_calendar_with_a_lunch_break(admin_client):
    response = admin_client.post(
        "/settings/calendars/",
        {"name": "Sofia", "time_zone": "Europe/Sofia", **HOURS_POST, "weekday_5": "10:00-14:00"},
    )
    created = BusinessCalendar.objects.get(name="Sofia")
    assert response.status_code == 302
    assert response["Location"] == f"/settings/calendars/{created.pk}/"
    hours = WorkingHours.objects.filter(calendar=created).values_list("weekday", "start", "end")
    assert [(s, e) for d, s, e in hours if d == 0] == [(time(9), time(13)), (time(14), time(18))]
    assert [(s, e) for d, s, e in hours if d == 5] == [(time(10), time(14))]


def test_unreadable_hours_are_a_form_error(admin_client):
    response = admin_client.post(
        "/settings/calendars/",
        {"name": "Night", "time_zone": "Europe/Moscow", "weekday_0": "18:00-09:00"},
    )
    assert response.status_code == 422
    assert response.context["form"].errors["weekday_0"]
    assert not BusinessCalendar.objects.exists()


def test_a_week_without_hours_is_a_form_error(admin_client):
    response = admin_client.post("/settings/calendars/", {"name": "Never", "time_zone": "UTC"})
    assert response.status_code == 422
    assert response.context["form"].non_field_errors() == [
        "A calendar needs working hours on at least one day of the week."
    ]


def test_overlapping_hours_are_a_form_error_on_their_day(admin_client, calendar):
    response = admin_client.post(
        f"/settings/calendars/{calendar.pk}/hours/",
        {**HOURS_POST, "weekday_3": "09:00-13:00, 12:00-18:00"},
    )
    assert response.status_code == 422
    assert response.context["week_form"].errors["weekday_3"] == ["Working intervals overlap."]
    assert WorkingHours.objects.filter(calendar=calendar, weekday=3).count() == 2


def test_admin_edits_the_weekly_hours(admin_client, calendar):
    response = admin_client.post(
        f"/settings/calendars/{calendar.pk}/hours/", {**HOURS_POST, "weekday_4": "09:00-16:45"}
    )
    assert response.status_code == 302
    friday = WorkingHours.objects.filter(calendar=calendar, weekday=4)
    assert [(r.start, r.end) for r in friday] == [(time(9), time(16, 45))]


def test_admin_loads_public_holidays_from_the_page(admin_client, calendar):
    response = admin_client.post(
        f"/settings/calendars/{calendar.pk}/public-holidays/",
        {"country": "RU", "year_from": "2025", "year_to": "2027"},
    )
    assert response.status_code == 302
    assert calendar.exceptions.filter(date=date(2026, 5, 9), kind="holiday").exists()
    page = admin_client.get(f"/settings/calendars/{calendar.pk}/")
    assert len(page.context["exceptions"]) == calendar.exceptions.count()


def test_years_backwards_are_a_form_error(admin_client, calendar):
    response = admin_client.post(
        f"/settings/calendars/{calendar.pk}/public-holidays/",
        {"country": "BG", "year_from": "2027", "year_to": "2025"},
    )
    assert response.status_code == 422
    assert not calendar.exceptions.exists()


def test_admin_adds_and_removes_an_extra_working_day(admin_client, calendar):
    response = admin_client.post(
        f"/settings/calendars/{calendar.pk}/exceptions/",
        {"date": "2026-06-06", "kind": "working_day", "name": "Inventory", "hours": "10:00-15:00"},
    )
    assert response.status_code == 302
    added = CalendarException.objects.get(calendar=calendar)
    assert (added.date, added.hours) == (date(2026, 6, 6), [["10:00", "15:00"]])
    admin_client.post(f"/settings/calendars/{calendar.pk}/exceptions/{added.pk}/remove/")
    assert not CalendarException.objects.exists()


def test_a_date_listed_twice_is_a_form_error(admin_client, calendar):
    data = {"date": "2026-06-12", "kind": "holiday"}
    admin_client.post(f"/settings/calendars/{calendar.pk}/exceptions/", data)
    response = admin_client.post(f"/settings/calendars/{calendar.pk}/exceptions/", data)
    assert response.status_code == 422
    assert response.context["exception_form"].errors["date"] == ["Already listed."]


def test_admin_renames_the_calendar(admin_client, calendar):
    response = admin_client.post(
        f"/settings/calendars/{calendar.pk}/",
        {"name": "Moscow office", "time_zone": "Europe/Moscow", "is_default": "on"},
    )
    assert response.status_code == 302
    calendar.refresh_from_db()
    assert calendar.name == "Moscow office"


@pytest.mark.parametrize("username", ["agent_a", "manager_a", "analyst"])
def test_calendar_pages_are_for_admins_only(client, request, calendar, username):
    user = request.getfixturevalue(username)
    client.login(username=user.username, password=TEST_PASSWORD)
    assert client.get("/settings/calendars/").status_code == 403
    assert client.get(f"/settings/calendars/{calendar.pk}/").status_code == 403
    response = client.post(f"/settings/calendars/{calendar.pk}/hours/", HOURS_POST)
    assert response.status_code == 403


def test_another_workspaces_calendar_is_not_found(client, calendar, other_workspace_admin):
    client.force_login(other_workspace_admin)
    assert client.get(f"/settings/calendars/{calendar.pk}/").status_code == 404
    response = client.post(
        f"/settings/calendars/{calendar.pk}/exceptions/", {"date": "2026-06-12", "kind": "holiday"}
    )
    assert response.status_code == 404
    assert not CalendarException.objects.exists()
