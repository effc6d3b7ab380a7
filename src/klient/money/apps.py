from django.apps import AppConfig


class MoneyConfig(AppConfig):
    name = "klient.money"
    label = "money"
    default_auto_field = "django.db.models.BigAutoField"
