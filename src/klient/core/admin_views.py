"""Administration pages: colleagues and their roles, teams, and the audit log."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from klient.core import selectors, services
from klient.core.errors import KlientError, NotFound
from klient.core.models import Role
from klient.core.pagination import paginate_id_desc
from klient.core.views import AuthedRequest, form_add_error, klient_view

AUDIT_PER_PAGE = 50


class UserCreateForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("Username"), max_length=150)
    first_name = forms.CharField(label=gettext_lazy("First name"), required=False)
    last_name = forms.CharField(label=gettext_lazy("Last name"), required=False)
    email = forms.EmailField(label=gettext_lazy("Email"), required=False)
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=Role.choices)
    teams = forms.MultipleChoiceField(
        label=gettext_lazy("Teams"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, team_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["teams"] = forms.MultipleChoiceField(
            label=gettext_lazy("Teams"),
            required=False,
            choices=team_choices,
            widget=forms.CheckboxSelectMultiple,
        )


class TeamCreateForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Team name"), max_length=120)


def _team_choices(request: AuthedRequest) -> list[tuple[str, str]]:
    return [(str(team.pk), team.name) for team in selectors.team_list(user=request.user)]


@klient_view
def settings_users(request: AuthedRequest) -> HttpResponse:
    services.require_admin(request.user)
    form = UserCreateForm(request.POST or None, team_choices=_team_choices(request))
    created_password = None
    if request.method == "POST" and form.is_valid():
        teams = selectors.team_list(user=request.user).filter(pk__in=form.cleaned_data["teams"])
        created_password = services.password_generate()
        try:
            workspace = request.user.workspace
            if workspace is None:
                raise NotFound(_("Workspace not found."))
            services.user_create(
                workspace=workspace,
                username=form.cleaned_data["username"],
                role=form.cleaned_data["role"],
                password=created_password,
                email=form.cleaned_data["email"],
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                teams=list(teams),
                actor=request.user,
            )
        except KlientError as error:
            form_add_error(form, error)
            created_password = None
        else:
            created_username = form.cleaned_data["username"]
            form = UserCreateForm(team_choices=_team_choices(request))
            return render(
                request,
                "core/settings/users.html",
                {
                    "form": form,
                    "users": selectors.user_list_for_admin(user=request.user),
                    "teams": selectors.team_list(user=request.user),
                    "roles": Role.choices,
                    "created_username": created_username,
                    "created_password": created_password,
                },
            )
    return render(
        request,
        "core/settings/users.html",
        {
            "form": form,
            "users": selectors.user_list_for_admin(user=request.user),
            "teams": selectors.team_list(user=request.user),
            "roles": Role.choices,
        },
        status=422 if request.method == "POST" else 200,
    )


@klient_view
@require_POST
def settings_user_update(request: AuthedRequest, user_id: int) -> HttpResponse:
    services.require_admin(request.user)
    colleague = selectors.user_list_for_admin(user=request.user).filter(pk=user_id).first()
    if colleague is None:
        raise NotFound(_("User not found."))
    services.user_update(
        actor=request.user,
        user=colleague,
        role=request.POST.get("role") or None,
        team_ids=[int(t) for t in request.POST.getlist("teams") if t.isdigit()],
        is_active=request.POST.get("is_active") == "on",
    )
    return redirect("core:settings_users")


@klient_view
def settings_teams(request: AuthedRequest) -> HttpResponse:
    services.require_admin(request.user)
    form = TeamCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        workspace = request.user.workspace
        if workspace is None:
            raise NotFound(_("Workspace not found."))
        services.team_create(
            workspace=workspace, name=form.cleaned_data["name"], actor=request.user
        )
        return redirect("core:settings_teams")
    return render(
        request,
        "core/settings/teams.html",
        {
            "form": form,
            "teams": selectors.team_list(user=request.user),
        },
    )


@klient_view
def settings_audit(request: AuthedRequest) -> HttpResponse:
    """The whole audit log, filtered by actor, action and record."""
    services.require_admin(request.user)
    actor = request.GET.get("actor", "")
    object_id = request.GET.get("object_id", "")
    rows = selectors.audit_list(
        user=request.user,
        object_type=request.GET.get("object_type") or None,
        object_id=int(object_id) if object_id.isdigit() else None,
        actor_id=int(actor) if actor.isdigit() else None,
        action=request.GET.get("action") or None,
    )
    page = paginate_id_desc(rows, cursor=request.GET.get("cursor") or None, limit=AUDIT_PER_PAGE)
    query = request.GET.copy()
    query.pop("cursor", None)
    return render(
        request,
        "core/settings/audit.html",
        {
            "page": page,
            "users": selectors.user_list_for_admin(user=request.user),
            "filters": request.GET,
            "query": query.urlencode(),
        },
    )
