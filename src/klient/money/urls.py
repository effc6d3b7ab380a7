from django.urls import URLPattern

app_name = "money"
urlpatterns: list[URLPattern] = []
