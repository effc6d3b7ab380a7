from django.urls import path

from klient.core import (
    admin_views,
    audit_views,
    job_views,
    picker_views,
    roles_views,
    views,
    workspace_views,
)

app_name = "core"
urlpatterns = [
    path("language/", views.language_set, name="language_set"),
    path("pick/<str:kind>/", picker_views.pick, name="pick"),
    path("settings/users/", admin_views.settings_users, name="settings_users"),
    path(
        "settings/users/<int:user_id>/",
        admin_views.settings_user_update,
        name="settings_user_update",
    ),
    path(
        "settings/users/<int:user_id>/tokens/revoke/",
        admin_views.settings_user_tokens_revoke,
        name="settings_user_tokens_revoke",
    ),
    path(
        "settings/users/<int:user_id>/password/",
        admin_views.settings_user_password_reset,
        name="settings_user_password_reset",
    ),
    path("settings/teams/", admin_views.settings_teams, name="settings_teams"),
    path(
        "settings/teams/<int:team_id>/lead/",
        admin_views.settings_team_lead,
        name="settings_team_lead",
    ),
    path("settings/roles/", roles_views.settings_roles, name="settings_roles"),
    path("settings/audit/", audit_views.settings_audit, name="settings_audit"),
    path("settings/workspace/", workspace_views.settings_workspace, name="settings_workspace"),
    path("settings/lockouts/", admin_views.settings_lockouts, name="settings_lockouts"),
    path(
        "settings/lockouts/<int:lockout_id>/unlock/",
        admin_views.settings_lockout_clear,
        name="settings_lockout_clear",
    ),
    path("settings/jobs/", job_views.settings_jobs, name="settings_jobs"),
    path(
        "settings/jobs/<int:job_id>/retry/",
        job_views.settings_job_retry,
        name="settings_job_retry",
    ),
    path(
        "settings/jobs/<int:job_id>/cancel/",
        job_views.settings_job_cancel,
        name="settings_job_cancel",
    ),
]
