from django.db import migrations, models


class Migration(migrations.Migration):
    """The roll-up also per single value of the filterable dimensions (rows of older versions: facet '')."""

    dependencies = [
        ('reports', '0002_dashboard_facts'),
    ]

    operations = [
        migrations.RemoveConstraint(model_name='dashboardrollup', name='reports_rollup_unique'),
        migrations.AddField(
            model_name='dashboardrollup', name='facet', field=models.CharField(blank=True, default='', max_length=20),
        ),
        migrations.AddField(
            model_name='dashboardrollup', name='facet_value',
            field=models.CharField(blank=True, default='', max_length=40),
        ),
        migrations.AddConstraint(
            model_name='dashboardrollup',
            constraint=models.UniqueConstraint(
                fields=('facet', 'facet_value', 'dimension', 'kind', 'year', 'value', 'currency'),
                name='reports_rollup_facet_unique'),
        ),
    ]
