"""The demo data attaches a contract PDF and notes to a few clients and a price list to a
few organizations, each file on disk as its row says."""

from __future__ import annotations

import hashlib
from collections import Counter

from klient.attachments.models import Attachment
from klient.core.demo_data import demo_load


def test_demo_clients_have_files(db, files_dir):
    demo_load(organizations=4, people=8, interactions=10, admin_password="demo-Passw0rd-1")

    rows = list(Attachment.objects.all())
    assert Counter((row.subject_kind, row.content_type) for row in rows) == {
        ("contacts.person", "application/pdf"): 6,
        ("contacts.person", "text/plain"): 3,
        ("contacts.organization", "text/csv"): 3,
    }
    for row in rows:
        content = (files_dir / row.storage_name).read_bytes()
        assert hashlib.sha256(content).hexdigest() == row.sha256
        assert len(content) == row.size
