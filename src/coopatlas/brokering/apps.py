from django.apps import AppConfig


class BrokeringConfig(AppConfig):
    name = "coopatlas.brokering"
    label = "brokering"
    default_auto_field = "django.db.models.BigAutoField"
