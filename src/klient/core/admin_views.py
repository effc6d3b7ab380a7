"""Administration pages: colleagues and their roles, teams and sign-in lockouts (the
audit log is audit_views)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.db.models import Count, Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from klient.core import selectors, services, throttle
from klient.core.errors import KlientError, NotFound, ValidationFailed
from klient.core.models import Role, User
from klient.core.params import param_id, param_ids
from klient.core.views import AuthedRequest, form_add_error, klient_view


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


def _colleagues(request: AuthedRequest) -> QuerySet[User]:
    """Colleagues with how many live API tokens each holds (the "revoke" button)."""
    return selectors.user_list_for_admin(user=request.user).annotate(
        live_tokens=Count("api_tokens", filter=Q(api_tokens__revoked_at__isnull=True))
    )


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
                    "users": _colleagues(request),
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
            "users": _colleagues(request),
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
        team_ids=param_ids(request.POST.getlist("teams"), "teams"),
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
            "teams": selectors.team_list(user=request.user).select_related("lead"),
            "colleagues": selectors.workspace_users(user=request.user),
        },
    )


@klient_view
@require_POST
def settings_team_lead(request: AuthedRequest, team_id: int) -> HttpResponse:
    """Name a team's lead: escalations and follow-up cases go to them."""
    services.require_admin(request.user)
    team = selectors.team_list(user=request.user).filter(pk=team_id).first()
    if team is None:
        raise NotFound(_("Team not found."))
    lead_id = param_id(request.POST, "lead_id")
    lead = None
    if lead_id is not None:
        lead = selectors.workspace_users(user=request.user).filter(pk=lead_id).first()
        if lead is None:
            raise ValidationFailed(fields={"lead_id": _("Unknown user.")})
    services.team_lead_set(actor=request.user, team=team, lead=lead)
    messages.success(request, _("Team lead saved."))
    return redirect("core:settings_teams")


@klient_view
@require_POST
def settings_user_tokens_revoke(request: AuthedRequest, user_id: int) -> HttpResponse:
    """An administrator ends every API token of a colleague (e.g. one who left)."""
    services.require_admin(request.user)
    colleague = selectors.user_list_for_admin(user=request.user).filter(pk=user_id).first()
    if colleague is None:
        raise NotFound(_("User not found."))
    revoked = services.token_revoke_all(user=colleague, actor=request.user)
    messages.success(
        request,
        _("API tokens of %(user)s revoked: %(count)s.")
        % {"user": colleague.display_name, "count": revoked},
    )
    return redirect("core:settings_users")


@klient_view
@require_POST
def settings_user_password_reset(request: AuthedRequest, user_id: int) -> HttpResponse:
    """A new password for a colleague, shown once; their sessions end with the old one."""
    services.require_admin(request.user)
    colleague = selectors.user_list_for_admin(user=request.user).filter(pk=user_id).first()
    if colleague is None:
        raise NotFound(_("User not found."))
    password = services.user_password_reset(actor=request.user, user=colleague)
    return render(
        request,
        "core/settings/users.html",
        {
            "form": UserCreateForm(team_choices=_team_choices(request)),
            "users": _colleagues(request),
            "teams": selectors.team_list(user=request.user),
            "roles": Role.choices,
            "reset_username": colleague.username,
            "reset_password": password,
        },
    )


@klient_view
def settings_lockouts(request: AuthedRequest) -> HttpResponse:
    """Accounts and addresses locked after too many failed sign-ins, to unlock."""
    services.require_admin(request.user)
    return render(
        request,
        "core/settings/lockouts.html",
        {
            "lockouts": throttle.lockout_list(user=request.user),
            "limits": {
                "account": settings.KLIENT_LOGIN_FAILURE_LIMIT,
                "address": settings.KLIENT_LOGIN_ADDRESS_FAILURE_LIMIT,
                "minutes": settings.KLIENT_LOGIN_COOLOFF_MINUTES,
            },
        },
    )


@klient_view
@require_POST
def settings_lockout_clear(request: AuthedRequest, lockout_id: int) -> HttpResponse:
    throttle.lockout_clear(actor=request.user, lockout_id=lockout_id)
    messages.success(request, _("Unlocked."))
    return redirect("core:settings_lockouts")
