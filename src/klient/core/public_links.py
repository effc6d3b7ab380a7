"""Links a client opens without an account: quote acceptance, request status, guest
progress, portal sign-in, survey invitations (docs/public-links.md).

The app that sends a link creates it for one of its records and one purpose, and resolves
it in its public view; what the link then allows (show the quote, record the answer) is
the app's, scoped to `link.workspace_id` and `link.target_id`:

    link, token = public_link_create(workspace_id=ws, purpose="sales.quote_accept",
                                     target=("sales.quote", quote.pk), expires_at=...)
    ...
    link = public_link_resolve(token=token, purpose="sales.quote_accept",
                               request_ip=client_address(request))

The token (256 random bits) is shown once, in the link; only its SHA-256 is stored, with
its first characters to find the row by. A plain hash, unsalted, is enough: a salt or a
slow hash protects guessable secrets, and nobody guesses 256 random bits.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from klient.core.errors import (
    NotFound,
    PublicLinkExpired,
    PublicLinkInvalid,
    PublicLinkRevoked,
    PublicLinkUnknown,
    PublicLinkUsedUp,
    Throttled,
    ValidationFailed,
)
from klient.core.models import AuthThrottle, PublicLink, PublicLinkUse, User
from klient.core.services import audit_record, require_write
from klient.core.throttle import _throttled, throttle_failure_record, throttle_locked_until

logger = logging.getLogger("klient.public_links")

# 8 characters of the token (48 of its 256 bits) find its row; they are logged and
# audited. The other 35 characters (210 bits) remain the secret.
PREFIX_LENGTH = 8
# token_urlsafe(32) is 43 characters; anything much longer is not ours and is not hashed.
TOKEN_MAX_LENGTH = 64
PRUNE_BATCH = 5000
Outcome = PublicLinkUse.Outcome
Scope = AuthThrottle.Scope


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def public_link_create(
    *,
    workspace_id: int,
    purpose: str,
    target: tuple[str, int],
    expires_at: datetime,
    single_use: bool = False,
    language: str = "",
    max_uses: int | None = None,
    created_by: User | None = None,
) -> tuple[PublicLink, str]:
    """A new link to `target` (record kind, id) for `purpose`, and its token, to be put
    in the URL sent to the client and never stored. The caller has checked that the
    target is its workspace's and that `created_by` may share it. Audited."""
    kind, target_id = target
    errors: dict[str, str] = {}
    if not purpose or len(purpose) > 40:
        errors["purpose"] = _("Between 1 and 40 characters.")
    if not kind or len(kind) > 64:
        errors["target"] = _("Unknown record kind.")
    if timezone.is_naive(expires_at) or expires_at <= timezone.now():
        errors["expires_at"] = _("Choose a time in the future.")
    if language and language not in dict(settings.LANGUAGES):
        errors["language"] = _("Unknown value “%(value)s”.") % {"value": language}
    if single_use and max_uses not in (None, 1):
        errors["max_uses"] = _("A single-use link is used once.")
    elif max_uses is not None and max_uses < 1:
        errors["max_uses"] = _("At least 1.")
    if errors:
        raise ValidationFailed(fields=errors)
    token = secrets.token_urlsafe(32)
    link = PublicLink.objects.create(
        workspace_id=workspace_id,
        purpose=purpose,
        target_kind=kind,
        target_id=target_id,
        token_prefix=token[:PREFIX_LENGTH],
        token_hash=_token_hash(token),
        language=language,
        expires_at=expires_at,
        max_uses=1 if single_use else max_uses,
        created_by=created_by,
    )
    audit_record(
        workspace=workspace_id,
        actor=created_by,
        action="public_link.create",
        instance=link,
        changes={
            "purpose": (None, purpose),
            "target": (None, f"{kind}:{target_id}"),
            "token_prefix": (None, link.token_prefix),
            "expires_at": (None, expires_at),
            "max_uses": (None, link.max_uses),
        },
    )
    return link, token


@transaction.atomic
def public_link_revoke(*, actor: User, link: PublicLink) -> PublicLink:
    """End a link at once: it opens no more. Revoking a revoked link changes nothing.
    Audited."""
    require_write(actor)
    if actor.workspace_id != link.workspace_id:
        raise NotFound(_("Link not found."))
    now = timezone.now()
    revoked = PublicLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(
        revoked_at=now, revoked_by=actor
    )
    link.refresh_from_db(fields=["revoked_at", "revoked_by"])
    if revoked:
        audit_record(
            workspace=link.workspace_id,
            actor=actor,
            action="public_link.revoke",
            instance=link,
            changes={"revoked_at": (None, now)},
        )
    return link


def _use_record(
    *, link: PublicLink | None, prefix: str, purpose: str, outcome: str, address: str, now: datetime
) -> None:
    PublicLinkUse.objects.create(
        link=link,
        token_prefix=prefix,
        purpose=purpose[:40],
        outcome=outcome,
        address=address[:45],
        at=now,
    )
    if outcome != Outcome.OPENED:
        link_id = link.pk if link is not None else None
        logger.info(
            "public link refused: %s (prefix %s, link %s, purpose %s, from %s)",
            outcome,
            prefix,
            link_id,
            purpose,
            address,
        )


def _link_find(token: str) -> PublicLink | None:
    """The link whose hash matches the token's, compared in constant time: the prefix
    narrows the rows (its timing tells only whether 48 bits exist somewhere), the hash
    comparison then reveals nothing of how close a guess came."""
    if not token or len(token) > TOKEN_MAX_LENGTH:
        return None
    hashed = _token_hash(token)
    for candidate in PublicLink.objects.filter(token_prefix=token[:PREFIX_LENGTH]):
        if hmac.compare_digest(candidate.token_hash, hashed):
            return candidate
    return None


def _refusal(link: PublicLink, now: datetime) -> PublicLinkInvalid:
    """Why a known link's open was refused, read after the refusing UPDATE."""
    link.refresh_from_db()
    if link.revoked_at is not None:
        return PublicLinkRevoked()
    if link.expires_at <= now:
        return PublicLinkExpired()
    return PublicLinkUsedUp()


_OUTCOMES: dict[type[PublicLinkInvalid], str] = {
    PublicLinkRevoked: Outcome.REVOKED,
    PublicLinkExpired: Outcome.EXPIRED,
    PublicLinkUsedUp: Outcome.USED_UP,
}


def public_link_resolve(*, token: str, purpose: str, request_ip: str) -> PublicLink:
    """The link the token opens for `purpose`, its use counted.

    Raises a PublicLinkInvalid subclass (unknown, expired, revoked, used up: one message
    for all) or Throttled: an address that asked for too many unknown links is refused
    for KLIENT_LOGIN_COOLOFF_MINUTES, one link opened more than
    KLIENT_PUBLIC_LINK_OPENS_PER_MINUTE times in a minute is refused until the minute
    ends. Every attempt is recorded as a PublicLinkUse, each in its own transaction: call
    this from a view, outside any transaction of yours, or a refusal's record and count
    roll back with your error.

    A use is counted by one conditional UPDATE (`use_count < max_uses`, not revoked, not
    expired): of two concurrent opens of a single-use link, the database lets exactly
    one UPDATE match (PostgreSQL re-checks the condition on the row the first committed;
    SQLite runs one writer at a time), and the other is refused as used up.
    """
    now = timezone.now()
    prefix = token[:PREFIX_LENGTH] if len(token) <= TOKEN_MAX_LENGTH else ""
    address_keys = [(Scope.LINK_ADDRESS.value, request_ip)] if request_ip else []

    def use(link: PublicLink | None, outcome: str) -> None:
        _use_record(
            link=link, prefix=prefix, purpose=purpose, outcome=outcome, address=request_ip, now=now
        )

    if address_keys and (until := throttle_locked_until(keys=address_keys, now=now)):
        use(None, Outcome.THROTTLED)
        raise _address_throttled(until, now)
    link = _link_find(token)
    if link is None or link.purpose != purpose:
        # A real link offered for another purpose is as good as no link.
        use(link, Outcome.UNKNOWN)
        if request_ip:
            until = throttle_failure_record(
                scope=Scope.LINK_ADDRESS,
                key=request_ip,
                limit=settings.KLIENT_PUBLIC_LINK_ADDRESS_FAILURE_LIMIT,
                now=now,
            )
            if until is not None:
                raise _address_throttled(until, now)
        raise PublicLinkUnknown()
    until = throttle_failure_record(
        scope=Scope.LINK,
        key=str(link.pk),
        # The opens the minute allows, and the one after them that locks.
        limit=settings.KLIENT_PUBLIC_LINK_OPENS_PER_MINUTE + 1,
        now=now,
        workspace_id=link.workspace_id,
        window=timedelta(minutes=1),
    )
    if until is not None:
        use(link, Outcome.THROTTLED)
        raise _link_throttled(until, now)
    with transaction.atomic():
        opened = (
            PublicLink.objects.filter(pk=link.pk, revoked_at__isnull=True, expires_at__gt=now)
            .filter(Q(max_uses__isnull=True) | Q(use_count__lt=F("max_uses")))
            .update(use_count=F("use_count") + 1, last_used_at=now)
        )
        if opened:
            use(link, Outcome.OPENED)
    if not opened:
        refusal = _refusal(link, now)
        use(link, _OUTCOMES[type(refusal)])
        raise refusal
    link.refresh_from_db(fields=["use_count", "last_used_at"])
    return link


def _address_throttled(until: datetime, now: datetime) -> Throttled:
    message = _(
        "Too many invalid links were opened from your address. Try again in %(minutes)s min."
    )
    return _throttled(message, until=until, now=now)


def _link_throttled(until: datetime, now: datetime) -> Throttled:
    message = _("This link was opened too often. Try again in %(minutes)s min.")
    return _throttled(message, until=until, now=now)


def public_link_uses_prune(*, older_than_days: int | None = None) -> int:
    """Delete the records of opens older than KLIENT_PUBLIC_LINK_USE_KEEP_DAYS (they hold
    client addresses), in short batches so writers never wait long; how many went. Run
    daily (core.jobs)."""
    days = settings.KLIENT_PUBLIC_LINK_USE_KEEP_DAYS if older_than_days is None else older_than_days
    cutoff = timezone.now() - timedelta(days=days)
    deleted = 0
    while True:
        ids = list(
            PublicLinkUse.objects.filter(at__lt=cutoff).values_list("pk", flat=True)[:PRUNE_BATCH]
        )
        if not ids:
            return deleted
        deleted += PublicLinkUse.objects.filter(pk__in=ids).delete()[0]
