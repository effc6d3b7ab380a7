"""Domain events of the client dossier (catalogue: docs/events.md)."""

from __future__ import annotations

from dataclasses import dataclass

from klient.core.events import Event


@dataclass(frozen=True, kw_only=True)
class PersonMerged:
    workspace_id: int
    primary_id: int
    duplicate_id: int
    actor_id: int | None


@dataclass(frozen=True, kw_only=True)
class PersonDeleting:
    workspace_id: int
    person_id: int
    actor_id: int | None


# Sent by person_merge once the duplicate is marked merged into the primary. Apps
# holding rows of the duplicate move them in-transaction and return {what: count moved},
# which the merge's audit event records.
person_merged = Event("person.merged", PersonMerged)
# Sent by person_delete while the person still exists: in-transaction handlers may still
# read it; rows pointing at it with on_delete=CASCADE go with it.
person_deleting = Event("person.deleting", PersonDeleting)
