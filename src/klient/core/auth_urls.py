"""Sign-in, sign-out and password change: Django's auth views with Klient's templates.

Not namespaced, because settings name them plainly (LOGIN_URL = "login").
"""

from django.contrib.auth import views as auth_views
from django.urls import path

from klient.core import views

urlpatterns = [
    path("login/", views.KlientLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(
            template_name="registration/password_change_form.html"
        ),
        name="password_change",
    ),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="registration/password_change_done.html"
        ),
        name="password_change_done",
    ),
]
