"""Numbers people read aloud: `REQ-2026-000123`, `КП-2026-00042` (docs/numbering.md).

An app registers its sequence from its `plug.py`:

    number_sequences.register(SequenceSpec(key="service.request", prefix="REQ", width=6))

and its service takes a number in the transaction that stores the record:

    request.number = number_next(workspace_id=ws_id, key="service.request", at=now)

A sequence counts per workspace, per key and (unless `per_year=False`) per year, the year
read in the workspace's time zone. A number is given out only if the transaction that
took it commits: a rolled-back write hands the same number to the next record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.utils import timezone

from klient.core.errors import UnknownSequence
from klient.core.models import NumberSequence
from klient.core.registry import Registry


@dataclass(frozen=True)
class SequenceSpec:
    """How one kind of record is numbered: `PREFIX-YEAR-000042` with `width` digits
    (more when the count outgrows them), or `PREFIX-000042` when not `per_year`."""

    key: str
    prefix: str
    width: int
    per_year: bool = True
    order: int = 100

    def __post_init__(self) -> None:
        if not self.key or len(self.key) > 64:
            raise ValueError(f"sequence key {self.key!r}: 1 to 64 characters")
        if not self.prefix:
            raise ValueError(f"sequence {self.key!r}: a prefix is required")
        if not 1 <= self.width <= 18:
            raise ValueError(f"sequence {self.key!r}: width must be 1 to 18")

    def format(self, *, year: int, value: int) -> str:
        digits = f"{value:0{self.width}d}"
        return f"{self.prefix}-{year}-{digits}" if self.per_year else f"{self.prefix}-{digits}"


number_sequences: Registry[SequenceSpec] = Registry("number sequences")

# The row of a sequence that does not restart each year.
NO_YEAR = 0


def workspace_time_zone(*, workspace_id: int) -> ZoneInfo:
    """The zone a workspace's calendar year turns in. A workspace has no zone of its own
    yet (business calendars have one per place, and core cannot read them), so this is
    the installation's KLIENT_TIME_ZONE (settings.TIME_ZONE) for every workspace."""
    return ZoneInfo(settings.TIME_ZONE)


def _sequence_next_value(*, workspace_id: int, key: str, year: int) -> int:
    """Add one to the sequence's counter (creating it at 1) and return the new value.

    One statement, `INSERT ... ON CONFLICT DO UPDATE SET value = value + 1 RETURNING value`,
    on both databases:

    - PostgreSQL: the statement locks the sequence's row (or, for a new sequence, waits on
      the unique index for a concurrent insert of the same row) until the caller's
      transaction ends. A second caller waits, then adds one to the value as committed:
      a number is taken only once, and a rolled-back taker's number goes to whoever
      waited. Under SERIALIZABLE isolation the waiter fails with a serialization error
      instead, to be retried like any other.
    - SQLite: a transaction holds the database's one write lock from its first write to
      its end, so no other transaction can take a number in between; Klient's
      connections begin transactions IMMEDIATE (settings.py), taking that lock at BEGIN,
      so a second taker waits its turn (busy_timeout) rather than failing with
      "database is locked" when its read would have to turn into a write.
    """
    table = connection.ops.quote_name(NumberSequence._meta.db_table)
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {table} ({quote('workspace_id')}, {quote('key')}, {quote('year')}, "
        f"{quote('value')}) VALUES (%s, %s, %s, 1) "
        f"ON CONFLICT ({quote('workspace_id')}, {quote('key')}, {quote('year')}) "
        f"DO UPDATE SET {quote('value')} = {table}.{quote('value')} + 1 "
        f"RETURNING {quote('value')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [workspace_id, key, year])
        row = cursor.fetchone()
    assert row is not None  # RETURNING always gives the upserted row
    return int(row[0])


def number_next(*, workspace_id: int, key: str, at: datetime) -> str:
    """The next number of the registered sequence `key` for a record made at `at` (an
    aware datetime), e.g. `REQ-2026-000123`.

    Call it inside the transaction that stores the record: the number is the caller's
    only if that transaction commits, and outside one it would be committed at once and
    lost if the record's write then failed, so that is refused. Raises UnknownSequence
    for a key no app registered.
    """
    if key not in number_sequences:
        raise UnknownSequence(key)
    if timezone.is_naive(at):
        raise ValueError("number_next needs an aware datetime: its year depends on the zone")
    if not connection.in_atomic_block:
        raise RuntimeError("number_next must run inside the transaction that stores the number")
    spec = number_sequences.get(key)
    year = at.astimezone(workspace_time_zone(workspace_id=workspace_id)).year
    value = _sequence_next_value(
        workspace_id=workspace_id, key=key, year=year if spec.per_year else NO_YEAR
    )
    return spec.format(year=year, value=value)
