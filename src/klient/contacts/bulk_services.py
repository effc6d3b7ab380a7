"""Writes to many checked people at once, from the list's bulk bar (or any caller).

Each call is one transaction: the capability is checked first, then every id must be a
person the actor can see -- one hidden or unknown id refuses the whole call as unknown,
so nothing was changed -- and each person changed is audited as a single edit would be.
A call takes at most one page of the list (`BULK_MAX`), which bounds its queries.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext as _

from klient.contacts.errors import InvalidContactData
from klient.contacts.list_selectors import saved_list_get
from klient.contacts.list_services import saved_list_add
from klient.contacts.models import Person, Tag
from klient.contacts.selectors import person_list
from klient.contacts.services import person_delete, person_update, tags_resolve
from klient.core.capabilities import require
from klient.core.models import User
from klient.core.services import actor_workspace_id, audit_record

BULK_MAX = 100


def people_for_bulk(*, actor: User, person_ids: Sequence[int]) -> list[Person]:
    """The people named, in the order given, or InvalidContactData when any id is not a
    person the actor can see (a hidden one reads the same as a missing one)."""
    wanted = list(dict.fromkeys(person_ids))
    if not wanted:
        raise InvalidContactData(_("Choose at least one person."), fields={"ids": _("Required.")})
    if len(wanted) > BULK_MAX:
        raise InvalidContactData(
            _("Choose at most %(count)s people at a time.") % {"count": BULK_MAX},
            fields={"ids": _("Too many.")},
        )
    found = {person.pk: person for person in person_list(user=actor).filter(pk__in=wanted)}
    if len(found) != len(wanted):
        raise InvalidContactData(_("Unknown person."), fields={"ids": _("Unknown person.")})
    return [found[pk] for pk in wanted]


@transaction.atomic
def people_assign_owner(*, actor: User, person_ids: Sequence[int], owner_id: int) -> int:
    """Hand the people to a colleague of the workspace, who then sees them as their owner.
    Returns how many changed owner."""
    require(actor, "contacts.write")
    people = people_for_bulk(actor=actor, person_ids=person_ids)
    changed = 0
    for person in people:
        if person.owner_id != owner_id:
            person_update(actor=actor, person=person, data={"owner_id": owner_id})
            changed += 1
    return changed


def _tag_name_clean(name: str) -> str:
    cleaned = name.strip()[:60]
    if not cleaned:
        raise InvalidContactData(fields={"tag": _("This field is required.")})
    return cleaned


def _tags_audit(*, actor: User, person: Person, before: list[str], after: list[str]) -> None:
    audit_record(
        workspace=person.workspace_id,
        actor=actor,
        action="person.update",
        instance=person,
        changes={"tags": (before, after)},
    )


@transaction.atomic
def people_tag_add(*, actor: User, person_ids: Sequence[int], tag: str) -> int:
    """Put the tag on each person who lacks it; returns how many got it."""
    require(actor, "contacts.write")
    name = _tag_name_clean(tag)
    people = people_for_bulk(actor=actor, person_ids=person_ids)
    [tag_row] = tags_resolve(actor=actor, names=[name])
    changed = 0
    for person in people:
        before = sorted(person.tags.values_list("name", flat=True))
        if name in before:
            continue
        person.tags.add(tag_row)
        _tags_audit(actor=actor, person=person, before=before, after=sorted([*before, name]))
        changed += 1
    return changed


@transaction.atomic
def people_tag_remove(*, actor: User, person_ids: Sequence[int], tag: str) -> int:
    """Take the tag off each person who has it; returns how many lost it."""
    require(actor, "contacts.write")
    name = _tag_name_clean(tag)
    people = people_for_bulk(actor=actor, person_ids=person_ids)
    tag_row = Tag.objects.filter(workspace_id=actor_workspace_id(actor), name=name).first()
    if tag_row is None:
        return 0
    changed = 0
    for person in people:
        before = sorted(person.tags.values_list("name", flat=True))
        if name not in before:
            continue
        person.tags.remove(tag_row)
        after = [other for other in before if other != name]
        _tags_audit(actor=actor, person=person, before=before, after=after)
        changed += 1
    return changed


@transaction.atomic
def people_add_to_list(*, actor: User, person_ids: Sequence[int], saved_list_id: int) -> int:
    """Add the people to a static list the actor may read; returns how many were named."""
    require(actor, "contacts.lists")
    people = people_for_bulk(actor=actor, person_ids=person_ids)
    saved_list = saved_list_get(user=actor, saved_list_id=saved_list_id)
    return saved_list_add(actor=actor, saved_list=saved_list, person_ids=[p.pk for p in people])


@transaction.atomic
def people_delete(*, actor: User, person_ids: Sequence[int]) -> int:
    """Delete the people (each refused while another app's records hold it)."""
    require(actor, "contacts.delete")
    people = people_for_bulk(actor=actor, person_ids=person_ids)
    for person in people:
        person_delete(actor=actor, person=person)
    return len(people)
