from django.apps import AppConfig


class BrokeringConfig(AppConfig):
    name = "coopatlas.brokering"
    label = "brokering"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Re-embed records when they change (the job runs after the transaction commits)."""
        from coopatlas.brokering.tasks import enqueue_embedding
        from coopatlas.core.signals import record_changed

        record_changed.connect(enqueue_embedding, dispatch_uid="coopatlas.brokering.embed_record")
