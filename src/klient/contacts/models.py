"""The client dossier: organizations, people, their links, channels, consent, tags, lists."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from klient.core.models import Team, Workspace


class LifecycleStage(models.TextChoices):
    SUBSCRIBER = "subscriber", _("Subscriber")
    LEAD = "lead", _("Lead")
    PROSPECT = "prospect", _("Prospect")
    CUSTOMER = "customer", _("Customer")
    PARTNER = "partner", _("Partner")
    CHURNED = "churned", _("Churned")


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")
    SMS = "sms", _("SMS")
    MESSENGER = "messenger", _("Messenger")
    PORTAL = "portal", _("Portal")
    MEETING = "meeting", _("In person")


class Tag(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)
    name = models.CharField(_("name"), max_length=60)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="tag_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class OwnedRecord(models.Model):
    """Fields every client record shares: workspace, owner, team, lifecycle, segment, search."""

    # No index of its own: every (workspace, ...) index of the concrete models leads with
    # it, and each extra index costs every import row a B-tree insert.
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, db_index=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("team"),
    )
    lifecycle_stage = models.CharField(
        _("lifecycle stage"),
        max_length=16,
        choices=LifecycleStage.choices,
        default=LifecycleStage.LEAD,
    )
    segment = models.CharField(_("segment"), max_length=60, blank=True, default="")
    # Lower-cased names, emails and phone digits; indexed by FTS5 trigram / pg_trgm.
    search_text = models.TextField(blank=True, default="", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Organization(OwnedRecord):
    name = models.CharField(_("name"), max_length=255)
    legal_name = models.CharField(_("legal name"), max_length=255, blank=True, default="")
    tax_id = models.CharField(_("tax id"), max_length=32, blank=True, default="")
    website = models.CharField(_("website"), max_length=255, blank=True, default="")
    industry = models.CharField(_("industry"), max_length=120, blank=True, default="")
    email = models.CharField(_("email"), max_length=254, blank=True, default="")
    phone = models.CharField(_("phone"), max_length=20, blank=True, default="")
    address = models.TextField(_("address"), blank=True, default="")
    tags = models.ManyToManyField(Tag, blank=True, related_name="organizations")

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "name"], name="org_ws_name_idx"),
            models.Index(fields=["workspace", "tax_id"], name="org_ws_taxid_idx"),
            # The list's order, id included: without it a page sorts every organization.
            models.Index(fields=["workspace", "-updated_at", "-id"], name="org_ws_updated_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class Person(OwnedRecord):
    first_name = models.CharField(_("first name"), max_length=120, blank=True, default="")
    last_name = models.CharField(_("last name"), max_length=120, blank=True, default="")
    middle_name = models.CharField(_("middle name"), max_length=120, blank=True, default="")
    full_name = models.CharField(_("full name"), max_length=400, editable=False)
    title = models.CharField(_("job title"), max_length=200, blank=True, default="")
    preferred_channel = models.CharField(
        _("preferred channel"), max_length=16, choices=Channel.choices, blank=True, default=""
    )
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, blank=True, default=""
    )
    primary_email = models.CharField(max_length=254, blank=True, default="", editable=False)
    primary_phone = models.CharField(max_length=20, blank=True, default="", editable=False)
    tags = models.ManyToManyField(Tag, blank=True, related_name="people")
    organizations = models.ManyToManyField(
        Organization, through="Affiliation", related_name="people", blank=True
    )
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )

    class Meta:
        indexes = [
            # Partial: only merged rows (a handful) are in it, so inserts never touch it.
            models.Index(
                fields=["merged_into"],
                name="person_merged_into_idx",
                condition=models.Q(merged_into__isnull=False),
            ),
            # The list sorted by name; the id last, so a page never sorts a run of namesakes.
            models.Index(
                fields=["workspace", "last_name", "first_name", "id"],
                name="person_ws_name_id_idx",
            ),
            # The list sorted by when people were added.
            models.Index(fields=["workspace", "created_at", "id"], name="person_ws_created_id_idx"),
            # The list's order, id included: people written in one batch (an import) share
            # updated_at, and without the id the first page sorts the whole batch.
            models.Index(
                fields=["workspace", "-updated_at", "-id"], name="person_ws_updated_id_idx"
            ),
            # The owner filter ("my clients") in the list's order; alone, the owner's own
            # index makes SQLite sort all of that owner's people for a page.
            models.Index(
                fields=["workspace", "owner", "-updated_at", "-id"],
                name="person_ws_owner_updated_idx",
            ),
            # The segment filter's menu walks it one segment at a time (segment_names).
            models.Index(fields=["workspace", "segment"], name="person_ws_segment_idx"),
        ]

    def __str__(self) -> str:
        return self.full_name


class Affiliation(models.Model):
    """A person's place in an organization: B2B accounts have many stakeholders."""

    class Role(models.TextChoices):
        DECISION_MAKER = "decision_maker", _("Decision maker")
        PROCUREMENT = "procurement", _("Procurement")
        FINANCE = "finance", _("Finance")
        TECHNICAL = "technical", _("Technical")
        END_USER = "end_user", _("End user")
        OTHER = "other", _("Other")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="affiliations")
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="affiliations"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.OTHER)
    job_title = models.CharField(_("job title"), max_length=200, blank=True, default="")
    is_primary = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "organization"], name="affiliation_unique")
        ]


class EmailAddress(models.Model):
    # Both foreign keys are covered by the leading columns of the index and the unique
    # constraint below; separate indexes would only slow every insert.
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, db_index=False)
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="emails", db_index=False
    )
    email = models.CharField(_("email"), max_length=254)
    kind = models.CharField(max_length=16, blank=True, default="work")
    is_primary = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["workspace", "email"], name="email_ws_email_idx")]
        constraints = [
            models.UniqueConstraint(fields=["person", "email"], name="email_unique_per_person")
        ]


class PhoneNumber(models.Model):
    # Covered like EmailAddress's: see there.
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, db_index=False)
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="phones", db_index=False
    )
    number = models.CharField(_("phone (E.164)"), max_length=20)
    kind = models.CharField(max_length=16, blank=True, default="mobile")
    is_primary = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["workspace", "number"], name="phone_ws_number_idx")]
        constraints = [
            models.UniqueConstraint(fields=["person", "number"], name="phone_unique_per_person")
        ]


class Consent(models.Model):
    """Permission to contact a person for a purpose over a channel; withdrawal keeps the row."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=60)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    source = models.CharField(_("source"), max_length=120, blank=True, default="")
    granted_at = models.DateTimeField(_("granted at"))
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None


class SavedList(models.Model):
    """A static list (fixed members) or a dynamic segment (a saved filter that stays current).

    Shared as its owner chooses (docs/adr/0006-saved-list-sharing.md): private, with the
    owner's team, or with the workspace.
    """

    class Kind(models.TextChoices):
        STATIC = "static", _("List")
        DYNAMIC = "dynamic", _("Segment")

    class Visibility(models.TextChoices):
        PRIVATE = "private", _("Only me")
        TEAM = "team", _("My team")
        WORKSPACE = "workspace", _("Everyone in the company")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True)
    visibility = models.CharField(
        _("shared with"), max_length=10, choices=Visibility.choices, default=Visibility.PRIVATE
    )
    # The team a "team" list is shared with: the owner's team when it was shared.
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.STATIC)
    filters = models.JSONField(default=dict, blank=True)
    members = models.ManyToManyField(Person, blank=True, related_name="saved_lists")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(visibility__in=["private", "team", "workspace"]),
                name="saved_list_known_visibility",
            ),
        ]

    def __str__(self) -> str:
        return self.name


# --- the SQLite search index, as the ORM sees it ---------------------------------------------


class SearchIndexText(models.TextField):  # type: ignore[type-arg]
    """The text column of the FTS5 trigram index; queried with `__match`."""


@SearchIndexText.register_lookup
class FtsMatch(models.Lookup):
    """`search_text__match="..."`: an FTS5 MATCH expression (SQLite only)."""

    lookup_name = "match"

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} MATCH {rhs}", (*lhs_params, *rhs_params)


class PersonSearchRow(models.Model):
    """A person's row in the SQLite FTS5 table that search_index.py creates and keeps.

    Unmanaged and SQLite only (PostgreSQL searches with pg_trgm on the person table):
    it exists so the ORM can JOIN the index by rowid. A join lets SQLite stream the first
    20 matches and stop; `id IN (SELECT rowid ...)` first collects every match (tens of
    thousands for a common name fragment on 1M people).
    """

    person = models.OneToOneField(
        Person,
        primary_key=True,
        db_column="rowid",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="search_row",
    )
    search_text = SearchIndexText()

    class Meta:
        managed = False
        db_table = "contacts_person_fts"


class OrganizationSearchRow(models.Model):
    """An organization's row in the SQLite FTS5 index; see PersonSearchRow."""

    organization = models.OneToOneField(
        Organization,
        primary_key=True,
        db_column="rowid",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="search_row",
    )
    search_text = SearchIndexText()

    class Meta:
        managed = False
        db_table = "contacts_organization_fts"


class ListPreference(models.Model):
    """How a user likes a list of records shown: the columns they chose, in the
    registry's order (klient.contacts.list_registry). One row per user and list."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="list_preferences"
    )
    list_key = models.CharField(max_length=40)
    columns = models.JSONField(default=list)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "list_key"], name="list_preference_unique")
        ]
