"""What each role may do: one map, checked in services, so pages and the API agree.

A capability is a named action (`contacts.merge`, later `deal.move`) with the roles that
hold it. Apps register theirs from `plug.py`; services call `require(actor, "...")`
before they write, and pages ask `can(user, "...")` (the `can` template filter) only to
hide what would be refused anyway. Which *records* a user may touch is the other half,
the visibility rule of each record kind (`core.registry.RecordKind.visibility`).

The map is the same in every workspace; /settings/roles/ shows it to administrators.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from klient.core.errors import PermissionDenied
from klient.core.registry import Label, Registry

if TYPE_CHECKING:
    from klient.core.models import User

ADMIN, MANAGER, AGENT, ANALYST = "admin", "manager", "agent", "analyst"
ROLES = (ADMIN, MANAGER, AGENT, ANALYST)
WRITERS = frozenset({ADMIN, MANAGER, AGENT})
LEADS = frozenset({ADMIN, MANAGER})
ADMINS = frozenset({ADMIN})


@dataclass(frozen=True)
class Capability:
    key: str
    label: Label
    roles: frozenset[str]
    order: int = 100

    def __post_init__(self) -> None:
        unknown = self.roles - set(ROLES)
        if unknown:
            raise ValueError(f"capability {self.key!r}: unknown roles {sorted(unknown)}")


capabilities: Registry[Capability] = Registry("capabilities")


def can(user: User, key: str) -> bool:
    """Whether an active user of a workspace holds the capability. An unregistered key is
    a programming error, not a refusal: it raises KeyError."""
    capability = capabilities.get(key)
    return bool(user.is_active and user.workspace_id and user.role in capability.roles)


def require(user: User, key: str) -> None:
    """Refuse (PermissionDenied: 403 in the API, a message in the UI) unless `can`."""
    if can(user, key):
        return
    if capabilities.get(key).roles <= ADMINS:
        raise PermissionDenied(_("Only administrators can do this."))
    if user.role == ANALYST:
        raise PermissionDenied(_("Your role can only read."))
    raise PermissionDenied(_("Your role cannot do this."))


def capability_map() -> list[tuple[Capability, dict[str, bool]]]:
    """Each capability with, per role, whether it holds it (the settings page's table)."""
    return [(item, {role: role in item.roles for role in ROLES}) for item in capabilities]


def core_capabilities_register() -> None:
    for capability in (
        Capability("records.write", gettext_lazy("Create and change records"), WRITERS, 10),
        Capability(
            "workspace.manage", gettext_lazy("Manage users, teams and settings"), ADMINS, 900
        ),
        Capability("audit.read", gettext_lazy("Read the audit log"), ADMINS, 910),
        Capability("jobs.manage", gettext_lazy("Retry and cancel background jobs"), ADMINS, 920),
    ):
        capabilities.register(capability)
