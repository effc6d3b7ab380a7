from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "klient.notifications"
    label = "notifications"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from klient.notifications.plug import plug

        plug()
        # In every process (web and worker): durable handlers register their jobs here.
        from klient.notifications.handlers import handlers_connect

        handlers_connect()
        from klient.notifications import jobs  # noqa: F401
