"""Files attached to any record: a client, later a deal or a request."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from klient.core.models import Workspace


class Attachment(models.Model):
    """One file on one record (`subject_kind`, `subject_id`: a registered record kind,
    e.g. "contacts.person"). The bytes live under KLIENT_FILES_DIR at `storage_name`;
    `content_type` is what the bytes were sniffed to be, never what the client said."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, db_index=False)
    subject_kind = models.CharField(max_length=40)
    subject_id = models.PositiveBigIntegerField()
    file_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=127)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    storage_name = models.CharField(max_length=255, unique=True)
    description = models.CharField(_("description"), max_length=500, blank=True, default="")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("attached at"), default=timezone.now)

    class Meta:
        indexes = [
            models.Index(
                fields=["workspace", "subject_kind", "subject_id"], name="attachment_owner_idx"
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(subject_kind=""), name="attachment_subject_kind_set"
            )
        ]

    def __str__(self) -> str:
        return self.file_name

    @property
    def owner_ref(self) -> tuple[str, int]:
        return self.subject_kind, self.subject_id
