from django.urls import include, path

from klient.api import api
from klient.core.api_support import endpoint_not_found

urlpatterns = [
    path("api/v1/", api.urls),
    path("api/v1/<path:rest>", endpoint_not_found),  # after api.urls: only the unmatched
    path("accounts/", include("klient.core.auth_urls")),
    path("", include("klient.core.home_urls")),
    path("", include("klient.core.urls")),
    path("", include("klient.contacts.urls")),
    path("lists/", include("klient.contacts.list_urls")),
    path("", include("klient.activities.urls")),
    path("", include("klient.notifications.urls")),
    path("", include("klient.attachments.urls")),
    path("", include("klient.importexport.urls")),
    path("settings/calendars/", include("klient.calendars.urls")),
    path("settings/money/", include("klient.money.urls")),
    path("settings/webhooks/", include("klient.webhooks.urls")),
    path("deals/", include("klient.sales.urls")),
]
