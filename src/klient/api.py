"""The NinjaAPI that mounts each module's router under /api/v1/.

Authentication is a bearer token (`Authorization: Bearer kl_...`) or the web UI's login
session; every error is one typed JSON body, `{"code", "message", "fields"}`.
"""

from ninja import NinjaAPI, Swagger

from klient.activities.api import router as activities_router
from klient.attachments.api import router as attachments_router
from klient.contacts.api import router as contacts_router
from klient.contacts.lists_api import router as lists_router
from klient.contacts.personal_data_api import router as personal_data_router
from klient.core.api import router as core_router
from klient.core.api_support import (
    BearerTokenAuth,
    ORJSONRenderer,
    SessionUserAuth,
    error_handlers_install,
)
from klient.core.auth_api import router as auth_router
from klient.importexport.api import router as importexport_router
from klient.notifications.api import router as notifications_router
from klient.sales.api import router as sales_router
from klient.webhooks.api import router as webhooks_router

api = NinjaAPI(
    title="Klient API",
    version="1",
    urls_namespace="api",
    auth=[BearerTokenAuth(), SessionUserAuth()],
    renderer=ORJSONRenderer(),
    # Swagger UI would otherwise send the schema to validator.swagger.io from the browser.
    docs=Swagger(settings={"validatorUrl": None}),
)
error_handlers_install(api)
api.add_router("", core_router)
api.add_router("", auth_router)
api.add_router("", contacts_router)
api.add_router("", lists_router)
api.add_router("", personal_data_router)
api.add_router("", activities_router)
api.add_router("", notifications_router)
api.add_router("", importexport_router)
api.add_router("", webhooks_router)
api.add_router("", attachments_router)
api.add_router("", sales_router)
