"""Deals through their services: creation, moves and their gates, conflicts, permissions,
the funnel's rollups kept equal to a rebuild, and deals protecting their clients."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from klient.activities.models import Interaction
from klient.contacts.services import person_delete, person_merge
from klient.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from klient.core.events import captured
from klient.core.models import AuditEvent
from klient.core.registry import record_kinds
from klient.core.rollups import rollup_check, rollup_metrics
from klient.sales.models import Deal, DealContact, FunnelLost, FunnelReached, Stage, StageTransition
from klient.sales.pipeline_services import StageSpec, lost_reason_create, stage_delete
from klient.sales.services import (
    DealChanged,
    GateBlocked,
    checklist_tick,
    deal_delete,
    deal_move,
    deal_pipeline_change,
    deal_update,
)
from tests.factories import OrganizationFactory, PersonFactory
from tests.sales.factories import deal_make, pipeline_make, stages_of


@pytest.fixture
def pipeline(admin):
    return pipeline_make(admin)


@pytest.fixture
def stages(pipeline):
    return stages_of(pipeline)


def _agree(deal: Deal, actor, stages) -> None:
    """Tick the checklist of «Terms agreed»."""
    for item in stages["Terms agreed"].checklist.all():
        checklist_tick(actor=actor, deal_id=deal.pk, item_id=item.pk, done=True)


def _funnel_clean(workspace_id: int) -> None:
    for metric in rollup_metrics:
        if metric.key.startswith("sales."):
            assert rollup_check(metric, workspace_id) == [], metric.key


def test_a_new_deal_starts_in_the_first_stage_with_its_history_and_timeline(
    agent_a, team_a, pipeline, stages
):
    organization = OrganizationFactory(workspace=agent_a.workspace, owner=agent_a, team=team_a)
    person = PersonFactory(workspace=agent_a.workspace, owner=agent_a, team=team_a)
    with captured() as sent:
        deal = deal_make(
            agent_a,
            pipeline,
            organization_id=organization.pk,
            contacts=[(person.pk, "Logistics")],
            amount=Decimal("125000.50"),
        )
    assert deal.stage == stages["Request received"]
    assert deal.state == Deal.State.OPEN
    assert deal.owner == agent_a
    assert [(t.kind, t.from_stage_id, t.to_stage_id) for t in deal.transitions.all()] == [
        ("created", None, stages["Request received"].pk)
    ]
    entries = Interaction.objects.filter(subject_kind="sales.deal", subject_id=deal.pk)
    assert [(e.kind, e.organization_id, e.person_id) for e in entries] == [
        ("sales.deal_created", organization.pk, person.pk)
    ]
    assert {item.name for item in sent} >= {"deal.created", "deal.moved"}
    assert AuditEvent.objects.filter(action="deal.create", object_id=deal.pk).exists()


def test_a_required_field_stops_the_move_and_nothing_is_written(agent_a, pipeline, stages):
    deal = deal_make(agent_a, pipeline)
    deal_move(actor=agent_a, deal_id=deal.pk, stage_id=stages["Proposal"].pk)
    with pytest.raises(GateBlocked) as refused:
        deal_move(actor=agent_a, deal_id=deal.pk, stage_id=stages["Terms agreed"].pk)
    assert refused.value.missing == ["Amount is not filled in"]
    assert refused.value.status == 409
    deal.refresh_from_db()
    assert deal.stage == stages["Proposal"]
    assert deal.transitions.count() == 2


def test_a_skip_forward_needs_the_gates_of_every_stage_it_passes(agent_a, pipeline, stages):
    deal = deal_make(agent_a, pipeline)
    with pytest.raises(GateBlocked) as refused:
        deal_move(actor=agent_a, deal_id=deal.pk, stage_id=stages["In work"].pk)
    assert refused.value.missing == [
        "Amount is not filled in",
        "“Customs declaration” is not done",
        "“Insurance” is not done",
    ]
    deal_update(actor=agent_a, deal_id=deal.pk, data={"amount": "900"})
    _agree(deal, agent_a, stages)
    transition = deal_move(actor=agent_a, deal_id=deal.pk, stage_id=stages["In work"].pk)
    assert transition.from_stage == stages["Request received"]
    deal.refresh_from_db()
    assert deal.stage_due_at is not None and deal.stage_due_at > timezone.now()


def test_moving_back_needs_no_gate_and_the_same_stage_is_refused(agent_a, pipeline, stages):
    deal = deal_make(agent_a, pipeline, amount=1)
    deal_move(actor=agent_a, deal_id=deal.pk, stage_id=stages["Proposal"].pk)
    deal_move(actor=agent_a, deal_id=deal.pk, stage_id=stages["Request received"].pk)
    with pytest.raises(ValidationFailed):
        deal_move(actor=agent_a, deal_id=deal.pk, stage_id=stages["Request received"].pk)


def test_a_stage_of_another_pipeline_is_refused(admin, agent_a, pipeline):
    air = pipeline_make(admin, name="Air freight")
    deal = deal_make(agent_a, pipeline)
    with pytest.raises(ValidationFailed) as refused:
        deal_move(actor=agent_a, deal_id=deal.pk, stage_id=stages_of(air)["Proposal"].pk)
    assert "stage_id" in refused.value.fields
    assert deal.transitions.count() == 1


def test_a_stale_version_is_a_conflict_and_changes_nothing(agent_a, manager_a, pipeline, stages):
    deal = deal_make(agent_a, pipeline)
    seen = deal.version
    deal_move(actor=manager_a, deal_id=deal.pk, stage_id=stages["Proposal"].pk, version=seen)
    with pytest.raises(DealChanged):
        deal_move(actor=agent_a, deal_id=deal.pk, stage_id=stages["Lost"].pk, version=seen)
    with pytest.raises(DealChanged):
        deal_update(actor=agent_a, deal_id=deal.pk, data={"title": "x"}, version=seen)
    deal.refresh_from_db()
    assert deal.stage == stages["Proposal"]
    assert deal.title != "x"
    assert deal.transitions.count() == 2


def test_who_may_move_a_deal(
    agent_a, agent_a2, agent_b, manager_a, analyst, admin, other_workspace_admin, pipeline, stages
):
    deal = deal_make(agent_a, pipeline)
    target = stages["Proposal"].pk
    with pytest.raises(PermissionDenied):
        deal_move(actor=agent_a2, deal_id=deal.pk, stage_id=target)  # sees the team's deal
    with pytest.raises(NotFound):
        deal_move(actor=agent_b, deal_id=deal.pk, stage_id=target)
    with pytest.raises(NotFound):
        deal_move(actor=other_workspace_admin, deal_id=deal.pk, stage_id=target)
    with pytest.raises(PermissionDenied):
        deal_move(actor=analyst, deal_id=deal.pk, stage_id=target)
    deal_move(actor=manager_a, deal_id=deal.pk, stage_id=target)
    deal_move(actor=admin, deal_id=deal.pk, stage_id=stages["Request received"].pk)
    assert deal.transitions.count() == 3


def test_the_deal_kind_hides_a_deal_from_who_may_not_see_it(
    agent_a, agent_a2, agent_b, analyst, pipeline
):
    deal = deal_make(agent_a, pipeline)
    kind = record_kinds.get("sales.deal")
    assert kind.visible_ids(agent_a2, [deal.pk]) == {deal.pk}
    assert kind.visible_ids(analyst, [deal.pk]) == {deal.pk}
    assert kind.visible_ids(agent_b, [deal.pk]) == set()


def test_foreign_and_bad_values_are_refused(
    agent_a, agent_b, team_b, other_workspace_admin, pipeline
):
    hidden = OrganizationFactory(workspace=agent_a.workspace, owner=agent_b, team=team_b)
    stranger = PersonFactory(workspace=other_workspace_admin.workspace)
    for kwargs, field in (
        ({"organization_id": hidden.pk}, "organization_id"),
        ({"contacts": [(stranger.pk, "")]}, "contacts"),
        ({"amount": "-5"}, "amount"),
        ({"currency": "XYZ"}, "currency"),
        ({"owner_id": other_workspace_admin.pk}, "owner_id"),
        ({"title": "  "}, "title"),
    ):
        with pytest.raises(ValidationFailed) as refused:
            deal_make(agent_a, pipeline, **kwargs)
        assert field in refused.value.fields, kwargs
    assert Deal.objects.count() == 0


def test_a_lost_deal_needs_a_reason_when_the_workspace_has_reasons(
    admin, agent_a, pipeline, stages
):
    reason = lost_reason_create(actor=admin, name="Price")
    deal = deal_make(agent_a, pipeline)
    with pytest.raises(ValidationFailed):
        deal_move(actor=agent_a, deal_id=deal.pk, stage_id=stages["Lost"].pk)
    deal_move(
        actor=agent_a,
        deal_id=deal.pk,
        stage_id=stages["Lost"].pk,
        lost_reason_id=reason.pk,
        lost_note="too dear",
    )
    deal.refresh_from_db()
    assert (deal.state, deal.lost_reason, deal.lost_note) == (Deal.State.LOST, reason, "too dear")
    assert deal.closed_at is not None


def test_the_funnel_counts_skips_once_and_back_and_forth_once(agent_a, pipeline, stages):
    """Deal 1: created, skips Proposal to Terms agreed (gate met), back to Proposal, on to
    Terms agreed again. Deal 2: created, lost. Reached: Request received 2, Proposal 1,
    Terms agreed 1, In work 0. Lost: one, at the first stage (position 0), no reason."""
    first = deal_make(agent_a, pipeline, amount=10)
    deal_move(actor=agent_a, deal_id=first.pk, stage_id=stages["Terms agreed"].pk)
    deal_move(actor=agent_a, deal_id=first.pk, stage_id=stages["Proposal"].pk)
    deal_move(actor=agent_a, deal_id=first.pk, stage_id=stages["Terms agreed"].pk)
    second = deal_make(agent_a, pipeline)
    deal_move(actor=agent_a, deal_id=second.pk, stage_id=stages["Lost"].pk)
    reached = dict(FunnelReached.objects.values_list("stage__name", "deals"))
    assert reached == {"Request received": 2, "Proposal": 1, "Terms agreed": 1}
    assert list(
        FunnelLost.objects.values_list("reason_id_or_zero", "furthest_position", "deals")
    ) == [(0, 0, 1)]
    _funnel_clean(agent_a.workspace_id)


def test_reopening_pipeline_change_and_delete_keep_the_rollups_equal_to_a_rebuild(
    admin, agent_a, pipeline, stages
):
    reason = lost_reason_create(actor=admin, name="Deadline")
    deal = deal_make(agent_a, pipeline, amount=5)
    deal_move(actor=agent_a, deal_id=deal.pk, stage_id=stages["Proposal"].pk)
    deal_move(actor=agent_a, deal_id=deal.pk, stage_id=stages["Lost"].pk, lost_reason_id=reason.pk)
    deal_move(actor=agent_a, deal_id=deal.pk, stage_id=stages["Proposal"].pk)  # reopened
    assert FunnelLost.objects.get().deals == 0
    air = pipeline_make(admin, name="Air freight")
    transition = deal_pipeline_change(
        actor=agent_a, deal_id=deal.pk, stage_id=stages_of(air)["Proposal"].pk
    )
    assert transition.kind == StageTransition.Kind.PIPELINE
    deal.refresh_from_db()
    assert deal.pipeline == air
    _funnel_clean(agent_a.workspace_id)
    other = deal_make(agent_a, pipeline)
    deal_move(actor=agent_a, deal_id=other.pk, stage_id=stages["Proposal"].pk)
    deal_delete(actor=admin, deal_id=other.pk)
    _funnel_clean(agent_a.workspace_id)
    assert not Interaction.objects.filter(subject_kind="sales.deal", subject_id=other.pk).exists()


def test_time_in_stage_is_recorded_on_leaving(agent_a, pipeline, stages, monkeypatch):
    deal = deal_make(agent_a, pipeline)
    later = timezone.now() + timedelta(hours=30)
    monkeypatch.setattr("django.utils.timezone.now", lambda: later)
    transition = deal_move(actor=agent_a, deal_id=deal.pk, stage_id=stages["Proposal"].pk)
    assert 30 * 3600 - 5 <= transition.seconds_in_stage <= 30 * 3600 + 5
    _funnel_clean(agent_a.workspace_id)


def test_a_stage_with_deals_cannot_go_and_a_used_one_is_archived(admin, agent_a, pipeline, stages):
    deal = deal_make(agent_a, pipeline)
    with pytest.raises(Conflict):
        stage_delete(actor=admin, stage_id=stages["Request received"].pk)
    deal_move(actor=admin, deal_id=deal.pk, stage_id=stages["Proposal"].pk)
    assert stage_delete(actor=admin, stage_id=stages["Request received"].pk) is False
    assert Stage.objects.get(pk=stages["Request received"].pk).archived
    assert deal.transitions.count() == 2
    assert stage_delete(actor=admin, stage_id=stages["In work"].pk) is True


def test_deals_protect_their_clients_and_follow_a_merge(admin, agent_a, team_a, pipeline):
    organization = OrganizationFactory(workspace=agent_a.workspace, owner=agent_a, team=team_a)
    kept = PersonFactory(workspace=agent_a.workspace, owner=agent_a, team=team_a)
    duplicate = PersonFactory(workspace=agent_a.workspace, owner=agent_a, team=team_a)
    deal = deal_make(
        agent_a, pipeline, organization_id=organization.pk, contacts=[(duplicate.pk, "CEO")]
    )
    with pytest.raises(Conflict):
        person_delete(actor=admin, person=duplicate)
    person_merge(actor=admin, primary=kept, duplicate=duplicate)
    assert list(DealContact.objects.filter(deal=deal).values_list("person_id", "role")) == [
        (kept.pk, "CEO")
    ]


def test_stage_setup_is_for_admins_only(manager_a, pipeline):
    from klient.sales.pipeline_services import stage_create

    with pytest.raises(PermissionDenied):
        stage_create(actor=manager_a, pipeline_id=pipeline.pk, spec=StageSpec("Docs"))
