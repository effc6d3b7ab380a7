"""The `klient` command: demo, serve, migrate, createuser, token, worker, import, backup,
restore, rollups."""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any


class CliError(Exception):
    """An error the user can fix; printed as one line."""


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "klient.settings")
    import django

    django.setup()


def _migrate(verbosity: int = 0) -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=verbosity)


def _read_password(generated_hint: str) -> tuple[str, bool]:
    """A password from stdin if one is piped in, else a generated one."""
    if not sys.stdin.isatty():
        piped = sys.stdin.readline().strip()
        if piped:
            return piped, False
    return secrets.token_urlsafe(12), True


def _demo_password(home: Path) -> str:
    path = home / "demo-admin-password"
    if path.exists():
        return path.read_text().strip()
    password = secrets.token_urlsafe(9)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(password)
    return password


def _serve(*, host: str, port: int, workers: int, with_worker: bool) -> int:
    """Run gunicorn (and optionally the job worker) until interrupted."""
    from django.conf import settings

    env = dict(os.environ, DJANGO_SETTINGS_MODULE="klient.settings")
    # gunicorn believes X-Forwarded-Proto (HTTPS behind a TLS proxy) only from these;
    # its default is the loopback addresses.
    trusted = settings.KLIENT_TRUSTED_PROXY
    proxies = ["--forwarded-allow-ips", ",".join(trusted)] if trusted else []
    gunicorn = [
        sys.executable,
        "-m",
        "gunicorn",
        "klient.wsgi:application",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--access-logfile",
        "-",
        "--graceful-timeout",
        "10",
        *proxies,
    ]
    if not with_worker:
        # Nothing to supervise: become gunicorn rather than keep a Django process
        # (~75 MB) alive beside it.
        os.execve(sys.executable, gunicorn, env)
    processes = [subprocess.Popen(gunicorn, env=env)]
    if with_worker:
        processes.append(subprocess.Popen([sys.executable, "-m", "klient.cli", "worker"], env=env))

    def stop(signum: int, frame: Any) -> None:
        for process in processes:
            if process.poll() is None:
                process.terminate()

    signal.signal(signal.SIGTERM, stop)
    try:
        return processes[0].wait()
    except KeyboardInterrupt:
        stop(signal.SIGINT, None)
        return 0
    finally:
        stop(signal.SIGTERM, None)
        for process in processes:
            process.wait(timeout=15)


def cmd_demo(args: argparse.Namespace) -> int:
    _setup()
    from django.conf import settings

    from klient.core.demo_data import DEMO_ADMIN, demo_exists, demo_load

    _migrate()
    password = _demo_password(Path(settings.KLIENT_HOME))
    if demo_exists():
        print("Demo data already loaded; reusing it.")
    else:
        print("Loading demo data (about a minute)...", flush=True)
        demo_load(admin_password=password, progress=lambda step: print(f"  {step}...", flush=True))
    url = f"http://{args.host}:{args.port}/"
    print(
        f"\nKlient is running at {url}\n  login: {DEMO_ADMIN}\n  password: {password}\n"
        f"  API docs: {url}api/v1/docs\n  data: {settings.KLIENT_HOME}\n",
        flush=True,
    )
    if args.no_serve:
        return 0
    return _serve(host=args.host, port=args.port, workers=args.workers, with_worker=True)


def cmd_serve(args: argparse.Namespace) -> int:
    _setup()
    if not args.no_migrate:
        _migrate()
    return _serve(
        host=args.host, port=args.port, workers=args.workers, with_worker=args.with_worker
    )


def cmd_migrate(args: argparse.Namespace) -> int:
    _setup()
    _migrate(verbosity=1)
    return 0


def cmd_createuser(args: argparse.Namespace) -> int:
    _setup()
    from klient.core.models import Team, Workspace
    from klient.core.services import user_create, workspace_create

    workspace = Workspace.objects.filter(slug=args.workspace).first()
    if workspace is None:
        if Workspace.objects.exists() and args.workspace != "default":
            raise CliError(f"no workspace {args.workspace!r}")
        workspace = Workspace.objects.filter(slug="default").first() or workspace_create(
            name="Default", slug="default"
        )
    teams = []
    for name in args.team or []:
        team = Team.objects.filter(workspace=workspace, name=name).first()
        if team is None:
            raise CliError(f"no team {name!r} in workspace {workspace.slug!r}")
        teams.append(team)
    password, generated = _read_password("")
    user = user_create(
        workspace=workspace,
        username=args.username,
        role=args.role,
        password=password,
        email=args.email or "",
        teams=teams,
    )
    print(f"created user {user.username} ({user.role}) in workspace {workspace.slug}")
    if generated:
        print(f"password: {password}")
    return 0


def cmd_token(args: argparse.Namespace) -> int:
    _setup()
    from klient.core.models import User
    from klient.core.services import token_create

    user = User.objects.filter(username=args.username).first()
    if user is None:
        raise CliError(f"no user {args.username!r}")
    if not user.is_active:
        raise CliError(f"user {args.username!r} is deactivated")
    print(token_create(user=user, name=args.name or "cli"))
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    _setup()
    from django.conf import settings
    from django.core.management import call_command

    backend = "Redis" if settings.REDIS_URL else "SQLite"
    print(
        f"klient worker: running background jobs from {backend} with {args.workers} threads",
        flush=True,
    )
    call_command("run_huey", workers=args.workers)
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    # An import remembers its file, kind and mapping: resuming needs only its id.
    if args.resume is not None and args.file:
        raise CliError("give FILE and --kind, or --resume IMPORT_ID, not both")
    if args.resume is None and not (args.file and args.kind):
        raise CliError("give FILE and --kind, or --resume IMPORT_ID")
    _setup()
    from klient.importexport.cli import import_command

    return import_command(args)


def cmd_backup(args: argparse.Namespace) -> int:
    _setup()
    from klient.core.backup import backup_create

    result = backup_create(to=Path(args.to) if args.to else None)
    manifest = result.manifest
    vendor = manifest["database"]["vendor"]
    rows = sum(manifest["tables"].values())
    print(
        f"backup written: {result.path} ({result.size:,} bytes)\n"
        f"  database: {vendor}, {len(manifest['tables'])} tables, {rows:,} rows, "
        f"{len(manifest['migrations'])} migrations\n"
        f"  files: {manifest['files']['count']:,} ({manifest['files']['bytes']:,} bytes)\n"
        f"  secret key: {'included' if manifest['secret_key'] else 'not included'}"
    )
    if not manifest["secret_key"]:
        print("  KLIENT_SECRET_KEY comes from the environment: keep it with your backups")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    _setup()
    from klient.core.backup import backup_restore

    report = backup_restore(archive=Path(args.file), force=args.force)
    width = max([len(table) for table, _, _ in report.tables] + [5])
    print(f"{'table':<{width}}  {'backup':>12}  {'restored':>12}")
    for table, expected, actual in report.tables:
        mark = "" if expected == actual else "  MISMATCH"
        shown = ["-" if value is None else f"{value:,}" for value in (expected, actual)]
        print(f"{table:<{width}}  {shown[0]:>12}  {shown[1]:>12}{mark}")
    for name in report.migrations_missing:
        print(f"migration in the backup, not applied after restore: {name}  MISMATCH")
    for name in report.migrations_extra:
        print(f"migration applied after restore, not in the backup: {name}  MISMATCH")
    print(f"files: {report.files_restored:,} restored, {report.files_expected:,} in the backup")
    for note in report.notes:
        print(f"note: {note}")
    if not report.ok:
        print("klient: error: the restored data does not match the backup", file=sys.stderr)
        return 3
    rows = sum(expected or 0 for _, expected, _ in report.tables)
    print(f"restore verified: {len(report.tables)} tables, {rows:,} rows, as in the backup")
    if report.unapplied_here:
        print(
            f"this version has {len(report.unapplied_here)} migration(s) the backup predates: "
            "run `klient migrate`"
        )
    return 0


def cmd_rollups(args: argparse.Namespace) -> int:
    """Rebuild the rollups from their source tables, or compare them with a rebuild
    (core.rollups); `check` exits 1 when any row differs."""
    _setup()
    from klient.core.models import Workspace
    from klient.core.rollups import rollup_check, rollup_metrics, rollup_rebuild

    workspaces = Workspace.objects.order_by("pk")
    if args.workspace is not None:
        chosen = args.workspace.strip()
        is_id = chosen.isascii() and chosen.isdigit() and int(chosen) < 2**63
        key = {"pk": int(chosen)} if is_id else {"slug": chosen}
        workspaces = workspaces.filter(**key)
        if not workspaces.exists():
            raise CliError(f"no workspace {args.workspace!r}")
    metrics = sorted(rollup_metrics, key=lambda metric: (metric.order, metric.key))
    differences = 0
    for workspace in workspaces:
        for metric in metrics:
            if args.rollups_command == "rebuild":
                rows = rollup_rebuild(metric, workspace.pk)
                print(f"{workspace.slug} ({workspace.pk}) {metric.key}: {rows:,} rows rebuilt")
                continue
            found = rollup_check(metric, workspace.pk)
            differences += len(found)
            for item in found:
                where = ", ".join(str(value) for value in item.dimensions)
                print(
                    f"{workspace.slug} ({workspace.pk}) {metric.key} ({where}): "
                    f"stored {dict(item.stored)}, rebuilt {dict(item.rebuilt)}"
                )
    if args.rollups_command == "check":
        checked = f"{len(metrics)} rollups in {workspaces.count()} workspace(s)"
        if differences:
            print(f"{differences} row(s) differ from a rebuild ({checked})", file=sys.stderr)
            return 1
        print(f"rollups agree with a rebuild: {checked}")
    return 0


def _import_id(value: str) -> int:
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= 2**63 - 1:
        raise argparse.ArgumentTypeError(f"not an import id: {value!r}")
    return int(value)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="klient", description="Klient CRM")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = sub.add_parser("demo", help="load demo data (once) and run the web UI and API")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument("--workers", type=int, default=2)
    demo.add_argument("--no-serve", action="store_true", help="load data, then exit")
    demo.set_defaults(func=cmd_demo)

    serve = sub.add_parser("serve", help="run the production server (gunicorn)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=2)
    serve.add_argument("--with-worker", action="store_true", help="also run the job worker")
    serve.add_argument("--no-migrate", action="store_true")
    serve.set_defaults(func=cmd_serve)

    migrate = sub.add_parser("migrate", help="apply database migrations")
    migrate.set_defaults(func=cmd_migrate)

    createuser = sub.add_parser(
        "createuser", help="create a user (password from stdin, or generated and printed)"
    )
    createuser.add_argument("--username", required=True)
    createuser.add_argument(
        "--role", required=True, choices=["admin", "manager", "agent", "analyst"]
    )
    createuser.add_argument("--workspace", default="default")
    createuser.add_argument("--email")
    createuser.add_argument("--team", action="append")
    createuser.set_defaults(func=cmd_createuser)

    token = sub.add_parser("token", help="API tokens")
    token_sub = token.add_subparsers(dest="token_command", metavar="ACTION", required=True)
    token_create = token_sub.add_parser("create", help="print a new API token for a user")
    token_create.add_argument("--username", required=True)
    token_create.add_argument("--name")
    token_create.set_defaults(func=cmd_token)

    worker = sub.add_parser("worker", help="run the background-job worker")
    worker.add_argument("--workers", type=int, default=2)
    worker.set_defaults(func=cmd_worker)

    importer = sub.add_parser(
        "import", help="import people, organizations or interactions (CSV, XLSX, vCard)"
    )
    importer.add_argument("file", nargs="?", help="the file (not needed with --resume)")
    importer.add_argument(
        "--resume",
        metavar="IMPORT_ID",
        type=_import_id,
        help="resume an interrupted import from its checkpoint",
    )
    importer.add_argument(
        "--kind",
        # Not a fixed choice list: apps register kinds (deals, ...), and the import
        # service refuses an unknown one once Django has started.
        help="what the file holds: people, organizations, interactions, or a kind an app "
        "registers (needed with FILE, not with --resume)",
    )
    importer.add_argument("--mapping", help="a saved mapping preset name")
    importer.add_argument(
        "--dedupe", default="skip", choices=["skip", "update", "overwrite", "create"]
    )
    importer.add_argument("--dry-run", action="store_true")
    importer.add_argument("--username", help="import as this user (default: first admin)")
    importer.add_argument("--workspace", help="workspace slug (default: the only one)")
    importer.set_defaults(func=cmd_import)

    backup = sub.add_parser(
        "backup", help="write the database, the files and the secret key to one archive"
    )
    backup.add_argument(
        "--to",
        metavar="FILE",
        help="the archive (.tar.gz), or a folder for a dated one "
        "(default: KLIENT_HOME/backups/klient-DATE-TIME.tar.gz)",
    )
    backup.set_defaults(func=cmd_backup)

    restore = sub.add_parser(
        "restore", help="restore an archive of `klient backup`, then verify it (docs/backup.md)"
    )
    restore.add_argument("file", help="the archive `klient backup` wrote")
    restore.add_argument(
        "--force",
        action="store_true",
        help="replace a database that already holds data and a files folder that is not empty",
    )
    restore.set_defaults(func=cmd_restore)

    rollups = sub.add_parser(
        "rollups", help="rebuild the report rollups, or check them against a rebuild"
    )
    rollups_sub = rollups.add_subparsers(dest="rollups_command", metavar="ACTION", required=True)
    for action, text in (
        ("rebuild", "recompute every rollup from its source tables"),
        ("check", "print the rows that differ from a rebuild; exit 1 when any does"),
    ):
        command = rollups_sub.add_parser(action, help=text)
        command.add_argument("--workspace", help="a workspace id or slug (default: every one)")
        command.set_defaults(func=cmd_rollups)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except CliError as exc:
        print(f"klient: error: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:
        from klient.core.errors import KlientError

        if isinstance(exc, KlientError):
            details = "; ".join(f"{k}: {v}" for k, v in exc.fields.items())
            print(
                f"klient: error: {exc.message}" + (f" ({details})" if details else ""),
                file=sys.stderr,
            )
            return 1
        if os.environ.get("KLIENT_DEBUG"):
            raise
        print(f"klient: error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
