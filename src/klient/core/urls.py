from django.urls import path

from klient.core import views

app_name = "core"
urlpatterns = [
    path("language/", views.language_set, name="language_set"),
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/read/", views.notification_read, name="notification_read"),
]
