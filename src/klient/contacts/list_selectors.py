"""Reads of saved lists and segments: which lists a user may read or manage, and their
members, always read through the people selector so each user sees only whom they may.

Sharing (docs/adr/0006-saved-list-sharing.md): a list is private to its owner, shared with
the owner's team, or shared with the workspace; administrators see every list.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from klient.contacts.models import Person, SavedList
from klient.contacts.selectors import PERSON_FILTER_KEYS, person_list
from klient.core.errors import NotFound
from klient.core.models import Role, User
from klient.core.selectors import scoped, user_team_ids


def saved_list_visibility_q(user: User) -> Q:
    """Which saved lists a user may read: their own, those shared with the workspace, and
    those shared with a team of theirs; administrators read every list, private ones too.
    A list another user may not read is answered as not found, as records are."""
    if user.role == Role.ADMIN:
        return Q()
    q = Q(owner_id=user.pk) | Q(visibility=SavedList.Visibility.WORKSPACE)
    team_ids = user_team_ids(user)
    if team_ids:
        q |= Q(visibility=SavedList.Visibility.TEAM, team_id__in=team_ids)
    return q


def saved_list_can_manage(*, user: User, saved_list: SavedList) -> bool:
    """Renaming, re-filtering, re-sharing and deleting a list: its owner and administrators.
    Whoever may read a shared static list and write may add and remove people on it."""
    if not user.can_write or not user.is_active or user.workspace_id != saved_list.workspace_id:
        return False
    return user.role == Role.ADMIN or saved_list.owner_id == user.pk


def saved_list_get(*, user: User, saved_list_id: int) -> SavedList:
    rows = (
        scoped(SavedList, user=user).filter(saved_list_visibility_q(user)).select_related("owner")
    )
    saved = rows.filter(pk=saved_list_id).first()
    if saved is None:
        raise NotFound(_("List not found."))
    return saved


def saved_list_people(*, user: User, saved_list: SavedList) -> QuerySet[Person]:
    """Members of a list; a segment re-runs its filter, so it is always current."""
    if saved_list.kind == SavedList.Kind.DYNAMIC:
        filters = {k: v for k, v in saved_list.filters.items() if k in PERSON_FILTER_KEYS}
        return person_list(user=user, filters=filters)
    return person_list(user=user).filter(saved_lists=saved_list)


def saved_lists(*, user: User, kind: str = "") -> QuerySet[SavedList]:
    rows = (
        scoped(SavedList, user=user)
        .filter(saved_list_visibility_q(user))
        .annotate(static_count=Count("members"))
        .order_by("name")
    )
    return rows.filter(kind=kind) if kind else rows


def saved_list_counts(*, user: User, saved_lists: Iterable[SavedList]) -> dict[int, int]:
    """How many members of each list the user can see, in one query for any number of lists.

    Each list's members (a segment's filter re-run, a static list's visible members) become
    one conditional count over the visible people: a query per list would grow with the page.
    """
    lists = list(saved_lists)
    if not lists:
        return {}
    counts = {
        f"n{saved.pk}": Count(
            "pk", filter=Q(pk__in=saved_list_people(user=user, saved_list=saved).values("pk"))
        )
        for saved in lists
    }
    totals = person_list(user=user).select_related(None).order_by().aggregate(**counts)
    return {saved.pk: totals[f"n{saved.pk}"] or 0 for saved in lists}
