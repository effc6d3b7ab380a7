"""The administrator's workspace page: its name, default phone region and language."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from klient.core import services
from klient.core.errors import KlientError, NotFound
from klient.core.models import Workspace
from klient.core.regions import phone_region_choices
from klient.core.views import AuthedRequest, form_add_error, klient_view


class WorkspaceForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Company name"), max_length=200)
    default_region = forms.ChoiceField(
        label=gettext_lazy("Default phone region"),
        help_text=gettext_lazy(
            "Phone numbers written without a country code (0888 123 456, 8 916 123-45-67) "
            "are read as numbers of this country. An import can choose another."
        ),
    )
    default_language = forms.ChoiceField(
        label=gettext_lazy("Default language"),
        help_text=gettext_lazy("The language of new colleagues until they choose their own."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["default_region"].choices = phone_region_choices(language=get_language())  # type: ignore[attr-defined]
        self.fields["default_language"].choices = settings.LANGUAGES  # type: ignore[attr-defined]


def _workspace(request: AuthedRequest) -> Workspace:
    services.require_admin(request.user)
    workspace = request.user.workspace
    if workspace is None:
        raise NotFound(_("Workspace not found."))
    return workspace


@klient_view
def settings_workspace(request: AuthedRequest) -> HttpResponse:
    workspace = _workspace(request)
    if request.method != "POST":
        form = WorkspaceForm(
            initial={
                "name": workspace.name,
                "default_region": workspace.default_region,
                "default_language": workspace.default_language,
            }
        )
        return render(request, "core/settings/workspace.html", {"form": form})
    form = WorkspaceForm(request.POST)
    if form.is_valid():
        try:
            services.workspace_update(actor=request.user, **form.cleaned_data)
        except KlientError as error:
            form_add_error(form, error)
        else:
            messages.success(request, _("Workspace settings saved."))
            return redirect("core:settings_workspace")
    return render(request, "core/settings/workspace.html", {"form": form}, status=422)
