"""Two clients opening one single-use link at the same moment: exactly one gets in.

PostgreSQL, each opener a thread with its own connection (tests/core/pg_threads.py).
"""

import threading
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from klient.core.errors import PublicLinkUsedUp
from klient.core.models import PublicLink, PublicLinkUse
from klient.core.public_links import public_link_create, public_link_resolve
from tests.core.pg_threads import Worker, pg_only, wait_for_lock_waiters
from tests.factories import WorkspaceFactory

pytestmark = [pg_only, pytest.mark.django_db(transaction=True)]


def single_use_link():
    return public_link_create(
        workspace_id=WorkspaceFactory().pk,
        purpose="feedback.survey",
        target=("feedback.invitation", 7),
        expires_at=timezone.now() + timedelta(days=1),
        single_use=True,
    )


def opener(token, address):
    def run():
        try:
            return public_link_resolve(
                token=token, purpose="feedback.survey", request_ip=address
            ).use_count
        except PublicLinkUsedUp:
            return "used up"

    return run


def test_two_opens_held_at_the_row_get_one_use_and_one_refusal():
    """Both opens are made to wait on the link's row until both are there, so their
    UPDATEs meet: the one that runs second re-reads the row and matches nothing."""
    link, token = single_use_link()
    holding, release = threading.Event(), threading.Event()

    def holder():
        with transaction.atomic():
            PublicLink.objects.select_for_update().get(pk=link.pk)
            holding.set()
            assert release.wait(60)

    hold = Worker(holder)
    hold.start()
    assert holding.wait(60)
    openers = [Worker(opener(token, address)) for address in ("192.0.2.1", "192.0.2.2")]
    for worker in openers:
        worker.start()
    wait_for_lock_waiters(2)
    release.set()
    hold.outcome()
    assert sorted(str(worker.outcome()) for worker in openers) == ["1", "used up"]
    assert PublicLink.objects.get(pk=link.pk).use_count == 1
    assert sorted(PublicLinkUse.objects.values_list("outcome", flat=True)) == [
        "opened",
        "used_up",
    ]


def test_eight_clients_racing_for_a_single_use_link_let_one_in():
    _link, token = single_use_link()
    start = threading.Barrier(8)

    def race(address):
        run = opener(token, address)

        def go():
            start.wait()
            return run()

        return go

    workers = [Worker(race(f"192.0.2.{n}")) for n in range(8)]
    for worker in workers:
        worker.start()
    assert sorted(str(worker.outcome()) for worker in workers) == ["1"] + ["used up"] * 7
