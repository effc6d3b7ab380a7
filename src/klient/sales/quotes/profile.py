"""The company's details printed on its quotes (`SalesCompanyProfile`, one per
workspace), and its logo: administrators only (`workspace.manage`).

The logo is a PNG or JPEG of at most 2 MB, stored under `settings.KLIENT_FILES_DIR` at
`sales/logos/<workspace id>/<random hex>.<png|jpg>` (`klient backup` copies that folder);
a replaced logo's file is removed when the change commits.
"""

from __future__ import annotations

import io
import re
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from klient.core.capabilities import require
from klient.core.errors import ValidationFailed
from klient.core.models import User
from klient.core.services import actor_workspace_id, audit_record
from klient.sales.quote_models import SalesCompanyProfile

PROFILE_FIELDS = {
    "legal_name": 255,
    "tax_id": 64,
    "address": 1000,
    "phone": 40,
    "email": 254,
    "website": 255,
    "bank_details": 2000,
    "quote_terms": 5000,
    "quote_prefix": 12,
}
MULTILINE = frozenset({"address", "bank_details", "quote_terms"})
PREFIX_PATTERN = re.compile(r"[^\W_][\w.-]{0,11}")
LOGO_MAX_BYTES = 2 * 1024 * 1024
LOGO_MAX_SIDE = 4000
LOGO_FORMATS = {"PNG": "png", "JPEG": "jpg"}


def logo_file(profile: SalesCompanyProfile) -> Path | None:
    """The logo's file, if the profile has one and it is on disk."""
    if not profile.logo_path:
        return None
    path = Path(settings.KLIENT_FILES_DIR) / profile.logo_path
    return path if path.is_file() else None


def _locked_profile(workspace_id: int) -> SalesCompanyProfile:
    profile, _created = SalesCompanyProfile.objects.select_for_update().get_or_create(
        workspace_id=workspace_id
    )
    return profile


@transaction.atomic
def company_profile_update(*, actor: User, data: Mapping[str, Any]) -> SalesCompanyProfile:
    """Change the company's details; every error at once, nothing saved when any."""
    require(actor, "workspace.manage")
    workspace_id = actor_workspace_id(actor)
    unknown = set(data) - {*PROFILE_FIELDS, "quote_valid_days"}
    if unknown:
        raise ValidationFailed(fields={key: _("Unknown field.") for key in sorted(unknown)})
    errors: dict[str, Any] = {}
    values: dict[str, Any] = {}
    for field, limit in PROFILE_FIELDS.items():
        if field not in data:
            continue
        raw = str(data[field] or "")
        text = (
            "\n".join(line.rstrip() for line in raw.strip().splitlines())
            if field in MULTILINE
            else " ".join(raw.split())
        )
        if len(text) > limit:
            errors[field] = _("At most %(count)s characters.") % {"count": limit}
        values[field] = text
    prefix = values.get("quote_prefix")
    if prefix and not PREFIX_PATTERN.fullmatch(prefix):
        errors["quote_prefix"] = _(
            "Up to 12 letters or digits (a dot or a hyphen inside), with no spaces."
        )
    if "quote_valid_days" in data:
        days = data["quote_valid_days"]
        if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 365:
            errors["quote_valid_days"] = _("A whole number of days from 1 to 365.")
        values["quote_valid_days"] = days
    if errors:
        raise ValidationFailed(fields=errors)
    profile = _locked_profile(workspace_id)
    changes: dict[str, tuple[Any, Any]] = {}
    for field, value in values.items():
        before = getattr(profile, field)
        if before != value:
            setattr(profile, field, value)
            changes[field] = (before, value)
    if changes:
        profile.save(update_fields=[*changes, "updated_at"])
        audit_record(
            workspace=workspace_id,
            actor=actor,
            action="company_profile.update",
            instance=profile,
            changes=changes,
        )
    return profile


def _logo_check(content: bytes) -> str:
    """The file's extension (png, jpg) if it is a PNG or JPEG image Klient can print."""
    if not content:
        raise ValidationFailed(fields={"logo": _("The file is empty.")})
    if len(content) > LOGO_MAX_BYTES:
        raise ValidationFailed(fields={"logo": _("The logo is larger than 2 MB.")})
    try:
        with Image.open(io.BytesIO(content)) as image:
            kind = image.format or ""
            width, height = image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        kind = ""
    if kind not in LOGO_FORMATS:
        raise ValidationFailed(fields={"logo": _("The logo must be a PNG or JPEG image.")})
    if max(width, height) > LOGO_MAX_SIDE:
        raise ValidationFailed(fields={"logo": _("The logo is at most 4000 pixels on each side.")})
    return LOGO_FORMATS[kind]


def _old_file_remove(path: str) -> None:
    if path:
        transaction.on_commit(
            lambda: (Path(settings.KLIENT_FILES_DIR) / path).unlink(missing_ok=True)
        )


@transaction.atomic
def company_logo_set(*, actor: User, content: bytes) -> SalesCompanyProfile:
    """Store a new logo (the type read from the bytes, never from a name)."""
    require(actor, "workspace.manage")
    workspace_id = actor_workspace_id(actor)
    extension = _logo_check(content)
    relative = f"sales/logos/{workspace_id}/{secrets.token_hex(20)}.{extension}"
    path = Path(settings.KLIENT_FILES_DIR) / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    try:
        profile = _locked_profile(workspace_id)
        old = profile.logo_path
        profile.logo_path = relative
        profile.save(update_fields=["logo_path", "updated_at"])
        audit_record(
            workspace=workspace_id,
            actor=actor,
            action="company_profile.logo",
            instance=profile,
            changes={"logo": (bool(old), True)},
        )
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    _old_file_remove(old)
    return profile


@transaction.atomic
def company_logo_clear(*, actor: User) -> SalesCompanyProfile:
    require(actor, "workspace.manage")
    workspace_id = actor_workspace_id(actor)
    profile = _locked_profile(workspace_id)
    old = profile.logo_path
    if old:
        profile.logo_path = ""
        profile.save(update_fields=["logo_path", "updated_at"])
        audit_record(
            workspace=workspace_id,
            actor=actor,
            action="company_profile.logo",
            instance=profile,
            changes={"logo": (True, False)},
        )
        _old_file_remove(old)
    return profile
