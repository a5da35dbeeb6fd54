"""Drop the foreign-key indexes that a composite index already starts with.

Each index is paid for by every insert, and an import writes 100 000 companies with their
phones and e-mails. Only the indexes go: the columns and their constraints stay, so the
tables are not rebuilt (SQLite would rebuild a table for an AlterField).
"""

import django.db.models.deletion
from django.db import migrations, models

from zbut.core.migration_operations import drop_covered_indexes

DROPPED = {  # index → (table, column), as Django named them when it made the foreign keys
    "bases_company_project_id_78b80521": ("bases_company", "project_id"),
    "bases_companyphone_client_id_04b0db87": ("bases_companyphone", "client_id"),
    "bases_companyphone_company_id_cea2b493": ("bases_companyphone", "company_id"),
    "bases_companyemail_client_id_47415899": ("bases_companyemail", "client_id"),
    "bases_companyemail_company_id_b235b074": ("bases_companyemail", "company_id"),
    "bases_importissue_base_import_id_4510db0d": ("bases_importissue", "base_import_id"),
}


def _fk(to: str, related_name: str, on_delete) -> models.ForeignKey:
    return models.ForeignKey(db_index=False, on_delete=on_delete, related_name=related_name, to=to)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("bases", "0004_agreement_phase"),
        ("projects", "0001_initial"),
    ]

    operations = [
        drop_covered_indexes(
            DROPPED,
            [
                migrations.AlterField(
                    model_name="company",
                    name="project",
                    field=_fk("projects.project", "companies", django.db.models.deletion.PROTECT),
                ),
                migrations.AlterField(
                    model_name="companyemail",
                    name="client",
                    field=_fk(
                        "accounts.client", "company_emails", django.db.models.deletion.PROTECT
                    ),
                ),
                migrations.AlterField(
                    model_name="companyemail",
                    name="company",
                    field=_fk("bases.company", "emails", django.db.models.deletion.CASCADE),
                ),
                migrations.AlterField(
                    model_name="companyphone",
                    name="client",
                    field=_fk(
                        "accounts.client", "company_phones", django.db.models.deletion.PROTECT
                    ),
                ),
                migrations.AlterField(
                    model_name="companyphone",
                    name="company",
                    field=_fk("bases.company", "phones", django.db.models.deletion.CASCADE),
                ),
                migrations.AlterField(
                    model_name="importissue",
                    name="base_import",
                    field=_fk("bases.baseimport", "issues", django.db.models.deletion.CASCADE),
                ),
            ],
        ),
    ]
