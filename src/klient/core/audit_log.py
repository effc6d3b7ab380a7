"""The audit log as people read it: each event worded in the reader's language, its record
and the records and colleagues its changes name shown by name, records as links.

A page of events costs a fixed number of queries whatever its length: the colleagues are
read once (the page's filter lists them anyway), the teams once, the clients of
interactions and tasks once per kind, and every record named on the page once per kind
through `records_describe`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import prefetch_related_objects
from django.utils import formats, timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from klient.core.audit_personal import ERASED
from klient.core.audit_words import (
    BOOL,
    COUNT,
    DATE,
    DATETIME,
    LIST,
    TEAM,
    TEXT,
    USER,
    AuditField,
    ValueKind,
    audit_action_for,
    audit_subject_for,
    audit_subjects,
)
from klient.core.models import AuditEvent, Team, User
from klient.core.registry import RecordRef, record_kinds, records_describe
from klient.core.selectors import scoped

TEXT_SHOWN = 80  # characters of a long text shown in the log
EMPTY = "—"
# Stand-ins for links inside a sentence until the sentence is escaped: private-use
# characters, stripped from every value so no stored text can forge one.
_OPEN, _CLOSE = "\ue000", "\ue001"


@dataclass(frozen=True)
class AuditChange:
    label: str
    before: SafeString
    after: SafeString


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    action: str
    sentence: SafeString
    changes: list[AuditChange]


@dataclass(frozen=True)
class _Shown:
    text: str
    url: str = ""

    def html(self) -> SafeString:
        if self.url:
            return format_html('<a href="{}">{}</a>', self.url, self.text)
        return conditional_escape(self.text)


def subject_label(object_type: str) -> str:
    """What a type of record is called: its record kind's or audit subject's label."""
    subject = audit_subject_for(object_type)
    if subject is not None and subject.label:
        return str(subject.label)
    if object_type in record_kinds:
        return str(record_kinds.get(object_type).label)
    return object_type


def subject_choices() -> list[tuple[str, str]]:
    """Every type of record the log can be filtered by, named in the reader's language."""
    keys = {kind.key for kind in record_kinds} | {subject.key for subject in audit_subjects}
    return sorted(((key, subject_label(key)) for key in keys), key=lambda pair: pair[1])


@lru_cache(maxsize=256)
def _model(object_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def _choices_of(model_field: models.Field[Any, Any]) -> ValueKind:
    shown = {str(value): label for value, label in model_field.flatchoices}
    return lambda value: str(shown.get(str(value), value))


def _model_field_spec(model_field: models.Field[Any, Any]) -> AuditField:
    label = model_field.verbose_name
    if model_field.is_relation and model_field.related_model is not None:
        related: Any = model_field.related_model
        if related is User:
            return AuditField(label, USER)
        if related is Team:
            return AuditField(label, TEAM)
        kind = related._meta.label_lower
        return AuditField(label, kind if _describable(kind) else TEXT)
    if model_field.choices:
        return AuditField(label, _choices_of(model_field))
    if isinstance(model_field, models.DateTimeField):
        return AuditField(label, DATETIME)
    if isinstance(model_field, models.DateField):
        return AuditField(label, DATE)
    if isinstance(model_field, models.BooleanField):
        return AuditField(label, BOOL)
    return AuditField(label, TEXT)


def field_spec(object_type: str, name: str) -> AuditField:
    """How a changed field reads: as its subject registered it, else as its model says
    (verbose name, choices, a colleague or a record behind a foreign key), else as text."""
    subject = audit_subject_for(object_type)
    if subject is not None and name in subject.fields:
        return subject.fields[name]
    model = _model(object_type)
    if model is not None:
        by_name = {f.name: f for f in model._meta.concrete_fields}
        by_name.update({f.attname: f for f in model._meta.concrete_fields})
        if name in by_name:
            return _model_field_spec(by_name[name])
    return AuditField(name.replace("_", " "), TEXT)


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _plain(value: Any) -> str:
    return str(value).replace(_OPEN, "").replace(_CLOSE, "")


def _as_id(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    return None


class _Page:
    """What one page of events names, each read once."""

    def __init__(self, *, viewer: User, events: Sequence[AuditEvent], users: Sequence[User]):
        self.users = {user.pk: user for user in users}
        specs = {
            (event.object_type, name): field_spec(event.object_type, name)
            for event in events
            for name in _changes(event)
        }
        self.specs = specs
        wanted: list[tuple[str, int]] = []
        clients_wanted: dict[str, list[int]] = {}
        for event in events:
            wanted.append((event.object_type, event.object_id))
            subject = audit_subject_for(event.object_type)
            if subject is not None and subject.clients is not None:
                clients_wanted.setdefault(event.object_type, []).append(event.object_id)
            for name, pair in _changes(event).items():
                kind = specs[(event.object_type, name)].value
                if isinstance(kind, str) and _describable(kind):
                    wanted += [(kind, i) for i in map(_as_id, _pair(pair)) if i is not None]
        self.clients: dict[tuple[str, int], tuple[str, int]] = {}
        for object_type, ids in clients_wanted.items():
            clients = audit_subjects.get(object_type).clients
            assert clients is not None
            for record_id, client in clients(ids).items():
                self.clients[(object_type, record_id)] = client
                wanted.append(client)
        self.refs = _describe(wanted)
        needs_teams = any(spec.value == TEAM for spec in specs.values()) or any(
            event.object_type == "core.team" for event in events
        )
        self.teams: dict[int, str] = (
            dict(scoped(Team, user=viewer).values_list("pk", "name")) if needs_teams else {}
        )

    def actor(self, event: AuditEvent) -> str:
        if event.actor_id is None:
            return _("System")
        user = self.users.get(event.actor_id)
        if user is None:
            return _("Removed user #%(id)s") % {"id": event.actor_id}
        return _plain(user.display_name)

    def record(self, event: AuditEvent) -> list[_Shown]:
        """The event's record: a link while it exists, else "#id"; an entry on a client
        adds the client."""
        key = (event.object_type, event.object_id)
        number = _Shown(f"#{event.object_id}")
        if key in self.refs:
            ref = self.refs[key]
            return [_Shown(_plain(ref.name), ref.url)]
        if event.object_type == "core.user" and event.object_id in self.users:
            return [_Shown(_plain(self.users[event.object_id].display_name))]
        if event.object_type == "core.team" and event.object_id in self.teams:
            return [_Shown(_plain(self.teams[event.object_id]))]
        client = self.clients.get(key)
        if client is not None and client in self.refs:
            ref = self.refs[client]
            return [_Shown(f"#{event.object_id} ("), _Shown(_plain(ref.name), ref.url), _Shown(")")]
        return [number]

    def value(self, kind: ValueKind, raw: Any) -> _Shown:
        if _is_empty(raw):
            return _Shown(EMPTY)
        if raw == ERASED:
            # A client's personal value, gone with their erasure (core.audit_personal).
            return _Shown(_("erased"))
        if callable(kind):
            return _Shown(_plain(kind(raw)))
        if kind == COUNT:
            return _Shown(str(len(raw)) if isinstance(raw, list | dict) else _plain(raw))
        if isinstance(raw, list):
            return _Shown(", ".join(self.value(kind, item).text for item in raw) or EMPTY)
        if isinstance(raw, dict):
            return _Shown(", ".join(f"{_plain(k)}: {_plain(v)}" for k, v in raw.items()))
        if isinstance(raw, bool) or kind == BOOL:
            return _Shown(_("yes") if raw else _("no"))
        record_id = _as_id(raw)
        if kind == USER and record_id is not None:
            user = self.users.get(record_id)
            return _Shown(_plain(user.display_name) if user else f"#{record_id}")
        if kind == TEAM and record_id is not None:
            return _Shown(_plain(self.teams.get(record_id, f"#{record_id}")))
        if isinstance(kind, str) and _describable(kind) and record_id is not None:
            ref = self.refs.get((kind, record_id))
            return _Shown(_plain(ref.name), ref.url) if ref else _Shown(f"#{record_id}")
        if kind in (DATETIME, DATE) and isinstance(raw, str):
            return _Shown(_when(kind, raw))
        if kind == LIST:
            return _Shown(_plain(raw))
        return _Shown(Truncator(_plain(raw)).chars(TEXT_SHOWN))


def _describable(kind: str) -> bool:
    subject = audit_subject_for(kind)
    return kind in record_kinds or (subject is not None and subject.describe is not None)


def _describe(refs: Sequence[tuple[str, int]]) -> dict[tuple[str, int], RecordRef]:
    """Names and links of every record a page mentions: one query per kind."""
    kinds: dict[str, set[int]] = {}
    for kind, record_id in refs:
        if _describable(kind):
            kinds.setdefault(kind, set()).add(record_id)
    described = records_describe(
        [(kind, i) for kind, ids in kinds.items() if kind in record_kinds for i in sorted(ids)]
    )
    for kind, ids in kinds.items():
        subject = audit_subject_for(kind)
        if kind not in record_kinds and subject is not None and subject.describe is not None:
            for record_id, ref in subject.describe(sorted(ids)).items():
                described[(kind, record_id)] = ref
    return described


def _pair(pair: Any) -> tuple[Any, Any]:
    if isinstance(pair, list | tuple) and len(pair) == 2:
        return pair[0], pair[1]
    return None, pair


def _when(kind: ValueKind, raw: str) -> str:
    try:
        if kind == DATE:
            return formats.date_format(date.fromisoformat(raw), "SHORT_DATE_FORMAT")
        moment = datetime.fromisoformat(raw)
    except ValueError:
        return _plain(raw)
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return formats.date_format(moment, "SHORT_DATETIME_FORMAT")


class _Links:
    """Links stand in a sentence as markers until the translated text is escaped."""

    def __init__(self) -> None:
        self.html: dict[str, SafeString] = {}

    def text(self, parts: Sequence[_Shown]) -> str:
        words = []
        for part in parts:
            if part.url:
                marker = f"{_OPEN}{len(self.html)}{_CLOSE}"
                self.html[marker] = part.html()
                words.append(marker)
            else:
                words.append(part.text)
        return "".join(words)

    def fill(self, sentence: str) -> SafeString:
        escaped = str(conditional_escape(sentence))
        for marker, html in self.html.items():
            escaped = escaped.replace(marker, html)
        return mark_safe(escaped)


def _sentence(page: _Page, event: AuditEvent) -> SafeString:
    links = _Links()
    changes = _changes(event)
    params: dict[str, str] = {}
    for name, pair in changes.items():
        before, after = _pair(pair)
        kind = page.specs[(event.object_type, name)].value
        params[name] = links.text([page.value(kind, before if _is_empty(after) else after)])
    params["action"] = event.action
    params["actor"] = page.actor(event)
    params["record"] = links.text(page.record(event))
    params["fields"] = ", ".join(
        str(page.specs[(event.object_type, name)].label) for name in changes
    )
    action = audit_action_for(event.action)
    if action is not None:
        try:
            return links.fill(action.render(params))
        except (KeyError, TypeError, ValueError):
            pass  # a wording whose placeholders drifted: the plain sentence below still reads
    fallback = _("%(actor)s: %(action)s — %(kind)s %(record)s") % {
        **params,
        "action": event.action,
        "kind": subject_label(event.object_type),
    }
    return links.fill(fallback)


def audit_rows(
    *, viewer: User, events: Sequence[AuditEvent], users: Sequence[User]
) -> list[AuditRow]:
    """Events as the log shows them. `users`: the workspace's colleagues, active or not
    (whoever is missing was removed)."""
    # Clients' personal values live beside the events (core.audit_personal): one query.
    prefetch_related_objects(list(events), "personal_values")
    page = _Page(viewer=viewer, events=events, users=users)
    rows = []
    for event in events:
        changes = []
        for name, pair in _changes(event).items():
            before, after = _pair(pair)
            spec = page.specs[(event.object_type, name)]
            changes.append(
                AuditChange(
                    label=str(spec.label),
                    before=page.value(spec.value, before).html(),
                    after=page.value(spec.value, after).html(),
                )
            )
        rows.append(
            AuditRow(
                id=event.pk,
                at=event.at,
                action=event.action,
                sentence=_sentence(page, event),
                changes=changes,
            )
        )
    return rows


def _changes(event: AuditEvent) -> dict[str, Any]:
    # A row written outside audit_record may hold something else than an object.
    return event.changes if isinstance(event.changes, dict) else {}


def audit_record_named(*, kind: str, record_id: int) -> Mapping[str, str]:
    """The record a filtered log is about, for its heading: name and link, or "#id"."""
    ref = _describe([(kind, record_id)]).get((kind, record_id))
    if ref is None:
        return {"label": subject_label(kind), "name": f"#{record_id}", "url": ""}
    return {"label": subject_label(kind), "name": ref.name, "url": ref.url}
