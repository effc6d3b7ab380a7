"""`klient import` (the lead's CLI calls importexport.cli.import_command)."""

from __future__ import annotations

import argparse

import pytest

from klient.contacts.models import Person
from klient.core.errors import NotFound
from klient.importexport.cli import import_command
from klient.importexport.models import ImportJob

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
