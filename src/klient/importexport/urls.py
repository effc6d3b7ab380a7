from django.urls import path, re_path

from klient.importexport import views

app_name = "importexport"
urlpatterns = [
    path("import/", views.import_new, name="import_new"),
    path("import/<int:import_id>/", views.import_detail, name="import_detail"),
    path("import/<int:import_id>/mapping/", views.import_mapping, name="import_mapping"),
    path("import/<int:import_id>/progress/", views.import_progress, name="import_progress"),
    path("import/<int:import_id>/errors.csv", views.import_errors_csv, name="import_errors_csv"),
    path("export/", views.export_page, name="export"),
    re_path(r"^export/people\.(?P<fmt>csv|xlsx|vcf)$", views.export_people, name="export_people"),
    re_path(
        r"^export/organizations\.(?P<fmt>csv|xlsx)$",
        views.export_organizations,
        name="export_organizations",
    ),
    re_path(
        r"^export/interactions\.(?P<fmt>csv|xlsx)$",
        views.export_interactions,
        name="export_interactions",
    ),
    path("export/calendar.ics", views.export_calendar, name="export_calendar"),
    path("export/raw/people.csv", views.export_people_raw, name="export_people_raw"),
    path("export/jobs/<int:export_id>/", views.export_detail, name="export_detail"),
    path("export/jobs/<int:export_id>/progress/", views.export_progress, name="export_progress"),
    path(
        "export/jobs/<int:export_id>/download/",
        views.export_download_file,
        name="export_download",
    ),
]
