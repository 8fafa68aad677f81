"""The API under /api/v1 (django-ninja); routers are added per app in ``coopatlas.api``."""

from ninja import NinjaAPI

api = NinjaAPI(title="CoopAtlas API", version="1", urls_namespace="api")
