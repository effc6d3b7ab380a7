"""What the timeline does when other apps' events happen.

Connected in ActivitiesConfig.ready(). Notifications of its own events (a task
assigned, a mention, a reminder) are the notifications app's: it subscribes to them.
"""

from __future__ import annotations

from klient.activities.services import activities_reassign_person
from klient.contacts.events import PersonMerged, person_merged


def handlers_connect() -> None:
    # In the merge's transaction: users never see the merged person's timeline half moved.
    person_merged.connect_in_transaction(person_merged_reassign)


def person_merged_reassign(payload: PersonMerged, *, event_id: str) -> dict[str, int]:
    return activities_reassign_person(
        from_person_id=payload.duplicate_id, to_person_id=payload.primary_id
    )
