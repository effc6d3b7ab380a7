"""Where a webhook may be sent: public http(s) addresses only (no SSRF into the server's
own network).

`target_check(url)` parses the address, resolves its host with `socket.getaddrinfo` and
refuses it, before any connection, if any resolved address is private, loopback,
link-local, multicast, reserved, unspecified or otherwise not global (IPv4 and IPv6,
including IPv4 embedded in IPv6: mapped `::ffff:a.b.c.d`, NAT64, 6to4, Teredo), if the
scheme is not http or https, or if it carries a user name or password. It runs when a
webhook is saved and again right before each delivery, since DNS answers change.

The delivery then connects to the very addresses checked (`Target.addresses`), sending
the original host name in the Host header and as TLS SNI (certificates are verified
against it): a name that resolves to a public address for the check and a private one a
moment later (DNS rebinding) cannot redirect the request. Redirects are not followed
and proxy variables are ignored (klient.webhooks.transport).

Residual risks: name resolution itself has no timeout of ours (the system resolver's
applies); an operator who adds networks to `KLIENT_WEBHOOK_ALLOW_PRIVATE` (comma-
separated CIDRs, empty by default; tests use it for a server on 127.0.0.1) opens them to
every administrator of every workspace.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

from klient.webhooks.errors import TargetRefused
from klient.webhooks.models import URL_MAX_LENGTH

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class Target:
    """A checked address: where to connect (`addresses`, all public or allowed) and what
    to say (`host` for the Host header and SNI, `path` with the query)."""

    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple[str, ...]


def target_check(url: str) -> Target:
    """The target of `url`, or TargetRefused naming why; connects to nothing."""
    scheme, host, port, path = _parse(url)
    addresses = _resolve(host, port)
    for address in addresses:
        if not address_refused(address):
            continue
        if _is_literal(host):
            raise TargetRefused(
                _("%(address)s is not a public address: webhooks go to public addresses only.")
                % {"address": address}
            )
        raise TargetRefused(
            _(
                "%(host)s resolves to %(address)s, which is not a public address: webhooks "
                "go to public addresses only."
            )
            % {"host": host, "address": address}
        )
    return Target(
        scheme=scheme,
        host=host,
        port=port,
        path=path,
        addresses=tuple(str(address) for address in addresses),
    )


def _parse(url: str) -> tuple[str, str, int, str]:
    invalid = _("Enter a full address such as https://example.com/hooks/klient.")
    if len(url) > URL_MAX_LENGTH or any(char.isspace() or ord(char) < 32 for char in url):
        raise TargetRefused(invalid)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise TargetRefused(invalid) from exc
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise TargetRefused(_("Only http and https addresses can receive webhooks."))
    if parts.username is not None or parts.password is not None:
        raise TargetRefused(_("The address must not contain a user name or password."))
    if not parts.hostname:
        raise TargetRefused(invalid)
    try:
        # The form a resolver and a Host header take (IDNA for non-Latin names).
        host = parts.hostname.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise TargetRefused(invalid) from exc
    path = parts.path or "/"
    if parts.query:
        path += f"?{parts.query}"
    return scheme, host, port or DEFAULT_PORTS[scheme], path


def _is_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _resolve(host: str, port: int) -> list[IPAddress]:
    try:
        answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise TargetRefused(
            _("The host name %(host)s could not be resolved.") % {"host": host}
        ) from exc
    addresses: list[IPAddress] = []
    for family, _type, _proto, _name, sockaddr in answers:
        if family not in (socket.AF_INET, socket.AF_INET6):
            continue
        # An IPv6 answer may carry a zone ("fe80::1%eth0"): the zone is not the address.
        address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise TargetRefused(_("The host name %(host)s could not be resolved.") % {"host": host})
    return addresses


def address_refused(address: IPAddress) -> bool:
    """True unless the address is public or inside KLIENT_WEBHOOK_ALLOW_PRIVATE."""
    if any(address in network for network in _allowed()):
        return False
    if _not_public(address):
        return True
    embedded = _embedded_ipv4(address) if isinstance(address, ipaddress.IPv6Address) else None
    return embedded is not None and address_refused(embedded)


def _not_public(address: IPAddress) -> bool:
    return (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one stands for, where a translator or tunnel would reach
    it: `::ffff:127.0.0.1` is 127.0.0.1 to a dual-stack socket."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]
    return None


def _allowed() -> tuple[Network, ...]:
    configured = settings.KLIENT_WEBHOOK_ALLOW_PRIVATE
    items = configured.split(",") if isinstance(configured, str) else configured
    return _networks(tuple(item.strip() for item in items if item.strip()))


@lru_cache(maxsize=8)
def _networks(items: tuple[str, ...]) -> tuple[Network, ...]:
    try:
        return tuple(ipaddress.ip_network(item, strict=False) for item in items)
    except ValueError as exc:
        raise ImproperlyConfigured(f"KLIENT_WEBHOOK_ALLOW_PRIVATE: {exc}") from exc
