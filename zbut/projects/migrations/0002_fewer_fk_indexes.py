"""Drop foreign-key indexes that a composite index starts with (zbut.core.migration_operations)."""

import django.db.models.deletion
from django.db import migrations, models

from zbut.core.migration_operations import drop_covered_indexes


DROPPED = {  # index → (table, column), as Django named them for the foreign keys
    "projects_phase_project_id_7c8a4399": ("projects_phase", "project_id"),
    "projects_assignment_project_id_4ee344ae": ("projects_assignment", "project_id"),
}


class Migration(migrations.Migration):

    dependencies = [
        ('projects', '0001_initial'),
    ]

    operations = [
        drop_covered_indexes(
            DROPPED,
            [
        migrations.AlterField(
            model_name='assignment',
            name='project',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='assignments', to='projects.project'),
        ),
        migrations.AlterField(
            model_name='phase',
            name='project',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='phases', to='projects.project'),
        ),
            ],
        ),
    ]
