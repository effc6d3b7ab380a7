"""The activities tables as of the squash of 2026-12-02 (the old migrations are in `replaces`).

A database migrated by an earlier release has applied every replaced migration, so
Django records this one as applied; a new database runs only this one."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    replaces = [
        ("activities", "0001_initial"),
        ("activities", "0002_initial"),
        ("activities", "0003_interaction_drop_redundant_fk_indexes"),
    ]

    dependencies = [
        ("contacts", "0001_squashed"),
        ("core", "0001_squashed"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Comment",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("body", models.TextField(verbose_name="comment")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
            ],
        ),
        migrations.CreateModel(
            name="Interaction",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("call", "Call"),
                            ("email", "Email"),
                            ("meeting", "Meeting"),
                            ("chat", "Chat"),
                            ("sms", "SMS"),
                            ("note", "Note"),
                            ("portal", "Portal"),
                            ("survey_answer", "Survey answer"),
                        ],
                        max_length=16,
                        verbose_name="kind",
                    ),
                ),
                (
                    "direction",
                    models.CharField(
                        choices=[
                            ("inbound", "Inbound"),
                            ("outbound", "Outbound"),
                            ("internal", "Internal"),
                        ],
                        default="internal",
                        max_length=10,
                        verbose_name="direction",
                    ),
                ),
                (
                    "channel",
                    models.CharField(blank=True, default="", max_length=32, verbose_name="channel"),
                ),
                ("occurred_at", models.DateTimeField(verbose_name="when")),
                (
                    "duration_seconds",
                    models.PositiveIntegerField(blank=True, null=True, verbose_name="duration, s"),
                ),
                (
                    "subject",
                    models.CharField(
                        blank=True, default="", max_length=300, verbose_name="subject"
                    ),
                ),
                ("body", models.TextField(blank=True, default="", verbose_name="text")),
                ("idempotency_key", models.CharField(blank=True, max_length=200, null=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
            ],
        ),
        migrations.CreateModel(
            name="Task",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("title", models.CharField(max_length=300, verbose_name="title")),
                (
                    "description",
                    models.TextField(blank=True, default="", verbose_name="description"),
                ),
                ("due_at", models.DateTimeField(blank=True, null=True, verbose_name="due")),
                (
                    "status",
                    models.CharField(
                        choices=[("open", "Open"), ("done", "Done"), ("cancelled", "Cancelled")],
                        default="open",
                        max_length=10,
                    ),
                ),
                ("completed_at", models.DateTimeField(blank=True, null=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
            ],
        ),
        migrations.AddField(
            model_name="comment",
            name="author",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.SET_NULL, to=settings.AUTH_USER_MODEL
            ),
        ),
        migrations.AddField(
            model_name="comment",
            name="mentioned_users",
            field=models.ManyToManyField(
                blank=True, related_name="mentioned_in", to=settings.AUTH_USER_MODEL
            ),
        ),
        migrations.AddField(
            model_name="comment",
            name="workspace",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, to="core.workspace"
            ),
        ),
        migrations.AddField(
            model_name="interaction",
            name="author",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="interaction",
            name="organization",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="interactions",
                to="contacts.organization",
            ),
        ),
        migrations.AddField(
            model_name="interaction",
            name="person",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="interactions",
                to="contacts.person",
            ),
        ),
        migrations.AddField(
            model_name="interaction",
            name="team",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="core.team",
            ),
        ),
        migrations.AddField(
            model_name="interaction",
            name="workspace",
            field=models.ForeignKey(
                db_index=False, on_delete=django.db.models.deletion.CASCADE, to="core.workspace"
            ),
        ),
        migrations.AddField(
            model_name="comment",
            name="interaction",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="comments",
                to="activities.interaction",
            ),
        ),
        migrations.AddField(
            model_name="task",
            name="assignee",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="assigned_tasks",
                to=settings.AUTH_USER_MODEL,
                verbose_name="assignee",
            ),
        ),
        migrations.AddField(
            model_name="task",
            name="created_by",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="task",
            name="interaction",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="tasks",
                to="activities.interaction",
            ),
        ),
        migrations.AddField(
            model_name="task",
            name="organization",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="tasks",
                to="contacts.organization",
            ),
        ),
        migrations.AddField(
            model_name="task",
            name="person",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="tasks",
                to="contacts.person",
            ),
        ),
        migrations.AddField(
            model_name="task",
            name="team",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="core.team",
            ),
        ),
        migrations.AddField(
            model_name="task",
            name="workspace",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, to="core.workspace"
            ),
        ),
        migrations.AddIndex(
            model_name="interaction",
            index=models.Index(
                fields=["person", "-occurred_at", "-id"], name="inter_person_time_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="interaction",
            index=models.Index(
                fields=["organization", "-occurred_at", "-id"], name="inter_org_time_idx"
            ),
        ),
        migrations.AddIndex(
            model_name="interaction",
            index=models.Index(fields=["workspace", "-occurred_at"], name="inter_ws_time_idx"),
        ),
        migrations.AddConstraint(
            model_name="interaction",
            constraint=models.UniqueConstraint(
                fields=("workspace", "idempotency_key"), name="interaction_unique_idempotency"
            ),
        ),
        migrations.AddConstraint(
            model_name="interaction",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("person__isnull", False), ("organization__isnull", False), _connector="OR"
                ),
                name="interaction_has_subject",
            ),
        ),
        migrations.AddIndex(
            model_name="task",
            index=models.Index(
                fields=["assignee", "status", "due_at"], name="task_assignee_due_idx"
            ),
        ),
    ]
