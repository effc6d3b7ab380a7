from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "klient.webhooks"
    label = "webhooks"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # One durable handler per declared event, the capability, the audit wording.
        from klient.webhooks.plug import plug

        plug()
