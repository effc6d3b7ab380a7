"""`python -m django import_file FILE --kind people --user NAME` (and `--resume ID`).

The same run as `klient import`; used by the crash tests, which kill it with SIGKILL
and start it again with `--resume`.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from klient.core.errors import KlientError
from klient.importexport.engine import ImportProgress
from klient.importexport.models import DedupeMode
from klient.importexport.registry import import_kinds
from klient.importexport.services import import_resume_cli, import_run_cli


class Command(BaseCommand):
    help = "Import people, organizations, interactions (or another registered kind) from a file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", default="")
        parser.add_argument("--kind", choices=[kind.key for kind in import_kinds], default="people")
        parser.add_argument("--user", default="", help="username the import runs as")
        parser.add_argument("--mapping", default=None, help="preset name or a JSON file")
        parser.add_argument("--dry-run", action="store_true")
        parser.add_argument("--dedupe", choices=DedupeMode.values, default=DedupeMode.SKIP)
        parser.add_argument("--resume", type=int, default=None, help="import id to continue")
        parser.add_argument("--batch-rows", type=int, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        def progress(state: ImportProgress) -> None:
            self.stdout.write(state.line())
            self.stdout.flush()

        try:
            if options["resume"]:
                job = import_resume_cli(
                    import_id=options["resume"],
                    progress_callback=progress,
                    batch_rows=options["batch_rows"],
                )
            else:
                if not options["path"] or not options["user"]:
                    raise CommandError("give a FILE and --user (or --resume ID)")
                job = import_run_cli(
                    path=options["path"],
                    kind=options["kind"],
                    username=options["user"],
                    mapping_name=options["mapping"],
                    dry_run=options["dry_run"],
                    dedupe=options["dedupe"],
                    progress_callback=progress,
                    batch_rows=options["batch_rows"],
                )
        except KlientError as error:
            details = "; ".join(f"{key}: {value}" for key, value in error.fields.items())
            raise CommandError(f"{error.message} {details}".strip()) from error
        self.stdout.write(f"import {job.pk}: {job.status} {job.error_message}".rstrip())
        if job.status != "done":
            raise CommandError(job.error_message or job.status)
