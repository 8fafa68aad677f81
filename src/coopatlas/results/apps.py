from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResultsConfig(AppConfig):
    """Results frameworks of initiatives: indicators, period updates with approval, evidence, roll-ups."""

    name = "coopatlas.results"
    label = "results"
    verbose_name = _("Results frameworks")
    default_auto_field = "django.db.models.BigAutoField"
