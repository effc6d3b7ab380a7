from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from klient.core.errors import Conflict, ValidationFailed

if TYPE_CHECKING:
    from klient.contacts.selectors import ChannelMatch


class InvalidContactData(ValidationFailed):
    code = "invalid_contact_data"


class MergeNotAllowed(Conflict):
    code = "merge_not_allowed"
    default_message = _("These records cannot be merged.")


class PossibleDuplicates(Conflict):
    """A new person shares an email or phone with people the actor can see; nothing saved.

    `fields["duplicate_ids"]` lists their ids, oldest first, comma-separated (error fields
    are strings); `matches` keeps the people and what each shares, for the form's warning.
    """

    code = "possible_duplicates"
    default_message = _("A person with the same email or phone already exists.")

    def __init__(self, *, matches: Sequence[ChannelMatch]) -> None:
        ids = ",".join(str(match.person.pk) for match in matches)
        super().__init__(fields={"duplicate_ids": ids})
        self.matches = list(matches)
