from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _statistics_after_migrate(*, plan: Any = None, using: str = "default", **kwargs: Any) -> None:
    """A migration that rebuilt a table (SQLite does for most column changes) leaves it
    without planner statistics, and SQLite then plans from guesses: an organization's
    open tasks walked every task of the workspace, 600 ms at 1M people, until the nightly
    refresh. So refresh them whenever migrations were applied."""
    if not plan:
        return
    from klient.core.services import planner_statistics_refresh

    if using == "default":
        planner_statistics_refresh()


class CoreConfig(AppConfig):
    name = "klient.core"
    label = "core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registers the outbox sweep with huey in every process (web and worker).
        from klient.core import jobs  # noqa: F401
        from klient.core.capabilities import core_capabilities_register

        core_capabilities_register()
        post_migrate.connect(_statistics_after_migrate, sender=self)
        from klient.core.home_views import home_nav_register

        home_nav_register()
        from klient.core.audit_words_core import register as audit_words_register

        # How core's own audit events read on the audit log (core.audit_words).
        audit_words_register()
        from klient.core.personal_data import personal_data_register

        # A client's personal data: export and erasure (capabilities, audit wording).
        personal_data_register()
