"""How core's own audit events read: the workspace, colleagues, teams, API tokens,
sign-in lockouts and background jobs (see audit_words for the rules of wording)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from klient.core.audit_words import (
    DATETIME,
    TEAM,
    USER,
    AuditField,
    AuditSubject,
    audit_words_register,
)
from klient.core.models import AuthThrottle, OutboxJob

_JOB_STATUS = {
    OutboxJob.Status.PENDING: _("Pending"),
    OutboxJob.Status.DONE: _("Done"),
    OutboxJob.Status.FAILED: _("Failed"),
    OutboxJob.Status.CANCELLED: _("Cancelled"),
}


def _job_status(value: Any) -> str:
    return str(_JOB_STATUS.get(value, value))


def _lock_scope(value: Any) -> str:
    return str(dict(AuthThrottle.Scope.choices).get(value, value))


def register() -> None:
    audit_words_register(
        subject=AuditSubject(
            key="core.workspace",
            label=_("Workspace"),
            fields={"default_language": AuditField(_("default language"))},
        ),
        actions=[
            (
                "workspace.update",
                _("Workspace settings changed"),
                _("%(actor)s changed the workspace settings: %(fields)s"),
            ),
        ],
    )
    audit_words_register(
        subject=AuditSubject(
            key="core.team", label=_("Team"), fields={"lead_id": AuditField(_("lead"), USER)}
        ),
        actions=[
            ("team.create", _("Team created"), _("%(actor)s created team %(record)s")),
            ("team.lead", _("Team lead named"), _("%(actor)s named the lead of team %(record)s")),
        ],
    )
    audit_words_register(
        subject=AuditSubject(
            key="core.user",
            label=_("User"),
            fields={
                "teams": AuditField(_("teams"), TEAM),
                "live_tokens": AuditField(_("live API tokens")),
            },
        ),
        actions=[
            (
                "user.create",
                _("User added"),
                _("%(actor)s added user %(record)s with the role %(role)s"),
            ),
            (
                "user.deactivate",
                _("User deactivated"),
                _("%(actor)s deactivated user %(record)s"),
            ),
            (
                "user.update",
                _("User changed"),
                _("%(actor)s changed %(fields)s of user %(record)s"),
            ),
            (
                "user.password_reset",
                _("Password reset"),
                _("%(actor)s reset the password of user %(record)s"),
            ),
            (
                "token.revoke_all",
                _("API tokens revoked"),
                _("%(actor)s revoked every API token of user %(record)s"),
            ),
        ],
    )
    # A token's event carries its owner's id: the sentence names no record.
    audit_words_register(
        subject=AuditSubject(key="core.apitoken", label=_("API token")),
        actions=[("token.create", _("API token created"), _("%(actor)s created an API token"))],
    )
    audit_words_register(
        subject=AuditSubject(
            key="core.auththrottle",
            label=_("Sign-in lockout"),
            fields={
                "scope": AuditField(_("locked"), _lock_scope),
                "key": AuditField(_("account or address")),
                "locked_until": AuditField(_("locked until"), DATETIME),
            },
        ),
        actions=[
            ("auth.unlock", _("Sign-in unlocked"), _("%(actor)s unlocked sign-in for %(key)s")),
        ],
    )
    audit_words_register(
        subject=AuditSubject(
            key="core.outboxjob",
            label=_("Background job"),
            fields={"status": AuditField(_("status"), _job_status)},
        ),
        actions=[
            (
                "outbox_job.retry",
                _("Background job restarted"),
                _("%(actor)s restarted background job %(record)s"),
            ),
            (
                "outbox_job.cancel",
                _("Background job cancelled"),
                _("%(actor)s cancelled background job %(record)s"),
            ),
        ],
    )
    audit_words_register(
        subject=AuditSubject(
            key="core.publiclink",
            label=_("Public link"),
            fields={
                "purpose": AuditField(_("purpose")),
                "target": AuditField(_("record")),
                "token_prefix": AuditField(_("token prefix")),
                "expires_at": AuditField(_("expires at"), DATETIME),
                "max_uses": AuditField(_("uses allowed")),
                "revoked_at": AuditField(_("revoked at"), DATETIME),
            },
        ),
        actions=[
            (
                "public_link.create",
                _("Public link created"),
                _(
                    "%(actor)s created public link %(record)s (%(purpose)s), "
                    "valid until %(expires_at)s"
                ),
            ),
            (
                "public_link.revoke",
                _("Public link revoked"),
                _("%(actor)s revoked public link %(record)s"),
            ),
        ],
    )
