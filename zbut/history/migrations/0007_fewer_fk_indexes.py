"""Drop the event indexes on the project and on the company alone.

event_project_seq and event_company_time start with those columns. Only the indexes go:
a table rebuild would also drop the append-only triggers of 0002.
"""

import django.db.models.deletion
from django.db import migrations, models

from zbut.core.migration_operations import drop_covered_indexes

DROPPED = {  # index → (table, column), as Django named them for the foreign keys
    "history_event_project_id_e8deaa75": ("history_event", "project_id"),
    "history_event_company_id_d23fc30c": ("history_event", "company_id"),
}


class Migration(migrations.Migration):
    dependencies = [
        ("bases", "0005_fewer_fk_indexes"),
        ("history", "0006_event_project_kind_time_actor"),
        ("projects", "0001_initial"),
    ]

    operations = [
        drop_covered_indexes(
            DROPPED,
            [
                migrations.AlterField(
                    model_name="event",
                    name="company",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="events",
                        to="bases.company",
                    ),
                ),
                migrations.AlterField(
                    model_name="event",
                    name="project",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="events",
                        to="projects.project",
                    ),
                ),
            ],
        ),
    ]
