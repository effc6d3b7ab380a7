"""New and edit forms of a deal. "New deal" opens from the board (its pipeline chosen)
and from a person's or an organization's card (that client filled in); editing sends
the version the form was read at, so a change made meanwhile is reported, not undone."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from klient.core.capabilities import require
from klient.core.errors import Conflict, PermissionDenied, ValidationFailed
from klient.core.models import User
from klient.core.params import param_id
from klient.core.pickers import pickers_fill
from klient.core.views import AuthedRequest, form_add_error, klient_view
from klient.sales import services
from klient.sales.forms import CONTACT_ROWS_MIN, DealForm, amount_initial
from klient.sales.models import Deal, Stage
from klient.sales.selectors import deal_contacts, deal_get
from klient.sales.view_selectors import stages_of_pipelines
from klient.sales.view_support import first_team_id, may_change, owner_choices_for, teams_for


def _workspace_currency(user: User) -> str:
    workspace = user.workspace
    return str(workspace.default_currency) if workspace is not None else "RUB"


def _form_page(
    request: AuthedRequest, form: DealForm, deal: Deal | None, *, status: int = 200
) -> HttpResponse:
    pickers_fill(form, user=request.user)
    if form.errors and status == 200:
        status = 422
    return render(request, "sales/deal_form.html", {"form": form, "deal": deal}, status=status)


@klient_view(write=True)
def deal_create(request: AuthedRequest) -> HttpResponse:
    user = request.user
    require(user, "deal.create")
    stages = [stage for stage in stages_of_pipelines(user=user) if stage.kind != Stage.Kind.LOST]
    if not stages:
        messages.error(request, _("There is no pipeline yet: an administrator sets one up."))
        return redirect("sales:board")
    pipeline_id = param_id(request.GET, "pipeline")
    first = next((s for s in stages if s.pipeline_id == pipeline_id), stages[0])
    person_id = param_id(request.GET, "person")
    initial: dict[str, Any] = {
        "stage": first.pk,
        "owner": user.pk,
        "team": first_team_id(user),
        "currency": _workspace_currency(user),
        "organization": param_id(request.GET, "organization"),
        "contact_0": person_id,
    }
    form = DealForm(
        request.POST or None,
        owners=owner_choices_for(user),
        teams=teams_for(user),
        stages=stages,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        stage_id = form.cleaned_data["stage"]
        stage = next((s for s in stages if s.pk == stage_id), None)
        if stage is None:  # a choice field has checked it; a stage archived meanwhile
            form.add_error("stage", _("This stage is not in the pipeline."))
        else:
            try:
                deal = services.deal_create(
                    actor=user,
                    pipeline_id=stage.pipeline_id,
                    stage_id=stage.pk,
                    **form.deal_fields(),
                )
            except (ValidationFailed, Conflict, PermissionDenied) as error:
                form_add_error(form, error)
            else:
                messages.success(request, _("Deal “%(title)s” created.") % {"title": deal.title})
                return redirect("sales:deal_detail", deal_id=deal.pk)
    return _form_page(request, form, None)


@klient_view(write=True)
def deal_edit(request: AuthedRequest, deal_id: int) -> HttpResponse:
    user = request.user
    deal = deal_get(user=user, deal_id=deal_id)
    if not may_change(user, deal, "deal.create"):
        raise PermissionDenied(_("You can change only your own deals."))
    contacts = deal_contacts(deal=deal)
    initial: dict[str, Any] = {
        "title": deal.title,
        "organization": deal.organization_id,
        "owner": deal.owner_id,
        "team": deal.team_id,
        "amount": amount_initial(deal),
        "currency": deal.currency,
        "expected_close_on": deal.expected_close_on,
        "source": deal.source,
        "description": deal.description,
        "version": deal.version,
    }
    for index, link in enumerate(contacts):
        initial[f"contact_{index}"] = link.person_id
        initial[f"role_{index}"] = link.role
    owners = owner_choices_for(user)
    if deal.owner is not None and all(owner.pk != deal.owner_id for owner in owners):
        owners = [*owners, deal.owner]
    form = DealForm(
        request.POST or None,
        owners=owners,
        teams=teams_for(user),
        contact_rows=max(len(contacts) + 1, CONTACT_ROWS_MIN),
        initial=initial,
    )
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            services.deal_update(
                actor=user,
                deal_id=deal.pk,
                data=form.deal_fields(),
                version=form.cleaned_data.get("version"),
            )
        except services.DealChanged as error:
            form_add_error(form, error)
            status = error.status
        except (ValidationFailed, Conflict, PermissionDenied) as error:
            form_add_error(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("sales:deal_detail", deal_id=deal.pk)
    return _form_page(request, form, deal, status=status)
