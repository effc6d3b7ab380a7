from django.urls import path

from klient.calendars import views

app_name = "calendars"
urlpatterns = [
    path("", views.calendar_list, name="calendar_list"),
    path("<int:calendar_id>/", views.calendar_detail, name="calendar_detail"),
    path("<int:calendar_id>/hours/", views.calendar_hours, name="calendar_hours"),
    path(
        "<int:calendar_id>/exceptions/",
        views.calendar_exception_create,
        name="calendar_exception_create",
    ),
    path(
        "<int:calendar_id>/exceptions/<int:exception_id>/remove/",
        views.calendar_exception_remove,
        name="calendar_exception_remove",
    ),
    path(
        "<int:calendar_id>/public-holidays/",
        views.calendar_public_holidays,
        name="calendar_public_holidays",
    ),
]
