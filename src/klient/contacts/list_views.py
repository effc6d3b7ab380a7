"""Pages of saved lists (a fixed set of people) and segments (a saved filter that stays current).

Thin, as the client pages: a form parses, a service writes, a selector reads. Members are
always read through the people selector, so a page shows only the people its user may see;
every page issues a fixed number of queries whatever the number of lists or members.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from klient.contacts import list_selectors, list_services, selectors
from klient.contacts.errors import InvalidContactData
from klient.contacts.forms import ClientFilterForm
from klient.contacts.models import Affiliation, Channel, LifecycleStage, SavedList
from klient.core.errors import KlientError, NotFound, PermissionDenied, ValidationFailed
from klient.core.models import User
from klient.core.params import param_ids
from klient.core.selectors import team_list, workspace_users
from klient.core.views import form_add_error, is_htmx, klient_view, list_page, safe_next_url

INDEX_LIMIT = 200
CANDIDATE_LIMIT = 10
# The filters the segment form edits; any other stored key (set through the API) is kept.
FORM_FILTER_KEYS = ("q", "lifecycle_stage", "owner_id", "tag", "segment")
NAME_MAX = 120


# --- forms -----------------------------------------------------------------------------------


class SavedListForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=NAME_MAX)
    visibility = forms.ChoiceField(
        label=gettext_lazy("Shared with"),
        choices=SavedList.Visibility.choices,
        initial=SavedList.Visibility.PRIVATE,
        required=False,  # left out: private for a new list, unchanged for an old one
    )


class SegmentForm(ClientFilterForm, SavedListForm):
    """A name, whom it is shared with, and the client list's own filters."""

    field_order = ["name", "visibility", "q", "lifecycle_stage", "owner", "tag", "segment"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = {
            "q": gettext_lazy("Name, email or phone contains"),
            "lifecycle_stage": gettext_lazy("Lifecycle stage"),
            "owner": gettext_lazy("Owner"),
            "tag": gettext_lazy("Tag"),
            "segment": gettext_lazy("Segment"),
        }
        for name, label in labels.items():
            self.fields[name].label = label

    def filters(self) -> dict[str, Any]:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        filters = {key: data.get(key) for key in ("q", "lifecycle_stage", "tag", "segment")}
        filters["owner_id"] = data.get("owner")
        return {key: value for key, value in filters.items() if value}


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)  # klient_view has already asked for a login


def _htmx_target(request: HttpRequest) -> str | None:
    htmx = getattr(request, "htmx", None)
    return htmx.target if htmx else None


def _segment_form(
    request: HttpRequest, user: User, *, initial: Mapping[str, Any], current: Mapping[str, Any]
) -> SegmentForm:
    """The segment form; a stored tag or segment no longer in use stays selectable."""
    tags = selectors.tag_names(user=user)
    segments = selectors.segment_names(user=user)
    if current.get("tag") and current["tag"] not in tags:
        tags.append(current["tag"])
    if current.get("segment") and current["segment"] not in segments:
        segments.append(current["segment"])
    return SegmentForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        owners=list(workspace_users(user=user)),
        tags=tags,
        segments=segments,
    )


def _form_error(form: forms.Form, error: KlientError) -> None:
    """Show a service error on the form; `filters.tag` belongs to the form's `tag`."""
    fields = {key.removeprefix("filters."): value for key, value in error.fields.items()}
    form_add_error(form, InvalidContactData(error.message, fields=fields))


# --- filter summaries ------------------------------------------------------------------------


class FilterLabels:
    """Segment filters in words ("Tag: vip"), with names of owners, teams and organizations
    looked up once for every segment on a page."""

    def __init__(self, user: User, filter_sets: Iterable[Mapping[str, Any]]) -> None:
        sets = list(filter_sets)
        wanted = {
            key: {f[key] for f in sets if f.get(key)}
            for key in ("owner_id", "team_id", "organization_id")
        }
        self.owners = (
            {
                u.pk: u.display_name
                for u in workspace_users(user=user).filter(pk__in=wanted["owner_id"])
            }
            if wanted["owner_id"]
            else {}
        )
        self.teams = (
            {t.pk: t.name for t in team_list(user=user).filter(pk__in=wanted["team_id"])}
            if wanted["team_id"]
            else {}
        )
        self.organizations = (
            dict(
                selectors.organization_list(user=user)
                .select_related(None)
                .filter(pk__in=wanted["organization_id"])
                .values_list("pk", "name")
            )
            if wanted["organization_id"]
            else {}
        )

    def summary(self, filters: Mapping[str, Any]) -> list[tuple[str, str]]:
        stages = dict(LifecycleStage.choices)
        channels = dict(Channel.choices)
        rows: list[tuple[str, str]] = []
        for key, value in filters.items():
            if key == "q":
                rows.append((_("Contains"), f"“{value}”"))
            elif key == "lifecycle_stage":
                rows.append((_("Stage"), str(stages.get(value, value))))
            elif key == "owner_id":
                rows.append((_("Owner"), self.owners.get(value, f"#{value}")))
            elif key == "team_id":
                rows.append((_("Team"), self.teams.get(value, f"#{value}")))
            elif key == "organization_id":
                rows.append((_("Organization"), self.organizations.get(value, f"#{value}")))
            elif key == "tag":
                rows.append((_("Tag"), str(value)))
            elif key == "segment":
                rows.append((_("Segment"), str(value)))
            elif key == "preferred_channel":
                rows.append((_("Channel"), str(channels.get(value, value))))
        return rows


# --- pages -----------------------------------------------------------------------------------


@klient_view
def saved_list_index(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    rows = list(list_selectors.saved_lists(user=user).select_related("owner")[: INDEX_LIMIT + 1])
    truncated = len(rows) > INDEX_LIMIT
    rows = rows[:INDEX_LIMIT]
    counts = list_selectors.saved_list_counts(user=user, saved_lists=rows)
    labels = FilterLabels(user, (r.filters for r in rows if r.kind == SavedList.Kind.DYNAMIC))
    items = [
        {"list": row, "count": counts[row.pk], "summary": labels.summary(row.filters)}
        for row in rows
    ]
    return render(request, "contacts/lists/index.html", {"items": items, "truncated": truncated})


@klient_view
def saved_list_detail(request: HttpRequest, list_id: int) -> HttpResponse:
    user = _user(request)
    saved = list_selectors.saved_list_get(user=user, saved_list_id=list_id)
    if _htmx_target(request) == "candidates":
        return render(request, "contacts/lists/_candidates.html", _candidates(request, saved))
    primary = Prefetch(
        "affiliations",
        to_attr="primary_affiliations",
        queryset=Affiliation.objects.filter(is_primary=True).select_related("organization"),
    )
    rows = list_selectors.saved_list_people(user=user, saved_list=saved)
    context: dict[str, Any] = {
        "saved": saved,
        "can_manage": list_selectors.saved_list_can_manage(user=user, saved_list=saved),
        **list_page(
            request,
            rows,
            url=reverse("lists:detail", args=[saved.pk]),
            page_rows=rows.prefetch_related("tags", primary),
        ),
        "is_static": saved.kind == SavedList.Kind.STATIC,
        "summary": FilterLabels(user, [saved.filters]).summary(saved.filters),
    }
    if _htmx_target(request) == "results":
        return render(request, "contacts/lists/_people.html", context)
    context.update(_candidates(request, saved))
    return render(request, "contacts/lists/detail.html", context)


def _candidates(request: HttpRequest, saved: SavedList) -> dict[str, Any]:
    """People matching the "add people" search who are not on the static list yet."""
    user = _user(request)
    add_q = request.GET.get("add_q", "").strip()[:200]
    candidates: list[Any] = []
    if add_q and saved.kind == SavedList.Kind.STATIC and user.can_write:
        candidates = list(
            selectors.person_list(user=user, filters={"q": add_q})
            .exclude(saved_lists=saved)
            .order_by("full_name", "id")[:CANDIDATE_LIMIT]
        )
    return {"saved": saved, "add_q": add_q, "candidates": candidates}


@klient_view(write=True)
def saved_list_create(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = SavedListForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            saved = list_services.saved_list_create(
                actor=user,
                name=form.cleaned_data["name"],
                visibility=form.cleaned_data["visibility"] or SavedList.Visibility.PRIVATE,
            )
        except ValidationFailed as error:
            _form_error(form, error)
        else:
            messages.success(request, _("The list “%(name)s” was created.") % {"name": saved.name})
            return redirect("lists:detail", list_id=saved.pk)
    return render(
        request,
        "contacts/lists/form.html",
        {"form": form, "saved": None, "kind": SavedList.Kind.STATIC},
        status=422 if form.errors else 200,
    )


@klient_view(write=True)
def segment_create(request: HttpRequest) -> HttpResponse:
    """A segment from a filter; the client list's query string fills the form in."""
    user = _user(request)
    initial = {
        key: request.GET[key]
        for key in ("q", "lifecycle_stage", "owner", "tag", "segment")
        if request.GET.get(key)
    }
    form = _segment_form(request, user, initial=initial, current=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = list_services.saved_list_create(
                actor=user,
                name=form.cleaned_data["name"],
                kind=SavedList.Kind.DYNAMIC,
                filters=form.filters(),
                visibility=form.cleaned_data["visibility"] or SavedList.Visibility.PRIVATE,
            )
        except ValidationFailed as error:
            _form_error(form, error)
        else:
            messages.success(
                request, _("The segment “%(name)s” was created.") % {"name": saved.name}
            )
            return redirect("lists:detail", list_id=saved.pk)
    return render(
        request,
        "contacts/lists/form.html",
        {"form": form, "saved": None, "kind": SavedList.Kind.DYNAMIC},
        status=422 if form.errors else 200,
    )


@klient_view(write=True)
def saved_list_edit(request: HttpRequest, list_id: int) -> HttpResponse:
    user = _user(request)
    saved = list_selectors.saved_list_get(user=user, saved_list_id=list_id)
    if not list_selectors.saved_list_can_manage(user=user, saved_list=saved):
        raise PermissionDenied(list_services.NOT_LIST_MANAGER)
    form: forms.Form
    common = {"name": saved.name, "visibility": saved.visibility}
    if saved.kind == SavedList.Kind.DYNAMIC:
        stored = saved.filters
        initial = {**common, **{k: v for k, v in stored.items() if k in FORM_FILTER_KEYS}}
        if "owner_id" in initial:
            initial["owner"] = initial.pop("owner_id")
        form = _segment_form(request, user, initial=initial, current=stored)
    else:
        form = SavedListForm(request.POST or None, initial=common)
    if request.method == "POST" and form.is_valid():
        data: dict[str, Any] = {
            "name": form.cleaned_data["name"],
            "visibility": form.cleaned_data["visibility"] or saved.visibility,
        }
        if isinstance(form, SegmentForm):
            kept = {k: v for k, v in saved.filters.items() if k not in FORM_FILTER_KEYS}
            data["filters"] = {**kept, **form.filters()}
        try:
            list_services.saved_list_update(actor=user, saved_list=saved, data=data)
        except ValidationFailed as error:
            _form_error(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("lists:detail", list_id=saved.pk)
    kept_summary = FilterLabels(user, [saved.filters]).summary(
        {k: v for k, v in saved.filters.items() if k not in FORM_FILTER_KEYS}
    )
    return render(
        request,
        "contacts/lists/form.html",
        {"form": form, "saved": saved, "kind": saved.kind, "kept": kept_summary},
        status=422 if form.errors else 200,
    )


@klient_view(write=True)
@require_POST
def saved_list_delete(request: HttpRequest, list_id: int) -> HttpResponse:
    user = _user(request)
    saved = list_selectors.saved_list_get(user=user, saved_list_id=list_id)
    name = saved.name
    list_services.saved_list_delete(actor=user, saved_list=saved)
    messages.success(request, _("“%(name)s” was deleted; its people were kept.") % {"name": name})
    return redirect("lists:index")


@klient_view(write=True)
@require_POST
def saved_list_member_add(request: HttpRequest, list_id: int) -> HttpResponse:
    """Add the posted `person_id`s; back to `next` (e.g. a person's card) or to the list."""
    user = _user(request)
    saved = list_selectors.saved_list_get(user=user, saved_list_id=list_id)
    person_ids = param_ids(request.POST.getlist("person_id"), "person_id")
    if not person_ids:
        raise InvalidContactData(_("Choose people to add."))
    added = list_services.saved_list_add(actor=user, saved_list=saved, person_ids=person_ids)
    messages.success(
        request, _("Added to “%(name)s”: %(count)d.") % {"name": saved.name, "count": added}
    )
    default = reverse("lists:detail", args=[saved.pk])
    return redirect(safe_next_url(request, request.POST.get("next"), default))


@klient_view(write=True)
@require_POST
def saved_list_member_remove(request: HttpRequest, list_id: int, person_id: int) -> HttpResponse:
    """Take one person off a static list; htmx gets an empty row back, so the row goes."""
    user = _user(request)
    saved = list_selectors.saved_list_get(user=user, saved_list_id=list_id)
    person = selectors.person_get(user=user, person_id=person_id)
    if not list_services.saved_list_remove(actor=user, saved_list=saved, person_ids=[person.pk]):
        raise NotFound(_("This person is not on the list."))
    if is_htmx(request):
        return HttpResponse("")
    messages.success(request, _("%(name)s was removed from the list.") % {"name": person.full_name})
    return redirect("lists:detail", list_id=saved.pk)
