from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "klient.activities"
    label = "activities"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from klient.activities.plug import plug

        plug()
        # In every process (web and worker): durable handlers register their jobs here.
        from klient.activities.handlers import handlers_connect

        handlers_connect()
        from klient.activities import jobs  # noqa: F401
