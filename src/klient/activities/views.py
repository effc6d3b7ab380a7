"""Timeline and task pages: load more, log a call or note, comment, add and complete tasks.

Each write is an htmx POST that returns the fragment to insert (a timeline item, a
comment, a task row); a plain POST without htmx redirects back to the card.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import reswap, retarget

from klient.activities import selectors, services
from klient.activities.forms import CommentForm, InteractionForm, NoteForm, TaskForm
from klient.activities.models import Task
from klient.contacts import selectors as contact_selectors
from klient.contacts.models import Organization, Person
from klient.core.errors import NotFound, ValidationFailed
from klient.core.models import User
from klient.core.selectors import workspace_users
from klient.core.views import AuthedRequest, form_add_error, is_htmx, klient_view, safe_next_url

TIMELINE_PAGE = 20
CARD_TASK_LIMIT = 20
MY_TASKS_LIMIT = 200
DONE_TASKS_LIMIT = 10


def _subject(user: User, kind: str, record_id: int) -> tuple[Person | None, Organization | None]:
    """The card's record, checked for visibility (another team's or workspace's id: 404)."""
    if kind == "person":
        return contact_selectors.person_get(user=user, person_id=record_id), None
    if kind == "organization":
        return None, contact_selectors.organization_get(user=user, organization_id=record_id)
    raise NotFound()


def _card_url(person: Person | None, organization: Organization | None) -> str:
    if person is not None:
        return reverse("contacts:person_detail", kwargs={"person_id": person.pk})
    assert organization is not None
    return reverse("contacts:organization_detail", kwargs={"organization_id": organization.pk})


def _record_urls(kind: str, record_id: int) -> dict[str, str]:
    prefix = "activities:person_" if kind == "person" else "activities:organization_"
    kwargs = {"record_id": record_id}
    return {
        "timeline_url": reverse(prefix + "timeline", kwargs=kwargs),
        "interaction_url": reverse(prefix + "interaction_create", kwargs=kwargs),
        "note_url": reverse(prefix + "note_create", kwargs=kwargs),
        "task_url": reverse(prefix + "task_create", kwargs=kwargs),
    }


def timeline_context(
    user: User,
    *,
    person: Person | None = None,
    organization: Organization | None = None,
    cursor: str | None = None,
) -> dict[str, Any]:
    """One page of a card's timeline with its comments: two queries whatever the page holds."""
    page = selectors.timeline_page(
        user=user,
        person=person,
        organization=organization,
        cursor=cursor,
        limit=TIMELINE_PAGE,
    )
    comments = selectors.comments_for(interactions=page.items)
    for item in page.items:
        item.comment_rows = comments[item.pk]  # type: ignore[attr-defined]
    kind, record = ("person", person) if person is not None else ("organization", organization)
    assert record is not None
    return {"timeline": page, "record_kind": kind, **_record_urls(kind, record.pk)}


def card_activity_context(user: User, record: Person | Organization) -> dict[str, Any]:
    """The card panel of this app: the composer, the open tasks and the first timeline page."""
    person = record if isinstance(record, Person) else None
    organization = record if isinstance(record, Organization) else None
    task_filter = {"person_id": record.pk} if person else {"organization_id": record.pk}
    tasks = list(
        selectors.task_list(user=user, filters={**task_filter, "status": "open"}).order_by(
            "due_at", "id"
        )[:CARD_TASK_LIMIT]
    )
    return {
        "tasks": tasks,
        "now": timezone.now(),
        "interaction_form": InteractionForm(),
        "note_form": NoteForm(),
        "task_form": TaskForm(
            assignees=list(workspace_users(user=user)), initial={"assignee": user.pk}
        ),
        "comment_form": CommentForm(),
        **timeline_context(user, person=person, organization=organization),
    }


@klient_view
def timeline(request: AuthedRequest, kind: str, record_id: int) -> HttpResponse:
    """The next page of a timeline ("load more")."""
    person, organization = _subject(request.user, kind, record_id)
    context = timeline_context(
        request.user,
        person=person,
        organization=organization,
        cursor=request.GET.get("cursor") or None,
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
    person, organization = _subject(request.user, kind, record_id)
    urls = _record_urls(kind, record_id)
    if form.is_valid():
        try:
            interaction = services.interaction_create(
                actor=request.user,
                person=person,
                organization=organization,
                **form.service_kwargs(),
            )
        except ValidationFailed as error:
            form_add_error(form, error)
        else:
            if not is_htmx(request):
                messages.success(request, _("Saved to the timeline."))
                return redirect(_card_url(person, organization))
            interaction.comment_rows = []  # type: ignore[attr-defined]
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
    return redirect(_card_url(person, organization))


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
        return redirect(_card_url(interaction.person, interaction.organization))
    return render(request, "activities/_comment.html", {"comment": comment, "is_new": True})


@klient_view(write=True)
@require_POST
def task_create(request: AuthedRequest, kind: str, record_id: int) -> HttpResponse:
    user = request.user
    person, organization = _subject(user, kind, record_id)
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
                person=person,
                organization=organization,
            )
        except ValidationFailed as error:
            form_add_error(form, error)
        else:
            if not is_htmx(request):
                messages.success(request, _("Task added."))
                return redirect(_card_url(person, organization))
            return render(
                request,
                "activities/_task_row.html",
                {"task": task, "now": timezone.now(), "is_new": True, "card": True},
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
    return redirect(_card_url(person, organization))


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
        {"task": task, "now": timezone.now(), "show_subject": not request.POST.get("card")},
    )


@klient_view
def task_list(request: AuthedRequest) -> HttpResponse:
    """My open tasks: overdue first (highlighted), then by due time, then undated."""
    user = request.user
    now = timezone.now()
    tasks = list(selectors.tasks_my_open(user=user)[:MY_TASKS_LIMIT])
    done = list(
        selectors.task_list(
            user=user, filters={"assignee_id": user.pk, "status": Task.Status.DONE}
        ).order_by("-completed_at", "-id")[:DONE_TASKS_LIMIT]
    )
    context = {
        "now": now,
        "overdue": [t for t in tasks if t.due_at is not None and t.due_at < now],
        "upcoming": [t for t in tasks if t.due_at is not None and t.due_at >= now],
        "undated": [t for t in tasks if t.due_at is None],
        "done": done,
        "open_count": len(tasks),
    }
    return render(request, "activities/task_list.html", context)
