"""Drop foreign-key indexes that a composite index starts with (zbut.core.migration_operations)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from zbut.core.migration_operations import drop_covered_indexes


DROPPED = {  # index → (table, column), as Django named them for the foreign keys
    "desk_priority_project_id_738d5b3e": ("desk_priority", "project_id"),
    "desk_queueitem_claimed_by_id_041f8806": ("desk_queueitem", "claimed_by_id"),
    "desk_processingcycle_project_id_268d3236": ("desk_processingcycle", "project_id"),
    "desk_processingcycle_company_id_9999707d": ("desk_processingcycle", "company_id"),
}


class Migration(migrations.Migration):

    dependencies = [
        ('bases', '0005_fewer_fk_indexes'),
        ('desk', '0001_initial'),
        ('projects', '0002_fewer_fk_indexes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        drop_covered_indexes(
            DROPPED,
            [
        migrations.AlterField(
            model_name='priority',
            name='project',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='desk_priorities', to='projects.project'),
        ),
        migrations.AlterField(
            model_name='processingcycle',
            name='company',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='cycles', to='bases.company'),
        ),
        migrations.AlterField(
            model_name='processingcycle',
            name='project',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='cycles', to='projects.project'),
        ),
        migrations.AlterField(
            model_name='queueitem',
            name='claimed_by',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='desk_claims', to=settings.AUTH_USER_MODEL),
        ),
            ],
        ),
    ]
