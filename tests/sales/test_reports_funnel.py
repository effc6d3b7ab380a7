"""The funnel report read from the rollups, on the hand-counted history of
tests/sales/_funnel_story.py (read its docstring first); every figure below is worked
out by hand from that history."""

from __future__ import annotations

from datetime import date

import pytest

from klient.core.errors import NotFound, ValidationFailed
from klient.core.rollups import DAY, HOUR, rollup_check, rollup_metrics
from klient.sales.pipeline_services import lost_reason_archive
from klient.sales.reports import Period, funnel_report, month_parse, period_check, quarter_parse
from klient.sales.services import deal_delete, deal_move
from tests.sales._funnel_story import at, clock_hold, story_make

Q1 = Period(date(2026, 1, 1), date(2026, 3, 1))


def _sales_metrics():
    return [metric for metric in rollup_metrics if metric.key.startswith("sales.")]


def _rows(report):
    return {row.stage.name: row for row in report.stages}


@pytest.fixture
def clock(monkeypatch):
    return clock_hold(monkeypatch)


@pytest.fixture
def story(admin, clock):
    return story_make(admin, clock)


def test_the_increments_equal_a_rebuild_after_every_kind_of_move(story, admin):
    """Skipped stage, move back and forward, lost, reopened, pipeline change: the rows the
    services kept are the rows a rebuild from the transitions makes."""
    for metric in _sales_metrics():
        assert rollup_check(metric, admin.workspace_id) == [], metric.key


def test_deals_entering_and_reaching_each_stage_of_the_quarter(story, admin):
    """Cohorts Jan–Mar of «Sea»: D1, D2, D6 (Jan), D3, D4 (Feb), D5 (Mar) = 6 entered;
    D7 (Dec) and D8 (Apr) are other cohorts. D6 left for «Air» but entered «Sea» in Jan.

    Request 6 (all). Proposal 6: D1, D2 (skipped it: counts as passed), D3 (back and
    forward again: once), D4, D5 (reopened into it), D6. Negotiation 4: D1, D2, D3, D5.
    Won 1: D1. Conversion Request→Proposal 6/6, Proposal→Negotiation 4/6,
    Negotiation→Won 1/4; overall 1/6."""
    report = funnel_report(user=admin, pipeline=story.sea.pk, period=Q1)
    rows = _rows(report)

    assert report.entered == 6
    assert report.won == 1
    assert report.conversion == pytest.approx(1 / 6)
    assert [(name, row.reached) for name, row in rows.items()] == [
        ("Request", 6),
        ("Proposal", 6),
        ("Negotiation", 4),
        ("Won", 1),
    ]
    assert rows["Request"].conversion_next == 1
    assert rows["Proposal"].conversion_next == pytest.approx(4 / 6)
    assert rows["Negotiation"].conversion_next == pytest.approx(1 / 4)
    assert rows["Won"].conversion_next is None
    assert rows["Negotiation"].share == pytest.approx(4 / 6)


def test_lost_deals_by_reason_and_the_stage_they_had_reached(story, admin):
    """D4 lost for «Price» after reaching Proposal. D5 was lost («No answer») and
    reopened: it counts nowhere as lost. So one lost deal, at Proposal."""
    report = funnel_report(user=admin, pipeline=story.sea.pk, period=Q1)

    assert report.lost_total == 1
    assert [(row.reason_id, row.name, row.deals) for row in report.lost] == [
        (story.price.pk, "Price", 1)
    ]
    assert [(item.stage.name, item.deals) for item in report.lost[0].stages] == [("Proposal", 1)]
    assert {name: row.lost for name, row in _rows(report).items()} == {
        "Request": 0,
        "Proposal": 1,
        "Negotiation": 0,
        "Won": 0,
    }


def test_time_in_request_of_the_deals_that_left_it_in_the_quarter(story, admin):
    """Stays in Request ended Jan–Mar (by the month left, whatever the cohort):
    D1 1 d, D2 4 h, D3 1 d and again 1 d, D4 2 d, D5 1 d, D6 1 d, D7 19 d (Dec 15 → Jan 3)
    = 8 stays, 26 d 4 h in all; average 26 d 4 h / 8 = 282,600 s.
    Buckets: [4 h, 12 h): 1; [1 d, 2 d): 5; [2 d, 3 d): 1; [14 d, 21 d): 1.
    Median: rank 4 falls in [1 d, 2 d) as the 3rd of its 5 → 1 d + 3/5 d = 1.6 d.
    90th percentile: rank 7.2 falls in [14 d, 21 d), 0.2 of its one → 14 d + 0.2 × 7 d."""
    times = _rows(funnel_report(user=admin, pipeline=story.sea.pk, period=Q1))["Request"].times

    assert times.deals == 8
    assert times.average == (26 * DAY + 4 * HOUR) / 8
    assert (times.median.seconds, times.median.low, times.median.high) == pytest.approx(
        (1.6 * DAY, DAY, 2 * DAY)
    )
    assert (times.p90.seconds, times.p90.low, times.p90.high) == pytest.approx(
        (15.4 * DAY, 14 * DAY, 21 * DAY)
    )


def test_time_in_proposal_and_negotiation(story, admin):
    """Proposal: D1 3 d, D3 2 d and 2 d, D4 3 d (then lost), D5 5 d, D6 11 d (left for
    «Air» on Feb 1: still time spent in «Sea»'s Proposal); D7 is still there, D2 never
    was. 6 stays, 26 d; average 26/6 d. Buckets [2 d, 3 d): 2, [3 d, 5 d): 2,
    [5 d, 7 d): 1, [10 d, 14 d): 1. Median rank 3 → [3 d, 5 d), 1/2 of it → 4 d.
    p90 rank 5.4 → [10 d, 14 d), 0.4 of it → 11.6 d.
    Negotiation: only D1 left it (10 d, bucket [10 d, 14 d)): median 12 d, p90 13.6 d.
    Won: nobody left it: no figures."""
    rows = _rows(funnel_report(user=admin, pipeline=story.sea.pk, period=Q1))
    proposal, negotiation, won = rows["Proposal"].times, rows["Negotiation"].times, rows["Won"]

    assert (proposal.deals, proposal.average) == (6, pytest.approx(26 * DAY / 6))
    assert (proposal.median.seconds, proposal.median.low, proposal.median.high) == (
        pytest.approx(4 * DAY),
        3 * DAY,
        5 * DAY,
    )
    assert (proposal.p90.seconds, proposal.p90.low) == (pytest.approx(11.6 * DAY), 10 * DAY)
    assert (negotiation.deals, negotiation.average) == (1, 10 * DAY)
    assert negotiation.median.seconds == pytest.approx(12 * DAY)
    assert negotiation.p90.seconds == pytest.approx(13.6 * DAY)
    assert (won.times.deals, won.times.average, won.times.median) == (0, None, None)


def test_a_deal_moved_to_another_pipeline_enters_its_funnel_as_a_new_cohort(story, admin):
    """D6 entered «Air» on Feb 1: Air's Q1 has 1 entered, at Air request, none won."""
    report = funnel_report(user=admin, pipeline=story.air.pk, period=Q1)

    assert (report.entered, report.won, report.lost_total) == (1, 0, 0)
    assert [(row.stage.name, row.reached) for row in report.stages] == [
        ("Air request", 1),
        ("Air won", 0),
    ]


def test_a_month_range_keeps_only_its_cohorts(story, admin):
    """January alone: D1, D2, D6 entered; Proposal 3 (D2 skipped it), Negotiation 2
    (D1, D2), Won 1. Time in Request left in January: D1 1 d, D2 4 h, D6 1 d, D7 19 d."""
    january = Period(date(2026, 1, 1), date(2026, 1, 1))
    report = funnel_report(user=admin, pipeline=story.sea.pk, period=january)
    rows = _rows(report)

    assert [row.reached for row in report.stages] == [3, 3, 2, 1]
    assert report.conversion == pytest.approx(1 / 3)
    assert rows["Request"].times.deals == 4
    assert rows["Request"].times.average == (21 * DAY + 4 * HOUR) / 4


def test_deleting_a_deal_takes_its_part_out_and_keeps_the_rollups_exact(story, admin):
    """Without D3 (Feb; Request → Proposal → back → forward → Negotiation): 5 entered,
    Proposal 5, Negotiation 3; its two stays in Request and two in Proposal are gone."""
    deal_delete(actor=admin, deal_id=story.deals["D3"].pk)

    report = funnel_report(user=admin, pipeline=story.sea.pk, period=Q1)
    rows = _rows(report)

    assert [row.reached for row in report.stages] == [5, 5, 3, 1]
    assert (rows["Request"].times.deals, rows["Proposal"].times.deals) == (6, 4)
    for metric in _sales_metrics():
        assert rollup_check(metric, admin.workspace_id) == [], metric.key


def test_a_period_without_deals_reads_as_zeros(story, admin):
    report = funnel_report(
        user=admin, pipeline=story.sea.pk, period=Period(date(2024, 1, 1), date(2024, 3, 1))
    )

    assert (report.entered, report.won, report.conversion, report.lost) == (0, 0, None, [])
    assert [row.share for row in report.stages] == [None, None, None, None]


def test_every_role_reads_the_same_workspace_figures(
    story, admin, manager_a, agent_a, agent_b, analyst
):
    """The funnel is the workspace's: the rollups carry no owner, so every role reads the
    same counts (no deal is named in it)."""
    for user in (manager_a, agent_a, agent_b, analyst):
        report = funnel_report(user=user, pipeline=story.sea.pk, period=Q1)
        assert [row.reached for row in report.stages] == [6, 6, 4, 1], user.username


def test_another_workspaces_pipeline_is_not_found(story, other_workspace_admin):
    with pytest.raises(NotFound):
        funnel_report(user=other_workspace_admin, pipeline=story.sea.pk, period=Q1)
    with pytest.raises(NotFound):  # nor when handed the row itself
        funnel_report(user=other_workspace_admin, pipeline=story.sea, period=Q1)


def test_the_report_runs_the_same_few_queries_for_any_history(
    story, admin, django_assert_num_queries
):
    """The stages with their pipeline, and the rollup rows with the lost reasons' names."""
    with django_assert_num_queries(2):
        funnel_report(user=admin, pipeline=story.sea.pk, period=Q1)
    with django_assert_num_queries(2):
        funnel_report(user=admin, pipeline=story.air, period=Q1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2026-03", date(2026, 3, 1)), ("2026-3", date(2026, 3, 1)), (" 2025-12 ", date(2025, 12, 1))],
)
def test_months_are_read_as_yyyy_mm(text, expected):
    assert month_parse(text, "from") == expected


@pytest.mark.parametrize(
    "text", ["", "2026", "2026-13", "2026-00", "26-03", "2026-03-01", "１２３４-01"]
)
def test_other_month_text_is_refused_with_a_message(text):
    with pytest.raises(ValidationFailed) as error:
        month_parse(text, "from")
    assert "from" in error.value.fields


def test_quarters_and_ranges():
    assert quarter_parse("2026-q2") == Period(date(2026, 4, 1), date(2026, 6, 1))
    with pytest.raises(ValidationFailed):
        quarter_parse("2026-Q5")
    with pytest.raises(ValidationFailed):
        period_check(date(2026, 3, 1), date(2026, 1, 1))
    with pytest.raises(ValidationFailed):
        period_check(date(2000, 1, 1), date(2026, 1, 1))
    assert period_check(date(2026, 1, 1), date(2026, 1, 1)).months == 1


def test_a_deal_lost_without_a_reason_and_an_archived_reason_both_show(story, admin, clock):
    """With every reason archived a deal may be lost without one: D8 (April) lost from
    Request shows as «no reason given» at Request; D4's archived «Price» keeps its name."""
    for reason in (story.price, story.no_answer):
        lost_reason_archive(actor=admin, reason_id=reason.pk)
    clock.now = at(4, 12)
    deal_move(actor=admin, deal_id=story.deals["D8"].pk, stage_id=story.stages["Lost"].pk)

    april = funnel_report(
        user=admin, pipeline=story.sea, period=Period(date(2026, 4, 1), date(2026, 6, 1))
    )
    q1 = funnel_report(user=admin, pipeline=story.sea, period=Q1)

    assert [(row.reason_id, row.name, row.deals) for row in april.lost] == [(None, "", 1)]
    assert [(item.stage.name, item.deals) for item in april.lost[0].stages] == [("Request", 1)]
    assert [(row.name, row.deals) for row in q1.lost] == [("Price", 1)]
    for metric in _sales_metrics():
        assert rollup_check(metric, admin.workspace_id) == [], metric.key
