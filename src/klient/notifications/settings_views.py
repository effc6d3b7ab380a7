"""The administrator's notifications page: the workspace's sender, messages held back by
the rate limit (release or cancel), the latest messages sent, and the templates."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from klient.core.errors import KlientError
from klient.core.params import param_id
from klient.core.services import require_admin
from klient.core.views import AuthedRequest, form_add_error, klient_view
from klient.notifications import queue, selectors, services
from klient.notifications.kinds import Channel, kind_template, notification_kinds
from klient.notifications.models import MessageLog

RECENT_MESSAGES = 30


class MessagingForm(forms.Form):
    from_name = forms.CharField(label=gettext_lazy("Sender name"), max_length=120, required=False)
    from_email = forms.EmailField(
        label=gettext_lazy("Sender address"),
        required=False,
        help_text=gettext_lazy("Every email of this workspace comes from this address."),
    )
    reply_to = forms.EmailField(label=gettext_lazy("Reply-to address"), required=False)
    sms_sender = forms.CharField(
        label=gettext_lazy("SMS sender name"),
        max_length=11,
        required=False,
        help_text=gettext_lazy("As approved by the SMS provider; up to 11 characters."),
    )


class TemplateForm(forms.Form):
    subject = forms.CharField(label=gettext_lazy("Subject"), max_length=300, required=False)
    body = forms.CharField(label=gettext_lazy("Text"), widget=forms.Textarea(attrs={"rows": 6}))


def _template_rows(workspace_id: int) -> list[dict[str, Any]]:
    """One row per kind and channel, with a link per language (marked when customised)."""
    overrides = selectors.template_overrides(workspace_id=workspace_id)
    labels = dict(Channel.choices)
    return [
        {
            "kind": kind,
            "channel": channel,
            "channel_label": labels[channel],
            "languages": [
                (language, (kind.key, channel, language) in overrides)
                for language, _name in settings.LANGUAGES
            ],
        }
        for kind in notification_kinds
        for channel in kind.channels
    ]


@klient_view
def settings_notifications(request: AuthedRequest) -> HttpResponse:
    require_admin(request.user)
    workspace_id = request.user.workspace_id or 0
    messaging = selectors.messaging_get(workspace_id=workspace_id)
    form = MessagingForm(
        request.POST if request.method == "POST" else None,
        initial={
            "from_name": messaging.from_name,
            "from_email": messaging.from_email,
            "reply_to": messaging.reply_to,
            "sms_sender": messaging.sms_sender,
        },
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.messaging_update(actor=request.user, **form.cleaned_data)
            except KlientError as error:
                form_add_error(form, error)
            else:
                messages.success(request, _("The sender was saved."))
                return redirect("notifications:settings")
        status = 422
    log = selectors.message_log_list(user=request.user)
    context = {
        "form": form,
        "counts": selectors.message_status_counts(user=request.user),
        "held": log.filter(status=MessageLog.Status.HELD).order_by("created_at", "pk")[
            :RECENT_MESSAGES
        ],
        "recent": log[:RECENT_MESSAGES],
        "templates": _template_rows(workspace_id),
        "rate_limit": queue.rate_limit(),
    }
    return render(request, "notifications/settings/notifications.html", context, status=status)


def _ids(request: AuthedRequest) -> list[int] | None:
    message_id = param_id(request.POST, "id")
    return None if message_id is None else [message_id]


@klient_view
@require_POST
def settings_held_release(request: AuthedRequest) -> HttpResponse:
    released = queue.held_release(actor=request.user, message_ids=_ids(request))
    messages.success(request, _("Messages released: %(count)s.") % {"count": released})
    return redirect("notifications:settings")


@klient_view
@require_POST
def settings_held_cancel(request: AuthedRequest) -> HttpResponse:
    cancelled = queue.held_cancel(actor=request.user, message_ids=_ids(request))
    messages.success(request, _("Messages cancelled: %(count)s.") % {"count": cancelled})
    return redirect("notifications:settings")


@klient_view
def settings_template(
    request: AuthedRequest, kind: str, channel: str, language: str
) -> HttpResponse:
    """Edit the workspace's wording of one kind on one channel in one language."""
    require_admin(request.user)
    if kind not in notification_kinds:
        raise Http404
    registered = notification_kinds.get(kind)
    if channel not in registered.templates or language not in dict(settings.LANGUAGES):
        raise Http404
    overrides = selectors.template_overrides(workspace_id=request.user.workspace_id)
    subject, body = kind_template(
        registered,
        channel=channel,
        language=language,
        context={name: "x" for name in registered.placeholders},
        overrides=overrides,
    )
    form = TemplateForm(
        request.POST if request.method == "POST" else None,
        initial={"subject": subject, "body": body},
    )
    if channel != Channel.EMAIL:
        del form.fields["subject"]
    status = 200
    if request.method == "POST":
        if "reset" in request.POST:
            services.template_reset(
                actor=request.user, kind=kind, channel=channel, language=language
            )
            messages.success(request, _("The default wording is back."))
            return redirect("notifications:settings")
        if form.is_valid():
            try:
                services.template_save(
                    actor=request.user,
                    kind=kind,
                    channel=channel,
                    language=language,
                    body=form.cleaned_data["body"],
                    subject=form.cleaned_data.get("subject", ""),
                )
            except KlientError as error:
                form_add_error(form, error)
            else:
                messages.success(request, _("The template was saved."))
                return redirect("notifications:settings")
        status = 422
    context = {
        "form": form,
        "kind": registered,
        "channel_label": dict(Channel.choices)[channel],
        "language": language,
        "placeholders": [f"{{{name}}}" for name in registered.placeholders],
        "custom": (kind, channel, language) in overrides,
    }
    return render(request, "notifications/settings/template.html", context, status=status)
