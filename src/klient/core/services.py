"""Writes for workspaces, users, teams, tokens and the audit log; database upkeep (planner
statistics)."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from klient.core.capabilities import require
from klient.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from klient.core.models import (
    ApiToken,
    AuditEvent,
    Role,
    Team,
    User,
    Workspace,
)
from klient.core.prepared import PreparedQuery
from klient.core.regions import is_phone_region

TOKEN_PREFIX = "kl_"


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    return value


def audit_record(
    *,
    workspace: Workspace | int,
    actor: User | None,
    action: str,
    instance: models.Model | None = None,
    object_type: str = "",
    object_id: int | None = None,
    changes: Mapping[str, tuple[Any, Any]] | None = None,
) -> AuditEvent:
    """Append one audit event. `changes` maps field -> (before, after)."""
    if instance is not None:
        object_type = object_type or instance._meta.label_lower
        object_id = object_id if object_id is not None else instance.pk
    return AuditEvent.objects.create(
        workspace_id=workspace if isinstance(workspace, int) else workspace.pk,
        actor=actor if actor is not None and actor.pk else None,
        action=action,
        object_type=object_type,
        object_id=object_id or 0,
        stored_changes={
            field: [_jsonable(before), _jsonable(after)]
            for field, (before, after) in (changes or {}).items()
        },
    )


def model_apply_changes(
    *, instance: models.Model, data: Mapping[str, Any], fields: Iterable[str]
) -> dict[str, tuple[Any, Any]]:
    """Set allowed fields from data on instance; return {field: (before, after)} of real changes."""
    changed: dict[str, tuple[Any, Any]] = {}
    for field in fields:
        if field not in data:
            continue
        before = getattr(instance, field)
        after = data[field]
        if before != after:
            setattr(instance, field, after)
            changed[field] = (before, after)
    return changed


def actor_workspace_id(actor: User) -> int:
    """The workspace an actor writes into; a user without one can write nothing."""
    if actor.workspace_id is None:
        raise PermissionDenied(_("You do not belong to a workspace."))
    return actor.workspace_id


def require_write(user: User) -> None:
    """The general write capability, for apps that register no finer one."""
    require(user, "records.write")


@transaction.atomic
def workspace_create(*, name: str, slug: str = "", default_language: str = "en") -> Workspace:
    slug = slug or slugify(name) or secrets.token_hex(4)
    if Workspace.objects.filter(slug=slug).exists():
        raise Conflict(_("A workspace with this address already exists."), fields={"slug": slug})
    return Workspace.objects.create(name=name, slug=slug, default_language=default_language)


@transaction.atomic
def workspace_update(
    *, actor: User, name: str, default_region: str, default_language: str
) -> Workspace:
    """An administrator renames the workspace or changes the region phone numbers without
    a country code are read in and the language new colleagues start with; audited."""
    require_admin(actor)
    workspace = Workspace.objects.select_for_update().filter(pk=actor_workspace_id(actor)).first()
    if workspace is None:
        raise NotFound(_("Workspace not found."))
    name = name.strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = _("This field is required.")
    elif len(name) > 200:  # Workspace.name's max_length
        errors["name"] = _("Longer than %(limit)s characters.") % {"limit": 200}
    if not is_phone_region(default_region):
        errors["default_region"] = _("Unknown value “%(value)s”.") % {"value": default_region}
    if default_language not in dict(settings.LANGUAGES):
        errors["default_language"] = _("Unknown value “%(value)s”.") % {"value": default_language}
    if errors:
        raise ValidationFailed(fields=errors)
    changes = model_apply_changes(
        instance=workspace,
        data={"name": name, "default_region": default_region, "default_language": default_language},
        fields=("name", "default_region", "default_language"),
    )
    if changes:
        workspace.save(update_fields=list(changes))
        audit_record(
            workspace=workspace,
            actor=actor,
            action="workspace.update",
            instance=workspace,
            changes=changes,
        )
    return workspace


@transaction.atomic
def team_create(*, workspace: Workspace, name: str, actor: User | None = None) -> Team:
    team, created = Team.objects.get_or_create(workspace=workspace, name=name)
    if created:
        audit_record(
            workspace=workspace,
            actor=actor,
            action="team.create",
            instance=team,
            changes={"name": (None, name)},
        )
    return team


@transaction.atomic
def team_lead_set(*, actor: User, team: Team, lead: User | None) -> Team:
    """Name the team's lead (an active colleague of the workspace), or none."""
    require(actor, "workspace.manage")
    if team.workspace_id != actor.workspace_id:
        raise NotFound(_("Team not found."))
    if lead is not None and (not lead.is_active or lead.workspace_id != team.workspace_id):
        raise ValidationFailed(fields={"lead_id": _("Unknown user.")})
    before = team.lead_id
    team.lead = lead
    team.save(update_fields=["lead"])
    audit_record(
        workspace=team.workspace_id,
        actor=actor,
        action="team.lead",
        instance=team,
        changes={"lead_id": (before, lead.pk if lead else None)},
    )
    return team


@transaction.atomic
def user_create(
    *,
    workspace: Workspace,
    username: str,
    role: str,
    password: str | None = None,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    teams: Iterable[Team] = (),
    language: str = "",
    actor: User | None = None,
) -> User:
    if role not in Role.values:
        raise ValidationFailed(
            _("Unknown role %(role)s; use one of: %(roles)s.")
            % {"role": role, "roles": ", ".join(Role.values)},
            fields={"role": _("Unknown role.")},
        )
    if not username.strip():
        raise ValidationFailed(fields={"username": _("This field is required.")})
    if User.objects.filter(username=username).exists():
        raise Conflict(
            _("A user with this username already exists."), fields={"username": username}
        )
    user = User(
        workspace=workspace,
        username=username,
        role=role,
        email=email,
        first_name=first_name,
        last_name=last_name,
        language=language,
        is_staff=role == Role.ADMIN,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    user.teams.set(list(teams))
    audit_record(
        workspace=workspace,
        actor=actor,
        action="user.create",
        instance=user,
        changes={"username": (None, username), "role": (None, role)},
    )
    return user


@transaction.atomic
def user_deactivate(*, user: User, actor: User | None) -> User:
    user.is_active = False
    user.save(update_fields=["is_active"])
    audit_record(
        workspace=user.workspace_id or 0,
        actor=actor,
        action="user.deactivate",
        instance=user,
        changes={"is_active": (True, False)},
    )
    return user


def require_admin(actor: User) -> None:
    require(actor, "workspace.manage")


@transaction.atomic
def user_update(
    *,
    actor: User,
    user: User,
    role: str | None = None,
    team_ids: Iterable[int] | None = None,
    is_active: bool | None = None,
) -> User:
    """An administrator changes a colleague's role, teams or access; audited."""
    require_admin(actor)
    if user.workspace_id != actor.workspace_id:
        raise NotFound(_("User not found."))
    changes: dict[str, tuple[Any, Any]] = {}
    if role is not None and role != user.role:
        if role not in Role.values:
            raise ValidationFailed(fields={"role": _("Unknown role.")})
        if user.pk == actor.pk:
            raise ValidationFailed(fields={"role": _("You cannot change your own role.")})
        changes["role"] = (user.role, role)
        user.role = role
        user.is_staff = role == Role.ADMIN
    if is_active is not None and is_active != user.is_active:
        if user.pk == actor.pk:
            raise ValidationFailed(fields={"is_active": _("You cannot deactivate yourself.")})
        changes["is_active"] = (user.is_active, is_active)
        user.is_active = is_active
    if changes:
        user.save(update_fields=["role", "is_staff", "is_active"])
    if team_ids is not None:
        asked = set(team_ids)
        wanted = set(
            Team.objects.filter(workspace_id=actor_workspace_id(actor), pk__in=asked).values_list(
                "pk", flat=True
            )
        )
        if wanted != asked:  # another workspace's team reads as no team at all
            raise ValidationFailed(fields={"teams": _("Unknown team.")})
        before = set(user.teams.values_list("pk", flat=True))
        if wanted != before:
            user.teams.set(wanted)
            changes["teams"] = (sorted(before), sorted(wanted))
    if changes:
        audit_record(
            workspace=actor_workspace_id(actor),
            actor=actor,
            action="user.update",
            instance=user,
            changes=changes,
        )
    return user


@transaction.atomic
def user_set_language(*, user: User, language: str) -> User:
    user.language = language
    user.save(update_fields=["language"])
    return user


def password_generate() -> str:
    """A first password an administrator hands over; the user changes it after login."""
    return secrets.token_urlsafe(12)


@transaction.atomic
def user_password_reset(*, actor: User, user: User) -> str:
    """An administrator gives a colleague a new password, returned to hand over once.

    Every session of the colleague ends with the old password (Django checks a hash of
    the password on each request); API tokens stay (docs/adr/0007). Audited.
    """
    require_admin(actor)
    if user.workspace_id != actor.workspace_id:
        raise NotFound(_("User not found."))
    password = password_generate()
    user.set_password(password)
    user.save(update_fields=["password"])
    audit_record(
        workspace=actor_workspace_id(actor),
        actor=actor,
        action="user.password_reset",
        instance=user,
    )
    return password


def _token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def token_create(*, user: User, name: str = "") -> str:
    """Create an API token; the returned secret is shown once and never stored."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, name=name, prefix=secret[:10], key_hash=_token_hash(secret))
    if user.workspace_id:
        audit_record(
            workspace=user.workspace_id,
            actor=user,
            action="token.create",
            object_type="core.apitoken",
            object_id=user.pk,
        )
    return secret


_USER_FIELDS = [field.attname for field in User._meta.concrete_fields]
_WORKSPACE_FIELDS = [field.attname for field in Workspace._meta.concrete_fields]
# Every API request runs this: compiled once (klient.core.prepared), it costs ~0.1 ms
# instead of ~1 ms for building the select_related queryset each time.
_TOKEN_USER = PreparedQuery(
    lambda p: ApiToken.objects.filter(key_hash=p["key_hash"], revoked_at__isnull=True).values_list(
        *[f"user__{name}" for name in _USER_FIELDS],
        *[f"user__workspace__{name}" for name in _WORKSPACE_FIELDS],
    )[:1],
    key_hash=str,
)


def token_authenticate(secret: str) -> User | None:
    """The active user owning a live token, or None. Cheap: one indexed query that
    loads the user and its workspace together."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    rows = _TOKEN_USER.rows(key_hash=_token_hash(secret))
    if not rows:
        return None
    split = len(_USER_FIELDS)
    user = User.from_db("default", _USER_FIELDS, rows[0][:split])
    if not user.is_active or user.workspace_id is None:
        return None
    workspace = Workspace.from_db("default", _WORKSPACE_FIELDS, rows[0][split:])
    User.workspace.field.set_cached_value(user, workspace)
    return user


@transaction.atomic
def token_revoke(*, user: User, prefix: str) -> None:
    updated = ApiToken.objects.filter(user=user, prefix=prefix, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if not updated:
        raise NotFound(_("No such token."))


@transaction.atomic
def token_revoke_all(*, user: User, actor: User) -> int:
    """Revoke every live token of a user: by the user, or by an administrator of the
    user's workspace. Tokens outlive a password change (docs/adr/0007); this is the way
    to end them all. Returns how many were live."""
    if actor.pk != user.pk:
        require_admin(actor)
        if actor.workspace_id != user.workspace_id:
            raise NotFound(_("User not found."))
    revoked = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if revoked and user.workspace_id:
        audit_record(
            workspace=user.workspace_id,
            actor=actor,
            action="token.revoke_all",
            instance=user,
            changes={"live_tokens": (revoked, 0)},
        )
    return revoked


def planner_statistics_refresh(tables: Iterable[str] = ()) -> None:
    """Refresh the query planner's statistics for these tables (all tables when none given).

    Run after a bulk change and daily. SQLite keeps no statistics until ANALYZE runs, and
    without them it plans a search over a million freshly imported people as a walk of
    the whole person table probing the search index row by row: 12 s for the client
    list's count instead of 20 ms (docs/benchmarks.md). A full ANALYZE, not a sampled
    one: sampling caps what it sees of a workspace at ~1,000 rows, and plans would take
    a workspace's rows for few. ~2.5 s for 1M people with their emails and phones.
    PostgreSQL's autovacuum gets there on its own, minutes later; VACUUM also folds the
    trigram index's pending list, which the first searches after a bulk load would
    otherwise scan.
    """
    quote = connection.ops.quote_name
    targets = [quote(name) for name in tables] or [""]
    if connection.vendor == "sqlite":
        command = "ANALYZE"
    else:
        # VACUUM cannot run inside a transaction (a test's, or a caller's).
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
    with connection.cursor() as cursor:
        for target in targets:
            cursor.execute(f"{command} {target}".strip())
