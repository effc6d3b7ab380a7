"""What attached files register with the platform (klient.core.registry)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy

from klient.activities.kinds import InteractionKind, interaction_kinds
from klient.attachments.capabilities import capabilities_register
from klient.attachments.demo import demo_attachments_create
from klient.attachments.personal_data import client_files_export
from klient.attachments.selectors import client_attachments
from klient.attachments.services import ATTACHED_KIND, attachments_erase
from klient.attachments.views import attachments_context
from klient.core.audit_words import (
    AuditAction,
    AuditField,
    AuditSubject,
    Params,
    audit_actions,
    audit_subjects,
)
from klient.core.models import User
from klient.core.registry import (
    CardPanel,
    ClientRecordsHandler,
    DemoStep,
    card_panels,
    client_records,
    demo_steps,
    record_kinds,
)

SUBJECT = "attachments.attachment"


def _panel(user: User, record: Any) -> dict[str, Any]:
    return attachments_context(user, record)


def _count(subject: str, record_id: int) -> int:
    return client_attachments(subject, record_id).count()


def _erase(subject: str, record_id: int) -> None:
    attachments_erase(kind=subject, record_id=record_id)


def plug() -> None:
    capabilities_register()
    interaction_kinds.register(
        InteractionKind(key=ATTACHED_KIND, label=gettext_lazy("File attached"), system=True)
    )
    for subject in ("contacts.person", "contacts.organization"):
        card_panels.register(
            CardPanel(
                key=f"attachments.{subject}",
                subject=subject,
                template="attachments/_panel.html",
                context=_panel,
                column="side",
                order=50,
            )
        )
    # A client's files are theirs: they go with a deleted or erased client.
    client_records.register(
        ClientRecordsHandler(
            key="attachments.files",
            label=gettext_lazy("Files"),
            count=_count,
            erase=_erase,
            export=client_files_export,
            protects=False,
        )
    )
    demo_steps.register(DemoStep(key="attachments", run=demo_attachments_create, order=60))
    _audit_log_words()


# How the audit log reads (klient.core.audit_words) -------------------------------------------


class _OwnerFields(Mapping[str, AuditField]):
    """The changed fields of an attachment event: the file's name and size, and the
    record it is on under that record's kind ("contacts.person": 12), named and linked
    as that kind, whichever app registered it (a deal's file reads as a deal)."""

    _own = {
        "file_name": AuditField(gettext_lazy("file name")),
        "size": AuditField(gettext_lazy("size"), lambda value: str(filesizeformat(value))),
    }

    def __getitem__(self, key: str) -> AuditField:
        if key in self._own:
            return self._own[key]
        if key in record_kinds:
            return AuditField(record_kinds.get(key).label, key)
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        yield from self._own
        yield from (kind.key for kind in record_kinds)

    def __len__(self) -> int:
        return len(self._own) + len(record_kinds)


def _wording(template: Any) -> Any:
    """Fill a sentence whose %(owner)s is the record the file is (or was) on, whatever
    its kind: the one changed field named after a record kind."""

    def render(params: Params) -> str:
        owner = next((params[key] for key in params if key in record_kinds), "—")
        return str(template) % {**params, "owner": owner}

    return render


def _audit_log_words() -> None:
    audit_subjects.register(
        AuditSubject(key=SUBJECT, label=gettext_lazy("File"), fields=_OwnerFields())
    )
    for key, label, template in (
        (
            "attachment.add",
            gettext_lazy("File attached"),
            gettext_lazy("%(actor)s attached file “%(file_name)s” to %(owner)s"),
        ),
        (
            "attachment.delete",
            gettext_lazy("File deleted"),
            gettext_lazy("%(actor)s deleted file “%(file_name)s” from %(owner)s"),
        ),
    ):
        audit_actions.register(AuditAction(key=key, label=label, render=_wording(template)))
