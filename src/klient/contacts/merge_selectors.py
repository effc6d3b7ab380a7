"""Reads for merging two people: which one is kept by default, and where a merged one went."""

from __future__ import annotations

from dataclasses import dataclass

from klient.contacts.errors import MergeNotAllowed
from klient.contacts.models import Person
from klient.contacts.selectors import (
    person_affiliations,
    person_emails,
    person_get,
    person_list,
    person_phones,
)
from klient.core.models import User
from klient.core.selectors import scoped

# Fields a person may leave empty; lifecycle stage, owner and team always hold a value.
RICHNESS_FIELDS = (
    "first_name",
    "last_name",
    "middle_name",
    "title",
    "segment",
    "preferred_channel",
    "preferred_language",
)
# A chain longer than this is not followed (each merge adds one step; cycles cannot form,
# as a merged person can be neither side of another merge).
SURVIVOR_HOPS = 10


@dataclass(frozen=True)
class MergeSide:
    """One of the two people of a merge, with what the comparison shows and counts."""

    person: Person
    emails: list[str]
    phones: list[str]
    organizations: list[str]

    @property
    def filled_fields(self) -> int:
        return sum(1 for name in RICHNESS_FIELDS if getattr(self.person, name))

    @property
    def richness(self) -> int:
        """Filled fields plus emails, phones and organizations: what the record knows."""
        return self.filled_fields + len(self.emails) + len(self.phones) + len(self.organizations)


def merge_survivor_order(first: MergeSide, second: MergeSide) -> tuple[MergeSide, MergeSide]:
    """(kept, merged into it): the richer record; on a tie the older one, then the lower id.

    The one kept keeps its id, so links, exports and integrations that hold the older id
    go on working without following the merge."""
    kept, merged = sorted(
        (first, second), key=lambda side: (-side.richness, side.person.created_at, side.person.pk)
    )
    return kept, merged


def _side(person: Person) -> MergeSide:
    return MergeSide(
        person=person,
        emails=[row.email for row in person_emails(person)],
        phones=[row.number for row in person_phones(person)],
        organizations=[row.organization.name for row in person_affiliations(person)],
    )


def person_merge_pair(
    *, user: User, person_id: int, other_id: int, keep_id: int | None = None
) -> tuple[MergeSide, MergeSide]:
    """(kept, merged into it) for two people the user can see: the one `keep_id` names
    when it is one of them, else the richer, older one (merge_survivor_order)."""
    if person_id == other_id:
        raise MergeNotAllowed()
    first = _side(person_get(user=user, person_id=person_id))
    second = _side(person_get(user=user, person_id=other_id))
    if keep_id == first.person.pk:
        return first, second
    if keep_id == second.person.pk:
        return second, first
    return merge_survivor_order(first, second)


def person_merged_survivor_id(*, user: User, person_id: int) -> int | None:
    """The person a merged person (`person_id`) now lives on, when the user can see it.

    Only the survivor's visibility counts: it holds everything the merged record had.
    None for a person never merged, of another workspace, or whose survivor is hidden.
    """
    rows = scoped(Person, user=user)
    current = person_id
    for _hop in range(SURVIVOR_HOPS):
        following = rows.filter(pk=current).values_list("merged_into_id", flat=True).first()
        if following is None:
            break
        current = following
    if current == person_id or not person_list(user=user).filter(pk=current).exists():
        return None
    return current
