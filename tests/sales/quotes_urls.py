"""The project's URLs with the quotes' pages and API mounted, for as long as the sales
URLconf and API do not include them yet (`klient.sales.quotes.urls`, the router of
`klient.sales.quotes.api`). Once they do, this is the project's URLconf unchanged."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.urls import NoReverseMatch, include, path, reverse
from ninja import NinjaAPI, Router

from klient import urls as project
from klient.api import api as project_api
from klient.core.api_support import (
    BearerTokenAuth,
    ORJSONRenderer,
    SessionUserAuth,
    error_handlers_install,
)
from klient.sales import urls as sales_urls
from klient.sales.quotes import urls as quote_urls
from klient.sales.quotes.api import router as quotes_router


def _mounted(routers: Iterable[Any]) -> bool:
    for entry in routers:
        router: Router = entry[1]
        if router is quotes_router or _mounted(router._routers):
            return True
    return False


def _pages_mounted() -> bool:
    try:
        reverse("sales:quote_detail", args=[1], urlconf=project)
    except NoReverseMatch:
        return False
    return True


urlpatterns: list[Any] = list(project.urlpatterns)

if not _mounted(project_api._routers):
    test_api = NinjaAPI(
        title="Klient API (quotes test)",
        version="1-quotes-test",
        urls_namespace="quotes_test_api",
        auth=[BearerTokenAuth(), SessionUserAuth()],
        renderer=ORJSONRenderer(),
    )
    error_handlers_install(test_api)
    test_api.add_router("", quotes_router)
    urlpatterns.insert(0, path("api/v1/", test_api.urls))

if not _pages_mounted():
    urlpatterns = [item for item in urlpatterns if str(item.pattern) != "deals/"]
    sales = ([*sales_urls.urlpatterns, *quote_urls.urlpatterns], "sales")
    urlpatterns.append(path("deals/", include(sales)))
