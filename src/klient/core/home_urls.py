from django.urls import path

from klient.core import home_views

# A namespace of its own: the nav marks "Home" current by namespace, and core's other
# pages (notifications, settings) must not.
app_name = "home"
urlpatterns = [
    path("", home_views.home, name="index"),
]
