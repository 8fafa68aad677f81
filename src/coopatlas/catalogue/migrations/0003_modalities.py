"""Seed the cooperation modalities (a fixed vocabulary defined in code)."""

from django.db import migrations

CODES = [
    "technical-assistance",
    "training",
    "peer-exchange",
    "expert-deployment",
    "technology-transfer",
    "financing",
    "policy-dialogue",
    "knowledge-brokering",
    "partnership-facilitation",
]


def seed(apps, schema_editor):
    Modality = apps.get_model("catalogue", "Modality")
    for position, code in enumerate(CODES):
        Modality.objects.update_or_create(code=code, defaults={"position": position})


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0002_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
