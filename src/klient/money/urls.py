from django.urls import path

from klient.money import views

app_name = "money"
urlpatterns = [
    path("", views.money_settings, name="settings"),
    path("currency/", views.money_currency_set, name="currency_set"),
    path("rates/", views.money_rate_add, name="rate_add"),
    path("rates/import/", views.money_rates_import, name="rates_import"),
    path("rates/<int:rate_id>/delete/", views.money_rate_delete, name="rate_delete"),
]
