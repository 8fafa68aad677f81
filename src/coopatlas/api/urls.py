"""The API under /api/v1 (django-ninja): one router per record type, OpenAPI at /api/v1/openapi.json.

Ninja's interactive docs page loads Swagger UI from a CDN; CoopAtlas must work offline, so it is
switched off: the OpenAPI document can be opened in any OpenAPI viewer (see docs/api.md).
"""

from __future__ import annotations

from typing import Any

from django.utils import translation
from ninja import NinjaAPI

from coopatlas.api import errors, search
from coopatlas.api.records import api_path, record_router
from coopatlas.brokering.api import router as brokering_router
from coopatlas.core import registry


class CoopAtlasAPI(NinjaAPI):
    """NinjaAPI whose OpenAPI document marks reads as open to anonymous callers too."""

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        """The OpenAPI document; GET operations list ``{}`` (no credentials) as an accepted security."""
        schema = super().get_openapi_schema(*args, **kwargs)
        for operations in schema.get("paths", {}).values():
            read = operations.get("get")
            if read and read.get("security") and {} not in read["security"]:
                read["security"].append({})
        return schema


api = CoopAtlasAPI(
    title="CoopAtlas API",
    version="1",
    description="Read and write the CoopAtlas catalogue. Writes need an API token (Authorization: Bearer ...).",
    urls_namespace="api",
    docs_url=None,
)
errors.install(api)


def _add_record_routers() -> None:
    """Mount one router per registered record type (organisations, solutions, needs, ...)."""
    from coopatlas.catalogue import record_types  # noqa: F401 - fills the registry

    # The URLconf is first imported during some request: the OpenAPI labels must not take its language.
    with translation.override("en"):
        for record_type in registry.REGISTRY.values():
            api.add_router(f"/{api_path(record_type)}", record_router(record_type))


_add_record_routers()
api.add_router("/search", search.router)
api.add_router("/brokering", brokering_router)
