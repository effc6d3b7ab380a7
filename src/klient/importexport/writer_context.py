"""What every batch writer needs to know about the import it serves."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from klient.core.models import User


@dataclass
class WriteContext:
    workspace_id: int
    user: User
    team_id: int | None
    job_id: int
    dedupe: str
    dry_run: bool
    now: datetime
    # A dry run writes nothing, so duplicates across batches are found here instead:
    # 8-byte digests of the keys seen so far (about 70 bytes each in a set).
    _seen: set[bytes] = field(default_factory=set)

    def remember(self, key: str) -> None:
        if self.dry_run:
            self._seen.add(hashlib.blake2b(key.encode(), digest_size=8).digest())

    def seen(self, key: str) -> bool:
        return self.dry_run and (
            hashlib.blake2b(key.encode(), digest_size=8).digest() in self._seen
        )
