from django.apps import AppConfig


class SalesConfig(AppConfig):
    name = "klient.sales"
    label = "sales"
    default_auto_field = "django.db.models.BigAutoField"
    verbose_name = "Sales"

    def ready(self) -> None:
        # Deals on the client card, the nav, search, timelines, merge and the demo.
        from klient.sales.plug import plug

        plug()
