"""What a page needs beside the rows of a timeline or a task list: the owning record's
name for entries rolled up from elsewhere, and each task's links.

Shared by the card, My tasks and the home page, so a row reads the same everywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.urls import reverse

from klient.activities.models import Interaction, Task
from klient.core.registry import records_describe

_SENTINEL = 918273645


def url_filler(name: str) -> Callable[[int], str]:
    """`reverse(name, args=[id])` for many ids: resolved once, then filled in. A list of
    200 tasks reversed three URLs a row, a third of the page's time at 1M people."""
    head, tail = reverse(name, args=[_SENTINEL]).split(str(_SENTINEL))
    return lambda record_id: f"{head}{record_id}{tail}"


def owner_links(items: Sequence[Interaction | Task], kind: str = "") -> None:
    """Name the owning record of each entry owned by a record other than the page's (a
    deal's call on a person's timeline, a deal's task in My tasks): one query per kind."""
    elsewhere = {
        item.pk: (item.subject_kind, item.subject_id)
        for item in items
        if item.subject_kind and item.subject_kind != kind and item.subject_id is not None
    }
    refs = records_describe(list(elsewhere.values()))
    for item in items:
        owner = elsewhere.get(item.pk)
        item.owner_link = refs.get(owner) if owner else None  # type: ignore[union-attr]


def tasks_prepare(tasks: Sequence[Task], kind: str = "") -> Sequence[Task]:
    """Give each task of a page its links (`_task_row.html` reads them)."""
    owner_links(tasks, kind)
    complete = url_filler("activities:task_complete")
    person = url_filler("contacts:person_detail")
    organization = url_filler("contacts:organization_detail")
    for task in tasks:
        task.complete_url = complete(task.pk)  # type: ignore[attr-defined]
        task.client_url = (  # type: ignore[attr-defined]
            person(task.person_id)
            if task.person_id
            else organization(task.organization_id)
            if task.organization_id
            else ""
        )
    return tasks
