"""The audit log page: every change in words, filtered by colleague, record, action and
dates; administrators only."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from klient.core import selectors, services
from klient.core.audit_log import audit_record_named, audit_rows, subject_choices
from klient.core.audit_words import audit_actions
from klient.core.errors import ValidationFailed
from klient.core.models import AuditEvent
from klient.core.pagination import Page, paginate_id_desc
from klient.core.params import param_date, param_id
from klient.core.views import AuthedRequest, klient_view

AUDIT_PER_PAGE = 50
_OBJECT_TYPE = re.compile(r"[a-z][a-z0-9_]*\.[a-z0-9_]+")
_ACTION = re.compile(r"[a-z][a-z0-9_]*\.?[a-z0-9_]*\*?")
KEY_MAX_LENGTH = 64  # AuditEvent.action and .object_type


@dataclass(frozen=True)
class AuditFilters:
    actor_id: int | None
    object_type: str | None
    object_id: int | None
    action: str | None
    action_exact: bool
    since: datetime | None
    before: datetime | None


def _day_start(day: date) -> datetime:
    """Midnight of a day in the workspace's time zone (the site's active zone)."""
    return timezone.make_aware(datetime.combine(day, time.min))


def _key(query: Mapping[str, Any], name: str, pattern: re.Pattern[str], message: str) -> str:
    raw = str(query.get(name) or "").strip()
    if raw and (len(raw) > KEY_MAX_LENGTH or not pattern.fullmatch(raw)):
        raise ValidationFailed(fields={name: message})
    return raw


def audit_filters_parse(query: Mapping[str, Any]) -> AuditFilters:
    """The page's filters, or ValidationFailed naming every bad one."""
    errors: dict[str, Any] = {}
    values: dict[str, Any] = {}
    parsers: dict[str, Callable[[], Any]] = {
        "actor": lambda: param_id(query, "actor"),
        "object_id": lambda: param_id(query, "object_id"),
        "object_type": lambda: _key(query, "object_type", _OBJECT_TYPE, _("Unknown record type.")),
        "action": lambda: _key(query, "action", _ACTION, _("Unknown action.")),
        "from": lambda: param_date(query, "from"),
        "to": lambda: param_date(query, "to"),
    }
    for name, parse in parsers.items():
        try:
            values[name] = parse()
        except ValidationFailed as error:
            errors.update(error.fields)
    if values.get("from") and values.get("to") and values["from"] > values["to"]:
        errors["to"] = _("The end date is before the start date.")
    if errors:
        raise ValidationFailed(fields=errors)
    action: str = values["action"]
    # A registered action is matched whole ("person.merge" is not "person.merged_into");
    # "export.*" or a typed prefix ("person.") match every action they start.
    action_exact = action in audit_actions and not action.endswith("*")
    return AuditFilters(
        actor_id=values["actor"],
        object_type=values["object_type"] or None,
        object_id=values["object_id"],
        action=action.removesuffix("*") or None,
        action_exact=action_exact,
        since=_day_start(values["from"]) if values["from"] else None,
        before=_day_start(values["to"] + timedelta(days=1)) if values["to"] else None,
    )


def _action_choices() -> list[tuple[str, str]]:
    return sorted(((action.key, str(action.label)) for action in audit_actions), key=lambda c: c[1])


def _field_labels() -> dict[str, str]:
    return {
        "actor": _("Who"),
        "action": _("Action"),
        "object_type": _("Record type"),
        "object_id": _("Record id"),
        "from": _("From"),
        "to": _("To"),
        "cursor": _("Page"),
    }


@klient_view
def settings_audit(request: AuthedRequest) -> HttpResponse:
    """The whole audit log in words, filtered by actor, record, action and dates."""
    services.require_admin(request.user)
    users = list(selectors.user_list_for_admin(user=request.user).prefetch_related(None))
    errors: dict[str, Any] = {}
    page: Page[AuditEvent] = Page(items=[], next_cursor=None)
    about = None
    try:
        filters = audit_filters_parse(request.GET)
        rows = selectors.audit_list(
            user=request.user,
            object_type=filters.object_type,
            object_id=filters.object_id,
            actor_id=filters.actor_id,
            action=filters.action,
            action_exact=filters.action_exact,
            since=filters.since,
            before=filters.before,
        ).select_related(None)
        page = paginate_id_desc(
            rows, cursor=request.GET.get("cursor") or None, limit=AUDIT_PER_PAGE
        )
        if filters.object_type and filters.object_id is not None:
            about = audit_record_named(kind=filters.object_type, record_id=filters.object_id)
    except ValidationFailed as error:
        errors = dict(error.fields) or {"cursor": str(error.message)}
    labels = _field_labels()
    query = request.GET.copy()
    query.pop("cursor", None)
    return render(
        request,
        "core/settings/audit.html",
        {
            "page": page,
            "rows": audit_rows(viewer=request.user, events=page.items, users=users),
            "users": sorted(users, key=lambda user: user.display_name.casefold()),
            "actions": _action_choices(),
            "subjects": subject_choices(),
            "filters": request.GET,
            "about": about,
            "errors": [(labels.get(name, name), message) for name, message in errors.items()],
            "query": query.urlencode(),
        },
        status=422 if errors else 200,
    )
