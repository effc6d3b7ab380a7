from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "klient.activities"
    label = "activities"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from klient.activities import jobs  # noqa: F401
