from django.apps import AppConfig


class IatiConfig(AppConfig):
    name = "coopatlas.iati"
    label = "iati"
    default_auto_field = "django.db.models.BigAutoField"
