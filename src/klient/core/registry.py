"""The platform's extension points: what a domain app registers from its `plug.py`.

The client card, the client-360 API, the navigation, global search, the home page, merge
and erasure and the demo data are composed from these registries, so adding an app
never means editing `contacts` or `activities`, and `core` imports no domain app. Each
app's `AppConfig.ready()` imports its `plug` module, which calls `register(...)` on the
registries below; Django loads apps in INSTALLED_APPS order, which follows the app
graph, so an app may rely on what the apps below it registered.

Callables receive ids and the acting user, never request objects, so the API, the web
pages and jobs share them. See CONTRIBUTING.md for how a new app plugs in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

from django.utils.functional import Promise

if TYPE_CHECKING:
    from django.db.models import Model, Q

    from klient.core.models import User

Label = str | Promise


class _Keyed(Protocol):
    @property
    def key(self) -> str: ...

    @property
    def order(self) -> int: ...


T = TypeVar("T", bound=_Keyed)


class Registry(Generic[T]):
    """Entries keyed by a unique name, read in their `order` (then key)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._entries: dict[str, T] = {}

    def register(self, entry: T) -> T:
        if entry.key in self._entries:
            raise RuntimeError(f"{self.name}: {entry.key!r} is registered twice")
        self._entries[entry.key] = entry
        return entry

    def unregister(self, key: str) -> None:
        """For tests that plug in a temporary entry."""
        self._entries.pop(key, None)

    def get(self, key: str) -> T:
        return self._entries[key]

    def __contains__(self, key: object) -> bool:
        return key in self._entries

    def __iter__(self) -> Iterator[T]:
        return iter(sorted(self._entries.values(), key=lambda entry: (entry.order, entry.key)))

    def __len__(self) -> int:
        return len(self._entries)


# Navigation -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class NavItem:
    """A link in the main navigation. `section` is what a page sets to mark it current;
    `url` may pick the address per user (e.g. readers go to export, writers to import)."""

    key: str
    label: Label
    url: Callable[[User], str]
    icon: str
    section: str
    order: int = 100
    roles: frozenset[str] | None = None  # None: every role

    def visible_to(self, user: User) -> bool:
        return self.roles is None or user.role in self.roles


nav_items: Registry[NavItem] = Registry("nav items")


# Record kinds: the describer and the subject resolver ------------------------------------------


@dataclass(frozen=True)
class RecordRef:
    """How any record is named and reached: the audit log, notifications, mentions and
    search results show records through this."""

    kind: str
    id: int
    name: str
    url: str


@dataclass(frozen=True)
class RecordKind:
    """A kind of record other apps may point at (`contacts.person`, later `sales.deal`).

    - `describe(ids)` names many records at once (one query), whatever the viewer;
      callers only pass ids the viewer may see, or show the name only to admins.
    - `resolve(user, id)` returns the record if the user may see it, else raises NotFound:
      the one visibility rule for that kind, used by every timeline, task list and link.
    - `visible_ids(user, ids)` filters many ids at once, for lists of mixed records.
    - `visibility(user, path)` is the same rule as a `Q` over a relation reaching the
      record (`path` is "" for the record's own table, "person__" through a foreign key
      named `person`): other apps' lists join through it, and the timeline uses it to
      show an entry only to who may see the entry's owning subject. `Q()` means all.
    """

    key: str
    label: Label
    model: type[Model]
    describe: Callable[[Sequence[int]], dict[int, RecordRef]]
    resolve: Callable[[User, int], Model]
    visible_ids: Callable[[User, Sequence[int]], set[int]]
    visibility: Callable[[User, str], Q]
    order: int = 100


record_kinds: Registry[RecordKind] = Registry("record kinds")


def record_kind_for(model: type[Model] | Model) -> RecordKind:
    """The registered kind of a model class or instance (by its `app_label.model_name`)."""
    return record_kinds.get(model._meta.label_lower)


def records_describe(refs: Sequence[tuple[str, int]]) -> dict[tuple[str, int], RecordRef]:
    """Names and URLs of mixed records, one query per kind; unknown kinds are left out."""
    by_kind: dict[str, list[int]] = {}
    for kind, record_id in refs:
        by_kind.setdefault(kind, []).append(record_id)
    described: dict[tuple[str, int], RecordRef] = {}
    for kind, ids in by_kind.items():
        if kind not in record_kinds:
            continue
        for record_id, ref in record_kinds.get(kind).describe(ids).items():
            described[(kind, record_id)] = ref
    return described


# The client card and the client-360 API ---------------------------------------------------------


@dataclass(frozen=True)
class CardPanel:
    """A panel on the card of a person or an organization.

    `context(user, record)` returns the template's context, or None to leave the panel
    out (nothing to show, or the user's role may not see it). Keep it to a fixed number
    of queries: the card's query count is tested not to grow with the data.
    """

    key: str
    subject: str  # a record kind key: "contacts.person" or "contacts.organization"
    template: str
    context: Callable[[User, Any], dict[str, Any] | None]
    order: int = 100
    column: str = "side"  # "main" (under the header, beside the timeline) or "side"


card_panels: Registry[CardPanel] = Registry("card panels")


def card_panels_for(*, user: User, subject: str, record: Any) -> list[dict[str, Any]]:
    """The panels of one card, each as {"template", "column", "key", **context}."""
    shown = []
    for panel in card_panels:
        if panel.subject != subject:
            continue
        context = panel.context(user, record)
        if context is not None:
            shown.append(
                {"key": panel.key, "template": panel.template, "column": panel.column, **context}
            )
    return shown


@dataclass(frozen=True)
class Client360Section:
    """A key of the client-360 answer for a person: `rows(user, person_id, limit)`."""

    key: str
    rows: Callable[[User, int, int], Any]
    order: int = 100


client_360_sections: Registry[Client360Section] = Registry("client-360 sections")


# Home page ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class HomeWidget:
    """A block on the home page ("my day"); `context(user)` or None to leave it out."""

    key: str
    template: str
    context: Callable[[User], dict[str, Any] | None]
    order: int = 100
    roles: frozenset[str] | None = None


home_widgets: Registry[HomeWidget] = Registry("home widgets")


# Search -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchHit:
    kind: str
    id: int
    name: str
    url: str
    detail: str = ""


@dataclass(frozen=True)
class SearchSource:
    """A kind of record global search looks in: `search(user, query, limit)` returns the
    hits the user may see. Sources normalise the query with `contacts.normalize` rules
    (case, ё/е, phone digits) by building on the search selectors of the app below."""

    key: str
    label: Label
    search: Callable[[User, str, int], list[SearchHit]]
    order: int = 100


search_sources: Registry[SearchSource] = Registry("search sources")


# Pickers ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PickerSource:
    """Records of one kind a form field chooses by type-ahead: the `PickerField` of
    `klient.core.pickers` and `GET /pick/<key>/?q=`. The key is the record kind
    ("contacts.organization", later "sales.deal"); build on the search selectors of
    `contacts` so case, ё/е and phone digits fold the same way.

    - `search(user, query, limit)`: at most `limit` records the user may see, best match
      first; an empty query lists the first by name (the plain select a browser without
      scripts shows). An index walk that stops early: never a scan, never a count.
    - `named(user, ids)`: those of `ids` the user may see, to show a chosen value.
    """

    key: str
    label: Label
    search: Callable[[User, str, int], list[SearchHit]]
    named: Callable[[User, Sequence[int]], list[SearchHit]]
    order: int = 100


picker_sources: Registry[PickerSource] = Registry("picker sources")


# Delete and erasure of a person or an organization ------------------------------------------


@dataclass(frozen=True)
class PersonalDataSection:
    """What one app holds about a client, for the personal-data export (the client's copy).

    `rows` are plain dicts (str, int, float, bool, None, ISO dates, lists and dicts of
    those), written to the archive's data.json as they are; `files` are (name in the
    archive, absolute path) pairs and `contents` (name in the archive, bytes) for what
    lives in the database; names are relative ("invoice-12.pdf", "call-3/notes.txt").
    """

    label: Label
    rows: list[dict[str, Any]]
    files: Sequence[tuple[str, str]] = ()
    contents: Sequence[tuple[str, bytes]] = ()


@dataclass(frozen=True)
class ClientRecordsHandler:
    """What an app holds about a person or an organization, for delete and erasure.

    - `count(subject, id)`: how many of the app's records point at the client
      (`subject` is "contacts.person" or "contacts.organization"). When `protects` is set
      (business records: deals, requests, orders), a delete is refused while the count
      is above zero: such records are never silently cascaded. The timeline's history
      is not protected: it goes with the client, as it always has.
    - `erase(subject, id)`: remove or pseudonymise the personal data those records carry
      (`core.personal_data.personal_data_erase` runs every handler's in one transaction;
      the records themselves stay when they are business records).
    - `export(subject, id)`: everything the app holds about the client, whoever may see
      it, as a `PersonalDataSection` (None: nothing held), for the client's copy
      (`core.personal_data.personal_data_export`; docs/personal-data.md).

    A merge moves records through the `person.merged` event (docs/events.md), in the
    merge's transaction.
    """

    key: str
    label: Label
    count: Callable[[str, int], int]
    erase: Callable[[str, int], None] | None = None
    protects: bool = False
    order: int = 100
    export: Callable[[str, int], PersonalDataSection | None] | None = None


client_records: Registry[ClientRecordsHandler] = Registry("client records handlers")


def client_records_blocking(*, subject: str, record_id: int) -> list[tuple[Label, int]]:
    """The protected records that keep a client from being deleted, as (label, count)."""
    blocking = []
    for handler in client_records:
        if handler.protects and (count := handler.count(subject, record_id)):
            blocking.append((handler.label, count))
    return blocking


# Demo data ----------------------------------------------------------------------------------


@dataclass
class DemoContext:
    """Shared between demo steps: the workspace, its staff, a seeded random source, the
    sizes asked for, and what earlier steps made (e.g. `made["contacts.people"]`), so
    later apps build on the same clients. `sees(user, record)` tells whether a colleague
    may see a client (the visibility rule, in memory), so each record gets a writer who
    could have written it in the UI."""

    workspace: Any
    writers: list[Any]
    rng: Any
    now: Any
    sees: Callable[[Any, Any], bool]
    sizes: dict[str, int] = field(default_factory=dict)
    made: dict[str, Any] = field(default_factory=dict)
    progress: Callable[[str], None] = lambda message: None


@dataclass(frozen=True)
class DemoStep:
    """Demo data of one app; steps run in `order` (apps lower in the graph first)."""

    key: str
    run: Callable[[DemoContext], None]
    order: int = 100


demo_steps: Registry[DemoStep] = Registry("demo steps")


# Portal sections (the service desk's customer portal shows what other apps register) ------


@dataclass(frozen=True)
class PortalSection:
    key: str
    label: Label
    template: str
    context: Callable[[Any], dict[str, Any] | None]  # given the portal client (a person)
    order: int = 100


portal_sections: Registry[PortalSection] = Registry("portal sections")
