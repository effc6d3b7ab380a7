"""The NinjaAPI that mounts each module's router under /api/v1/."""
from ninja import NinjaAPI

api = NinjaAPI(title="Klient API", version="1", urls_namespace="api")
