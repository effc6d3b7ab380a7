"""What every batch writer needs to know about the import it serves."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from klient.contacts.models import Organization, Person
from klient.core.models import User
from klient.core.selectors import visibility_q

VISIBLE_CHUNK = 500


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

    def visible_ids(self, model: type[Person | Organization], ids: Iterable[int]) -> set[int]:
        """The ids among `ids` of records the importing user may see. A file names its
        targets by email, phone or name, never by id, so a record the user cannot see is
        simply not a match: the row reads as it would if that record did not exist."""
        wanted = list(dict.fromkeys(ids))
        if self.user.sees_all:
            return set(wanted)
        found: set[int] = set()
        for start in range(0, len(wanted), VISIBLE_CHUNK):
            chunk = wanted[start : start + VISIBLE_CHUNK]
            found.update(
                model.objects.filter(pk__in=chunk)
                .filter(visibility_q(self.user))
                .values_list("pk", flat=True)
            )
        return found

    def seen(self, key: str) -> bool:
        return self.dry_run and (
            hashlib.blake2b(key.encode(), digest_size=8).digest() in self._seen
        )
