from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "klient.contacts"
    label = "contacts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # What this app adds to the card, the nav, search and the demo (core.registry).
        from klient.contacts.plug import plug

        plug()
