from django.urls import path

from klient.webhooks import views

app_name = "webhooks"
urlpatterns = [
    path("", views.webhook_list, name="list"),
    path("new/", views.webhook_create, name="create"),
    path("<int:webhook_id>/", views.webhook_detail, name="detail"),
    path("<int:webhook_id>/toggle/", views.webhook_toggle, name="toggle"),
    path("<int:webhook_id>/delete/", views.webhook_delete, name="delete"),
    path(
        "<int:webhook_id>/deliveries/<int:delivery_id>/redeliver/",
        views.delivery_redeliver,
        name="redeliver",
    ),
]
