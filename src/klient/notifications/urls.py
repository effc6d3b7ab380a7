from django.urls import path

from klient.notifications import settings_views, views

app_name = "notifications"
urlpatterns = [
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/read/", views.notification_read, name="notification_read"),
    path("notifications/preferences/", views.preferences, name="preferences"),
    path("settings/notifications/", settings_views.settings_notifications, name="settings"),
    path(
        "settings/notifications/held/release/",
        settings_views.settings_held_release,
        name="held_release",
    ),
    path(
        "settings/notifications/held/cancel/",
        settings_views.settings_held_cancel,
        name="held_cancel",
    ),
    path(
        "settings/notifications/templates/<str:kind>/<str:channel>/<str:language>/",
        settings_views.settings_template,
        name="template",
    ),
]
