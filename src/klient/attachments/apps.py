from django.apps import AppConfig


class AttachmentsConfig(AppConfig):
    name = "klient.attachments"
    label = "attachments"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from klient.attachments.plug import plug

        plug()
        from klient.attachments.handlers import handlers_connect

        handlers_connect()
        # The daily sweep, registered in every process (web, worker).
        from klient.attachments import jobs  # noqa: F401
