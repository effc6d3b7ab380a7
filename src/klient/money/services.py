"""Writes of money: the workspace currency and the exchange-rate table. Each is audited."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from klient.core.errors import NotFound, ValidationFailed
from klient.core.models import User, Workspace
from klient.core.services import actor_workspace_id, audit_record, require_admin
from klient.money.amounts import decimal_exact
from klient.money.currencies import currency_check
from klient.money.models import ExchangeRate
from klient.money.rates import RateRow
from klient.money.rates_csv import rate_normalize, rates_csv_parse


@dataclass(frozen=True)
class RatesStored:
    created: int
    updated: int
    unchanged: int


@transaction.atomic
def workspace_currency_set(*, actor: User, currency: str) -> Workspace:
    """An administrator sets the currency amounts are entered and reported in by default.

    Stored amounts keep their own currency: nothing is converted by this change.
    """
    require_admin(actor)
    currency_check(currency)
    workspace = Workspace.objects.select_for_update().get(pk=actor_workspace_id(actor))
    before = workspace.default_currency
    if before != currency:
        workspace.default_currency = currency
        workspace.save(update_fields=["default_currency"])
        audit_record(
            workspace=workspace,
            actor=actor,
            action="workspace.update",
            instance=workspace,
            changes={"default_currency": (before, currency)},
        )
    return workspace


def _row_check(row: RateRow) -> RateRow:
    currency_check(row.base)
    currency_check(row.quote)
    if row.base == row.quote:
        raise ValidationFailed(
            _("A rate needs two different currencies."),
            fields={"base": _("The same as the currency.")},
        )
    rate = rate_normalize(decimal_exact(row.rate, "rate"))
    if rate is None:
        raise ValidationFailed(
            _("A rate is a positive number below 10,000,000,000."),
            fields={"rate": _("Enter a positive number.")},
        )
    return RateRow(base=row.base, quote=row.quote, rate=rate, valid_on=row.valid_on)


@transaction.atomic
def rates_store(
    *,
    workspace: Workspace,
    rows: Sequence[RateRow],
    source: str,
    actor: User | None = None,
) -> RatesStored:
    """Store rates, replacing the rate of the same pair and day; each change audited.

    For trusted callers (demo data, a future bank feed); people go through `rate_set`
    and `rates_import_csv`, which check who they are.
    """
    checked = [_row_check(row) for row in rows]
    if not checked:
        return RatesStored(created=0, updated=0, unchanged=0)
    existing = {
        (rate.base, rate.quote, rate.valid_on): rate
        for rate in ExchangeRate.objects.select_for_update().filter(
            workspace=workspace,
            base__in={row.base for row in checked},
            quote__in={row.quote for row in checked},
            valid_on__range=(
                min(row.valid_on for row in checked),
                max(row.valid_on for row in checked),
            ),
        )
    }
    created: list[ExchangeRate] = []
    updated: list[tuple[ExchangeRate, dict[str, tuple[object, object]]]] = []
    for row in checked:
        found = existing.get((row.base, row.quote, row.valid_on))
        if found is None:
            created.append(
                ExchangeRate(
                    workspace=workspace,
                    base=row.base,
                    quote=row.quote,
                    rate=row.rate,
                    valid_on=row.valid_on,
                    source=source,
                    created_by=actor,
                )
            )
        elif found.rate != row.rate:
            updated.append(
                (found, {"rate": (found.rate, row.rate), "source": (found.source, source)})
            )
            found.rate, found.source = row.rate, source
    ExchangeRate.objects.bulk_create(created)
    ExchangeRate.objects.bulk_update([rate for rate, _before in updated], ["rate", "source"])
    for rate in created:
        audit_record(
            workspace=workspace,
            actor=actor,
            action="exchange_rate.create",
            instance=rate,
            changes={
                "pair": (None, f"{rate.quote}/{rate.base}"),
                "valid_on": (None, rate.valid_on),
                "rate": (None, rate.rate),
                "source": (None, rate.source),
            },
        )
    for rate, changes in updated:
        audit_record(
            workspace=workspace,
            actor=actor,
            action="exchange_rate.update",
            instance=rate,
            changes=changes,
        )
    return RatesStored(
        created=len(created),
        updated=len(updated),
        unchanged=len(checked) - len(created) - len(updated),
    )


def _actor_workspace(actor: User) -> Workspace:
    require_admin(actor)
    return Workspace.objects.get(pk=actor_workspace_id(actor))


@transaction.atomic
def rate_set(
    *,
    actor: User,
    quote: str,
    rate: Decimal,
    valid_on: date,
    base: str | None = None,
    source: str = ExchangeRate.Source.MANUAL,
) -> ExchangeRate:
    """An administrator enters a rate by hand: 1 `quote` = `rate` `base` (the workspace
    currency when not given) from `valid_on` on; it replaces that day's rate of the pair."""
    workspace = _actor_workspace(actor)
    row = RateRow(
        base=base or workspace.default_currency, quote=quote, rate=rate, valid_on=valid_on
    )
    rates_store(workspace=workspace, rows=[row], source=source, actor=actor)
    return ExchangeRate.objects.get(
        workspace=workspace, base=row.base, quote=row.quote, valid_on=row.valid_on
    )


@transaction.atomic
def rate_delete(*, actor: User, rate_id: int) -> None:
    workspace = _actor_workspace(actor)
    rate = ExchangeRate.objects.filter(workspace=workspace, pk=rate_id).first()
    if rate is None:
        raise NotFound(_("Exchange rate not found."))
    audit_record(
        workspace=workspace,
        actor=actor,
        action="exchange_rate.delete",
        instance=rate,
        changes={
            "pair": (f"{rate.quote}/{rate.base}", None),
            "valid_on": (rate.valid_on, None),
            "rate": (rate.rate, None),
        },
    )
    rate.delete()


@transaction.atomic
def rates_import_csv(*, actor: User, content: bytes, filename: str = "") -> RatesStored:
    """All rows of a rates file, or none: a bad row raises RatesFileInvalid naming every bad
    line before anything is written (format: klient.money.rates_csv)."""
    workspace = _actor_workspace(actor)
    rows = rates_csv_parse(content, default_base=workspace.default_currency)
    stored = rates_store(
        workspace=workspace, rows=rows, source=ExchangeRate.Source.FILE, actor=actor
    )
    audit_record(
        workspace=workspace,
        actor=actor,
        action="exchange_rate.import",
        object_type=ExchangeRate._meta.label_lower,
        changes={
            "file": (None, filename),
            "created": (None, stored.created),
            "updated": (None, stored.updated),
        },
    )
    return stored
