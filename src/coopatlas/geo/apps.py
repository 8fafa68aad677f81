from django.apps import AppConfig


class GeoConfig(AppConfig):
    name = "coopatlas.geo"
    label = "geo"
    default_auto_field = "django.db.models.BigAutoField"
