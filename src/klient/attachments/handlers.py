"""What happens to files when their client is merged or deleted. Connected in
AttachmentsConfig.ready(); both run in the sender's transaction, so a merge never shows
files half moved and a deleted client leaves no rows behind (its files leave the disk
when the delete commits)."""

from __future__ import annotations

from typing import Any

from klient.attachments.services import attachments_erase, attachments_move
from klient.contacts import events as contact_events
from klient.contacts.events import PersonDeleting, PersonMerged, person_deleting, person_merged

PERSON = "contacts.person"
ORGANIZATION = "contacts.organization"


def handlers_connect() -> None:
    person_merged.connect_in_transaction(person_merged_files)
    person_deleting.connect_in_transaction(person_deleting_files)
    # Declared by contacts once organizations can be merged (docs/events.md); until then
    # there is nothing to connect to. An organization deleted without an event loses its
    # files in the daily sweep (services.attachment_files_sweep).
    organization_merged = getattr(contact_events, "organization_merged", None)
    if organization_merged is not None:
        organization_merged.connect_in_transaction(organization_merged_files)
    organization_deleting = getattr(contact_events, "organization_deleting", None)
    if organization_deleting is not None:
        organization_deleting.connect_in_transaction(organization_deleting_files)


def person_merged_files(payload: PersonMerged, *, event_id: str) -> dict[str, int]:
    moved = attachments_move(
        workspace_id=payload.workspace_id,
        kind=PERSON,
        from_id=payload.duplicate_id,
        to_id=payload.primary_id,
    )
    return {"attachments": moved}


def person_deleting_files(payload: PersonDeleting, *, event_id: str) -> int:
    return attachments_erase(kind=PERSON, record_id=payload.person_id)


def organization_merged_files(payload: Any, *, event_id: str) -> dict[str, int]:
    moved = attachments_move(
        workspace_id=payload.workspace_id,
        kind=ORGANIZATION,
        from_id=payload.duplicate_id,
        to_id=payload.primary_id,
    )
    return {"attachments": moved}


def organization_deleting_files(payload: Any, *, event_id: str) -> int:
    return attachments_erase(kind=ORGANIZATION, record_id=payload.organization_id)
