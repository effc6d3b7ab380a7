"""Keyset (cursor) pagination: stable under inserts, constant cost at any depth."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Generic, TypeVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import DateTimeField, F, Field, Model, Q, QuerySet
from django.utils.translation import gettext as _

from klient.core.errors import ValidationFailed
from klient.core.params import MAX_ID

M = TypeVar("M", bound=Model)


@dataclass
class Page(Generic[M]):
    items: list[M]
    next_cursor: str | None


def cursor_encode(*parts: object) -> str:
    raw = "|".join(
        value.isoformat() if isinstance(value, datetime) else str(value) for value in parts
    )
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def cursor_decode(cursor: str, count: int) -> list[str]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        parts = base64.urlsafe_b64decode(padded.encode()).decode().split("|")
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise ValidationFailed(
            _("Invalid cursor."), fields={"cursor": _("Invalid cursor.")}
        ) from exc
    if len(parts) != count:
        raise ValidationFailed(_("Invalid cursor."), fields={"cursor": _("Invalid cursor.")})
    return parts


def paginate_desc(rows: QuerySet[M], *, field: str, cursor: str | None, limit: int) -> Page[M]:
    """Newest first by (field, id); the cursor carries the last row's pair."""
    limit = max(1, min(limit, 200))
    rows = rows.order_by(f"-{field}", "-id")
    if cursor:
        value, last_id = cursor_decode(cursor, 2)
        try:
            parsed: object = (
                datetime.fromisoformat(value) if "T" in value or ":" in value else value
            )
            last_pk = int(last_id)
            # A value the field cannot hold (a forged cursor) fails here, as Django
            # prepares the lookup, not later in the database.
            rows = rows.filter(
                Q(**{f"{field}__lt": parsed}) | Q(**{field: parsed, "id__lt": last_pk})
            )
        except (ValueError, DjangoValidationError) as exc:
            raise ValidationFailed(
                _("Invalid cursor."), fields={"cursor": _("Invalid cursor.")}
            ) from exc
    items = list(rows[: limit + 1])
    next_cursor = None
    if len(items) > limit:
        items = items[:limit]
        last = items[-1]
        next_cursor = cursor_encode(getattr(last, field), last.pk)
    return Page(items=items, next_cursor=next_cursor)


def paginate_id_desc(
    rows: QuerySet[M], *, cursor: str | None, limit: int, field: str = "id"
) -> Page[M]:
    """Newest first by id alone. `field` names a column equal to the id that the database
    can walk in order instead, such as a search index's rowid (`search_row`)."""
    limit = max(1, min(limit, 200))
    rows = rows.order_by(f"-{field}")
    if cursor:
        (last_id,) = cursor_decode(cursor, 1)
        try:
            rows = rows.filter(**{f"{field}__lt": int(last_id)})
        except ValueError as exc:
            raise ValidationFailed(
                _("Invalid cursor."), fields={"cursor": _("Invalid cursor.")}
            ) from exc
    items = list(rows[: limit + 1])
    next_cursor = cursor_encode(items[limit - 1].pk) if len(items) > limit else None
    return Page(items=items[:limit], next_cursor=next_cursor)


def paginate_nulls_last(
    rows: QuerySet[M], *, field: str, cursor: str | None, limit: int, descending: bool = False
) -> Page[M]:
    """By (field, id), earliest first (latest first with `descending`), and the rows
    without a value after all the others, by id: tasks by due time, soonest first and the
    undated last. The cursor carries the last row's pair, with an empty value for a row
    without one."""
    limit = max(1, min(limit, 200))
    ordered = F(field).desc(nulls_last=True) if descending else F(field).asc(nulls_last=True)
    rows = rows.order_by(ordered, "-id" if descending else "id")
    if cursor:
        value, last_id = cursor_decode(cursor, 2)
        try:
            last_pk = int(last_id)
            if not 0 <= last_pk <= MAX_ID:  # past a bigint: the database would overflow
                raise ValueError(last_id)
            after_id = Q(id__lt=last_pk) if descending else Q(id__gt=last_pk)
            empty = Q(**{f"{field}__isnull": True})
            if value == "":
                rows = rows.filter(empty & after_id)
            else:
                column = rows.model._meta.get_field(field)
                parsed: object
                if isinstance(column, DateTimeField):
                    moment = datetime.fromisoformat(value)
                    if moment.tzinfo is None:  # ours always carry their offset
                        raise ValueError(value)
                    parsed = moment.astimezone(UTC)  # past the year 9999: OverflowError
                elif isinstance(column, Field):
                    parsed = column.to_python(value)
                else:  # a relation: not a column to page by
                    raise ValueError(field)
                beyond = Q(**{f"{field}__{'lt' if descending else 'gt'}": parsed})
                rows = rows.filter(beyond | (Q(**{field: parsed}) & after_id) | empty)
        except (ValueError, OverflowError, DjangoValidationError) as exc:
            raise ValidationFailed(
                _("Invalid cursor."), fields={"cursor": _("Invalid cursor.")}
            ) from exc
    items = list(rows[: limit + 1])
    next_cursor = None
    if len(items) > limit:
        items = items[:limit]
        last = items[-1]
        last_value = getattr(last, field)
        next_cursor = cursor_encode("" if last_value is None else last_value, last.pk)
    return Page(items=items, next_cursor=next_cursor)
