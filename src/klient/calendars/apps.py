from django.apps import AppConfig


class CalendarsConfig(AppConfig):
    name = "klient.calendars"
    label = "calendars"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # What this app adds to the card, the nav, search and the demo (core.registry).
        from klient.calendars.plug import plug

        plug()
