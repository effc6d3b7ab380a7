"""Uploads abandoned at the mapping step lose their file; the user is told why."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from klient.core.models import AuditEvent
from klient.importexport.engine import job_file
from klient.importexport.models import ImportJob
from klient.importexport.services import abandoned_uploads_purge, import_upload

from .conftest import csv_bytes

pytestmark = pytest.mark.django_db
ROWS = [["Фамилия", "Имя"], ["Иванов", "Иван"]]


def _upload(user, *, hours_ago: float) -> ImportJob:
    job = import_upload(actor=user, file_name="p.csv", content=[csv_bytes(ROWS)], kind="people")
    ImportJob.objects.filter(pk=job.pk).update(
        created_at=timezone.now() - timedelta(hours=hours_ago)
    )
    return ImportJob.objects.get(pk=job.pk)


def test_an_upload_left_unmapped_past_the_limit_loses_its_file(admin, settings):
    settings.KLIENT_IMPORT_ABANDONED_HOURS = 24
    admin.language = "ru"
    admin.save()
    old, fresh = _upload(admin, hours_ago=25), _upload(admin, hours_ago=1)
    started = _upload(admin, hours_ago=30)
    ImportJob.objects.filter(pk=started.pk).update(status=ImportJob.Status.QUEUED)

    assert abandoned_uploads_purge() == 1

    old.refresh_from_db()
    assert old.status == ImportJob.Status.FAILED
    assert not job_file(old).exists()
    assert "24" in old.error_message and "Загрузите" in old.error_message  # user's language
    assert job_file(fresh).exists() and job_file(started).exists()
    assert ImportJob.objects.get(pk=fresh.pk).status == ImportJob.Status.MAPPING
    assert AuditEvent.objects.filter(action="import.purge", object_id=old.pk).count() == 1
    # Running again finds nothing more to do.
    assert abandoned_uploads_purge() == 0
