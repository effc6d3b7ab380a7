"""What a write to the timeline may point at: only records the actor can see, and only
colleagues who can see the client they are handed.

Pages and the API load every record through selectors first; these checks make the
services hold the same line for any other caller (jobs, imports, scripts), so an id the
actor cannot see is refused everywhere as an unknown record, never accepted.
"""

from __future__ import annotations

from django.db.models import Model
from django.utils.translation import gettext as _

from klient.activities.models import Interaction
from klient.activities.selectors import ORGANIZATION, PERSON, interaction_list, owner_visible
from klient.contacts.models import Organization, Person
from klient.core.errors import ValidationFailed
from klient.core.models import User
from klient.core.registry import record_kind_for
from klient.core.selectors import workspace_users


def owner_of(
    *, owner: Model | None, person: Person | None, organization: Organization | None
) -> tuple[str, int] | None:
    """(kind, id) of the record an entry belongs to: `owner` when given (a deal), else its
    person, else its organization."""
    if owner is not None:
        return record_kind_for(owner).key, owner.pk
    if person is not None:
        return PERSON, person.pk
    if organization is not None:
        return ORGANIZATION, organization.pk
    return None


def references_check(
    *,
    actor: User,
    owner: Model | None = None,
    person: Person | None = None,
    organization: Organization | None = None,
    interaction: Interaction | None = None,
) -> None:
    """Each record named must be visible to the actor (another team's reads as unknown).
    An entry owned by another record (a deal) is checked on that record: the clients it
    rolls up to are shown only to who sees the owner, so the actor needs no more."""
    if owner is not None:
        if not owner_visible(user=actor, kind=record_kind_for(owner).key, record_id=owner.pk):
            raise ValidationFailed(fields={"subject_id": _("Unknown record.")})
    else:
        if person is not None and not owner_visible(user=actor, kind=PERSON, record_id=person.pk):
            raise ValidationFailed(fields={"person_id": _("Unknown record.")})
        if organization is not None and not owner_visible(
            user=actor, kind=ORGANIZATION, record_id=organization.pk
        ):
            raise ValidationFailed(fields={"organization_id": _("Unknown record.")})
    if (
        interaction is not None
        and not interaction_list(user=actor).filter(pk=interaction.pk).exists()
    ):
        raise ValidationFailed(fields={"interaction_id": _("Unknown record.")})


def assignee_check(*, actor: User, assignee: User, owner: tuple[str, int] | None) -> None:
    """An assignee is an active colleague who can see the task's record: a task they could
    not open would sit in nobody's list."""
    if not workspace_users(user=actor).filter(pk=assignee.pk).exists():
        raise ValidationFailed(fields={"assignee_id": _("Unknown user.")})
    if owner is not None and not owner_visible(user=assignee, kind=owner[0], record_id=owner[1]):
        raise ValidationFailed(fields={"assignee_id": _("This colleague cannot see this client.")})


def mention_recipients(*, mentioned: list[User], interaction: Interaction) -> list[User]:
    """The mentioned colleagues who may read the interaction: the others are not told, as a
    notification would carry the comment to someone the record is hidden from."""
    owner = interaction.owner_ref
    if owner is None:
        return []
    return [
        user for user in mentioned if owner_visible(user=user, kind=owner[0], record_id=owner[1])
    ]
