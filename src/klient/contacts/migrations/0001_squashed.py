"""The contacts tables as of the squash of 2026-12-02 (the old migrations are in `replaces`).

A database migrated by an earlier release has applied every replaced migration, so
Django records this one as applied; a new database runs only this one."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import klient.contacts.models
from klient.contacts import search_index


class Migration(migrations.Migration):
    initial = True

    replaces = [
        ("contacts", "0001_initial"),
        ("contacts", "0002_initial"),
        ("contacts", "0003_search_index"),
        ("contacts", "0004_search_index_rows"),
        ("contacts", "0005_lean_indexes"),
    ]

    dependencies = [
        ("core", "0001_squashed"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Organization",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "lifecycle_stage",
                    models.CharField(
                        choices=[
                            ("subscriber", "Subscriber"),
                            ("lead", "Lead"),
                            ("prospect", "Prospect"),
                            ("customer", "Customer"),
                            ("partner", "Partner"),
                            ("churned", "Churned"),
                        ],
                        default="lead",
                        max_length=16,
                        verbose_name="lifecycle stage",
                    ),
                ),
                (
                    "segment",
                    models.CharField(blank=True, default="", max_length=60, verbose_name="segment"),
                ),
                ("search_text", models.TextField(blank=True, default="", editable=False)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                ("name", models.CharField(max_length=255, verbose_name="name")),
                (
                    "legal_name",
                    models.CharField(
                        blank=True, default="", max_length=255, verbose_name="legal name"
                    ),
                ),
                (
                    "tax_id",
                    models.CharField(blank=True, default="", max_length=32, verbose_name="tax id"),
                ),
                (
                    "website",
                    models.CharField(
                        blank=True, default="", max_length=255, verbose_name="website"
                    ),
                ),
                (
                    "industry",
                    models.CharField(
                        blank=True, default="", max_length=120, verbose_name="industry"
                    ),
                ),
                (
                    "email",
                    models.CharField(blank=True, default="", max_length=254, verbose_name="email"),
                ),
                (
                    "phone",
                    models.CharField(blank=True, default="", max_length=20, verbose_name="phone"),
                ),
                ("address", models.TextField(blank=True, default="", verbose_name="address")),
            ],
        ),
        migrations.CreateModel(
            name="Person",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "lifecycle_stage",
                    models.CharField(
                        choices=[
                            ("subscriber", "Subscriber"),
                            ("lead", "Lead"),
                            ("prospect", "Prospect"),
                            ("customer", "Customer"),
                            ("partner", "Partner"),
                            ("churned", "Churned"),
                        ],
                        default="lead",
                        max_length=16,
                        verbose_name="lifecycle stage",
                    ),
                ),
                (
                    "segment",
                    models.CharField(blank=True, default="", max_length=60, verbose_name="segment"),
                ),
                ("search_text", models.TextField(blank=True, default="", editable=False)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "first_name",
                    models.CharField(
                        blank=True, default="", max_length=120, verbose_name="first name"
                    ),
                ),
                (
                    "last_name",
                    models.CharField(
                        blank=True, default="", max_length=120, verbose_name="last name"
                    ),
                ),
                (
                    "middle_name",
                    models.CharField(
                        blank=True, default="", max_length=120, verbose_name="middle name"
                    ),
                ),
                (
                    "full_name",
                    models.CharField(editable=False, max_length=400, verbose_name="full name"),
                ),
                (
                    "title",
                    models.CharField(
                        blank=True, default="", max_length=200, verbose_name="job title"
                    ),
                ),
                (
                    "preferred_channel",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("email", "Email"),
                            ("phone", "Phone"),
                            ("sms", "SMS"),
                            ("messenger", "Messenger"),
                            ("portal", "Portal"),
                            ("meeting", "In person"),
                        ],
                        default="",
                        max_length=16,
                        verbose_name="preferred channel",
                    ),
                ),
                (
                    "preferred_language",
                    models.CharField(
                        blank=True, default="", max_length=8, verbose_name="preferred language"
                    ),
                ),
                (
                    "primary_email",
                    models.CharField(blank=True, default="", editable=False, max_length=254),
                ),
                (
                    "primary_phone",
                    models.CharField(blank=True, default="", editable=False, max_length=20),
                ),
            ],
        ),
        migrations.CreateModel(
            name="Affiliation",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "role",
                    models.CharField(
                        choices=[
                            ("decision_maker", "Decision maker"),
                            ("procurement", "Procurement"),
                            ("finance", "Finance"),
                            ("technical", "Technical"),
                            ("end_user", "End user"),
                            ("other", "Other"),
                        ],
                        default="other",
                        max_length=20,
                        verbose_name="role",
                    ),
                ),
                (
                    "job_title",
                    models.CharField(
                        blank=True, default="", max_length=200, verbose_name="job title"
                    ),
                ),
                ("is_primary", models.BooleanField(default=False)),
            ],
        ),
        migrations.CreateModel(
            name="Consent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("purpose", models.CharField(max_length=60, verbose_name="purpose")),
                (
                    "channel",
                    models.CharField(
                        choices=[
                            ("email", "Email"),
                            ("phone", "Phone"),
                            ("sms", "SMS"),
                            ("messenger", "Messenger"),
                            ("portal", "Portal"),
                            ("meeting", "In person"),
                        ],
                        max_length=16,
                        verbose_name="channel",
                    ),
                ),
                (
                    "source",
                    models.CharField(blank=True, default="", max_length=120, verbose_name="source"),
                ),
                ("granted_at", models.DateTimeField(verbose_name="granted at")),
                (
                    "withdrawn_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="withdrawn at"),
                ),
            ],
        ),
        migrations.CreateModel(
            name="EmailAddress",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("email", models.CharField(max_length=254, verbose_name="email")),
                ("kind", models.CharField(blank=True, default="work", max_length=16)),
                ("is_primary", models.BooleanField(default=False)),
            ],
        ),
        migrations.CreateModel(
            name="PhoneNumber",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("number", models.CharField(max_length=20, verbose_name="phone (E.164)")),
                ("kind", models.CharField(blank=True, default="mobile", max_length=16)),
                ("is_primary", models.BooleanField(default=False)),
            ],
        ),
        migrations.CreateModel(
            name="SavedList",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=120, verbose_name="name")),
                (
                    "kind",
                    models.CharField(
                        choices=[("static", "List"), ("dynamic", "Segment")],
                        default="static",
                        max_length=10,
                    ),
                ),
                ("filters", models.JSONField(blank=True, default=dict)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
            ],
        ),
        migrations.CreateModel(
            name="Tag",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=60, verbose_name="name")),
            ],
        ),
        migrations.CreateModel(
            name="OrganizationSearchRow",
            fields=[
                (
                    "organization",
                    models.OneToOneField(
                        db_column="rowid",
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="search_row",
                        serialize=False,
                        to="contacts.organization",
                    ),
                ),
                ("search_text", klient.contacts.models.SearchIndexText()),
            ],
            options={
                "db_table": "contacts_organization_fts",
                "managed": False,
            },
        ),
        migrations.AddField(
            model_name="organization",
            name="owner",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="owner",
            ),
        ),
        migrations.AddField(
            model_name="organization",
            name="team",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="core.team",
                verbose_name="team",
            ),
        ),
        migrations.AddField(
            model_name="organization",
            name="workspace",
            field=models.ForeignKey(
                db_index=False, on_delete=django.db.models.deletion.CASCADE, to="core.workspace"
            ),
        ),
        migrations.CreateModel(
            name="PersonSearchRow",
            fields=[
                (
                    "person",
                    models.OneToOneField(
                        db_column="rowid",
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="search_row",
                        serialize=False,
                        to="contacts.person",
                    ),
                ),
                ("search_text", klient.contacts.models.SearchIndexText()),
            ],
            options={
                "db_table": "contacts_person_fts",
                "managed": False,
            },
        ),
        migrations.AddField(
            model_name="person",
            name="merged_into",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="contacts.person",
            ),
        ),
        migrations.AddField(
            model_name="person",
            name="owner",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="owner",
            ),
        ),
        migrations.AddField(
            model_name="person",
            name="team",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="core.team",
                verbose_name="team",
            ),
        ),
        migrations.AddField(
            model_name="person",
            name="workspace",
            field=models.ForeignKey(
                db_index=False, on_delete=django.db.models.deletion.CASCADE, to="core.workspace"
            ),
        ),
        migrations.AddField(
            model_name="person",
            name="organizations",
            field=models.ManyToManyField(
                blank=True,
                related_name="people",
                through="contacts.Affiliation",
                to="contacts.organization",
            ),
        ),
        migrations.AddField(
            model_name="affiliation",
            name="organization",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="affiliations",
                to="contacts.organization",
            ),
        ),
        migrations.AddField(
            model_name="affiliation",
            name="person",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="affiliations",
                to="contacts.person",
            ),
        ),
        migrations.AddField(
            model_name="affiliation",
            name="workspace",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, to="core.workspace"
            ),
        ),
        migrations.AddField(
            model_name="consent",
            name="person",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="consents",
                to="contacts.person",
            ),
        ),
        migrations.AddField(
            model_name="consent",
            name="workspace",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, to="core.workspace"
            ),
        ),
        migrations.AddField(
            model_name="emailaddress",
            name="person",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="emails",
                to="contacts.person",
            ),
        ),
        migrations.AddField(
            model_name="emailaddress",
            name="workspace",
            field=models.ForeignKey(
                db_index=False, on_delete=django.db.models.deletion.CASCADE, to="core.workspace"
            ),
        ),
        migrations.AddField(
            model_name="phonenumber",
            name="person",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="phones",
                to="contacts.person",
            ),
        ),
        migrations.AddField(
            model_name="phonenumber",
            name="workspace",
            field=models.ForeignKey(
                db_index=False, on_delete=django.db.models.deletion.CASCADE, to="core.workspace"
            ),
        ),
        migrations.AddField(
            model_name="savedlist",
            name="members",
            field=models.ManyToManyField(
                blank=True, related_name="saved_lists", to="contacts.person"
            ),
        ),
        migrations.AddField(
            model_name="savedlist",
            name="owner",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.SET_NULL, to=settings.AUTH_USER_MODEL
            ),
        ),
        migrations.AddField(
            model_name="savedlist",
            name="workspace",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, to="core.workspace"
            ),
        ),
        migrations.AddField(
            model_name="tag",
            name="workspace",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, to="core.workspace"
            ),
        ),
        migrations.AddField(
            model_name="person",
            name="tags",
            field=models.ManyToManyField(blank=True, related_name="people", to="contacts.tag"),
        ),
        migrations.AddField(
            model_name="organization",
            name="tags",
            field=models.ManyToManyField(
                blank=True, related_name="organizations", to="contacts.tag"
            ),
        ),
        migrations.AddConstraint(
            model_name="affiliation",
            constraint=models.UniqueConstraint(
                fields=("person", "organization"), name="affiliation_unique"
            ),
        ),
        migrations.AddIndex(
            model_name="emailaddress",
            index=models.Index(fields=["workspace", "email"], name="email_ws_email_idx"),
        ),
        migrations.AddConstraint(
            model_name="emailaddress",
            constraint=models.UniqueConstraint(
                fields=("person", "email"), name="email_unique_per_person"
            ),
        ),
        migrations.AddIndex(
            model_name="phonenumber",
            index=models.Index(fields=["workspace", "number"], name="phone_ws_number_idx"),
        ),
        migrations.AddConstraint(
            model_name="phonenumber",
            constraint=models.UniqueConstraint(
                fields=("person", "number"), name="phone_unique_per_person"
            ),
        ),
        migrations.AddConstraint(
            model_name="tag",
            constraint=models.UniqueConstraint(
                fields=("workspace", "name"), name="tag_unique_name"
            ),
        ),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(
                condition=models.Q(("merged_into__isnull", False)),
                fields=["merged_into"],
                name="person_merged_into_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(
                fields=["workspace", "last_name", "first_name"], name="person_ws_name_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(fields=["workspace", "-updated_at"], name="person_ws_updated_idx"),
        ),
        migrations.AddIndex(
            model_name="organization",
            index=models.Index(fields=["workspace", "name"], name="org_ws_name_idx"),
        ),
        migrations.AddIndex(
            model_name="organization",
            index=models.Index(fields=["workspace", "tax_id"], name="org_ws_taxid_idx"),
        ),
        migrations.RunPython(search_index.install_migration, search_index.uninstall_migration),
    ]
