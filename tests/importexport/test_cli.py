"""`klient import` (the lead's CLI calls importexport.cli.import_command)."""

from __future__ import annotations

import argparse

import pytest

from klient.cli import main
from klient.contacts.models import Person
from klient.core.errors import NotFound
from klient.importexport.cli import import_command
from klient.importexport.models import ImportJob
from klient.importexport.services import import_run_cli

pytestmark = pytest.mark.django_db


def args(path, **extra) -> argparse.Namespace:
    values = {
        "file": str(path),
        "kind": "people",
        "mapping": None,
        "dedupe": "skip",
        "dry_run": False,
        "username": None,
        "workspace": None,
        **extra,
    }
    return argparse.Namespace(**values)


def test_import_as_the_workspace_admin_prints_progress_and_a_summary(admin, write_file, capsys):
    path = write_file(
        "p.csv", [["Фамилия", "Email"], ["Иванов", "i@example.com"], ["Петров", "bad@"]]
    )
    assert import_command(args(path)) == 0
    out = capsys.readouterr().out.splitlines()
    job = ImportJob.objects.get()
    assert out[0].startswith("2/2 rows (100%), ")
    assert out[0].endswith("created 1, updated 0, skipped 0, invalid 1")
    assert out[1] == (
        f"import {job.pk} (p.csv): done; rows 2, created 1, updated 0, skipped 0, invalid 1"
    )
    assert (
        out[2] == f"error report: /import/{job.pk}/errors.csv (or GET /api/v1/imports/"
        f"{job.pk}/errors.csv)"
    )
    assert Person.objects.get().owner_id == admin.pk


def test_dry_run_and_named_user(agent_a, write_file, capsys):
    path = write_file("p.csv", [["Фамилия"], ["Иванов"]])
    assert import_command(args(path, dry_run=True, username="agent_a")) == 0
    assert capsys.readouterr().out.splitlines()[-1].endswith("(dry run: nothing written)")
    assert Person.objects.count() == 0


def test_unknown_user_and_unreadable_file(admin, write_file):
    with pytest.raises(NotFound):
        import_command(args(write_file("p.csv", "x"), username="nobody"))
    with pytest.raises(Exception) as error:
        import_command(args(write_file("e.csv", b"")))
    assert str(error.value.message) == "The file is empty."


class _Killed(Exception):
    """Stands in for the process dying after its first committed batch."""


def _interrupted_import(user, write_file) -> ImportJob:
    path = write_file("p.csv", [["Фамилия"], ["Иванов"], ["Петров"], ["Сидоров"]])

    def die(state) -> None:
        raise _Killed

    with pytest.raises(_Killed):
        import_run_cli(path=path, kind="people", user=user, batch_rows=1, progress_callback=die)
    return ImportJob.objects.get()


def test_resume_with_only_the_id_as_the_readme_writes_it(admin, write_file, capsys):
    job = _interrupted_import(admin, write_file)
    assert (job.status, Person.objects.count()) == ("running", 1)

    exit_code = main(["import", "--resume", str(job.pk)])

    assert exit_code == 0
    job.refresh_from_db()
    assert (job.status, job.processed, Person.objects.count()) == ("done", 3, 3)
    assert capsys.readouterr().out.splitlines()[-1].startswith(f"import {job.pk} (p.csv): done")


def test_resume_of_an_unknown_import_is_one_clear_error(admin, capsys):
    assert main(["import", "--resume", "987654"]) == 1
    assert capsys.readouterr().err.strip() == "klient: error: Import not found."


@pytest.mark.parametrize("bad", ["abc", "²", "0", str(10**23)])
def test_resume_with_a_bad_id_is_a_usage_error(bad, capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["import", "--resume", bad])
    assert stopped.value.code == 2
    assert f"not an import id: {bad!r}" in capsys.readouterr().err


def test_a_file_and_resume_together_are_refused(write_file, capsys):
    path = write_file("p.csv", [["Фамилия"], ["Иванов"]])
    assert main(["import", str(path), "--resume", "1"]) == 1
    assert capsys.readouterr().err.strip() == (
        "klient: error: give FILE and --kind, or --resume IMPORT_ID, not both"
    )


def test_a_file_still_needs_its_kind(write_file, capsys):
    path = write_file("p.csv", [["Фамилия"], ["Иванов"]])
    assert main(["import", str(path)]) == 1
    assert capsys.readouterr().err.strip() == (
        "klient: error: give FILE and --kind, or --resume IMPORT_ID"
    )
