"""Pages of saved lists and segments, mounted at /lists/ under the "lists" namespace."""

from django.urls import path

from klient.contacts import list_views as views

app_name = "lists"
urlpatterns = [
    path("", views.saved_list_index, name="index"),
    path("new/", views.saved_list_create, name="create"),
    path("new/segment/", views.segment_create, name="segment_create"),
    path("<int:list_id>/", views.saved_list_detail, name="detail"),
    path("<int:list_id>/edit/", views.saved_list_edit, name="edit"),
    path("<int:list_id>/delete/", views.saved_list_delete, name="delete"),
    path("<int:list_id>/people/add/", views.saved_list_member_add, name="member_add"),
    path(
        "<int:list_id>/people/<int:person_id>/remove/",
        views.saved_list_member_remove,
        name="member_remove",
    ),
]
