"""The funnel page: opened bare it shows the current quarter of the first pipeline; the
pickers, bad input as a message, the figures in the reader's language, the CSV and XLSX
files, every role, a fixed number of queries, nothing inline."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.test import Client
from django.urls import resolve

from klient.sales import report_views
from tests.sales._funnel_story import at, clock_hold, story_make

URL = "/deals/funnel/"
NBSP = "\xa0"


@pytest.fixture(autouse=True)
def funnel_urls(settings):
    """Serve the page at its URL even while sales/urls.py still routes it elsewhere."""
    if resolve(URL).func is not report_views.funnel:
        settings.ROOT_URLCONF = "tests.sales._funnel_urls"


@pytest.fixture
def clock(monkeypatch):
    return clock_hold(monkeypatch)


@pytest.fixture
def story(admin, clock):
    return story_make(admin, clock)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def figure(html: str, name: str) -> str:
    found = re.search(rf'data-figure="{name}">([^<]*)<', html)
    assert found, name
    return found.group(1)


def test_opening_the_page_shows_the_current_quarter_of_the_first_pipeline(story, admin, clock):
    """Today is Feb 20, 2026: Q1 of «Sea» (6 entered, 1 won, 1 lost)."""
    clock.now = at(2, 20)

    response = client_for(admin).get(URL)

    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["pipeline"] == story.sea
    assert (response.context["value_from"], response.context["value_to"]) == ("2026-01", "2026-03")
    assert [figure(html, name) for name in ("entered", "won", "conversion", "lost")] == [
        "6",
        "1",
        "16.7%",
        "1",
    ]
    assert 'aria-current="true">Q1 2026</a>' in html


def test_on_another_day_it_is_that_days_quarter(story, admin, clock):
    """Apr 10: Q2, where only D8 entered."""
    response = client_for(admin).get(URL)

    assert (response.context["value_from"], response.context["value_to"]) == ("2026-04", "2026-06")
    assert figure(response.content.decode(), "entered") == "1"


def test_the_pickers_choose_the_pipeline_and_the_months(story, admin):
    client = client_for(admin)

    air = client.get(URL, {"pipeline": story.air.pk, "quarter": "2026-Q1"})
    january = client.get(URL, {"pipeline": story.sea.pk, "from": "2026-01", "to": "2026-01"})

    assert figure(air.content.decode(), "entered") == "1"
    assert [row.reached for row in january.context["report"].stages] == [3, 3, 2, 1]
    assert "Sea: deals that entered the pipeline, January 2026" in january.content.decode()


def test_figures_are_written_the_russian_way_in_russian(story, admin, clock):
    clock.now = at(2, 20)

    html = client_for(admin).get(URL, HTTP_ACCEPT_LANGUAGE="ru").content.decode()

    assert figure(html, "conversion") == f"16,7{NBSP}%"
    assert f"66,7{NBSP}%" in html  # Proposal → Negotiation
    # The median time in Request; the unit is Russian once the translations are merged.
    assert re.search(r"≈ 1,6 (дн\.|d)<", html)


def test_large_counts_are_grouped_in_the_readers_language():
    from django.utils import translation

    from klient.sales.templatetags.funnel_format import count_text, duration_text

    with translation.override("ru"):
        assert count_text(1234567) == f"1{NBSP}234{NBSP}567"
    with translation.override("en"):
        assert count_text(1234567) == "1,234,567"
        assert (duration_text(45 * 60), duration_text(5.5 * 3600)) == ("45 min", "5.5 h")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"from": "2026-13"}, "Enter a month as YYYY-MM"),
        ({"from": "2026-03", "to": "2026-01"}, "The last month comes before the first one."),
        ({"from": "2000-01", "to": "2026-01"}, "Choose at most 120 months."),
        ({"quarter": "2026-Q9"}, "Enter a quarter as YYYY-QN"),
    ],
)
def test_a_bad_period_is_a_message_on_the_page(story, admin, query, message):
    response = client_for(admin).get(URL, {"pipeline": story.sea.pk, **query})

    assert response.status_code == 422
    assert message in response.content.decode()
    assert "report" not in response.context


@pytest.mark.parametrize(
    ("query", "status"),
    [({"pipeline": "abc"}, 422), ({"pipeline": "99999999"}, 404), ({"export": "pdf"}, 422)],
)
def test_a_bad_pipeline_or_export_is_a_message_not_a_crash(story, admin, query, status):
    response = client_for(admin).get(URL, query)

    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")


def test_another_workspaces_pipeline_is_not_found(story, other_workspace_admin):
    response = client_for(other_workspace_admin).get(URL, {"pipeline": story.sea.pk})

    assert response.status_code == 404


def test_a_workspace_without_pipelines_says_so(other_workspace_admin):
    response = client_for(other_workspace_admin).get(URL)

    assert response.status_code == 200
    assert "No pipelines yet." in response.content.decode()


def test_every_role_opens_the_page_with_the_same_figures(
    story, admin, manager_a, agent_a, agent_b, analyst, clock
):
    clock.now = at(2, 20)
    for user in (admin, manager_a, agent_a, agent_b, analyst):
        response = client_for(user).get(URL)
        assert response.status_code == 200, user.username
        assert figure(response.content.decode(), "entered") == "6", user.username


def test_signed_out_visitors_are_sent_to_sign_in(story):
    response = Client().get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_csv_holds_the_table_with_plain_numbers(story, admin):
    response = client_for(admin).get(
        URL, {"pipeline": story.sea.pk, "quarter": "2026-Q1", "export": "csv"}
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    name = f"funnel-{story.sea.pk}-2026-01-2026-03.csv"
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:5] == [
        "Pipeline stage",
        "Reached",
        "Share of entered",
        "Conversion to the next stage",
        "Lost at this stage",
    ]
    # Request: 6 reached, 100 %, 6/6 on, 0 lost, 8 stays, 282,600 s = 3.27 d on average,
    # median 1.6 d in [1 d, 2 d), p90 15.4 d in [14 d, 21 d).
    assert rows[1] == [
        "Request",
        "6",
        "1",
        "1",
        "0",
        "8",
        "3.27",
        "1.6",
        "1",
        "2",
        "15.4",
        "14",
        "21",
    ]
    assert rows[2][:5] == ["Proposal", "6", "1", "0.6667", "1"]
    assert rows[4][:7] == ["Won", "1", "0.1667", "", "0", "0", ""]
    assert rows[5] == []
    assert rows[6:] == [
        ["Lost reason", "Furthest stage reached", "Deals lost"],
        ["Price", "Proposal", "1"],
    ]


def test_the_xlsx_holds_numbers_as_numbers(story, admin):
    from openpyxl import load_workbook

    response = client_for(admin).get(
        URL, {"pipeline": story.sea.pk, "quarter": "2026-Q1", "export": "xlsx"}
    )

    book = load_workbook(io.BytesIO(response.content))
    funnel, lost = book.worksheets
    assert [cell.value for cell in funnel[3]][:5] == ["Proposal", 6, 1, pytest.approx(4 / 6), 1]
    assert funnel["D3"].number_format == "0.0%"
    assert [[cell.value for cell in row] for row in lost.iter_rows(min_row=2)] == [
        ["Price", "Proposal", 1]
    ]


def test_a_stage_named_like_a_formula_is_exported_as_text(story, admin):
    story.stages["Request"].name = "=HYPERLINK(1)"
    story.stages["Request"].save(update_fields=["name"])
    client = client_for(admin)
    query = {"pipeline": story.sea.pk, "quarter": "2026-Q1"}

    text = client.get(URL, {**query, "export": "csv"}).content.decode("utf-8-sig")

    assert "\n'=HYPERLINK(1)," in text


def test_the_page_runs_as_many_queries_for_a_long_history_as_for_a_short_one(story, admin, clock):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(admin)
    clock.now = at(2, 20)
    with CaptureQueriesContext(connection) as busy:
        client.get(URL)
    with CaptureQueriesContext(connection) as quiet:
        client.get(URL, {"from": "2024-01", "to": "2024-03"})

    assert len(busy) == len(quiet)
    assert len(busy) <= 8  # session, user, pipelines, the report's 2, the bell, workspace
