"""Reads of attached files. One visibility rule: a file is seen by whoever may see the
record it is on (the record kind's rule in `core.registry.record_kinds`); another
workspace's file, or one on a record the user cannot see, is simply not found."""

from __future__ import annotations

from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from klient.attachments.models import Attachment
from klient.core.errors import NotFound
from klient.core.models import User
from klient.core.registry import record_kinds
from klient.core.selectors import scoped


def owner_resolve(*, user: User, kind: str, record_id: int) -> Model:
    """The record files are attached to, if `user` may see it; else NotFound (an
    unregistered kind too)."""
    if kind not in record_kinds:
        raise NotFound(_("Record not found."))
    return record_kinds.get(kind).resolve(user, record_id)


def owner_visible(*, user: User, kind: str, record_id: int) -> bool:
    if kind not in record_kinds:
        return False
    return record_id in record_kinds.get(kind).visible_ids(user, [record_id])


def attachments_of(*, user: User, kind: str, record_id: int) -> QuerySet[Attachment]:
    """The files of a record the caller has already resolved for `user` (a card, the
    list below), newest first, with who attached them: one query."""
    return (
        scoped(Attachment, user=user)
        .filter(subject_kind=kind, subject_id=record_id)
        .select_related("uploaded_by")
        .order_by("-created_at", "-id")
    )


def attachment_list_for(*, user: User, kind: str, record_id: int) -> QuerySet[Attachment]:
    """The files of one record, after checking the user may see the record."""
    owner_resolve(user=user, kind=kind, record_id=record_id)
    return attachments_of(user=user, kind=kind, record_id=record_id)


def attachment_get(*, user: User, attachment_id: int) -> Attachment:
    """One file the user may see, or NotFound."""
    attachment = (
        scoped(Attachment, user=user).select_related("uploaded_by").filter(pk=attachment_id).first()
    )
    if attachment is None or not owner_visible(
        user=user, kind=attachment.subject_kind, record_id=attachment.subject_id
    ):
        raise NotFound(_("File not found."))
    return attachment


def attachment_count(*, workspace_id: int, kind: str, record_id: int) -> int:
    return Attachment.objects.filter(
        workspace_id=workspace_id, subject_kind=kind, subject_id=record_id
    ).count()


def client_attachments(subject: str, record_id: int) -> QuerySet[Attachment]:
    """Every file on a client (or any record), whoever looks: for delete, erasure and
    export, which run after their own checks. Scoped through the record's workspace so
    the owner index serves it."""
    if subject not in record_kinds:
        return Attachment.objects.filter(subject_kind=subject, subject_id=record_id)
    model = record_kinds.get(subject).model
    workspace_ids = model._default_manager.filter(pk=record_id).values("workspace_id")
    return Attachment.objects.filter(
        workspace_id__in=workspace_ids, subject_kind=subject, subject_id=record_id
    )
