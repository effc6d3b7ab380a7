from django.urls import path

from klient.activities import mention_views, views

app_name = "activities"

PERSON = {"kind": "contacts.person"}
ORGANIZATION = {"kind": "contacts.organization"}

urlpatterns = [
    path("tasks/", views.task_list, name="task_list"),
    path("tasks/new/", views.todo_create, name="todo_create"),
    path("tasks/<int:task_id>/complete/", views.task_complete, name="task_complete"),
    path(
        "interactions/<int:interaction_id>/comments/", views.comment_create, name="comment_create"
    ),
    path(
        "interactions/<int:interaction_id>/mentions/",
        mention_views.mention_suggest,
        name="mention_suggest",
    ),
    # Any other record kind (a deal, a request): its registered key, e.g. "sales.deal".
    path("records/<str:kind>/<int:record_id>/timeline/", views.timeline, name="record_timeline"),
    path(
        "records/<str:kind>/<int:record_id>/interactions/",
        views.interaction_create,
        name="record_interaction_create",
    ),
    path("records/<str:kind>/<int:record_id>/notes/", views.note_create, name="record_note_create"),
    path("records/<str:kind>/<int:record_id>/tasks/", views.task_create, name="record_task_create"),
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
