from django.urls import path

from klient.activities import views

app_name = "activities"

PERSON = {"kind": "person"}
ORGANIZATION = {"kind": "organization"}

urlpatterns = [
    path("tasks/", views.task_list, name="task_list"),
    path("tasks/<int:task_id>/complete/", views.task_complete, name="task_complete"),
    path(
        "interactions/<int:interaction_id>/comments/", views.comment_create, name="comment_create"
    ),
    path("people/<int:record_id>/timeline/", views.timeline, PERSON, name="person_timeline"),
    path(
        "people/<int:record_id>/interactions/",
        views.interaction_create,
        PERSON,
        name="person_interaction_create",
    ),
    path("people/<int:record_id>/notes/", views.note_create, PERSON, name="person_note_create"),
    path("people/<int:record_id>/tasks/", views.task_create, PERSON, name="person_task_create"),
    path(
        "organizations/<int:record_id>/timeline/",
        views.timeline,
        ORGANIZATION,
        name="organization_timeline",
    ),
    path(
        "organizations/<int:record_id>/interactions/",
        views.interaction_create,
        ORGANIZATION,
        name="organization_interaction_create",
    ),
    path(
        "organizations/<int:record_id>/notes/",
        views.note_create,
        ORGANIZATION,
        name="organization_note_create",
    ),
    path(
        "organizations/<int:record_id>/tasks/",
        views.task_create,
        ORGANIZATION,
        name="organization_task_create",
    ),
]
