from django.urls import include, path

from klient.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("accounts/", include("klient.core.auth_urls")),
    path("", include("klient.core.urls")),
    path("", include("klient.contacts.urls")),
    path("", include("klient.activities.urls")),
]
