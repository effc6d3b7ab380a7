"""Clients' personal values in the audit log, kept where an erasure can remove them (ADR 0011).

The audit log is append-only: its rows are never updated (a trigger refuses it). So an
audit event about a record that is a client's personal data -- the person, an entry on
their timeline -- keeps in its own row only which fields changed: each value pair is
replaced by `PERSONAL`, and the pairs go to `AuditPersonalValues`, one row per event,
keyed by the client they are about. `AuditEvent.changes` reads them back while they
exist; erasing the client deletes them (`personal_data.audit_personal_values_erase`),
and from then on each of those values reads `ERASED`. Who did what, when, to which
record, and which fields, stays.

Apps register the record kinds whose audit values are personal from `plug.py`: a kind
names how its records lead to their client (`subjects`; none: the record is the
client) and the fields that are not personal (ids, stages, statuses), kept in clear.
The split happens when events are written, in `AuditEvent.objects.create` and
`bulk_create`, so no writer (services, the bulk import) can store them in clear.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from klient.core.registry import Registry

if TYPE_CHECKING:
    from klient.core.models import AuditEvent

# Stands in an audit row for a (before, after) pair kept in AuditPersonalValues.
PERSONAL = "personal"
# What each value of such a pair reads once its client's personal data was erased.
ERASED = "[erased]"
# What core's own export and erasure events record about a client: never personal.
ALWAYS_CLEAR = frozenset({"sections", "files", "reason", "handlers"})

Subject = tuple[str, int]


@dataclass(frozen=True)
class PersonalAuditKind:
    """A record kind (an `AuditEvent.object_type`) whose audit values are a client's data.

    - `subjects(ids)`: the client each record is about, as (record kind, id), or None for
      a record that is about no person (an entry on an organization only): its values
      stay in clear. One query for all the ids. A record it does not return is its own
      subject. Left empty, each record is the client itself (`contacts.person`).
    - `clear_fields`: changed fields whose values are not personal (owner, stage, ids).
    """

    key: str
    subjects: Callable[[Sequence[int]], dict[int, Subject | None]] | None = None
    clear_fields: frozenset[str] = frozenset()
    order: int = 100


personal_audit_kinds: Registry[PersonalAuditKind] = Registry("personal audit kinds")


@dataclass(frozen=True)
class PersonalPart:
    """The personal values taken out of one event, and whose they are."""

    event: AuditEvent
    subject: Subject
    changes: dict[str, Any]


def _subjects(events: Sequence[AuditEvent]) -> dict[tuple[str, int], Subject | None]:
    ids: dict[str, set[int]] = {}
    for event in events:
        ids.setdefault(event.object_type, set()).add(event.object_id)
    found: dict[tuple[str, int], Subject | None] = {}
    for kind, record_ids in ids.items():
        resolve = personal_audit_kinds.get(kind).subjects
        ordered = sorted(record_ids)
        subjects = resolve(ordered) if resolve is not None else {}
        for record_id in ordered:
            found[(kind, record_id)] = subjects.get(record_id, (kind, record_id))
    return found


def personal_parts_split(events: Sequence[AuditEvent]) -> list[PersonalPart]:
    """Take the personal values out of events about to be written: each such pair in
    `stored_changes` becomes PERSONAL; the pairs come back, per event, with their client.
    One query per record kind that names its clients."""
    candidates = [
        event
        for event in events
        if event.object_type in personal_audit_kinds
        and isinstance(event.stored_changes, dict)
        and event.stored_changes
    ]
    if not candidates:
        return []
    subjects = _subjects(candidates)
    parts = []
    for event in candidates:
        subject = subjects[(event.object_type, event.object_id)]
        if subject is None:
            continue
        clear = personal_audit_kinds.get(event.object_type).clear_fields | ALWAYS_CLEAR
        stored: dict[str, Any] = event.stored_changes
        personal = {
            name: pair for name, pair in stored.items() if name not in clear and pair != PERSONAL
        }
        if not personal:
            continue
        event.stored_changes = {
            name: PERSONAL if name in personal else pair for name, pair in stored.items()
        }
        parts.append(PersonalPart(event=event, subject=subject, changes=personal))
    return parts


def changes_joined(stored: Any, personal: dict[str, Any] | None) -> Any:
    """An event's changes as recorded: its row's pairs with the personal ones put back,
    or, once they were erased, [ERASED, ERASED]."""
    if not isinstance(stored, dict) or PERSONAL not in stored.values():
        return stored
    values = personal or {}
    return {
        name: values.get(name, [ERASED, ERASED]) if pair == PERSONAL else pair
        for name, pair in stored.items()
    }
