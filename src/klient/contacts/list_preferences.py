"""Which columns a user chose for a list, remembered per user and list."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction

from klient.contacts.list_registry import ListColumn, columns_clean, list_columns
from klient.contacts.models import ListPreference
from klient.core.models import User
from klient.core.services import audit_record


def list_preference_columns(*, user: User, list_key: str) -> list[ListColumn]:
    """The user's columns for the list, in the registry's order; the defaults when they
    never chose, and a column since unregistered is simply left out."""
    stored = (
        ListPreference.objects.filter(user_id=user.pk, list_key=list_key)
        .values_list("columns", flat=True)
        .first()
    )
    keys = columns_clean([str(key) for key in stored or []])
    return [list_columns.get(key) for key in keys]


@transaction.atomic
def list_preference_set(*, actor: User, list_key: str, columns: Sequence[str]) -> list[str]:
    """Remember the actor's columns for the list (unknown keys dropped); returns them."""
    keys = columns_clean(columns)
    preference, _created = ListPreference.objects.update_or_create(
        user=actor, list_key=list_key, defaults={"columns": keys}
    )
    if actor.workspace_id is not None:
        audit_record(
            workspace=actor.workspace_id,
            actor=actor,
            action="list_preference.set",
            instance=preference,
            changes={"columns": (None, keys)},
        )
    return keys
