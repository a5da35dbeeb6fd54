"""The client copied onto an event: no index, and on PostgreSQL no foreign-key check.

Nothing looks events up by client, and an import writes 100 000 events. On SQLite dropping
the constraint means rebuilding history_event, which would drop its append-only triggers
(0002): there the index goes and the constraint stays.
"""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models

from zbut.core.migration_operations import drop_covered_indexes

INDEX = "history_event_client_id_38a0baaf"
CONSTRAINT = "history_event_client_id_38a0baaf_fk_accounts_client_id"


def drop_constraint(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'ALTER TABLE history_event DROP CONSTRAINT IF EXISTS "{CONSTRAINT}"')


def add_constraint(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f'ALTER TABLE history_event ADD CONSTRAINT "{CONSTRAINT}" FOREIGN KEY (client_id) '
            "REFERENCES accounts_client (id) DEFERRABLE INITIALLY DEFERRED"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_fewer_fk_indexes"),
        ("history", "0007_fewer_fk_indexes"),
    ]

    operations = [
        drop_covered_indexes(
            {INDEX: ("history_event", "client_id")},
            [
                migrations.AlterField(
                    model_name="event",
                    name="client",
                    field=models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="events",
                        to="accounts.client",
                    ),
                ),
            ],
        ),
        migrations.RunPython(drop_constraint, add_constraint),
    ]
