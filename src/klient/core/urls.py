from django.urls import path

from klient.core import admin_views, views

app_name = "core"
urlpatterns = [
    path("language/", views.language_set, name="language_set"),
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/read/", views.notification_read, name="notification_read"),
    path("settings/users/", admin_views.settings_users, name="settings_users"),
    path(
        "settings/users/<int:user_id>/",
        admin_views.settings_user_update,
        name="settings_user_update",
    ),
    path("settings/teams/", admin_views.settings_teams, name="settings_teams"),
    path("settings/audit/", admin_views.settings_audit, name="settings_audit"),
]
