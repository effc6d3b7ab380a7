"""Two people moving one deal at the same moment, through the API: one move wins (200),
the other is refused with 409 `deal_changed`, and the deal has one new transition.

PostgreSQL, each request a thread with its own connection (tests/core/pg_threads.py);
the sequential stale-version case, which runs on SQLite too, is in test_api_moves.py.
"""

from __future__ import annotations

import threading

import pytest
from django.db import transaction

from klient.sales.models import Deal, StageTransition
from tests.api.client import ApiClient
from tests.core.pg_threads import Worker, pg_only, wait_for_lock_waiters
from tests.sales.factories import deal_make, pipeline_make, stages_of

pytestmark = [pg_only, pytest.mark.django_db(transaction=True)]


def mover(api: ApiClient, deal_id: int, stage_id: int, version: int | None):
    body = {"stage_id": stage_id} | ({"version": version} if version is not None else {})

    def run():
        response = api.post(f"/deals/{deal_id}/move", body)
        return response.status_code, response.json()

    return run


@pytest.mark.parametrize("version", [1, None], ids=["with_version", "without_version"])
def test_two_moves_held_at_the_row_give_one_200_and_one_409(
    admin, agent_a, manager_a, team_a, version
):
    """Both moves read version 1, then wait on the deal's row until both are there, so
    their conditional UPDATEs meet: the one that runs second matches nothing."""
    pipeline = pipeline_make(admin)
    stages = stages_of(pipeline)
    deal = deal_make(agent_a, pipeline, team_id=team_a.pk)
    holding, release = threading.Event(), threading.Event()

    def holder():
        with transaction.atomic():
            Deal.objects.select_for_update().get(pk=deal.pk)
            holding.set()
            assert release.wait(60)

    hold = Worker(holder)
    hold.start()
    assert holding.wait(60)
    moves = [
        Worker(mover(ApiClient(agent_a), deal.pk, stages["Proposal"].pk, version)),
        Worker(mover(ApiClient(manager_a), deal.pk, stages["Lost"].pk, version)),
    ]
    for worker in moves:
        worker.start()
    wait_for_lock_waiters(2)
    release.set()
    hold.outcome()
    outcomes = sorted((worker.outcome() for worker in moves), key=lambda outcome: outcome[0])

    assert [status for status, _body in outcomes] == [200, 409]
    winner, loser = outcomes[0][1], outcomes[1][1]
    assert loser == {
        "code": "deal_changed",
        "message": "Someone else changed this deal meanwhile. Reload it and try again.",
        "fields": {},
        "missing": [],
    }
    deal.refresh_from_db()
    assert (deal.stage_id, deal.version) == (winner["to_stage_id"], 2)
    assert StageTransition.objects.filter(deal=deal, kind="moved").count() == 1


def test_six_racing_moves_of_one_deal_let_one_through(admin, agent_a, team_a):
    pipeline = pipeline_make(admin)
    stages = stages_of(pipeline)
    deal = deal_make(agent_a, pipeline, team_id=team_a.pk)
    start = threading.Barrier(6)
    targets = [stages["Proposal"], stages["Lost"]] * 3

    def racer(stage_id):
        run = mover(ApiClient(agent_a), deal.pk, stage_id, 1)

        def go():
            start.wait(30)
            return run()

        return go

    workers = [Worker(racer(stage.pk)) for stage in targets]
    for worker in workers:
        worker.start()
    statuses = sorted(worker.outcome()[0] for worker in workers)

    assert statuses == [200, 409, 409, 409, 409, 409]
    assert Deal.objects.get(pk=deal.pk).version == 2
    assert StageTransition.objects.filter(deal=deal, kind="moved").count() == 1
