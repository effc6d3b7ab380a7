from django.urls import path

from klient.contacts import list_table_views, personal_data_views, views

app_name = "contacts"
urlpatterns = [
    path("clients/", views.client_list, name="client_list"),
    path("clients/bulk/", list_table_views.people_bulk, name="people_bulk"),
    path("clients/columns/", list_table_views.people_columns_save, name="people_columns"),
    path("organizations/", views.organization_list, name="organization_list"),
    path("people/new/", views.person_create, name="person_create"),
    path("people/<int:person_id>/", views.person_detail, name="person_detail"),
    path("people/<int:person_id>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:person_id>/merge/", views.person_merge, name="person_merge"),
    path(
        "people/<int:person_id>/personal-data/",
        personal_data_views.person_personal_data,
        name="person_personal_data",
    ),
    path("people/<int:person_id>/erase/", personal_data_views.person_erase, name="person_erase"),
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
