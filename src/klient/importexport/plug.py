"""What import/export registers with the platform (klient.core.registry)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from klient.core.audit_words import (
    AuditAction,
    AuditField,
    AuditSubject,
    audit_actions,
    audit_words_register,
)
from klient.core.models import User
from klient.core.registry import NavItem, nav_items
from klient.importexport.kinds import kinds_register
from klient.importexport.list_export import list_export_register
from klient.importexport.personal_data import personal_data_register
from klient.importexport.registry import export_kinds, import_kinds


def _transfer_url(user: User) -> str:
    # Read-only roles can only export.
    return reverse("importexport:import_new" if user.can_write else "importexport:export")


def plug() -> None:
    nav_items.register(
        NavItem(
            key="importexport",
            label=_("Import & export"),
            url=_transfer_url,
            icon="i-transfer",
            section="importexport",
            order=40,
        )
    )
    # What can be imported and exported (registry.py); apps above add their own kinds.
    kinds_register()
    _audit_log_words()
    list_export_register()  # the people list's XLSX and its bulk "Export" action
    personal_data_register()  # what imports keep about a person (docs/personal-data.md)


# How imports and exports read on the audit log (klient.core.audit_words) ---------------------


def _import_kind(key: Any) -> str:
    return str(import_kinds.get(key).label) if key in import_kinds else str(key)


def _export_render(params: Mapping[str, str]) -> str:
    key = params["action"].split(".", 1)[1]
    what = str(export_kinds.get(key).label) if key in export_kinds else key
    return str(_("%(actor)s exported “%(what)s” (%(format)s)")) % {**params, "what": what}


def _audit_log_words() -> None:
    counts = {
        name: AuditField(label)
        for name, label in (
            ("rows", _("rows")),
            ("created", _("created")),
            ("updated", _("updated")),
            ("skipped", _("skipped")),
            ("invalid", _("invalid")),
        )
    }
    audit_words_register(
        subject=AuditSubject(
            key="importexport.importjob",
            label=_("Import"),
            fields={
                **counts,
                "kind": AuditField(_("what to import"), _import_kind),
                "dry_run": AuditField(_("dry run")),
                "phone_region": AuditField(_("phone region")),
            },
        ),
        actions=[
            (
                "person.import_update",
                _("Person updated by an import"),
                _("%(actor)s updated %(fields)s of person %(record)s by an import"),
            ),
            (
                "organization.import_update",
                _("Organization updated by an import"),
                _("%(actor)s updated %(fields)s of organization %(record)s by an import"),
            ),
            (
                "import.upload",
                _("File uploaded for import"),
                _("%(actor)s uploaded “%(file)s” for import %(record)s"),
            ),
            (
                "import.purge",
                _("Abandoned upload deleted"),
                _("%(actor)s deleted the abandoned upload “%(file)s” of import %(record)s"),
            ),
            ("import.start", _("Import started"), _("%(actor)s started import %(record)s")),
            (
                "import.dry_run",
                _("Import checked without saving"),
                _(
                    "%(actor)s checked “%(file)s” without saving (import %(record)s): "
                    "rows: %(rows)s, invalid: %(invalid)s"
                ),
            ),
            (
                "import.finish",
                _("Import finished"),
                _(
                    "%(actor)s imported “%(file)s” (import %(record)s): created: %(created)s, "
                    "updated: %(updated)s, invalid: %(invalid)s"
                ),
            ),
        ],
    )
    audit_words_register(
        subject=AuditSubject(key="importexport.importpreset", label=_("Import mapping")),
        actions=[
            (
                "import_preset.save",
                _("Import mapping saved"),
                _("%(actor)s saved the import mapping “%(name)s”"),
            ),
        ],
    )
    audit_words_register(
        subject=AuditSubject(
            key="importexport.exportjob",
            label=_("Export"),
            fields={"format": AuditField(_("format"))},
        ),
        actions=[
            (
                "export.purge",
                _("Expired export file deleted"),
                _("%(actor)s deleted the expired export file “%(file)s”"),
            ),
        ],
    )
    # Every export kind, this app's and those other apps register: "export.<kind>".
    audit_actions.register(
        AuditAction(key="export.*", label=_("Data exported"), render=_export_render)
    )
