"""The client copied onto phones, e-mails and import issues is not checked by the database:
the company (or the import) it was copied from is, and an import writes 250 000 such rows."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_fewer_fk_indexes'),
        ('bases', '0005_fewer_fk_indexes'),
    ]

    operations = [
        migrations.AlterField(
            model_name='companyemail',
            name='client',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='company_emails', to='accounts.client'),
        ),
        migrations.AlterField(
            model_name='companyphone',
            name='client',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='company_phones', to='accounts.client'),
        ),
        migrations.AlterField(
            model_name='importissue',
            name='client',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.PROTECT, related_name='import_issues', to='accounts.client'),
        ),
    ]
