"""An event's project, company and actor: on PostgreSQL no foreign-key check (see 0008).

Each check is a lookup and a row lock for every event, and an import writes 100 000 events.
On SQLite dropping a constraint means rebuilding history_event, which would drop its
append-only triggers (0002): there the constraints stay, and cost little.
"""

from typing import Any

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

CONSTRAINTS = {  # name → (column, referenced table)
    "history_event_project_id_e8deaa75_fk_projects_project_id": ("project_id", "projects_project"),
    "history_event_company_id_d23fc30c_fk_bases_company_id": ("company_id", "bases_company"),
    "history_event_actor_id_72f0fa99_fk_accounts_user_id": ("actor_id", "accounts_user"),
}


def drop_constraints(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for name in CONSTRAINTS:
            schema_editor.execute(f'ALTER TABLE history_event DROP CONSTRAINT IF EXISTS "{name}"')


def add_constraints(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for name, (column, table) in CONSTRAINTS.items():
            schema_editor.execute(
                f'ALTER TABLE history_event ADD CONSTRAINT "{name}" FOREIGN KEY ({column}) '
                f"REFERENCES {table} (id) DEFERRABLE INITIALLY DEFERRED"
            )


def _unchecked(name: str, to: str, **options: Any) -> migrations.AlterField:
    return migrations.AlterField(
        model_name="event",
        name=name,
        field=models.ForeignKey(
            blank=True,
            db_constraint=False,
            null=True,
            on_delete=django.db.models.deletion.PROTECT,
            related_name="events",
            to=to,
            **options,
        ),
    )


class Migration(migrations.Migration):
    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("bases", "0008_partial_contact_indexes"),
        ("history", "0008_client_copied_unchecked"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                _unchecked("project", "projects.project", db_index=False),
                _unchecked("company", "bases.company", db_index=False),
                _unchecked("actor", settings.AUTH_USER_MODEL),
            ],
        ),
        migrations.RunPython(drop_constraints, add_constraints),
    ]
