"""Timeline and task pages: load more, log a call or note, comment, add and complete tasks.

Each write is an htmx POST that returns the fragment to insert (a timeline item, a
comment, a task row); a plain POST without htmx redirects back to the card.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Model
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import reswap, retarget

from klient.activities import selectors, services
from klient.activities.forms import CommentForm, InteractionForm, NoteForm, TaskForm
from klient.activities.rows import owner_links, tasks_prepare
from klient.activities.selectors import ORGANIZATION, PERSON
from klient.activities.task_list_views import task_list_page
from klient.contacts.models import Organization, Person
from klient.core.errors import ValidationFailed
from klient.core.models import User
from klient.core.registry import record_kind_for, records_describe
from klient.core.selectors import workspace_users
from klient.core.views import AuthedRequest, form_add_error, is_htmx, klient_view, safe_next_url

TIMELINE_PAGE = 20
CARD_TASK_LIMIT = 20


# The card URLs of the two client kinds keep their short names; any other record kind
# (a deal, a request) is reached under /records/<kind>/<id>/.
_CLIENT_URL_PREFIX = {PERSON: "activities:person_", ORGANIZATION: "activities:organization_"}


def _owner(user: User, kind: str, record_id: int) -> Model:
    """The record whose timeline this is, checked for visibility (else 404)."""
    return selectors.owner_resolve(user=user, kind=kind, record_id=record_id)


def _entry_targets(record: Model) -> dict[str, Any]:
    """The service arguments naming `record` as an entry's owner."""
    if isinstance(record, Person):
        return {"person": record}
    if isinstance(record, Organization):
        return {"organization": record}
    return {"owner": record}


def _card_url(kind: str, record_id: int) -> str:
    ref = records_describe([(kind, record_id)]).get((kind, record_id))
    return ref.url if ref is not None else reverse("activities:task_list")


def _record_urls(kind: str, record_id: int) -> dict[str, str]:
    kwargs: dict[str, str | int]
    if kind in _CLIENT_URL_PREFIX:
        prefix, kwargs = _CLIENT_URL_PREFIX[kind], {"record_id": record_id}
    else:
        prefix, kwargs = "activities:record_", {"kind": kind, "record_id": record_id}
    names = {"timeline": "timeline", "interaction": "interaction_create"}
    names |= {"note": "note_create", "task": "task_create"}
    return {f"{key}_url": reverse(prefix + name, kwargs=kwargs) for key, name in names.items()}


def timeline_context(
    user: User, *, kind: str, record_id: int, cursor: str | None = None
) -> dict[str, Any]:
    """One page of a record's timeline with its comments: two queries whatever the page
    holds, and one more per kind of other record it shows entries of."""
    page = selectors.timeline_page(
        user=user, owner=(kind, record_id), cursor=cursor, limit=TIMELINE_PAGE
    )
    comments = selectors.comments_for(interactions=page.items)
    for item in page.items:
        item.comment_rows = comments[item.pk]  # type: ignore[attr-defined]
    owner_links(page.items, kind)
    return {"timeline": page, "record_kind": kind, **_record_urls(kind, record_id)}


def card_activity_context(user: User, record: Model) -> dict[str, Any]:
    """The activity panel of any record's page (a client's card, a deal): the composer,
    the open tasks and the first timeline page."""
    kind = record_kind_for(record).key
    tasks = list(
        selectors.task_list(user=user, filters={"status": "open"})
        .filter(selectors.entry_owner_filter(kind, record.pk))
        .order_by("due_at", "id")[:CARD_TASK_LIMIT]
    )
    tasks_prepare(tasks, kind)
    return {
        "tasks": tasks,
        "now": timezone.now(),
        "interaction_form": InteractionForm(),
        "note_form": NoteForm(),
        "task_form": TaskForm(
            assignees=list(workspace_users(user=user)), initial={"assignee": user.pk}
        ),
        "comment_form": CommentForm(),
        **timeline_context(user, kind=kind, record_id=record.pk),
    }


@klient_view
def timeline(request: AuthedRequest, kind: str, record_id: int) -> HttpResponse:
    """The next page of a timeline ("load more")."""
    _owner(request.user, kind, record_id)
    context = timeline_context(
        request.user, kind=kind, record_id=record_id, cursor=request.GET.get("cursor") or None
    )
    context["comment_form"] = CommentForm()
    return render(request, "activities/_timeline_page.html", context)


def _interaction_post(
    request: AuthedRequest,
    kind: str,
    record_id: int,
    form: InteractionForm | NoteForm,
    template: str,
) -> HttpResponse:
    record = _owner(request.user, kind, record_id)
    urls = _record_urls(kind, record_id)
    if form.is_valid():
        try:
            interaction = services.interaction_create(
                actor=request.user, **_entry_targets(record), **form.service_kwargs()
            )
        except ValidationFailed as error:
            form_add_error(form, error)
        else:
            if not is_htmx(request):
                messages.success(request, _("Saved to the timeline."))
                return redirect(_card_url(kind, record_id))
            interaction.comment_rows = []  # type: ignore[attr-defined]
            interaction.owner_link = None  # type: ignore[attr-defined]
            return render(
                request,
                "activities/_timeline_item.html",
                {
                    "item": interaction,
                    "comment_form": CommentForm(),
                    "is_new": True,
                    "record_kind": kind,
                },
            )
    context = {"form": form, **urls}
    if is_htmx(request):
        response = render(request, template, context, status=422)
        return reswap(retarget(response, "this"), "outerHTML")
    messages.error(request, _("Please correct the errors below."))
    return redirect(_card_url(kind, record_id))


@klient_view(write=True)
@require_POST
def interaction_create(request: AuthedRequest, kind: str, record_id: int) -> HttpResponse:
    return _interaction_post(
        request, kind, record_id, InteractionForm(request.POST), "activities/_interaction_form.html"
    )


@klient_view(write=True)
@require_POST
def note_create(request: AuthedRequest, kind: str, record_id: int) -> HttpResponse:
    return _interaction_post(
        request, kind, record_id, NoteForm(request.POST), "activities/_note_form.html"
    )


@klient_view(write=True)
@require_POST
def comment_create(request: AuthedRequest, interaction_id: int) -> HttpResponse:
    """Comment under an interaction; @username notifies that colleague."""
    interaction = selectors.interaction_get(user=request.user, interaction_id=interaction_id)
    comment = services.comment_create(
        actor=request.user, interaction=interaction, body=request.POST.get("body", "")
    )
    if not is_htmx(request):
        owner = interaction.owner_ref
        return redirect(_card_url(*owner) if owner else reverse("activities:task_list"))
    return render(request, "activities/_comment.html", {"comment": comment, "is_new": True})


@klient_view(write=True)
@require_POST
def task_create(request: AuthedRequest, kind: str, record_id: int) -> HttpResponse:
    user = request.user
    record = _owner(user, kind, record_id)
    assignees = list(workspace_users(user=user))
    form = TaskForm(request.POST, assignees=assignees)
    if form.is_valid():
        data = form.cleaned_data
        assignee = next((u for u in assignees if u.pk == data["assignee"]), None)
        try:
            task = services.task_create(
                actor=user,
                title=data["title"],
                assignee=assignee,
                due_at=data["due_at"],
                description=data["description"],
                remind_before_minutes=data["remind_before_minutes"],
                **_entry_targets(record),
            )
        except ValidationFailed as error:
            form_add_error(form, error)
        else:
            if not is_htmx(request):
                messages.success(request, _("Task added."))
                return redirect(_card_url(kind, record_id))
            return render(
                request,
                "activities/_task_row.html",
                {
                    "task": tasks_prepare([task], kind)[0],
                    "now": timezone.now(),
                    "is_new": True,
                    "card": True,
                },
            )
    if is_htmx(request):
        response = render(
            request,
            "activities/_task_form.html",
            {"task_form": form, **_record_urls(kind, record_id)},
            status=422,
        )
        return reswap(retarget(response, "this"), "outerHTML")
    messages.error(request, _("Please correct the errors below."))
    return redirect(_card_url(kind, record_id))


@klient_view(write=True)
@require_POST
def task_complete(request: AuthedRequest, task_id: int) -> HttpResponse:
    task = selectors.task_get(user=request.user, task_id=task_id)
    task = services.task_complete(actor=request.user, task=task)
    if not is_htmx(request):
        return redirect(
            safe_next_url(request, request.POST.get("next"), reverse("activities:task_list"))
        )
    return render(
        request,
        "activities/_task_row.html",
        {
            "task": tasks_prepare([task])[0],
            "now": timezone.now(),
            "show_subject": not request.POST.get("card"),
        },
    )


@klient_view
def task_list(request: AuthedRequest) -> HttpResponse:
    return _task_list_page(request)


def _task_list_page(request: AuthedRequest, form: TaskForm | None = None) -> HttpResponse:
    """The tasks page (its scopes, filters and pages: task_list_views), with the form for
    a to-do of one's own or for a colleague, on no client."""
    return task_list_page(request, form=form)


@klient_view(write=True)
@require_POST
def todo_create(request: AuthedRequest) -> HttpResponse:
    """A task on no record, from the tasks page (seen by its assignee, creator and team)."""
    user = request.user
    assignees = list(workspace_users(user=user))
    form = TaskForm(request.POST, assignees=assignees)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.task_create(
                actor=user,
                title=data["title"],
                assignee=next((u for u in assignees if u.pk == data["assignee"]), None),
                due_at=data["due_at"],
                description=data["description"],
                remind_before_minutes=data["remind_before_minutes"],
            )
        except ValidationFailed as error:
            form_add_error(form, error)
        else:
            messages.success(request, _("Task added."))
            return redirect("activities:task_list")
    return _task_list_page(request, form=form)
