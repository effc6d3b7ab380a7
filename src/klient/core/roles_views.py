"""The roles page: what each role may do (klient.core.capabilities), for administrators."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from klient.core.capabilities import ROLES, capability_map, require
from klient.core.models import Role
from klient.core.views import AuthedRequest, klient_view


@klient_view
def settings_roles(request: AuthedRequest) -> HttpResponse:
    require(request.user, "workspace.manage")
    labels = dict(Role.choices)
    return render(
        request,
        "core/settings/roles.html",
        {
            "roles": [(role, labels[role]) for role in ROLES],
            "rows": [
                (capability, [allowed[role] for role in ROLES])
                for capability, allowed in capability_map()
            ],
        },
    )
