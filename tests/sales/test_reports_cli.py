"""`klient rollups check` and `klient rollups rebuild`, run in-process on the test database
(the subprocess tests of the command line live in tests/cli)."""

from __future__ import annotations

import pytest

from klient.cli import main
from klient.sales.models import FunnelReached
from tests.sales._funnel_story import clock_hold, story_make


@pytest.fixture
def clock(monkeypatch):
    return clock_hold(monkeypatch)


@pytest.fixture
def story(admin, clock):
    return story_make(admin, clock)


def test_check_says_the_rollups_agree_and_exits_0(story, capsys):
    assert main(["rollups", "check"]) == 0

    out = capsys.readouterr().out
    assert out.startswith("rollups agree with a rebuild: ")


def test_check_prints_each_difference_and_exits_1_and_rebuild_repairs_it(story, admin, capsys):
    """A row the increments got wrong (here: set by hand) is reported with both values;
    a rebuild puts it right."""
    row = FunnelReached.objects.get(pipeline=story.sea, stage=story.stages["Won"])
    FunnelReached.objects.filter(pk=row.pk).update(deals=5)

    assert main(["rollups", "check", "--workspace", str(admin.workspace_id)]) == 1
    captured = capsys.readouterr()
    assert captured.out.splitlines() == [
        f"{admin.workspace.slug} ({admin.workspace_id}) sales.funnel_reached "
        f"({story.sea.pk}, 2026-01-01, {story.stages['Won'].pk}): "
        "stored {'deals': 5}, rebuilt {'deals': 1}"
    ]
    assert "1 row(s) differ from a rebuild" in captured.err

    assert main(["rollups", "rebuild", "--workspace", admin.workspace.slug]) == 0
    assert "sales.funnel_reached: " in capsys.readouterr().out
    assert FunnelReached.objects.get(stage=story.stages["Won"]).deals == 1
    assert main(["rollups", "check"]) == 0


def test_an_unknown_workspace_is_one_line_and_exit_1(story, capsys):
    assert main(["rollups", "check", "--workspace", "nowhere"]) == 1
    assert capsys.readouterr().err.strip() == "klient: error: no workspace 'nowhere'"


def test_an_action_is_required(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["rollups"])
    assert exited.value.code == 2
