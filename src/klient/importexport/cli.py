"""`klient import FILE --kind ...`: the CLI face of the import, with a live progress line."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from django.utils.translation import gettext as _

from klient.core.errors import NotFound
from klient.core.models import Role, User, Workspace
from klient.importexport.engine import ImportProgress
from klient.importexport.services import import_resume_cli, import_run_cli


def _user(username: str | None, workspace_slug: str | None) -> User:
    """The named user, or the first active admin of the (named or only) workspace."""
    if username:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None or user.workspace_id is None:
            raise NotFound(_("No active user “%(name)s”.") % {"name": username})
        return user
    workspaces = Workspace.objects.all()
    if workspace_slug:
        workspaces = workspaces.filter(slug=workspace_slug)
    found = list(workspaces[:2])
    if len(found) != 1:
        raise NotFound(_("Name the workspace with --workspace (or the user with --username)."))
    admin = (
        User.objects.filter(workspace=found[0], role=Role.ADMIN, is_active=True)
        .order_by("pk")
        .first()
    )
    if admin is None:
        raise NotFound(_("The workspace has no active administrator; use --username."))
    return admin


def progress_printer(stream: Any = None) -> Any:
    """A callback that rewrites one line on a terminal and prints lines otherwise."""
    out = stream or sys.stdout
    live = out.isatty()
    shown = {"done": -1}

    def show(state: ImportProgress) -> None:
        if state.finished and state.done == shown["done"]:
            if live:
                out.write("\n")
            return  # the last batch already printed this line
        shown["done"] = state.done
        if live:
            out.write("\r" + state.line() + ("\n" if state.finished else ""))
        else:
            out.write(state.line() + "\n")
        out.flush()

    return show


def import_command(args: argparse.Namespace) -> int:
    """Run the import; 0 when it finished (invalid rows included), 1 when the file failed."""
    resume = getattr(args, "resume", None)
    if resume is not None:
        job = import_resume_cli(import_id=int(resume), progress_callback=progress_printer())
    else:
        user = _user(getattr(args, "username", None), getattr(args, "workspace", None))
        job = import_run_cli(
            path=args.file,
            kind=args.kind,
            user=user,
            mapping_name=args.mapping,
            dry_run=args.dry_run,
            dedupe=args.dedupe,
            progress_callback=progress_printer(),
        )
    summary = (
        f"import {job.pk} ({job.file_name}): {job.status}; rows {job.processed}, "
        f"created {job.created_count}, updated {job.updated_count}, "
        f"skipped {job.skipped_count}, invalid {job.invalid_count}"
    )
    print(summary + (" (dry run: nothing written)" if job.is_dry_run else ""))
    if job.invalid_count:
        print(
            f"error report: /import/{job.pk}/errors.csv "
            f"(or GET /api/v1/imports/{job.pk}/errors.csv)"
        )
    if job.status != "done":
        print(f"klient: error: {job.error_message}", file=sys.stderr)
        return 1
    return 0
