from django.apps import AppConfig


class ImportExportConfig(AppConfig):
    name = "klient.importexport"
    label = "importexport"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from klient.importexport.plug import plug

        plug()
        # Registers the import job with the outbox in every process (web, worker, CLI).
        from klient.importexport import jobs  # noqa: F401
