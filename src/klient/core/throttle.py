"""Login throttling: failed attempts counted per account and per client address.

Each key (an account, an address) has a fixed window of KLIENT_LOGIN_COOLOFF_MINUTES
opened by its first failure; reaching the key's limit inside the window locks the key for
as long. A locked key is refused before any password is checked, and refusals are not
counted, so a lock never grows by itself. A successful sign-in clears its account's count
but not its address's: a colleague signing in from the same office must not wipe a
stranger's guesses. A valid API token is never throttled, so the token hot path stays one
query; only invalid tokens are counted, per address. docs/adr/0007. Public links
(core.public_links) count look-ups that find no link per address, and every open of one
link per minute.
"""

from __future__ import annotations

import ipaddress
import math
from datetime import datetime, timedelta
from functools import lru_cache

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from klient.core.errors import InvalidCredentials, NotFound, Throttled
from klient.core.models import AuthThrottle, Role, User
from klient.core.services import audit_record, require_admin

Scope = AuthThrottle.Scope
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


# --- the client's address ----------------------------------------------------------------


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def _parsed(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(address)
    except ValueError:
        return None


def _is_in(address: str, networks: tuple[IPNetwork, ...]) -> bool:
    parsed = _parsed(address)
    return parsed is not None and any(parsed in network for network in networks)


def client_address(request: HttpRequest) -> str:
    """The address a request came from. X-Forwarded-For is read only on a request from a
    trusted proxy (KLIENT_TRUSTED_PROXY); anyone else could write any address there."""
    remote = str(request.META.get("REMOTE_ADDR") or "")
    trusted = _networks(tuple(settings.KLIENT_TRUSTED_PROXY))
    if not trusted or not _is_in(remote, trusted):
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [hop for hop in hops if hop]
    # The nearest hop that is not one of our proxies is the client: every hop before it
    # was written by the client itself.
    for hop in reversed(hops):
        if not _is_in(hop, trusted):
            return hop if _parsed(hop) is not None else remote
    return hops[0] if hops else remote


# --- counting ----------------------------------------------------------------------------


def _cooloff() -> timedelta:
    return timedelta(minutes=settings.KLIENT_LOGIN_COOLOFF_MINUTES)


def _account_key(username: str) -> str:
    return username.strip().casefold()[:150]


def throttle_locked_until(*, keys: list[tuple[str, str]], now: datetime) -> datetime | None:
    """The latest end of a lock held by any of these (scope, key) pairs; None if none."""
    condition = Q()
    for scope, key in keys:
        condition |= Q(scope=scope, key=key)
    return (
        AuthThrottle.objects.filter(condition, locked_until__gt=now)
        .order_by("-locked_until")
        .values_list("locked_until", flat=True)
        .first()
    )


@transaction.atomic
def throttle_failure_record(
    *,
    scope: str,
    key: str,
    limit: int,
    now: datetime,
    workspace_id: int | None = None,
    window: timedelta | None = None,
) -> datetime | None:
    """Count one failure for the key; the end of its lock if it is (now) locked.

    `window` (by default KLIENT_LOGIN_COOLOFF_MINUTES) is both the counting window and
    the lock's length; a rate limit counts every attempt through it with a window of its
    own (public links: opens per minute), shorter than the cool-off."""
    # Ended windows and locks go first, so the table only holds what is still counting;
    # with a window of its own, only the scope's rows are known to have ended.
    ended = AuthThrottle.objects.filter(scope=scope) if window else AuthThrottle.objects.all()
    window = window or _cooloff()
    ended.filter(window_started_at__lte=now - window).filter(
        Q(locked_until__isnull=True) | Q(locked_until__lte=now)
    ).delete()
    row, _created = AuthThrottle.objects.select_for_update().get_or_create(
        scope=scope,
        key=key,
        defaults={"window_started_at": now, "last_failure_at": now, "workspace_id": workspace_id},
    )
    if row.locked_until is not None and row.locked_until > now:
        return row.locked_until
    if row.window_started_at <= now - window:
        row.failures, row.window_started_at, row.locked_until = 0, now, None
    row.failures += 1
    row.last_failure_at = now
    row.workspace_id = workspace_id
    if row.failures >= limit:
        row.locked_until = now + window
    row.save()
    return row.locked_until


def _throttled(message: str, *, until: datetime, now: datetime) -> Throttled:
    seconds = max(1, math.ceil((until - now).total_seconds()))
    return Throttled(message % {"minutes": math.ceil(seconds / 60)}, retry_after=seconds)


def _login_throttled(until: datetime, now: datetime) -> Throttled:
    message = _("Too many failed sign-in attempts. Try again in %(minutes)s min.")
    return _throttled(message, until=until, now=now)


def _login_keys(username: str, address: str) -> list[tuple[str, str]]:
    keys = [(Scope.ACCOUNT.value, _account_key(username))]
    return [*keys, (Scope.ADDRESS.value, address)] if address else keys


def login_authenticate(*, request: HttpRequest, username: str, password: str) -> User:
    """Check a username and password, refusing while the account or the address is
    locked. Raises InvalidCredentials, or Throttled once this failure reaches a limit."""
    now = timezone.now()
    address = client_address(request)
    until = throttle_locked_until(keys=_login_keys(username, address), now=now)
    if until is not None:
        raise _login_throttled(until, now)
    user = authenticate(request, username=username, password=password)
    if user is None:
        workspace_id = (
            User.objects.filter(username=username).values_list("workspace_id", flat=True).first()
        )
        ends = [
            throttle_failure_record(
                scope=Scope.ACCOUNT,
                key=_account_key(username),
                limit=settings.KLIENT_LOGIN_FAILURE_LIMIT,
                now=now,
                workspace_id=workspace_id,
            )
        ]
        if address:
            ends.append(
                throttle_failure_record(
                    scope=Scope.ADDRESS,
                    key=address,
                    limit=settings.KLIENT_LOGIN_ADDRESS_FAILURE_LIMIT,
                    now=now,
                )
            )
        until = max((end for end in ends if end is not None), default=None)
        if until is not None:
            raise _login_throttled(until, now)
        raise InvalidCredentials()
    AuthThrottle.objects.filter(scope=Scope.ACCOUNT, key=_account_key(username)).delete()
    return user


def token_failure_record(*, request: HttpRequest) -> None:
    """Count a request with an invalid API token against its address; Throttled once the
    address reaches KLIENT_TOKEN_FAILURE_LIMIT."""
    address = client_address(request)
    if not address:
        return
    now = timezone.now()
    until = throttle_failure_record(
        scope=Scope.TOKEN_ADDRESS,
        key=address,
        limit=settings.KLIENT_TOKEN_FAILURE_LIMIT,
        now=now,
    )
    if until is not None:
        message = _(
            "Too many requests with an invalid API token from your address. "
            "Try again in %(minutes)s min."
        )
        raise _throttled(message, until=until, now=now)


# --- administration ------------------------------------------------------------------------


def lockout_list(*, user: User) -> QuerySet[AuthThrottle]:
    """Locks in force that an administrator may lift: accounts of their workspace, and
    addresses (an address lock shuts out everyone signing in, or opening public links,
    from it)."""
    if user.role != Role.ADMIN or user.workspace_id is None or not user.is_active:
        return AuthThrottle.objects.none()
    return AuthThrottle.objects.filter(
        Q(scope=Scope.ACCOUNT, workspace_id=user.workspace_id)
        | Q(scope__in=[Scope.ADDRESS, Scope.TOKEN_ADDRESS, Scope.LINK_ADDRESS]),
        locked_until__gt=timezone.now(),
    ).order_by("-locked_until", "pk")


@transaction.atomic
def lockout_clear(*, actor: User, lockout_id: int) -> None:
    """Lift a lock and forget its failures; audited."""
    require_admin(actor)
    row = lockout_list(user=actor).select_for_update().filter(pk=lockout_id).first()
    if row is None or actor.workspace_id is None:
        raise NotFound(_("This lock has already ended."))
    row_id = row.pk
    row.delete()
    audit_record(
        workspace=actor.workspace_id,
        actor=actor,
        action="auth.unlock",
        object_type="core.auththrottle",
        object_id=row_id,
        changes={
            "scope": (row.scope, None),
            "key": (row.key, None),
            "locked_until": (row.locked_until, None),
        },
    )
