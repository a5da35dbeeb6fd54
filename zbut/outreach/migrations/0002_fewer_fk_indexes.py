"""Drop foreign-key indexes that a composite index starts with (zbut.core.migration_operations)."""

import django.db.models.deletion
from django.db import migrations, models

from zbut.core.migration_operations import drop_covered_indexes


DROPPED = {  # index → (table, column), as Django named them for the foreign keys
    "outreach_donotcontact_client_id_deac0433": ("outreach_donotcontact", "client_id"),
}


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_fewer_fk_indexes'),
        ('outreach', '0001_initial'),
    ]

    operations = [
        drop_covered_indexes(
            DROPPED,
            [
        migrations.AlterField(
            model_name='donotcontact',
            name='client',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='do_not_contact', to='accounts.client'),
        ),
            ],
        ),
    ]
