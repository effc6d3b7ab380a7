"""What the sales pages share: who may change a deal (the services' rule, to hide what
they would refuse), what a card shows about time in stage, and the list of colleagues."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.utils import timezone

from klient.core.capabilities import can
from klient.core.models import Role, Team, User
from klient.core.selectors import scoped, workspace_users
from klient.sales.models import Deal


def may_change(user: User, deal: Deal, capability: str) -> bool:
    """The services' rule: the capability, and an agent only on their own deals."""
    if not can(user, capability):
        return False
    return user.role != Role.AGENT or deal.owner_id == user.pk


def cards_prepare(deals: Iterable[Deal], *, user: User, now: datetime | None = None) -> None:
    """Set what a card or row shows: days in stage, past the stage's time limit, and
    whether this user may move it."""
    now = now or timezone.now()
    movable = can(user, "deal.move")
    for deal in deals:
        deal.days_in_stage = max((now - deal.stage_entered_at).days, 0)  # type: ignore[attr-defined]
        deal.is_overdue = bool(  # type: ignore[attr-defined]
            deal.state == Deal.State.OPEN and deal.stage_due_at and deal.stage_due_at < now
        )
        deal.movable = movable and (  # type: ignore[attr-defined]
            user.role != Role.AGENT or deal.owner_id == user.pk
        )


def colleagues(user: User) -> list[User]:
    return list(workspace_users(user=user))


def owner_choices_for(user: User) -> list[User]:
    """Whom the user may make a deal's owner: agents only themselves."""
    if user.role == Role.AGENT:
        return [user]
    return colleagues(user)


def teams_for(user: User) -> list[Team]:
    return list(scoped(Team, user=user).order_by("name"))


def first_team_id(user: User) -> int | None:
    return user.teams.order_by("pk").values_list("pk", flat=True).first()
