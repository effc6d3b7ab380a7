"""Writes to saved lists (fixed sets of people) and segments (saved filters that stay current)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from klient.contacts.errors import InvalidContactData
from klient.contacts.list_selectors import saved_list_can_manage, saved_list_visibility_q
from klient.contacts.models import (
    Channel,
    LifecycleStage,
    Person,
    SavedList,
)
from klient.contacts.selectors import PERSON_FILTER_KEYS, organization_list
from klient.core.capabilities import require
from klient.core.errors import NotFound, PermissionDenied
from klient.core.models import Team, User
from klient.core.params import MAX_ID
from klient.core.selectors import scoped, user_team_ids, visibility_q
from klient.core.services import (
    actor_workspace_id,
    audit_record,
    model_apply_changes,
)


@transaction.atomic
def saved_list_create(
    *,
    actor: User,
    name: str,
    kind: str = SavedList.Kind.STATIC,
    filters: Mapping[str, Any] | None = None,
    person_ids: Iterable[int] = (),
    visibility: str = SavedList.Visibility.PRIVATE,
) -> SavedList:
    """A new list or segment, owned by the actor and private unless shared."""
    require(actor, "contacts.lists")
    name = _saved_list_name_clean(name)
    if kind not in SavedList.Kind.values:
        raise InvalidContactData(fields={"kind": _("Unknown value “%(value)s”.") % {"value": kind}})
    person_ids = list(person_ids)
    if kind == SavedList.Kind.STATIC and filters:
        raise InvalidContactData(fields={"filters": _("Only a segment keeps a filter.")})
    if kind == SavedList.Kind.DYNAMIC and person_ids:
        raise InvalidContactData(fields={"person_ids": SEGMENT_MEMBERS_FIXED})
    clean_filters = saved_list_filters_clean(filters or {})
    _filter_references_check(actor, clean_filters)
    team_id = _sharing_team_id(actor, visibility)
    ids = _visible_person_ids(actor, person_ids)
    saved = SavedList.objects.create(
        workspace_id=actor_workspace_id(actor),
        owner=actor,
        name=name,
        kind=kind,
        filters=clean_filters,
        visibility=visibility,
        team_id=team_id,
    )
    if ids:
        saved.members.add(*ids)
    audit_record(
        workspace=saved.workspace_id,
        actor=actor,
        action="saved_list.create",
        instance=saved,
        changes={
            "name": (None, saved.name),
            "kind": (None, kind),
            "visibility": (None, visibility),
        },
    )
    return saved


def _require_reader(actor: User, saved_list: SavedList) -> None:
    """Changing members needs a list the actor may read (a hidden one reads as missing)."""
    visible = scoped(SavedList, user=actor).filter(saved_list_visibility_q(actor))
    if not visible.filter(pk=saved_list.pk).exists():
        raise NotFound(_("List not found."))


def _require_manager(actor: User, saved_list: SavedList) -> None:
    _require_reader(actor, saved_list)
    if not saved_list_can_manage(user=actor, saved_list=saved_list):
        raise PermissionDenied(NOT_LIST_MANAGER)


def _sharing_team_id(owner: User, visibility: str) -> int | None:
    """The team a list is shared with: the owner's (first) team, for "team" lists only."""
    if visibility not in SavedList.Visibility.values:
        raise InvalidContactData(
            fields={"visibility": _("Unknown value “%(value)s”.") % {"value": visibility}}
        )
    if visibility != SavedList.Visibility.TEAM:
        return None
    teams = user_team_ids(owner)
    if not teams:
        raise InvalidContactData(fields={"visibility": NO_TEAM_TO_SHARE_WITH})
    return min(teams)


def _filter_references_check(actor: User, filters: Mapping[str, Any]) -> None:
    """A segment may filter only by a colleague, a team and an organization the actor can
    see: another workspace's (or team's hidden) record reads as unknown."""
    errors: dict[str, str] = {}
    # A former colleague still owns clients: any user of the workspace, active or not.
    if (
        "owner_id" in filters
        and not scoped(User, user=actor).filter(pk=filters["owner_id"]).exists()
    ):
        errors["filters.owner_id"] = _("Unknown user.")
    if "team_id" in filters and not scoped(Team, user=actor).filter(pk=filters["team_id"]).exists():
        errors["filters.team_id"] = _("Unknown team.")
    if (
        "organization_id" in filters
        and not organization_list(user=actor).filter(pk=filters["organization_id"]).exists()
    ):
        errors["filters.organization_id"] = _("Unknown organization.")
    if errors:
        raise InvalidContactData(fields=errors)


@transaction.atomic
def saved_list_add(*, actor: User, saved_list: SavedList, person_ids: Iterable[int]) -> int:
    """Add people the actor can see; an unknown or invisible id fails the whole call.
    Anyone who may read the list and write may add to it (a shared list is shared work)."""
    require(actor, "contacts.lists")
    _require_reader(actor, saved_list)
    if saved_list.kind != SavedList.Kind.STATIC:
        raise InvalidContactData(SEGMENT_MEMBERS_FIXED)
    ids = _visible_person_ids(actor, person_ids)
    saved_list.members.add(*ids)
    audit_record(
        workspace=saved_list.workspace_id,
        actor=actor,
        action="saved_list.add",
        instance=saved_list,
        changes={"members": (None, ids)},
    )
    return len(ids)


SAVED_LIST_NAME_MAX = 120
NOT_LIST_MANAGER = gettext_lazy("Only the owner of this list or an administrator can do this.")
NO_TEAM_TO_SHARE_WITH = gettext_lazy(
    "The owner is in no team: keep the list private or share it with everyone."
)
SEGMENT_MEMBERS_FIXED = gettext_lazy(
    "Members of a segment follow its filter; they cannot be added."
)


def _saved_list_name_clean(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise InvalidContactData(fields={"name": _("This field is required.")})
    if len(name) > SAVED_LIST_NAME_MAX:
        raise InvalidContactData(
            fields={"name": _("At most %(count)d characters.") % {"count": SAVED_LIST_NAME_MAX}}
        )
    return name


def saved_list_filters_clean(filters: Mapping[str, Any]) -> dict[str, Any]:
    """A segment's filter as stored: known keys only, ids as integers, empty values dropped."""
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    for key, value in filters.items():
        field = f"filters.{key}"
        if key not in PERSON_FILTER_KEYS:
            errors[field] = _("Unknown filter.")
        elif value is None or value == "":
            continue
        elif key.endswith("_id"):
            if isinstance(value, str) and value.isdigit():
                value = int(value)
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ID:
                errors[field] = _("Enter a whole number.")
            else:
                cleaned[key] = value
        elif not isinstance(value, str):
            errors[field] = _("Enter text.")
        elif value.strip():
            cleaned[key] = value.strip()
    if "lifecycle_stage" in cleaned and cleaned["lifecycle_stage"] not in LifecycleStage.values:
        errors["filters.lifecycle_stage"] = _("Unknown value “%(value)s”.") % {
            "value": cleaned["lifecycle_stage"]
        }
    if "preferred_channel" in cleaned and cleaned["preferred_channel"] not in Channel.values:
        errors["filters.preferred_channel"] = _("Unknown value “%(value)s”.") % {
            "value": cleaned["preferred_channel"]
        }
    if errors:
        raise InvalidContactData(fields=errors)
    return cleaned


def _visible_person_ids(actor: User, person_ids: Iterable[int]) -> list[int]:
    """The ids, de-duplicated, if the actor can see every one of them; else a field error
    per unknown position (an invisible person reads the same as a missing one)."""
    wanted = list(person_ids)
    if not wanted:
        return []
    found = set(
        scoped(Person, user=actor)
        .filter(visibility_q(actor), merged_into__isnull=True, pk__in=set(wanted))
        .values_list("pk", flat=True)
    )
    missing = {
        f"person_ids[{index}]": _("Unknown person.")
        for index, pk in enumerate(wanted)
        if pk not in found
    }
    if missing:
        raise InvalidContactData(fields=missing)
    return list(dict.fromkeys(wanted))


@transaction.atomic
def saved_list_remove(*, actor: User, saved_list: SavedList, person_ids: Iterable[int]) -> int:
    """Take people off a static list; only members the actor can see are touched.
    Returns how many were removed."""
    require(actor, "contacts.lists")
    _require_reader(actor, saved_list)
    if saved_list.kind != SavedList.Kind.STATIC:
        raise InvalidContactData(
            _("Members of a segment follow its filter; they cannot be removed.")
        )
    ids = list(
        saved_list.members.filter(visibility_q(actor), pk__in=list(person_ids))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if ids:
        saved_list.members.remove(*ids)
        audit_record(
            workspace=saved_list.workspace_id,
            actor=actor,
            action="saved_list.remove",
            instance=saved_list,
            changes={"members": (ids, None)},
        )
    return len(ids)


@transaction.atomic
def saved_list_update(*, actor: User, saved_list: SavedList, data: Mapping[str, Any]) -> SavedList:
    """Rename a list, change a segment's filter (replaced whole, not merged) or whom it is
    shared with; its owner and administrators only."""
    require(actor, "contacts.lists")
    _require_manager(actor, saved_list)
    unknown = set(data) - {"name", "filters", "visibility"}
    if unknown:
        raise InvalidContactData(fields={key: _("Unknown field.") for key in unknown})
    clean: dict[str, Any] = {}
    if "name" in data:
        clean["name"] = _saved_list_name_clean(data["name"])
    if "filters" in data:
        if saved_list.kind != SavedList.Kind.DYNAMIC:
            raise InvalidContactData(fields={"filters": _("Only a segment keeps a filter.")})
        clean["filters"] = saved_list_filters_clean(data["filters"] or {})
        _filter_references_check(actor, clean["filters"])
    if "visibility" in data and data["visibility"] != saved_list.visibility:
        # Shared with the owner's team, whoever (an administrator) changes the sharing.
        owner = saved_list.owner or actor
        clean["team_id"] = _sharing_team_id(owner, data["visibility"])
        clean["visibility"] = data["visibility"]
    changes = model_apply_changes(
        instance=saved_list, data=clean, fields=("name", "filters", "visibility", "team_id")
    )
    if changes:
        saved_list.save(update_fields=list(changes))
        audit_record(
            workspace=saved_list.workspace_id,
            actor=actor,
            action="saved_list.update",
            instance=saved_list,
            changes=changes,
        )
    return saved_list


@transaction.atomic
def saved_list_delete(*, actor: User, saved_list: SavedList) -> None:
    """Delete a list or segment; its people stay, only the grouping goes. Its owner and
    administrators only."""
    require(actor, "contacts.lists")
    _require_manager(actor, saved_list)
    audit_record(
        workspace=saved_list.workspace_id,
        actor=actor,
        action="saved_list.delete",
        instance=saved_list,
        changes={"name": (saved_list.name, None), "kind": (saved_list.kind, None)},
    )
    saved_list.delete()
