from django.apps import AppConfig


class InitiativesConfig(AppConfig):
    name = "coopatlas.initiatives"
    label = "initiatives"
    default_auto_field = "django.db.models.BigAutoField"
