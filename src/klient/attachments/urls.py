from django.urls import path

from klient.attachments import views

app_name = "attachments"

urlpatterns = [
    # Any registered record kind: "contacts.person", "contacts.organization", "sales.deal".
    path(
        "records/<str:kind>/<int:record_id>/attachments/",
        views.record_attachments,
        name="record_attachments",
    ),
    path(
        "attachments/<int:attachment_id>/download/",
        views.attachment_download,
        name="attachment_download",
    ),
    path(
        "attachments/<int:attachment_id>/delete/",
        views.attachment_remove,
        name="attachment_delete",
    ),
]
