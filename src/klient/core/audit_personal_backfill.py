"""Move the personal values of audit events written before ADR 0011 into their own table.

Run once by core migration 0011: events of the record kinds registered in
`core.audit_personal.personal_audit_kinds` whose values are still in their row get them
split exactly as new events are (the same `personal_parts_split`), the row keeping which
fields changed. The row's UPDATE refusal is lifted for that move only, inside the
migration's transaction. Idempotent: an event that has its values apart is skipped.
`backfill_reverse` puts them back (values erased since read [erased, erased]).
"""

from __future__ import annotations

from typing import Any

from klient.core.audit_log_sql import update_allowed
from klient.core.audit_personal import (
    PERSONAL,
    changes_joined,
    personal_audit_kinds,
    personal_parts_split,
)

BATCH = 1000


def backfill(*, events: Any, values: Any, connection: Any) -> int:
    """`events` and `values`: the AuditEvent and AuditPersonalValues models (historical
    ones in a migration). Returns how many events had personal values moved."""
    kinds = [kind.key for kind in personal_audit_kinds]
    if not kinds:
        return 0
    moved = 0
    last = 0
    while True:
        batch = list(
            events.objects.using(connection.alias)
            .filter(object_type__in=kinds, pk__gt=last, personal_values__isnull=True)
            .order_by("pk")
            .only("pk", "workspace_id", "object_type", "object_id", "stored_changes")[:BATCH]
        )
        if not batch:
            return moved
        last = batch[-1].pk
        parts = personal_parts_split(batch)
        if not parts:
            continue
        with update_allowed(connection):
            for part in parts:
                events.objects.using(connection.alias).filter(pk=part.event.pk).update(
                    stored_changes=part.event.stored_changes
                )
        values.objects.using(connection.alias).bulk_create(
            values(
                event_id=part.event.pk,
                workspace_id=part.event.workspace_id,
                subject_kind=part.subject[0],
                subject_id=part.subject[1],
                changes=part.changes,
            )
            for part in parts
        )
        moved += len(parts)


def backfill_reverse(*, events: Any, values: Any, connection: Any) -> int:
    """Put the values back into the events' rows and empty the table."""
    kinds = [kind.key for kind in personal_audit_kinds]
    restored = 0
    last = 0
    while kinds:
        batch = list(
            events.objects.using(connection.alias)
            .filter(object_type__in=kinds, pk__gt=last)
            .order_by("pk")
            .only("pk", "stored_changes")[:BATCH]
        )
        if not batch:
            break
        last = batch[-1].pk
        marked = [
            event
            for event in batch
            if isinstance(event.stored_changes, dict) and PERSONAL in event.stored_changes.values()
        ]
        kept = dict(
            values.objects.using(connection.alias)
            .filter(event_id__in=[event.pk for event in marked])
            .values_list("event_id", "changes")
        )
        if not marked:
            continue
        with update_allowed(connection):
            for event in marked:
                events.objects.using(connection.alias).filter(pk=event.pk).update(
                    stored_changes=changes_joined(event.stored_changes, kept.get(event.pk))
                )
        restored += len(marked)
    values.objects.using(connection.alias).all().delete()
    return restored
