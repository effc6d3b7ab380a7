"""Demo sales: the freight company's two pipelines (sea and air) and a few hundred deals
over the past year, written in bulk with their stage transitions, then the funnel's
rollups rebuilt from those transitions, so the board and the funnel show a real year."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from klient.activities.services import system_event_record
from klient.contacts.normalize import search_fold
from klient.core.registry import DemoContext
from klient.sales.funnel import funnel_rebuild_all
from klient.sales.models import (
    ChecklistItem,
    ChecklistTick,
    Deal,
    DealContact,
    LostReason,
    Stage,
    StageTransition,
)
from klient.sales.pipeline_services import StageSpec, lost_reason_create, pipeline_create

WON, LOST = Stage.Kind.WON, Stage.Kind.LOST
STATE_OF_KIND = {"open": Deal.State.OPEN, "won": Deal.State.WON, "lost": Deal.State.LOST}

SEA = (
    StageSpec("Заявка получена", probability=10),
    StageSpec(
        "Коммерческое предложение", probability=30, time_limit_days=3, required_fields=("amount",)
    ),
    StageSpec(
        "Условия согласованы",
        probability=60,
        time_limit_days=5,
        checklist=(
            "Таможенная декларация",
            "Сертификат происхождения",
            "Страховка груза",
            "Слот доставки",
        ),
    ),
    StageSpec("В работе", probability=85, time_limit_days=20),
    StageSpec("Доставлено", kind=WON, probability=100),
    StageSpec("Проиграна", kind=LOST),
)
AIR = (
    StageSpec("Заявка получена", probability=10),
    StageSpec(
        "Коммерческое предложение", probability=35, time_limit_days=2, required_fields=("amount",)
    ),
    StageSpec(
        "Рейс забронирован",
        probability=70,
        time_limit_days=3,
        checklist=("Авианакладная", "Страховка груза"),
    ),
    StageSpec("В работе", probability=90, time_limit_days=7),
    StageSpec("Доставлено", kind=WON, probability=100),
    StageSpec("Проиграна", kind=LOST),
)
LOST_REASONS = (
    "Цена выше, чем у конкурентов",
    "Сроки не устроили",
    "Клиент не ответил",
    "Выбрали другого перевозчика",
)
CURRENCIES = ("RUB", "RUB", "RUB", "USD", "EUR")
CARGO = (
    "контейнер 40'",
    "контейнер 20'",
    "сборный груз",
    "оборудование",
    "запчасти",
    "текстиль",
    "электроника",
)
ROUTES = (
    "Шанхай — Новороссийск",
    "Гуанчжоу — Москва",
    "Стамбул — Варна",
    "Роттердам — Санкт-Петербург",
    "Шэньчжэнь — Владивосток",
    "Дубай — Москва",
    "Варна — Новороссийск",
)


def demo_sales_create(context: DemoContext) -> None:
    rng, now = context.rng, context.now
    admin = next(user for user in context.writers if user.role == "admin")
    pipelines = [
        pipeline_create(actor=admin, name="Морские перевозки", stages=SEA),
        pipeline_create(actor=admin, name="Авиаперевозки", stages=AIR),
    ]
    reasons = [lost_reason_create(actor=admin, name=name) for name in LOST_REASONS]
    orgs = context.made["contacts.organizations"]
    people = context.made["contacts.people"]
    people_of: dict[int, list[Any]] = {}
    for index, (_language, person) in enumerate(people):
        people_of.setdefault(orgs[index % len(orgs)][1].pk, []).append(person)
    team_of = {user.pk: user.teams.order_by("pk").first() for user in context.writers}
    count = context.sizes.get("deals", 300)
    deals: list[Deal] = []
    histories: list[list[tuple[Stage, datetime, LostReason | None]]] = []
    contacts_of: list[list[Any]] = []
    for _deal_number in range(count):
        pipeline = pipelines[0] if rng.random() < 0.65 else pipelines[1]
        stages = list(Stage.objects.filter(pipeline=pipeline).order_by("position"))
        sequence = [stage for stage in stages if stage.kind != LOST]
        lost_stage = next(stage for stage in stages if stage.kind == LOST)
        _lang, org = orgs[rng.randrange(len(orgs))]
        owner = rng.choice([user for user in context.writers if context.sees(user, org)])
        started = now - timedelta(days=rng.uniform(1, 365), minutes=rng.randint(0, 600))
        at = started
        history: list[tuple[Stage, datetime, LostReason | None]] = [(sequence[0], at, None)]
        fate = rng.random()
        for stage in sequence[1:]:
            at = at + timedelta(hours=rng.uniform(4, 24 * (12 if stage.kind != WON else 20)))
            if at >= now:
                break
            if fate < 0.3 and rng.random() < 0.35:
                history.append((lost_stage, at, rng.choice(reasons)))
                break
            if rng.random() < 0.08 and len(history) > 1:
                # A step back (terms re-negotiated), then on again.
                history.append((history[-2][0], at, None))
                at = at + timedelta(hours=rng.uniform(2, 48))
                if at >= now:
                    break
            history.append((stage, at, None))
            if rng.random() < 0.2 and stage.kind != WON and fate > 0.6:
                break  # still open here
        final, entered, reason = history[-1]
        currency = rng.choice(CURRENCIES)
        amount = Decimal(rng.randrange(80, 4000) * (100 if currency == "RUB" else 1) * 10)
        route, cargo = rng.choice(ROUTES), rng.choice(CARGO)
        deal = Deal(
            workspace=context.workspace,
            pipeline=pipeline,
            stage=final,
            state=STATE_OF_KIND[final.kind],
            title=f"{route}, {cargo}",
            organization=org,
            owner=owner,
            team=team_of[owner.pk],
            amount=amount if len(history) > 1 or rng.random() < 0.5 else None,
            currency=currency,
            expected_close_on=(started + timedelta(days=rng.randint(20, 90))).date(),
            source=rng.choice(["Сайт", "Звонок", "Выставка", "Рекомендация", "Повторный клиент"]),
            lost_reason=reason,
            pipeline_entered_at=started,
            stage_entered_at=entered,
            furthest_position=max(
                stage.position for stage, _at, _r in history if stage.kind != LOST
            ),
            closed_at=entered if final.kind != Stage.Kind.OPEN else None,
            created_by=owner,
        )
        deal.title_folded = search_fold(deal.title)
        deals.append(deal)
        histories.append(history)
        contacts_of.append(people_of.get(org.pk, [])[:2])
    Deal.objects.bulk_create(deals, batch_size=500)
    transitions: list[StageTransition] = []
    links: list[DealContact] = []
    ticks: list[ChecklistTick] = []
    checklist: dict[int, list[ChecklistItem]] = {}
    for item in ChecklistItem.objects.filter(workspace=context.workspace):
        checklist.setdefault(item.stage_id, []).append(item)
    for deal, history, contacts in zip(deals, histories, contacts_of, strict=True):
        previous: tuple[Stage, datetime] | None = None
        for stage, at, reason in history:
            transitions.append(
                StageTransition(
                    workspace=context.workspace,
                    deal=deal,
                    kind=StageTransition.Kind.CREATED
                    if previous is None
                    else StageTransition.Kind.MOVED,
                    pipeline=deal.pipeline,
                    from_stage=previous[0] if previous else None,
                    to_stage=stage,
                    actor=deal.owner,
                    at=at,
                    seconds_in_stage=int((at - previous[1]).total_seconds()) if previous else None,
                    lost_reason=reason,
                )
            )
            if previous is not None and stage.position > previous[0].position:
                ticks += [
                    ChecklistTick(deal=deal, item=item, done_by=deal.owner, done_at=at)
                    for item in checklist.get(previous[0].pk, [])
                ]
            previous = (stage, at)
        links += [
            DealContact(deal=deal, person=person, role=role, position=index)
            for index, (person, role) in enumerate(
                zip(contacts, ("Логист", "Директор"), strict=False)
            )
        ]
    StageTransition.objects.bulk_create(transitions, batch_size=1000)
    DealContact.objects.bulk_create(links, batch_size=1000)
    ChecklistTick.objects.bulk_create(ticks, batch_size=1000, ignore_conflicts=True)
    funnel_rebuild_all(context.workspace.pk)
    # The latest step of each deal on its timeline (and its organization's).
    for deal, history, contacts in zip(deals, histories, contacts_of, strict=True):
        stage, at, _reason = history[-1]
        system_event_record(
            owner=deal,
            kind="sales.stage_moved" if len(history) > 1 else "sales.deal_created",
            subject=f"{history[-2][0].name} → {stage.name}" if len(history) > 1 else deal.title,
            person=contacts[0] if contacts else None,
            organization=deal.organization,
            occurred_at=at,
            idempotency_key=f"demo-deal:{deal.pk}",
        )
    context.made["sales.deals"] = deals
