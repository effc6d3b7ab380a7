"""Public links: unguessable tokens stored as hashes, expiry, revocation, use limits,
throttling, and a record of every open."""

import hashlib
import hmac
import logging
import re
from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from klient.core.errors import (
    NotFound,
    PermissionDenied,
    PublicLinkExpired,
    PublicLinkInvalid,
    PublicLinkRevoked,
    PublicLinkUnknown,
    PublicLinkUsedUp,
    Throttled,
    ValidationFailed,
)
from klient.core.models import AuditEvent, AuthThrottle, PublicLink, PublicLinkUse
from klient.core.public_links import (
    public_link_create,
    public_link_resolve,
    public_link_revoke,
    public_link_uses_prune,
)
from klient.core.throttle import lockout_list

pytestmark = pytest.mark.django_db

PURPOSE = "sales.quote_accept"
CLIENT = "203.0.113.7"
ELSEWHERE = "198.51.100.20"


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.KLIENT_PUBLIC_LINK_OPENS_PER_MINUTE = 30
    settings.KLIENT_PUBLIC_LINK_ADDRESS_FAILURE_LIMIT = 3
    settings.KLIENT_LOGIN_COOLOFF_MINUTES = 15


def make(workspace, **options):
    options.setdefault("expires_at", timezone.now() + timedelta(days=7))
    return public_link_create(
        workspace_id=workspace.pk, purpose=PURPOSE, target=("sales.quote", 42), **options
    )


def resolve(token, *, address=CLIENT, purpose=PURPOSE):
    return public_link_resolve(token=token, purpose=purpose, request_ip=address)


def outcomes():
    return list(PublicLinkUse.objects.order_by("pk").values_list("outcome", flat=True))


# --- the token ----------------------------------------------------------------------------


def test_a_token_is_43_url_safe_characters_of_256_random_bits(workspace):
    tokens = [make(workspace)[1] for _ in range(20)]
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{43}", token) for token in tokens)
    assert len(set(tokens)) == 20


def test_the_token_comes_from_the_system_random_source(workspace):
    with mock.patch("secrets.token_urlsafe", return_value="x" * 43) as source:
        _link, token = make(workspace)
    source.assert_called_once_with(32)
    assert token == "x" * 43


def test_only_the_hash_and_a_prefix_of_the_token_are_stored(workspace):
    link, token = make(workspace)
    row = PublicLink.objects.filter(pk=link.pk).values().get()
    assert row["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert row["token_prefix"] == token[:8]
    assert not [name for name, value in row.items() if isinstance(value, str) and token in value]


def test_creating_a_link_is_audited_without_its_token(workspace, agent_a):
    link, token = make(workspace, created_by=agent_a)
    event = AuditEvent.objects.get(action="public_link.create")
    assert (event.actor, event.object_type, event.object_id) == (
        agent_a,
        "core.publiclink",
        link.pk,
    )
    assert event.changes["target"] == [None, "sales.quote:42"]
    assert event.changes["token_prefix"] == [None, token[:8]]
    assert token not in str(event.changes)


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"expires_at": timezone.now() - timedelta(seconds=1)}, "expires_at"),
        ({"language": "de"}, "language"),
        ({"single_use": True, "max_uses": 3}, "max_uses"),
        ({"max_uses": 0}, "max_uses"),
    ],
    ids=["expired already", "unknown language", "single use used thrice", "no use"],
)
def test_a_link_that_could_never_work_is_refused(workspace, options, field):
    with pytest.raises(ValidationFailed) as raised:
        make(workspace, **options)
    assert list(raised.value.fields) == [field]
    assert not PublicLink.objects.exists()


# --- opening --------------------------------------------------------------------------------


def test_the_token_opens_its_link_and_the_use_is_counted(workspace):
    link, token = make(workspace)
    opened = resolve(token)
    assert opened.pk == link.pk
    assert (opened.target_kind, opened.target_id, opened.use_count) == ("sales.quote", 42, 1)
    assert opened.last_used_at is not None


def test_the_hashes_are_compared_in_constant_time(workspace):
    link, token = make(workspace)
    with mock.patch("hmac.compare_digest", wraps=hmac.compare_digest) as compare:
        resolve(token)
    compare.assert_called_once_with(link.token_hash, hashlib.sha256(token.encode()).hexdigest())


def test_a_token_sharing_only_the_prefix_opens_nothing(workspace):
    _link, token = make(workspace)
    forged = token[:8] + ("A" if token[8] != "A" else "B") + token[9:]
    with pytest.raises(PublicLinkUnknown):
        resolve(forged)


def test_an_unknown_token_is_refused(workspace):
    with pytest.raises(PublicLinkUnknown):
        resolve("no-such-token")


def test_a_link_offered_for_another_purpose_is_unknown(workspace):
    _link, token = make(workspace)
    with pytest.raises(PublicLinkUnknown):
        resolve(token, purpose="service.request_status")


def test_an_expired_link_is_refused(workspace):
    link, token = make(workspace)
    PublicLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(PublicLinkExpired):
        resolve(token)


def test_a_single_use_link_opens_once(workspace):
    _link, token = make(workspace, single_use=True)
    resolve(token)
    with pytest.raises(PublicLinkUsedUp):
        resolve(token)
    assert PublicLink.objects.get().use_count == 1


def test_a_link_of_three_uses_opens_three_times(workspace):
    _link, token = make(workspace, max_uses=3)
    counts = [resolve(token).use_count for _ in range(3)]
    with pytest.raises(PublicLinkUsedUp):
        resolve(token)
    assert counts == [1, 2, 3]


def test_every_refusal_reads_the_same_to_the_client(workspace, admin):
    expired_link, expired = make(workspace)
    PublicLink.objects.filter(pk=expired_link.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    revoked_link, revoked = make(workspace)
    public_link_revoke(actor=admin, link=revoked_link)
    _used_link, used = make(workspace, single_use=True)
    resolve(used)
    answers = []
    for token in ["unknown-token", expired, revoked, used]:
        with pytest.raises(PublicLinkInvalid) as raised:
            resolve(token, address=f"192.0.2.{len(answers) + 1}")
        answers.append((raised.value.status, raised.value.as_dict()))
    assert answers == [answers[0]] * 4
    assert answers[0] == (
        404,
        {
            "code": "link_invalid",
            "message": "This link cannot be opened. It may have expired or already been used: "
            "ask whoever sent it for a new one.",
            "fields": {},
        },
    )


def test_the_reason_of_a_refusal_is_logged(workspace, caplog):
    link, token = make(workspace)
    PublicLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    with (
        caplog.at_level(logging.INFO, logger="klient.public_links"),
        pytest.raises(PublicLinkExpired),
    ):
        resolve(token)
    assert caplog.messages == [
        f"public link refused: expired (prefix {token[:8]}, link {link.pk}, "
        f"purpose {PURPOSE}, from {CLIENT})"
    ]


def test_every_open_is_recorded_with_its_outcome_and_address(workspace, admin):
    link, token = make(workspace, single_use=True)
    resolve(token)
    for attempt in [token, "unknown-token"]:
        with pytest.raises(PublicLinkInvalid):
            resolve(attempt, address=ELSEWHERE)
    rows = PublicLinkUse.objects.order_by("pk").values_list(
        "link_id", "outcome", "address", "token_prefix", "purpose"
    )
    assert list(rows) == [
        (link.pk, "opened", CLIENT, token[:8], PURPOSE),
        (link.pk, "used_up", ELSEWHERE, token[:8], PURPOSE),
        (None, "unknown", ELSEWHERE, "unknown-", PURPOSE),
    ]


def test_records_of_opens_past_their_keeping_time_are_deleted(workspace, settings):
    settings.KLIENT_PUBLIC_LINK_USE_KEEP_DAYS = 90
    _link, token = make(workspace)
    resolve(token)
    resolve(token)
    PublicLinkUse.objects.filter(pk=PublicLinkUse.objects.order_by("pk").first().pk).update(
        at=timezone.now() - timedelta(days=91)
    )
    assert public_link_uses_prune() == 1
    assert PublicLinkUse.objects.count() == 1


# --- revoking -------------------------------------------------------------------------------


def test_a_revoked_link_opens_no_more_and_the_revocation_is_audited(workspace, agent_a):
    link, token = make(workspace)
    resolve(token)
    public_link_revoke(actor=agent_a, link=link)
    with pytest.raises(PublicLinkRevoked):
        resolve(token)
    event = AuditEvent.objects.get(action="public_link.revoke")
    assert (event.actor, event.object_id) == (agent_a, link.pk)
    assert link.revoked_by == agent_a


def test_revoking_a_revoked_link_changes_nothing(workspace, agent_a, admin):
    link, _token = make(workspace)
    public_link_revoke(actor=agent_a, link=link)
    public_link_revoke(actor=admin, link=link)
    assert link.revoked_by == agent_a
    assert AuditEvent.objects.filter(action="public_link.revoke").count() == 1


def test_a_reader_cannot_revoke_a_link(workspace, analyst):
    link, _token = make(workspace)
    with pytest.raises(PermissionDenied):
        public_link_revoke(actor=analyst, link=link)
    assert PublicLink.objects.get().revoked_at is None


def test_another_workspace_cannot_revoke_a_link(workspace, other_workspace_admin):
    link, _token = make(workspace)
    with pytest.raises(NotFound):
        public_link_revoke(actor=other_workspace_admin, link=link)
    assert PublicLink.objects.get().revoked_at is None


# --- throttling -----------------------------------------------------------------------------


def test_a_link_opened_past_its_limit_per_minute_waits_for_the_minute_to_end(workspace, settings):
    settings.KLIENT_PUBLIC_LINK_OPENS_PER_MINUTE = 3
    _link, token = make(workspace)
    opened = [resolve(token, address=f"192.0.2.{n}").use_count for n in range(3)]
    with pytest.raises(Throttled) as raised:
        resolve(token, address="192.0.2.99")
    assert opened == [1, 2, 3]
    assert raised.value.retry_after == 60
    assert str(raised.value.message) == "This link was opened too often. Try again in 1 min."
    assert outcomes()[-1] == "throttled"


def test_a_throttled_link_opens_again_after_its_minute(workspace, settings):
    settings.KLIENT_PUBLIC_LINK_OPENS_PER_MINUTE = 3
    _link, token = make(workspace)
    for _ in range(3):
        resolve(token)
    with pytest.raises(Throttled):
        resolve(token)
    minute_ago = timezone.now() - timedelta(minutes=1)
    AuthThrottle.objects.filter(scope="link").update(
        window_started_at=minute_ago, locked_until=minute_ago
    )
    assert resolve(token).use_count == 4


def test_one_links_limit_leaves_other_links_alone(workspace, settings):
    settings.KLIENT_PUBLIC_LINK_OPENS_PER_MINUTE = 2
    _busy_link, busy = make(workspace)
    _other_link, other = make(workspace)
    for _ in range(2):
        resolve(busy)
    with pytest.raises(Throttled):
        resolve(busy)
    assert resolve(other).use_count == 1


def test_unknown_links_lock_their_address(workspace):
    _link, token = make(workspace)
    for n in range(2):
        with pytest.raises(PublicLinkUnknown):
            resolve(f"guess-{n}")
    with pytest.raises(Throttled) as raised:
        resolve("guess-3")
    with pytest.raises(Throttled):
        resolve(token)  # even a good link, while the address is locked
    assert raised.value.retry_after == 15 * 60
    assert str(raised.value.message) == (
        "Too many invalid links were opened from your address. Try again in 15 min."
    )
    assert resolve(token, address=ELSEWHERE).use_count == 1


def test_good_links_opened_from_one_address_never_count_against_it(workspace):
    # An office: many clients behind one address, each opening their own link.
    tokens = [make(workspace)[1] for _ in range(10)]
    for token in tokens:
        resolve(token)
    with pytest.raises(PublicLinkUnknown):
        resolve("one-mistyped-link")
    assert resolve(tokens[0]).use_count == 2
    assert AuthThrottle.objects.get(scope="link_address").failures == 1


def test_old_links_of_real_clients_do_not_lock_their_address(workspace):
    link, token = make(workspace)
    PublicLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    for _ in range(5):
        with pytest.raises(PublicLinkExpired):
            resolve(token)
    assert not AuthThrottle.objects.filter(scope="link_address").exists()


def test_an_administrator_sees_and_can_lift_an_address_locked_by_unknown_links(workspace, admin):
    for n in range(3):
        with pytest.raises((PublicLinkUnknown, Throttled)):
            resolve(f"guess-{n}")
    assert [(lock.scope, lock.key) for lock in lockout_list(user=admin)] == [
        ("link_address", CLIENT)
    ]
