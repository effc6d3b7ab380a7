"""The audit log in words: how each action reads, and what each kind of record is called.

An audit event stores its action key (`person.update`), the record's type and id and the
changed fields as {field: [before, after]}. It is worded when shown, in the reader's
language at that moment, by its action's `render`; the app that writes an action
registers its wording from its `plug.py`, so a new app brings its own sentences without
editing core (core's own actions are registered by `audit_words_core`).

Wording never depends on the actor's grammatical gender: the params carry a name, never
a gender. Russian past tense agrees with its subject, so Russian sentences put the actor
first, then a colon and a participle agreeing with the record's noun ("Анна Петрова:
изменён контакт Пётр Сидоров — телефон"); the Bulgarian aorist and the English past
tense need no such care.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from klient.core.registry import Label, RecordRef, Registry

# How a changed field's value reads (`AuditField.value`). A record kind key
# ("contacts.organization") names the record by that id, as a link while it exists; a
# callable turns the stored value into text.
TEXT = "text"  # shortened when long
USER = "user"  # a colleague's id -> their name
TEAM = "team"  # a team's id -> its name
DATETIME = "datetime"  # ISO text -> localised, in the workspace's time zone
DATE = "date"
BOOL = "bool"
COUNT = "count"  # a list -> how many
LIST = "list"  # a list -> its items, comma-separated

ValueKind = str | Callable[[Any], str]
Params = Mapping[str, str]


@dataclass(frozen=True)
class AuditField:
    """How one changed field reads: its name and the kind of its values."""

    label: Label
    value: ValueKind = TEXT


@dataclass(frozen=True)
class AuditAction:
    """`render(params)` words one event in the active language (gettext, not lazy):

    - `actor`: who did it ("System" for background work);
    - `record`: the record, a link while it exists; "#id" once it is gone (the sentence
      names its kind: "deleted person #12");
    - `fields`: the names of the changed fields, comma-separated;
    - `action`: the action's key (for a wording shared by a prefix, "export.*");
    - one key per changed field: its value after the change (before it, when the change
      cleared it), readable: a colleague's name, a localised date, a shortened text.

    `label` names the action in the log's filter. A key ending in ".*" words every action
    of that prefix that has no wording of its own (`export.*`).
    """

    key: str
    label: Label
    render: Callable[[Params], str]
    order: int = 100


audit_actions: Registry[AuditAction] = Registry("audit actions")


@dataclass(frozen=True)
class AuditSubject:
    """A type of record audit events are about (an event's `object_type`).

    - `label`: its name; left empty, the registered record kind's label is used;
    - `fields`: how changed fields read where the model does not say (a field that is
      not a model field, a value of another kind than the column's);
    - `describe(ids)`: names (and, where an administrator can open it, links) records
      that are not a registered record kind, one query for all the ids; a record not
      returned is shown as "#id";
    - `clients(ids)`: for entries that sit on a client (an interaction, a task), the
      client each one is on, as (record kind, id), in one query for all the ids.
    """

    key: str
    label: Label = ""
    fields: Mapping[str, AuditField] = field(default_factory=dict)
    describe: Callable[[Sequence[int]], dict[int, RecordRef]] | None = None
    clients: Callable[[Sequence[int]], dict[int, tuple[str, int]]] | None = None
    order: int = 100


audit_subjects: Registry[AuditSubject] = Registry("audit subjects")


def worded(template: Label) -> Callable[[Params], str]:
    """A `render` that fills a (lazily translated) %-template with the event's params."""

    def render(params: Params) -> str:
        return str(template) % params

    return render


def audit_words_register(
    *, subject: AuditSubject | None = None, actions: Iterable[tuple[str, Label, Label]] = ()
) -> None:
    """Register a subject and (key, label, sentence template) actions in one call."""
    if subject is not None:
        audit_subjects.register(subject)
    for key, label, template in actions:
        audit_actions.register(AuditAction(key=key, label=label, render=worded(template)))


def audit_action_for(key: str) -> AuditAction | None:
    """The wording of an action: its own, else its prefix's ("export.*"), else None."""
    if key in audit_actions:
        return audit_actions.get(key)
    wildcard = key.split(".", 1)[0] + ".*"
    return audit_actions.get(wildcard) if wildcard in audit_actions else None


def audit_subject_for(key: str) -> AuditSubject | None:
    return audit_subjects.get(key) if key in audit_subjects else None
