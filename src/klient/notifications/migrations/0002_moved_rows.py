# What moved with the notifications: the stored params of existing in-app notifications
# take the kinds' new placeholder names (so old rows are still worded in the reader's
# language, not shown by their fallback text), and outbox rows of the event handlers
# that moved from activities take the handlers' new job names (a renamed handler would
# otherwise leave its pending deliveries failed).

from django.db import migrations

PARAMS = {
    "task": {"title": "task.title"},
    "mention": {"subject": "record.name", "excerpt": "comment.excerpt"},
    "task.reminder": {"title": "task.title", "due": "task.due"},
}
HANDLERS = {
    "task.assigned": "task_assigned_notify",
    "comment.mentioned": "comment_mentioned_notify",
    "task.reminder_due": "task_reminder_notify",
}
OLD, NEW = "klient.activities.handlers", "klient.notifications.handlers"
BATCH = 1000


def _params(apps, renames_for):
    Notification = apps.get_model("notifications", "Notification")
    for kind in PARAMS:
        renames = renames_for(kind)
        batch = []
        for row in Notification.objects.filter(kind=kind).only("pk", "params").iterator(BATCH):
            if isinstance(row.params, dict) and any(key in row.params for key in renames):
                row.params = {renames.get(key, key): value for key, value in row.params.items()}
                batch.append(row)
            if len(batch) >= BATCH:
                Notification.objects.bulk_update(batch, ["params"])
                batch = []
        Notification.objects.bulk_update(batch, ["params"])


def _jobs(apps, source, target):
    OutboxJob = apps.get_model("core", "OutboxJob")
    for event, handler in HANDLERS.items():
        old, new = f"{event}:{source}.{handler}", f"{event}:{target}.{handler}"
        for row in OutboxJob.objects.filter(name=old).only("pk", "dedupe_key").iterator(BATCH):
            OutboxJob.objects.filter(pk=row.pk).update(
                name=new, dedupe_key=row.dedupe_key.replace(old, new)
            )


def forward(apps, schema_editor):
    _params(apps, lambda kind: PARAMS[kind])
    _jobs(apps, OLD, NEW)


def backward(apps, schema_editor):
    _params(apps, lambda kind: {new: old for old, new in PARAMS[kind].items()})
    _jobs(apps, NEW, OLD)


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
    ]

    operations = [migrations.RunPython(forward, backward)]
