"""The signature a receiver checks, and the body it is computed over (no database)."""

from __future__ import annotations

from datetime import UTC, datetime

from klient.webhooks.signing import (
    SECRET_PREFIX,
    body_encode,
    secret_generate,
    signature,
    signature_is_valid,
)

SENT_AT = 1_767_225_600
BODY = b'{"id":"e1"}'


def test_the_signature_is_the_hmac_of_timestamp_dot_body():
    assert signature(secret="whsec_test", timestamp=SENT_AT, body=BODY) == (
        "sha256=454f7f9597bf74f9ee7b13eab0ac98e91665e9039d783864ee4129a0f2c9c88f"
    )


def test_a_receiver_accepts_a_fresh_signed_request():
    header = signature(secret="whsec_test", timestamp=SENT_AT, body=BODY)

    assert signature_is_valid(
        secret="whsec_test",
        body=BODY,
        timestamp=str(SENT_AT),
        signature_header=header,
        now=SENT_AT + 299,
    )


def test_a_receiver_refuses_a_changed_body():
    header = signature(secret="whsec_test", timestamp=SENT_AT, body=BODY)

    assert not signature_is_valid(
        secret="whsec_test",
        body=b'{"id":"e2"}',
        timestamp=str(SENT_AT),
        signature_header=header,
        now=SENT_AT,
    )


def test_a_receiver_refuses_a_replayed_old_request():
    header = signature(secret="whsec_test", timestamp=SENT_AT, body=BODY)

    assert not signature_is_valid(
        secret="whsec_test",
        body=BODY,
        timestamp=str(SENT_AT),
        signature_header=header,
        now=SENT_AT + 301,
    )


def test_a_receiver_refuses_another_secret():
    header = signature(secret="whsec_other", timestamp=SENT_AT, body=BODY)

    assert not signature_is_valid(
        secret="whsec_test", body=BODY, timestamp=str(SENT_AT), signature_header=header, now=SENT_AT
    )


def test_the_body_is_compact_utf8_json_with_a_utc_time():
    body = body_encode(
        event_id="e1",
        event_name="person.merged",
        created_at=datetime(2026, 1, 1, 3, 0, 5, 123456, tzinfo=UTC),
        data={"workspace_id": 1, "name": "Пётр"},
    )

    assert (
        body
        == (
            '{"id":"e1","event":"person.merged","created_at":"2026-01-01T03:00:05Z",'
            '"data":{"workspace_id":1,"name":"Пётр"}}'
        ).encode()
    )


def test_each_secret_is_new_and_long():
    first, second = secret_generate(), secret_generate()

    assert first != second
    assert first.startswith(SECRET_PREFIX)
    assert len(first) == len(SECRET_PREFIX) + 43
