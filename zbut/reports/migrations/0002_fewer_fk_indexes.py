"""Drop foreign-key indexes that a composite index starts with (zbut.core.migration_operations)."""

import django.db.models.deletion
from django.db import migrations, models

from zbut.core.migration_operations import drop_covered_indexes


DROPPED = {  # index → (table, column), as Django named them for the foreign keys
    "reports_exportjob_project_id_c84e9510": ("reports_exportjob", "project_id"),
}


class Migration(migrations.Migration):

    dependencies = [
        ('projects', '0002_fewer_fk_indexes'),
        ('reports', '0001_export_jobs'),
    ]

    operations = [
        drop_covered_indexes(
            DROPPED,
            [
        migrations.AlterField(
            model_name='exportjob',
            name='project',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='export_jobs', to='projects.project'),
        ),
            ],
        ),
    ]
