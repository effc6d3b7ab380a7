"""The people list's XLSX download (klient.importexport.list_export)."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone

from klient.core.params import param_ids
from klient.core.views import AuthedRequest, klient_view
from klient.importexport.list_export import people_list_export

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@klient_view
def people_list_xlsx(request: AuthedRequest) -> HttpResponse:
    ids = param_ids(request.GET.getlist("ids"), "ids")
    content = people_list_export(user=request.user, query=request.GET, ids=ids)
    response = HttpResponse(content, content_type=XLSX)
    name = f"people-{timezone.localdate().isoformat()}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
