"""Drop foreign-key indexes that a composite index starts with (zbut.core.migration_operations)."""

import django.db.models.deletion
from django.db import migrations, models

from zbut.core.migration_operations import drop_covered_indexes


DROPPED = {  # index → (table, column), as Django named them for the foreign keys
    "handoff_leadrecipient_client_id_6e0806e1": ("handoff_leadrecipient", "client_id"),
}


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_fewer_fk_indexes'),
        ('handoff', '0001_initial'),
    ]

    operations = [
        drop_covered_indexes(
            DROPPED,
            [
        migrations.AlterField(
            model_name='leadrecipient',
            name='client',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='lead_recipients', to='accounts.client'),
        ),
            ],
        ),
    ]
