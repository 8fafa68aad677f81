from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "coopatlas.catalogue"
    label = "catalogue"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Register the record types once models are loaded."""
        from coopatlas.catalogue import record_types  # noqa: F401
