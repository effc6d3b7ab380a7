"""The workspace currency and rates entered by hand: admins only, audited."""

from datetime import date
from decimal import Decimal

import pytest

from klient.core.errors import NotFound, PermissionDenied, ValidationFailed
from klient.core.models import AuditEvent
from klient.money.errors import UnsupportedCurrency
from klient.money.models import ExchangeRate
from klient.money.services import rate_delete, rate_set, workspace_currency_set
from tests.factories import UserFactory, WorkspaceFactory

pytestmark = pytest.mark.django_db


def test_admin_sets_the_workspace_currency_audited(admin, workspace):
    workspace_currency_set(actor=admin, currency="EUR")
    workspace.refresh_from_db()
    assert workspace.default_currency == "EUR"
    event = AuditEvent.objects.get(action="workspace.update", object_id=workspace.pk)
    assert event.changes == {"default_currency": ["RUB", "EUR"]}


def test_an_unsupported_workspace_currency_is_refused(admin, workspace):
    with pytest.raises(UnsupportedCurrency):
        workspace_currency_set(actor=admin, currency="XYZ")
    workspace.refresh_from_db()
    assert workspace.default_currency == "RUB"


def test_an_agent_cannot_change_the_workspace_currency(agent_a):
    with pytest.raises(PermissionDenied):
        workspace_currency_set(actor=agent_a, currency="EUR")


def test_a_rate_entered_by_hand_defaults_to_the_workspace_currency(admin):
    rate = rate_set(actor=admin, quote="EUR", rate=Decimal("98.5"), valid_on=date(2025, 3, 10))
    assert (rate.base, rate.quote, rate.rate, rate.source) == (
        "RUB",
        "EUR",
        Decimal("98.5"),
        "manual",
    )
    assert rate.created_by == admin
    event = AuditEvent.objects.get(action="exchange_rate.create", object_id=rate.pk)
    assert event.changes["rate"] == [None, "98.5000000000"]


def test_a_second_rate_for_the_same_day_replaces_the_first(admin):
    rate_set(actor=admin, quote="EUR", rate=Decimal("98.5"), valid_on=date(2025, 3, 10))
    rate_set(actor=admin, quote="EUR", rate=Decimal("98.7"), valid_on=date(2025, 3, 10))
    assert list(ExchangeRate.objects.values_list("rate", flat=True)) == [Decimal("98.7")]


def test_a_rate_is_kept_to_ten_decimal_places_half_up(admin):
    rate = rate_set(
        actor=admin, quote="JPY", rate=Decimal("0.543210987655"), valid_on=date(2025, 3, 10)
    )
    rate.refresh_from_db()
    assert rate.rate == Decimal("0.5432109877")


@pytest.mark.parametrize("value", [Decimal("0"), Decimal("-1"), Decimal("10000000000")])
def test_a_rate_must_be_positive_and_fit(admin, value):
    with pytest.raises(ValidationFailed):
        rate_set(actor=admin, quote="EUR", rate=value, valid_on=date(2025, 3, 10))


def test_a_rate_of_a_currency_against_itself_is_refused(admin):
    with pytest.raises(ValidationFailed):
        rate_set(actor=admin, quote="RUB", rate=Decimal(1), valid_on=date(2025, 3, 10))


def test_a_float_rate_is_refused(admin):
    with pytest.raises(TypeError):
        rate_set(actor=admin, quote="EUR", rate=98.5, valid_on=date(2025, 3, 10))


def test_admin_deletes_a_rate_audited(admin):
    rate = rate_set(actor=admin, quote="EUR", rate=Decimal("98.5"), valid_on=date(2025, 3, 10))
    rate_delete(actor=admin, rate_id=rate.pk)
    assert not ExchangeRate.objects.exists()
    event = AuditEvent.objects.get(action="exchange_rate.delete")
    assert event.changes["rate"] == ["98.5000000000", None]


def test_another_workspaces_rate_cannot_be_deleted(admin):
    stranger = UserFactory(workspace=WorkspaceFactory(), role="admin")
    theirs = rate_set(actor=stranger, quote="EUR", rate=Decimal("98.5"), valid_on=date(2025, 3, 10))
    with pytest.raises(NotFound):
        rate_delete(actor=admin, rate_id=theirs.pk)
    assert ExchangeRate.objects.filter(pk=theirs.pk).exists()
