"""A person's personal data from the card: the client's copy (a ZIP download) and erasure
(a confirmation page with the reason). Both call `core.personal_data`, which checks the
role and the visibility and audits."""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib import messages
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from klient.contacts import selectors
from klient.core.capabilities import require
from klient.core.errors import ValidationFailed
from klient.core.personal_data import (
    ERASE,
    REASON_MAX_LENGTH,
    personal_data_erase,
    personal_data_export,
)
from klient.core.registry import client_records
from klient.core.views import AuthedRequest, form_add_error, klient_view

PERSON = "contacts.person"


class PersonalDataEraseForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "Kept in the audit log, so do not repeat the client's data here "
            "(e.g. “Request by email of 12 May”)."
        ),
    )
    confirm = forms.BooleanField(
        label=gettext_lazy("I understand that this cannot be undone."),
        error_messages={"required": gettext_lazy("Tick this box to erase.")},
    )


@klient_view
@require_GET
def person_personal_data(request: AuthedRequest, person_id: int) -> HttpResponse:
    """The client's copy of everything held about them, as a ZIP."""
    export = personal_data_export(actor=request.user, subject=PERSON, record_id=person_id)
    response = FileResponse(
        export.file, as_attachment=True, filename=export.file_name, content_type="application/zip"
    )
    return cast(HttpResponse, response)  # streamed; klient_view only passes it on


@klient_view
@require_http_methods(["GET", "POST"])
def person_erase(request: AuthedRequest, person_id: int) -> HttpResponse:
    """GET: what erasure does, and the reason asked for. POST: erase."""
    user = request.user
    person = selectors.person_get(user=user, person_id=person_id)
    require(user, ERASE)
    form = PersonalDataEraseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            personal_data_erase(
                actor=user, subject=PERSON, record_id=person.pk, reason=form.cleaned_data["reason"]
            )
        except ValidationFailed as error:
            form_add_error(form, error)
        else:
            messages.success(request, _("The client's personal data was erased."))
            return redirect("contacts:person_detail", person_id=person.pk)
    return render(
        request,
        "contacts/person_erase.html",
        {
            "person": person,
            "form": form,
            "holders": [str(handler.label) for handler in client_records if handler.erase],
        },
        status=422 if form.errors else 200,
    )
