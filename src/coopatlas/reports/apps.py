from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "coopatlas.reports"
    label = "reports"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Keep the dashboards' fact tables in step with the catalogue."""
        from coopatlas.reports.facts import connect_receivers

        connect_receivers()
