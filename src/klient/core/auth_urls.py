"""Sign-in (throttled), sign-out, password change and the user's API tokens.

Not namespaced, because settings name them plainly (LOGIN_URL = "login").
"""

from django.contrib.auth import views as auth_views
from django.urls import path

from klient.core import auth_views as klient_auth

urlpatterns = [
    path("login/", klient_auth.ThrottledLoginView.as_view(), name="login"),
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
    path("tokens/", klient_auth.account_tokens, name="account_tokens"),
    path("tokens/revoke/", klient_auth.account_tokens_revoke, name="account_tokens_revoke"),
]
