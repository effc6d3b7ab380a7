from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "klient.core"
    label = "core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the outbox sweep with huey in every process (web and worker).
        from klient.core import jobs  # noqa: F401
