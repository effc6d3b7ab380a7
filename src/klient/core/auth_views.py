"""Sign-in with throttling, and the signed-in user's own API tokens."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from klient.core import services, throttle
from klient.core.errors import InvalidCredentials, Throttled
from klient.core.models import ApiToken
from klient.core.views import AuthedRequest, KlientLoginView, klient_view


class ThrottledAuthenticationForm(AuthenticationForm):
    """Django's sign-in form, checked through `throttle.login_authenticate`."""

    throttled: Throttled | None = None

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if not username or not password:
            return self.cleaned_data
        if self.request is None:
            raise TypeError("Sign-in throttling needs the request (the client's address).")
        try:
            self.user_cache = throttle.login_authenticate(
                request=self.request, username=username, password=password
            )
        except InvalidCredentials as error:
            raise self.get_invalid_login_error() from error
        except Throttled as error:
            self.throttled = error
            raise ValidationError(str(error.message), code="throttled") from error
        self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class ThrottledLoginView(KlientLoginView):
    """A locked account or address gets the lock's message with 429 and Retry-After."""

    authentication_form = ThrottledAuthenticationForm

    def form_invalid(self, form: Any) -> HttpResponse:
        response = super().form_invalid(form)
        throttled = getattr(form, "throttled", None)
        if throttled is not None:
            response.status_code = throttled.status
            response["Retry-After"] = str(throttled.retry_after)
        return response


@klient_view
def account_tokens(request: AuthedRequest) -> HttpResponse:
    """The user's live API tokens, and the button that revokes them all."""
    tokens = ApiToken.objects.filter(user=request.user, revoked_at__isnull=True).order_by(
        "-created_at", "-pk"
    )
    return render(request, "registration/api_tokens.html", {"tokens": tokens})


@klient_view
@require_POST
def account_tokens_revoke(request: AuthedRequest) -> HttpResponse:
    revoked = services.token_revoke_all(user=request.user, actor=request.user)
    messages.success(request, _("API tokens revoked: %(count)s.") % {"count": revoked})
    return redirect("account_tokens")
