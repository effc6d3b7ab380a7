"""Deals past their stage's time limit: flagged once per stage entry, owner told."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from klient.notifications.sending import notify
from klient.sales.models import Deal
from klient.sales.notify import DEAL_OVERDUE

BATCH = 500


def overdue_deals_flag() -> int:
    """Tell the owners of open deals whose stage time limit has passed; each deal once per
    stage entry (the flag is cleared by the next move). The number told."""
    now = timezone.now()
    due = list(
        Deal.objects.filter(state=Deal.State.OPEN, overdue_notified=False, stage_due_at__lte=now)
        .select_related("stage", "owner")
        .order_by("stage_due_at")[:BATCH]
    )
    told = 0
    for deal in due:
        with transaction.atomic():
            if not Deal.objects.filter(
                pk=deal.pk, overdue_notified=False, stage_id=deal.stage_id
            ).update(overdue_notified=True):
                continue
            if deal.owner is not None:
                notify(
                    kind=DEAL_OVERDUE,
                    workspace_id=deal.workspace_id,
                    context={"deal.title": deal.title, "stage.name": deal.stage.name},
                    users=[deal.owner],
                    record=("sales.deal", deal.pk),
                    occurrence=f"overdue:{deal.stage_id}:{deal.stage_entered_at.isoformat()}",
                    url=reverse("sales:deal_detail", kwargs={"deal_id": deal.pk}),
                )
                told += 1
    return told
