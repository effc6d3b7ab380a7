"""What a webhook request carries and how its receiver checks it (docs/webhooks.md).

The body is `{"id", "event", "created_at", "data"}`; the signature is the hex HMAC-SHA256,
keyed with the webhook's secret, of `f"{timestamp}.{body}"`, sent as
`X-Klient-Signature: sha256=<hex>` beside `X-Klient-Timestamp` (unix seconds). Signing
the timestamp with the body lets a receiver refuse a replayed old request.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from datetime import UTC, datetime
from typing import Any

SECRET_PREFIX = "whsec_"
# How far a receiver should accept a timestamp from its own clock, in seconds.
TOLERANCE_SECONDS = 300


def secret_generate() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def body_encode(
    *, event_id: str, event_name: str, created_at: datetime, data: dict[str, Any]
) -> bytes:
    """The request body: compact JSON, UTF-8, the same bytes on every attempt."""
    document = {
        "id": event_id,
        "event": event_name,
        "created_at": created_at.astimezone(UTC)
        .isoformat(timespec="seconds")
        .replace("+00:00", "Z"),
        "data": data,
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def signature(*, secret: str, timestamp: int, body: bytes) -> str:
    """The `X-Klient-Signature` value of `body` sent at `timestamp`."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={digest.hexdigest()}"


def signature_is_valid(
    *, secret: str, body: bytes, timestamp: str, signature_header: str, now: int
) -> bool:
    """What a receiver does: a fresh timestamp and a matching signature, compared in
    constant time."""
    try:
        sent_at = int(timestamp)
    except ValueError:
        return False
    if abs(now - sent_at) > TOLERANCE_SECONDS:
        return False
    expected = signature(secret=secret, timestamp=sent_at, body=body)
    return hmac.compare_digest(expected, signature_header)
