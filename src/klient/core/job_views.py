"""Administration page of the workspace's background jobs: what waits, what failed and
why, and the buttons to retry or cancel a failed one."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from klient.core import outbox_services, selectors, services
from klient.core.pagination import paginate_id_desc
from klient.core.views import AuthedRequest, klient_view

JOBS_PER_PAGE = 50


@klient_view
def settings_jobs(request: AuthedRequest) -> HttpResponse:
    services.require_admin(request.user)
    page = paginate_id_desc(
        selectors.outbox_job_list_failed(user=request.user),
        cursor=request.GET.get("cursor") or None,
        limit=JOBS_PER_PAGE,
    )
    return render(
        request,
        "core/settings/jobs.html",
        {"page": page, "counts": selectors.outbox_job_counts(user=request.user)},
    )


@klient_view
@require_POST
def settings_job_retry(request: AuthedRequest, job_id: int) -> HttpResponse:
    outbox_services.outbox_job_retry(actor=request.user, outbox_id=job_id)
    messages.success(request, _("The job will run again."))
    return redirect("core:settings_jobs")


@klient_view
@require_POST
def settings_job_cancel(request: AuthedRequest, job_id: int) -> HttpResponse:
    outbox_services.outbox_job_cancel(actor=request.user, outbox_id=job_id)
    messages.success(request, _("The job was cancelled."))
    return redirect("core:settings_jobs")
