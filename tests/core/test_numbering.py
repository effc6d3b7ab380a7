"""Numbers of records: format, years in the workspace's zone, independence, rollback."""

from datetime import UTC, datetime

import pytest
from django.db import transaction

from klient.core.errors import UnknownSequence
from klient.core.models import NumberSequence
from klient.core.numbering import SequenceSpec, number_next, number_sequences
from tests.factories import WorkspaceFactory

pytestmark = pytest.mark.django_db

MID_2026 = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def sequences(settings):
    settings.TIME_ZONE = "Europe/Moscow"
    specs = [
        SequenceSpec(key="test.request", prefix="REQ", width=6),
        SequenceSpec(key="test.quote", prefix="КП", width=5),
        SequenceSpec(key="test.short", prefix="S", width=2),
        SequenceSpec(key="test.ticket", prefix="T", width=6, per_year=False),
    ]
    for spec in specs:
        number_sequences.register(spec)
    yield
    for spec in specs:
        number_sequences.unregister(spec.key)


def take(workspace, key="test.request", at=MID_2026):
    return number_next(workspace_id=workspace.pk, key=key, at=at)


def test_numbers_count_up_in_the_registered_format(workspace):
    assert [take(workspace) for _ in range(3)] == [
        "REQ-2026-000001",
        "REQ-2026-000002",
        "REQ-2026-000003",
    ]


def test_a_cyrillic_prefix_and_its_own_width(workspace):
    assert take(workspace, key="test.quote") == "КП-2026-00001"


def test_a_count_past_the_width_keeps_every_digit(workspace):
    NumberSequence.objects.create(workspace=workspace, key="test.short", year=2026, value=99)
    assert take(workspace, key="test.short") == "S-2026-100"


def test_the_year_turns_at_midnight_in_the_workspace_zone(workspace):
    # 20:59 UTC on 31 December is 23:59 in Moscow; 21:00 UTC is already 1 January.
    last_minute = datetime(2026, 12, 31, 20, 59, tzinfo=UTC)
    new_year = datetime(2026, 12, 31, 21, 0, tzinfo=UTC)
    assert take(workspace, at=last_minute) == "REQ-2026-000001"
    assert take(workspace, at=new_year) == "REQ-2027-000001"


def test_a_new_year_starts_at_one_and_the_old_year_carries_on(workspace):
    take(workspace)
    take(workspace)
    assert take(workspace, at=datetime(2027, 1, 10, tzinfo=UTC)) == "REQ-2027-000001"
    assert take(workspace) == "REQ-2026-000003"


def test_a_sequence_without_years_keeps_counting_across_them(workspace):
    assert take(workspace, key="test.ticket") == "T-000001"
    assert take(workspace, key="test.ticket", at=datetime(2027, 3, 1, tzinfo=UTC)) == "T-000002"


def test_each_workspace_counts_on_its_own(workspace):
    other = WorkspaceFactory()
    take(workspace)
    take(workspace)
    assert take(other) == "REQ-2026-000001"
    assert take(workspace) == "REQ-2026-000003"


def test_each_sequence_counts_on_its_own(workspace):
    take(workspace)
    assert take(workspace, key="test.quote") == "КП-2026-00001"


def test_a_number_taken_in_a_rolled_back_transaction_is_given_again(workspace):
    take(workspace)
    with pytest.raises(RuntimeError, match="the record failed"), transaction.atomic():
        assert take(workspace) == "REQ-2026-000002"
        raise RuntimeError("the record failed")
    assert take(workspace) == "REQ-2026-000002"


def test_an_unregistered_sequence_is_a_typed_error(workspace):
    with pytest.raises(UnknownSequence) as raised:
        take(workspace, key="sales.nothing")
    assert raised.value.key == "sales.nothing"
    assert raised.value.as_dict()["code"] == "unknown_sequence"
    assert not NumberSequence.objects.exists()


def test_a_time_without_a_zone_is_refused(workspace):
    with pytest.raises(ValueError, match="aware datetime"):
        take(workspace, at=datetime(2026, 6, 15, 9, 0))


@pytest.mark.django_db(transaction=True)
def test_a_number_is_refused_outside_a_transaction():
    workspace = WorkspaceFactory()
    with pytest.raises(RuntimeError, match="inside the transaction"):
        take(workspace)
    assert not NumberSequence.objects.exists()


def test_a_sequence_registered_twice_is_refused():
    with pytest.raises(RuntimeError, match="registered twice"):
        number_sequences.register(SequenceSpec(key="test.request", prefix="X", width=3))


@pytest.mark.parametrize(
    ("prefix", "width"), [("", 6), ("REQ", 0), ("REQ", 19)], ids=["no prefix", "0", "19"]
)
def test_a_malformed_sequence_cannot_be_declared(prefix, width):
    with pytest.raises(ValueError, match=r"test\.bad"):
        SequenceSpec(key="test.bad", prefix=prefix, width=width)
