"""Quote numbers: `КП-YEAR-00042` per workspace, never given twice, no gap from a refused
quote; threads making quotes at once on PostgreSQL get each number once, and two
"new version" clicks at once make one version."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.utils import timezone

from klient.core.errors import KlientError
from klient.sales.quote_models import Quote
from klient.sales.quotes.line_services import LineIn
from klient.sales.quotes.services import quote_create, quote_version_new
from tests.core.pg_threads import Worker, pg_only
from tests.factories import TeamFactory, UserFactory, WorkspaceFactory
from tests.sales import quotes_support as support
from tests.sales.factories import pipeline_make
from tests.sales.quotes_support import client_deal, quote_make

deal = support.deal
pipeline = support.pipeline

YEAR = timezone.localdate().year
LINE = LineIn(name="Перевозка", quantity=1, unit_price=Decimal(100), vat_rate=20)


@pytest.mark.django_db
def test_a_refused_quote_leaves_no_gap(agent_a, deal):
    first = quote_make(agent_a, deal)
    with pytest.raises(KlientError):
        quote_make(agent_a, deal, LineIn(name="X", quantity=-1, unit_price=Decimal(1), vat_rate=0))
    second = quote_make(agent_a, deal)

    assert [first.number, second.number] == [f"КП-{YEAR}-00001", f"КП-{YEAR}-00002"]


def _world():
    workspace = WorkspaceFactory()
    team = TeamFactory(workspace=workspace, name="Sales")
    admin = UserFactory(workspace=workspace, role="admin", username="q-admin", teams=[team])
    return admin, client_deal(admin, pipeline_make(admin), "T")


@pg_only
@pytest.mark.django_db(transaction=True)
def test_threads_making_quotes_at_once_get_each_number_once():
    admin, shared = _world()
    start = threading.Barrier(6)

    def run():
        start.wait()
        return [quote_create(actor=admin, deal_id=shared.pk, lines=[LINE]).number for _ in range(4)]

    workers = [Worker(run) for _ in range(6)]
    for worker in workers:
        worker.start()
    numbers = [number for worker in workers for number in worker.outcome()]

    assert sorted(numbers) == [f"КП-{YEAR}-{n:05d}" for n in range(1, 25)]


@pg_only
@pytest.mark.django_db(transaction=True)
def test_two_new_versions_at_once_make_one():
    admin, shared = _world()
    quote = quote_create(actor=admin, deal_id=shared.pk, lines=[LINE])
    Quote.objects.filter(pk=quote.pk).update(status="sent")
    start = threading.Barrier(2)

    def run():
        start.wait()
        try:
            return quote_version_new(actor=admin, quote_id=quote.pk).version
        except KlientError as error:
            return error.code

    workers = [Worker(run) for _ in range(2)]
    for worker in workers:
        worker.start()

    assert sorted(str(worker.outcome()) for worker in workers) == ["2", "quote_superseded"]
    assert sorted(Quote.objects.values_list("version", "status")) == [
        (1, "superseded"),
        (2, "draft"),
    ]
