from django.urls import path

from klient.contacts import views

app_name = "contacts"
urlpatterns = [
    path("", views.client_list, name="home"),
    path("clients/", views.client_list, name="client_list"),
    path("organizations/", views.organization_list, name="organization_list"),
    path("people/new/", views.person_create, name="person_create"),
    path("people/<int:person_id>/", views.person_detail, name="person_detail"),
    path("people/<int:person_id>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:person_id>/merge/", views.person_merge, name="person_merge"),
    path("organizations/new/", views.organization_create, name="organization_create"),
    path(
        "organizations/<int:organization_id>/",
        views.organization_detail,
        name="organization_detail",
    ),
    path(
        "organizations/<int:organization_id>/edit/",
        views.organization_edit,
        name="organization_edit",
    ),
]
