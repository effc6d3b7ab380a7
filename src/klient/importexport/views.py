"""Import pages (upload, mapping, live progress, results), export downloads and the pages
of exports written in the background. Thin."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.views.decorators.http import require_http_methods

from klient.core.errors import ValidationFailed
from klient.core.models import User
from klient.core.regions import phone_region_choices
from klient.core.views import AuthedRequest, form_add_error, klient_view
from klient.importexport import downloads, selectors, services
from klient.importexport.export_sources import FORMAT_NAMES
from klient.importexport.fields import field_choices
from klient.importexport.models import DedupeMode, ExportJob, ImportJob
from klient.importexport.registry import export_kinds, import_kind_choices

RECENT_IMPORTS = 20
RECENT_EXPORTS = 10


class ImportUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File (CSV, XLSX or vCard)"))
    # Choices are the registered import kinds, read per form (apps register them).
    kind = forms.ChoiceField(label=gettext_lazy("What the file holds"), initial="people")
    dedupe = forms.ChoiceField(
        label=gettext_lazy("When a record already exists"),
        choices=DedupeMode.choices,
        initial=DedupeMode.SKIP,
    )
    dry_run = forms.BooleanField(
        label=gettext_lazy("Dry run: check the file and show the report, write nothing"),
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["kind"]).choices = import_kind_choices()


@klient_view(write=True)
@require_http_methods(["GET", "POST"])
def import_new(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = services.import_upload(
                actor=user,
                file_name=upload.name,
                content=upload.chunks(),
                kind=form.cleaned_data["kind"],
                dedupe=form.cleaned_data["dedupe"],
                dry_run=form.cleaned_data["dry_run"],
            )
        except ValidationFailed as error:
            form_add_error(form, error)
        else:
            return redirect("importexport:import_mapping", import_id=job.pk)
    status = 422 if request.method == "POST" else 200
    imports = list(selectors.import_list(user=user)[:RECENT_IMPORTS])
    return render(
        request, "importexport/import_new.html", {"form": form, "imports": imports}, status=status
    )


def _columns(job: ImportJob, mapping: list[str]) -> list[dict[str, Any]]:
    samples = job.sample or []
    return [
        {
            "index": index,
            "header": header,
            "field": mapping[index] if index < len(mapping) else "",
            "samples": [row[index] for row in samples if index < len(row) and row[index]][:3],
        }
        for index, header in enumerate(job.headers)
    ]


@klient_view(write=True)
@require_http_methods(["GET", "POST"])
def import_mapping(request: HttpRequest, import_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    job = selectors.import_get(user=user, import_id=import_id)
    if job.status != ImportJob.Status.MAPPING:
        return redirect("importexport:import_detail", import_id=job.pk)
    mapping, errors, preset = list(job.mapping), {}, request.GET.get("preset", "")
    phone_region = job.phone_region or job.workspace.default_region
    if request.method == "POST":
        mapping = [request.POST.get(f"col-{index}", "") for index in range(len(job.headers))]
        phone_region = request.POST.get("phone_region", "")[:2]
        try:
            services.import_start(
                actor=user,
                job=job,
                mapping=mapping,
                save_preset_as=request.POST.get("save_preset_as", ""),
                phone_region=phone_region,
            )
        except ValidationFailed as error:
            errors = {"message": str(error.message), "fields": error.fields}
        else:
            return redirect("importexport:import_detail", import_id=job.pk)
    elif preset:
        mapping = services.mapping_for_preset(actor=user, job=job, name=preset)
    context = {
        "job": job,
        "columns": _columns(job, mapping),
        "choices": field_choices(job.kind),
        "presets": selectors.preset_names(user=user, kind=job.kind),
        "preset": preset,
        "errors": errors,
        "regions": phone_region_choices(language=get_language()),
        "phone_region": phone_region,
    }
    return render(
        request, "importexport/import_mapping.html", context, status=422 if errors else 200
    )


@klient_view
def import_detail(request: HttpRequest, import_id: int) -> HttpResponse:
    job = selectors.import_get(user=request.user, import_id=import_id)  # type: ignore[arg-type]
    return render(
        request,
        "importexport/import_detail.html",
        {"job": job, "errors": list(selectors.import_errors(job=job)[:20])},
    )


@klient_view
def import_progress(request: HttpRequest, import_id: int) -> HttpResponse:
    """The polled fragment; once the import finishes it no longer asks to be polled."""
    job = selectors.import_get(user=request.user, import_id=import_id)  # type: ignore[arg-type]
    return render(request, "importexport/_progress.html", {"job": job})


@klient_view
def import_errors_csv(request: HttpRequest, import_id: int) -> HttpResponse:
    job = selectors.import_get(user=request.user, import_id=import_id)  # type: ignore[arg-type]
    response = StreamingHttpResponse(
        (chunk.encode("utf-8") for chunk in selectors.import_error_report_csv(job=job)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-errors.csv"'
    return cast(HttpResponse, response)  # streamed; klient_view only passes it on


# --- exports -----------------------------------------------------------------------------


def _export_menu(user: User, query: str) -> list[dict[str, Any]]:
    """The registered export kinds the user may export: name, columns and format links
    (a kind that follows the client list gets the list's filters passed on)."""
    menu = []
    for kind in export_kinds:
        if not kind.visible_to(user):
            continue
        suffix = f"?{query}" if query and kind.list_filters else ""
        links = [
            {
                "name": FORMAT_NAMES.get(fmt, fmt.upper()),
                "url": reverse("importexport:export_file", args=[kind.key, fmt]) + suffix,
            }
            for fmt in kind.formats
        ]
        columns = [str(label) for label in kind.columns.values()]
        menu.append({"label": str(kind.label), "columns": columns, "links": links})
    return menu


@klient_view
def export_page(request: AuthedRequest) -> HttpResponse:
    return render(
        request,
        "importexport/export.html",
        {
            "kinds": _export_menu(request.user, request.GET.urlencode()),
            "exports": list(selectors.export_list(user=request.user)[:RECENT_EXPORTS]),
            "inline_rows": settings.KLIENT_EXPORT_INLINE_ROWS,
        },
    )


def _export_response(result: HttpResponseBase | ExportJob) -> HttpResponse:
    """A big export goes to its page, which follows the job and offers the file."""
    if isinstance(result, ExportJob):
        return redirect("importexport:export_detail", export_id=result.pk)
    return cast(HttpResponse, result)  # possibly streamed; klient_view only passes it on


@klient_view
def export_file(request: AuthedRequest, kind: str, fmt: str) -> HttpResponse:
    """/export/<kind>.<format> of any registered export kind, with the list's filters."""
    return _export_response(
        downloads.export_download(user=request.user, kind=kind, fmt=fmt, query=request.GET)
    )


@klient_view
def export_people_raw(request: AuthedRequest) -> HttpResponse:
    return _export_response(downloads.people_raw_download(user=request.user))


@klient_view
def export_detail(request: AuthedRequest, export_id: int) -> HttpResponse:
    job = selectors.export_get(user=request.user, export_id=export_id)
    return render(
        request,
        "importexport/export_detail.html",
        {"job": job, "keep_hours": settings.KLIENT_EXPORT_KEEP_HOURS},
    )


@klient_view
def export_progress(request: AuthedRequest, export_id: int) -> HttpResponse:
    """The polled fragment; once the export finishes it no longer asks to be polled."""
    job = selectors.export_get(user=request.user, export_id=export_id)
    return render(
        request,
        "importexport/_export_progress.html",
        {"job": job, "keep_hours": settings.KLIENT_EXPORT_KEEP_HOURS},
    )


@klient_view
def export_download_file(request: AuthedRequest, export_id: int) -> HttpResponse:
    job = selectors.export_get(user=request.user, export_id=export_id)
    return cast(HttpResponse, downloads.export_job_file(job))
