"""What a write to the timeline may point at: only records the actor can see, and only
colleagues who can see the client they are handed.

Pages and the API load every record through selectors first; these checks make the
services hold the same line for any other caller (jobs, imports, scripts), so an id the
actor cannot see is refused everywhere as an unknown record, never accepted.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from klient.activities.models import Interaction
from klient.activities.selectors import interaction_list, subject_visible_to
from klient.contacts.models import Organization, Person
from klient.core.errors import ValidationFailed
from klient.core.models import User
from klient.core.selectors import workspace_users


def references_check(
    *,
    actor: User,
    person: Person | None = None,
    organization: Organization | None = None,
    interaction: Interaction | None = None,
) -> None:
    """Each record named must be visible to the actor (another team's reads as unknown)."""
    if person is not None and not subject_visible_to(user=actor, person=person):
        raise ValidationFailed(fields={"person_id": _("Unknown record.")})
    if organization is not None and not subject_visible_to(user=actor, organization=organization):
        raise ValidationFailed(fields={"organization_id": _("Unknown record.")})
    if (
        interaction is not None
        and not interaction_list(user=actor).filter(pk=interaction.pk).exists()
    ):
        raise ValidationFailed(fields={"interaction_id": _("Unknown record.")})


def assignee_check(
    *,
    actor: User,
    assignee: User,
    person: Person | None = None,
    organization: Organization | None = None,
) -> None:
    """An assignee is an active colleague who can see the task's client: a task they could
    not open would sit in nobody's list."""
    if not workspace_users(user=actor).filter(pk=assignee.pk).exists():
        raise ValidationFailed(fields={"assignee_id": _("Unknown user.")})
    if not subject_visible_to(user=assignee, person=person, organization=organization):
        raise ValidationFailed(fields={"assignee_id": _("This colleague cannot see this client.")})


def mention_recipients(*, mentioned: list[User], interaction: Interaction) -> list[User]:
    """The mentioned colleagues who may read the interaction: the others are not told, as a
    notification would carry the comment to someone the client is hidden from."""
    return [
        user
        for user in mentioned
        if subject_visible_to(
            user=user, person=interaction.person, organization=interaction.organization
        )
    ]
