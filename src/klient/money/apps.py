from django.apps import AppConfig


class MoneyConfig(AppConfig):
    name = "klient.money"
    label = "money"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # What this app adds to the card, the nav, search and the demo (core.registry).
        from klient.money.plug import plug

        plug()
