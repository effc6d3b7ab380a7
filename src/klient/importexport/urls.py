from django.urls import path, re_path

from klient.importexport import list_export_views, views

app_name = "importexport"
urlpatterns = [
    path("import/", views.import_new, name="import_new"),
    path("import/<int:import_id>/", views.import_detail, name="import_detail"),
    path("import/<int:import_id>/mapping/", views.import_mapping, name="import_mapping"),
    path("import/<int:import_id>/progress/", views.import_progress, name="import_progress"),
    path("import/<int:import_id>/errors.csv", views.import_errors_csv, name="import_errors_csv"),
    path("export/", views.export_page, name="export"),
    path("export/raw/people.csv", views.export_people_raw, name="export_people_raw"),
    path("export/list/people.xlsx", list_export_views.people_list_xlsx, name="people_list_xlsx"),
    # Any registered export kind: /export/people.csv, /export/calendar.ics, ...
    re_path(
        r"^export/(?P<kind>[a-z][a-z0-9_]*)\.(?P<fmt>[a-z0-9]+)$",
        views.export_file,
        name="export_file",
    ),
    path("export/jobs/<int:export_id>/", views.export_detail, name="export_detail"),
    path("export/jobs/<int:export_id>/progress/", views.export_progress, name="export_progress"),
    path(
        "export/jobs/<int:export_id>/download/",
        views.export_download_file,
        name="export_download",
    ),
]
