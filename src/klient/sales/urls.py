from django.urls import include, path

from klient.sales import (
    board_views,
    deal_form_views,
    deal_views,
    list_views,
    move_views,
    report_views,
    settings_views,
)

app_name = "sales"

urlpatterns = [
    path("", board_views.board, name="board"),
    path("pipelines/<int:pipeline_id>/", board_views.board, name="pipeline_board"),
    path("funnel/", report_views.funnel, name="funnel"),
    path("list/", list_views.deal_list, name="deal_list"),
    path("new/", deal_form_views.deal_create, name="deal_create"),
    path("<int:deal_id>/", deal_views.deal_detail, name="deal_detail"),
    path("<int:deal_id>/edit/", deal_form_views.deal_edit, name="deal_edit"),
    path("<int:deal_id>/move/", move_views.deal_move, name="deal_move"),
    path("<int:deal_id>/pipeline/", deal_views.deal_pipeline_change, name="deal_pipeline"),
    path(
        "<int:deal_id>/checklist/<int:item_id>/",
        deal_views.checklist_tick,
        name="checklist_tick",
    ),
    path("settings/", settings_views.sales_settings, name="settings"),
    path(
        "settings/pipelines/new/", settings_views.pipeline_create, name="settings_pipeline_create"
    ),
    path(
        "settings/pipelines/<int:pipeline_id>/",
        settings_views.pipeline_update,
        name="settings_pipeline_update",
    ),
    path(
        "settings/pipelines/<int:pipeline_id>/stages/new/",
        settings_views.stage_create,
        name="settings_stage_create",
    ),
    path(
        "settings/stages/<int:stage_id>/", settings_views.stage_update, name="settings_stage_update"
    ),
    path(
        "settings/stages/<int:stage_id>/move/",
        settings_views.stage_move,
        name="settings_stage_move",
    ),
    path(
        "settings/stages/<int:stage_id>/delete/",
        settings_views.stage_delete,
        name="settings_stage_delete",
    ),
    path(
        "settings/stages/<int:stage_id>/checklist/",
        settings_views.checklist_add,
        name="settings_checklist_add",
    ),
    path(
        "settings/checklist/<int:item_id>/delete/",
        settings_views.checklist_delete,
        name="settings_checklist_delete",
    ),
    path(
        "settings/lost-reasons/new/",
        settings_views.lost_reason_create,
        name="settings_lost_reason_create",
    ),
    path(
        "settings/lost-reasons/<int:reason_id>/archive/",
        settings_views.lost_reason_archive,
        name="settings_lost_reason_archive",
    ),
    path("", include("klient.sales.quotes.urls")),
]
