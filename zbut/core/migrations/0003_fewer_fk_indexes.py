"""Drop foreign-key indexes that a composite index starts with (zbut.core.migration_operations)."""

import django.db.models.deletion
from django.db import migrations, models

from zbut.core.migration_operations import drop_covered_indexes


DROPPED = {  # index → (table, column), as Django named them for the foreign keys
    "core_outboxmessage_client_id_0f6de587": ("core_outboxmessage", "client_id"),
}


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_fewer_fk_indexes'),
        ('core', '0002_outbox'),
    ]

    operations = [
        drop_covered_indexes(
            DROPPED,
            [
        migrations.AlterField(
            model_name='outboxmessage',
            name='client',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='outbox', to='accounts.client'),
        ),
            ],
        ),
    ]
