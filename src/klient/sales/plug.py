"""What sales registers with the platform: the deal record kind and its visibility rule,
the nav, card panels, search, timeline entry kinds, client records (deals protect their
clients), merges, rollups, notifications, the audit log's wording and the demo."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db.models import Model, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from klient.activities.kinds import InteractionKind, interaction_kinds
from klient.contacts.events import PersonMerged, person_merged
from klient.core.audit_words import AuditField, AuditSubject, audit_words_register
from klient.core.models import User
from klient.core.registry import (
    CardPanel,
    ClientRecordsHandler,
    DemoContext,
    DemoStep,
    NavItem,
    RecordKind,
    RecordRef,
    SearchHit,
    SearchSource,
    card_panels,
    client_records,
    demo_steps,
    nav_items,
    record_kinds,
    search_sources,
)
from klient.core.rollups import RollupMetric, rollup_metrics
from klient.sales import selectors
from klient.sales.capabilities import capabilities_register
from klient.sales.funnel import funnel_lost_rebuild, funnel_reached_rebuild, stage_time_rebuild
from klient.sales.models import Deal, DealContact, FunnelLost, FunnelReached, StageTime

DEAL = "sales.deal"


def deal_url(deal_id: int) -> str:
    return reverse("sales:deal_detail", kwargs={"deal_id": deal_id})


def _deals_describe(ids: Sequence[int]) -> dict[int, RecordRef]:
    rows = Deal.objects.filter(pk__in=list(ids)).values_list("pk", "title")
    return {pk: RecordRef(DEAL, pk, title, deal_url(pk)) for pk, title in rows}


def _deal_resolve(user: User, deal_id: int) -> Model:
    return selectors.deal_get(user=user, deal_id=deal_id)


def _deals_visible(user: User, ids: Sequence[int]) -> set[int]:
    return selectors.deals_visible_ids(user=user, ids=ids)


def _deal_visibility(user: User, path: str) -> Q:
    return selectors.deal_visibility_q(user, path)


def _deals_search(user: User, query: str, limit: int) -> list[SearchHit]:
    rows = (
        selectors.deal_list(user=user, filters={"q": query})
        .order_by("-updated_at", "-id")
        .values_list("pk", "title", "stage__name")[:limit]
    )
    return [SearchHit(DEAL, pk, title, deal_url(pk), stage) for pk, title, stage in rows]


def _open_deals_panel(subject: str) -> Any:
    def context(user: User, record: Any) -> dict[str, Any] | None:
        deals = selectors.open_deals_for_client(user=user, subject=subject, record_id=record.pk)
        return {"deals": deals, "client": record, "subject": subject}

    return context


def _client_deals_count(subject: str, record_id: int) -> int:
    if subject == "contacts.organization":
        return Deal.objects.filter(organization_id=record_id).count()
    return DealContact.objects.filter(person_id=record_id).count()


def person_merged_move_deals(payload: PersonMerged, *, event_id: str) -> dict[str, int]:
    """The duplicate's places on deals go to the survivor (once per deal)."""
    already = DealContact.objects.filter(person_id=payload.primary_id).values("deal_id")
    DealContact.objects.filter(person_id=payload.duplicate_id, deal_id__in=already).delete()
    moved = DealContact.objects.filter(person_id=payload.duplicate_id).update(
        person_id=payload.primary_id
    )
    return {"deals": moved}


def _demo(context: DemoContext) -> None:
    from klient.sales.demo import demo_sales_create

    demo_sales_create(context)


def plug() -> None:
    capabilities_register()
    record_kinds.register(
        RecordKind(
            key=DEAL,
            label=_("Deal"),
            model=Deal,
            describe=_deals_describe,
            resolve=_deal_resolve,
            visible_ids=_deals_visible,
            visibility=_deal_visibility,
            order=30,
        )
    )
    nav_items.register(
        NavItem(
            key="sales.deals",
            label=_("Deals"),
            url=lambda user: reverse("sales:board"),
            icon="i-deal",
            section="sales",
            order=15,
        )
    )
    nav_items.register(
        NavItem(
            key="sales.funnel",
            label=_("Funnel"),
            url=lambda user: reverse("sales:funnel"),
            icon="i-chart",
            section="sales",
            order=16,
        )
    )
    for subject in ("contacts.person", "contacts.organization"):
        card_panels.register(
            CardPanel(
                key=f"sales.open_deals.{subject}",
                subject=subject,
                template="sales/_client_deals.html",
                context=_open_deals_panel(subject),
                order=20,
                column="side",
            )
        )
    search_sources.register(
        SearchSource(key="sales.deals", label=_("Deals"), search=_deals_search, order=30)
    )
    client_records.register(
        ClientRecordsHandler(
            key="sales.deals",
            label=_("deals"),
            count=_client_deals_count,
            protects=True,
            order=30,
        )
    )
    for key, label, icon in (
        ("sales.deal_created", _("Deal created"), "i-deal"),
        ("sales.stage_moved", _("Deal stage changed"), "i-deal"),
        ("sales.automation", _("Stage automation"), "i-deal"),
    ):
        interaction_kinds.register(
            InteractionKind(key=key, label=label, icon=icon, system=True, order=300)
        )
    person_merged.connect_in_transaction(person_merged_move_deals)
    for metric in (
        RollupMetric(
            key="sales.funnel_reached",
            label=_("Deals reaching each stage, by cohort"),
            model=FunnelReached,
            dimensions=("workspace", "pipeline", "cohort", "stage"),
            values=("deals",),
            rebuild=funnel_reached_rebuild,
        ),
        RollupMetric(
            key="sales.funnel_lost",
            label=_("Deals lost, by cohort and reason"),
            model=FunnelLost,
            dimensions=(
                "workspace",
                "pipeline",
                "cohort",
                "reason_id_or_zero",
                "furthest_position",
            ),
            values=("deals",),
            rebuild=funnel_lost_rebuild,
        ),
        RollupMetric(
            key="sales.stage_time",
            label=_("Time in stage"),
            model=StageTime,
            dimensions=("workspace", "pipeline", "stage", "month", "bucket"),
            values=("deals", "seconds", "hours_squared"),
            rebuild=stage_time_rebuild,
        ),
    ):
        rollup_metrics.register(metric)
    demo_steps.register(DemoStep(key="sales", run=_demo, order=60))
    _audit_log_words()
    from klient.sales.automations import automations_connect
    from klient.sales.notify import automation_kinds_register, notification_kinds_register

    notification_kinds_register()
    automation_kinds_register()
    automations_connect()
    from klient.sales.quotes.plug import quotes_plug

    quotes_plug()


def _audit_log_words() -> None:
    audit_words_register(
        subject=AuditSubject(
            key=DEAL,
            fields={
                "stage": AuditField(_("stage")),
                "pipeline": AuditField(_("pipeline")),
                "contacts": AuditField(_("contact people")),
                "checklist": AuditField(_("checklist")),
                "lost_reason": AuditField(_("lost reason")),
            },
        ),
        actions=[
            ("deal.create", _("Deal created"), _("%(actor)s created deal %(record)s")),
            (
                "deal.update",
                _("Deal changed"),
                _("%(actor)s changed %(fields)s of deal %(record)s"),
            ),
            ("deal.move", _("Deal moved"), _("%(actor)s moved deal %(record)s: %(fields)s")),
            (
                "deal.checklist",
                _("Checklist ticked"),
                _("%(actor)s updated the checklist of deal %(record)s"),
            ),
            ("deal.delete", _("Deal deleted"), _("%(actor)s deleted deal %(record)s")),
        ],
    )
    audit_words_register(
        subject=AuditSubject(key="sales.pipeline", label=_("Pipeline")),
        actions=[
            ("pipeline.create", _("Pipeline created"), _("%(actor)s created pipeline %(record)s")),
            (
                "pipeline.update",
                _("Pipeline changed"),
                _("%(actor)s changed %(fields)s of pipeline %(record)s"),
            ),
            (
                "pipeline.reorder",
                _("Stages reordered"),
                _("%(actor)s reordered the stages of pipeline %(record)s"),
            ),
        ],
    )
    audit_words_register(
        subject=AuditSubject(key="sales.stage", label=_("Stage")),
        actions=[
            ("stage.create", _("Stage created"), _("%(actor)s created stage %(record)s")),
            (
                "stage.update",
                _("Stage changed"),
                _("%(actor)s changed %(fields)s of stage %(record)s"),
            ),
            ("stage.delete", _("Stage removed"), _("%(actor)s removed stage %(record)s")),
        ],
    )
    audit_words_register(
        subject=AuditSubject(key="sales.lostreason", label=_("Lost reason")),
        actions=[
            (
                "lost_reason.create",
                _("Lost reason added"),
                _("%(actor)s added lost reason %(record)s"),
            ),
            (
                "lost_reason.archive",
                _("Lost reason archived"),
                _("%(actor)s archived lost reason %(record)s"),
            ),
        ],
    )
