"""The administrator's webhooks pages: the list with the form to add one (its secret is
shown once), turning one on or off, deleting it, and its delivery log with "send again"."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from klient.core.capabilities import require
from klient.core.errors import KlientError
from klient.core.views import AuthedRequest, form_add_error, is_htmx, klient_view
from klient.webhooks import selectors, services
from klient.webhooks.handlers import subscribable_events
from klient.webhooks.models import URL_MAX_LENGTH, Webhook
from klient.webhooks.signing import TOLERANCE_SECONDS


class WebhookForm(forms.Form):
    url = forms.CharField(
        label=gettext_lazy("Address"),
        max_length=URL_MAX_LENGTH,
        help_text=gettext_lazy("A public https address that accepts POST requests."),
        widget=forms.URLInput(attrs={"placeholder": "https://", "autocomplete": "off"}),
    )
    event_names = forms.MultipleChoiceField(
        label=gettext_lazy("Events"), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(name, name) for name in subscribable_events()]
        self.fields["event_names"].choices = choices  # type: ignore[attr-defined]


def _list_page(
    request: AuthedRequest,
    *,
    form: WebhookForm | None = None,
    created: Webhook | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "form": form or WebhookForm(),
        "webhooks": selectors.webhook_list(user=request.user),
        "created": created,
    }
    return render(request, "webhooks/list.html", context, status=status)


@klient_view
def webhook_list(request: AuthedRequest) -> HttpResponse:
    require(request.user, selectors.CAPABILITY)
    return _list_page(request)


@klient_view(write=True)
@require_POST
def webhook_create(request: AuthedRequest) -> HttpResponse:
    require(request.user, selectors.CAPABILITY)
    form = WebhookForm(request.POST)
    if form.is_valid():
        try:
            webhook = services.webhook_create(
                actor=request.user,
                url=form.cleaned_data["url"],
                event_names=form.cleaned_data["event_names"],
            )
        except KlientError as error:
            form_add_error(form, error)
        else:
            # Rendered, not redirected: the secret is in this answer and nowhere else.
            return _list_page(request, created=webhook)
    return _list_page(request, form=form, status=422)


@klient_view
def webhook_detail(request: AuthedRequest, webhook_id: int) -> HttpResponse:
    require(request.user, selectors.CAPABILITY)
    webhook = selectors.webhook_get(user=request.user, webhook_id=webhook_id)
    context = {
        "webhook": webhook,
        "deliveries": selectors.delivery_list(user=request.user, webhook=webhook),
        "log_size": selectors.LOG_SIZE,
        "tolerance": TOLERANCE_SECONDS,
    }
    return render(request, "webhooks/detail.html", context)


@klient_view(write=True)
@require_POST
def webhook_toggle(request: AuthedRequest, webhook_id: int) -> HttpResponse:
    require(request.user, selectors.CAPABILITY)
    webhook = selectors.webhook_get(user=request.user, webhook_id=webhook_id)
    webhook = services.webhook_update(
        actor=request.user, webhook_id=webhook.pk, is_active=not webhook.is_active
    )
    if is_htmx(request):
        return render(request, "webhooks/_row.html", {"webhook": webhook})
    messages.success(
        request, _("The webhook is on.") if webhook.is_active else _("The webhook is off.")
    )
    return redirect("webhooks:list")


@klient_view(write=True)
@require_POST
def webhook_delete(request: AuthedRequest, webhook_id: int) -> HttpResponse:
    services.webhook_delete(actor=request.user, webhook_id=webhook_id)
    messages.success(request, _("Webhook deleted."))
    return redirect("webhooks:list")


@klient_view(write=True)
@require_POST
def delivery_redeliver(request: AuthedRequest, webhook_id: int, delivery_id: int) -> HttpResponse:
    require(request.user, selectors.CAPABILITY)
    webhook = selectors.webhook_get(user=request.user, webhook_id=webhook_id)
    delivery = selectors.delivery_get(user=request.user, delivery_id=delivery_id)
    if delivery.webhook_id != webhook.pk:
        return redirect("webhooks:detail", webhook_id=webhook.pk)
    delivery = services.delivery_redeliver(actor=request.user, delivery_id=delivery.pk)
    if is_htmx(request):
        context = {"delivery": delivery, "webhook": webhook}
        return render(request, "webhooks/_delivery.html", context)
    messages.success(request, _("The delivery will be sent again."))
    return redirect("webhooks:detail", webhook_id=webhook.pk)
