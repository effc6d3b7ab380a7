"""The files panel of any record's page, its upload and delete, and the download.

A page shows the panel with `attachments_context(user, record)` and
`{% include "attachments/_panel.html" %}`; the client cards get it as a card panel
(plug.py). Uploads are htmx posts that answer with the panel redrawn (with the form's
errors and a 422 when refused); without JavaScript they post plainly and come back to
the record's page with a message.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from klient.attachments import selectors, services
from klient.attachments.downloads import attachment_response
from klient.attachments.forms import AttachmentForm
from klient.attachments.models import Attachment
from klient.attachments.services import MULTIPART_SLACK, attachment_max_bytes
from klient.core.capabilities import can
from klient.core.errors import ValidationFailed
from klient.core.models import User
from klient.core.registry import record_kind_for, records_describe
from klient.core.views import AuthedRequest, error_response, is_htmx, klient_view

PANEL_LIMIT = 100  # files listed on a page, newest first


def _dom_id(kind: str, record_id: int) -> str:
    return f"attachments-{kind.replace('.', '-')}-{record_id}"


def _can_delete(user: User, attachment: Attachment) -> bool:
    if not can(user, "attachment.delete"):
        return False
    return attachment.uploaded_by_id == user.pk or can(user, "attachment.delete_any")


def panel_context(
    user: User, *, kind: str, record_id: int, form: AttachmentForm | None = None
) -> dict[str, Any]:
    """The panel of a record already resolved for `user`: one query."""
    attachments = list(
        selectors.attachments_of(user=user, kind=kind, record_id=record_id)[:PANEL_LIMIT]
    )
    for attachment in attachments:
        attachment.can_delete = _can_delete(user, attachment)  # type: ignore[attr-defined]
    return {
        "attachments": attachments,
        "attachments_dom_id": _dom_id(kind, record_id),
        "attachments_url": reverse(
            "attachments:record_attachments", kwargs={"kind": kind, "record_id": record_id}
        ),
        "attachments_can_add": can(user, "attachment.add"),
        "attachments_form": form if form is not None else AttachmentForm(),
        "attachments_max_bytes": attachment_max_bytes(),
    }


def attachments_context(user: User, record: Model) -> dict[str, Any]:
    """The files panel of any record's page (a client's card, a deal, a request), for
    `{% include "attachments/_panel.html" %}`; the caller has checked the user may see
    `record`. One query."""
    return panel_context(user, kind=record_kind_for(record).key, record_id=record.pk)


def _record_url(kind: str, record_id: int) -> str:
    ref = records_describe([(kind, record_id)]).get((kind, record_id))
    return ref.url if ref is not None else "/"


def _panel_response(
    request: AuthedRequest,
    kind: str,
    record_id: int,
    *,
    form: AttachmentForm | None = None,
    notice: str = "",
    status: int = 200,
) -> HttpResponse:
    context = panel_context(request.user, kind=kind, record_id=record_id, form=form)
    context["attachments_notice"] = notice
    return render(request, "attachments/_panel.html", context, status=status)


@klient_view
def _panel(request: AuthedRequest, kind: str, record_id: int) -> HttpResponse:
    selectors.owner_resolve(user=request.user, kind=kind, record_id=record_id)
    return _panel_response(request, kind, record_id)


@klient_view(write=True)
def _upload(request: AuthedRequest, kind: str, record_id: int) -> HttpResponse:
    user = request.user
    selectors.owner_resolve(user=user, kind=kind, record_id=record_id)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            attachment = services.attachment_add(
                actor=user,
                owner=(kind, record_id),
                upload=form.cleaned_data["file"],
                description=form.cleaned_data["description"],
            )
        except ValidationFailed as error:
            # A refusal names the file: shown once, under the file field.
            form.add_error("file", str(error.fields.get("file", error.message)))
        else:
            notice = _("File “%(name)s” attached.") % {"name": attachment.file_name}
            if not is_htmx(request):
                messages.success(request, notice)
                return redirect(_record_url(kind, record_id))
            return _panel_response(request, kind, record_id, notice=notice)
    if not is_htmx(request):
        for message in form.errors.get("file", []) or form.non_field_errors():
            messages.error(request, str(message))
        return redirect(_record_url(kind, record_id))
    return _panel_response(request, kind, record_id, form=form, status=422)


_upload_checked = csrf_protect(_upload)


def _body_too_large(request: HttpRequest) -> bool:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > attachment_max_bytes() + MULTIPART_SLACK


@csrf_exempt  # checked below, once the body is known not to be too large
@require_http_methods(["GET", "POST"])
def record_attachments(request: HttpRequest, kind: str, record_id: int) -> HttpResponse:
    """GET: the panel (htmx refresh). POST: upload a file. A body larger than the limit
    is refused from its Content-Length before any of it is read: the CSRF check would
    otherwise read the whole body first."""
    if request.method == "POST":
        if _body_too_large(request):
            return _refuse_too_large(request, kind, record_id)
        return _upload_checked(request, kind, record_id)
    return _panel(request, kind, record_id)


def _refuse_too_large(request: HttpRequest, kind: str, record_id: int) -> HttpResponse:
    error = services.attachment_too_large_error(attachment_max_bytes())
    if is_htmx(request) or not request.user.is_authenticated:
        return error_response(request, error)
    messages.error(request, str(error.message))
    return redirect(_record_url(kind, record_id))


@klient_view
def attachment_download(request: AuthedRequest, attachment_id: int) -> HttpResponse:
    attachment = selectors.attachment_get(user=request.user, attachment_id=attachment_id)
    return attachment_response(attachment)  # type: ignore[return-value]


@klient_view(write=True)
@require_POST
def attachment_remove(request: AuthedRequest, attachment_id: int) -> HttpResponse:
    user = request.user
    attachment = selectors.attachment_get(user=user, attachment_id=attachment_id)
    kind, record_id = attachment.owner_ref
    name = attachment.file_name
    services.attachment_delete(actor=user, attachment=attachment)
    notice = _("File “%(name)s” deleted.") % {"name": name}
    if is_htmx(request):
        return _panel_response(request, kind, record_id, notice=notice)
    messages.success(request, notice)
    return redirect(_record_url(kind, record_id))
