"""The "Analysts" group: people who define framework targets and indicators and import series."""

from typing import Any

from django.contrib.auth.management import create_permissions
from django.db import migrations

ANALYST_GROUP = "Analysts"
ANALYST_PERMISSIONS = (
    "define_indicators",
    "add_indicatorframework",
    "change_indicatorframework",
    "add_frameworktarget",
    "change_frameworktarget",
    "add_frameworkindicator",
    "change_frameworkindicator",
    "add_formulaterm",
    "change_formulaterm",
    "delete_formulaterm",
    "add_series",
    "change_series",
    "add_observation",
    "change_observation",
)


def create_analyst_group(apps: Any, schema_editor: Any) -> None:
    """Create the group and give it the indicator-definition permissions (created first if missing)."""
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    group, _ = group_model.objects.get_or_create(name=ANALYST_GROUP)
    group.permissions.set(
        permission_model.objects.filter(content_type__app_label="indicators", codename__in=ANALYST_PERMISSIONS)
    )


def remove_analyst_group(apps: Any, schema_editor: Any) -> None:
    """Drop the group (its members keep their accounts)."""
    apps.get_model("auth", "Group").objects.filter(name=ANALYST_GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("indicators", "0002_frameworks_series_observations"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_analyst_group, remove_analyst_group)]
