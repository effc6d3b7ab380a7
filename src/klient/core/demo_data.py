"""Realistic demo data in Russian, Bulgarian and English, loaded through the services."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone

from klient.core.models import Role, User, Workspace
from klient.core.registry import DemoContext, demo_steps

DEMO_SLUG = "demo"
DEMO_ADMIN = "admin"


def demo_exists() -> bool:
    return Workspace.objects.filter(slug=DEMO_SLUG).exists()


def _visibility_check(users: list[User]) -> Callable[[User, Any], bool]:
    """Whether a user sees a person or organization: core.selectors.visibility_q's rule,
    in memory, so choosing who writes each demo record costs no query."""
    teams = {user.pk: set(user.teams.values_list("pk", flat=True)) for user in users}

    def sees(user: User, record: Any) -> bool:
        if user.role in (Role.ADMIN, Role.ANALYST) or record.owner_id == user.pk:
            return True
        if record.team_id in teams[user.pk]:
            return True
        owner_teams = teams.get(record.owner_id, set())
        return user.role == Role.MANAGER and bool(owner_teams & teams[user.pk])

    return sees


def demo_load(
    *,
    organizations: int = 200,
    people: int = 1000,
    interactions: int = 5000,
    admin_password: str,
    seed: int = 42,
    progress: Callable[[str], None] = lambda message: None,
) -> Workspace:
    """Create the demo workspace once; a second call changes nothing."""
    from klient.core.services import team_create, user_create, workspace_create

    existing = Workspace.objects.filter(slug=DEMO_SLUG).first()
    if existing is not None:
        return existing
    rng = random.Random(seed)
    now = timezone.now()
    with transaction.atomic():
        workspace = workspace_create(name="Demo: ТрансЛогистик", slug=DEMO_SLUG)
        teams = [
            team_create(workspace=workspace, name=name)
            for name in ("Морские перевозки", "Авиаперевозки", "Support")
        ]
        admin = user_create(
            workspace=workspace,
            username=DEMO_ADMIN,
            role=Role.ADMIN,
            password=admin_password,
            first_name="Анна",
            last_name="Админова",
            email="admin@demo.klient",
            language="ru",
        )
        staff: list[User] = [admin]
        for username, role, first, last, team, language in (
            ("olga", Role.MANAGER, "Ольга", "Морозова", teams[0], "ru"),
            ("georgi", Role.MANAGER, "Георги", "Петров", teams[1], "bg"),
            ("ivan", Role.AGENT, "Иван", "Соколов", teams[0], "ru"),
            ("maria", Role.AGENT, "Мария", "Илиева", teams[1], "bg"),
            ("james", Role.AGENT, "James", "Walker", teams[2], "en"),
            ("nina", Role.ANALYST, "Нина", "Орлова", None, "ru"),
        ):
            staff.append(
                user_create(
                    workspace=workspace,
                    username=username,
                    role=role,
                    password=admin_password,
                    first_name=first,
                    last_name=last,
                    email=f"{username}@demo.klient",
                    teams=[team] if team else [],
                    language=language,
                )
            )
        context = DemoContext(
            workspace=workspace,
            writers=[user for user in staff if user.role != Role.ANALYST],
            rng=rng,
            now=now,
            sees=_visibility_check([user for user in staff if user.role != Role.ANALYST]),
            sizes={"organizations": organizations, "people": people, "interactions": interactions},
            progress=progress,
        )
        # Each app's demo data, registered from its plug.py, lower apps first.
        for step in demo_steps:
            progress(step.key)
            step.run(context)
    return workspace
