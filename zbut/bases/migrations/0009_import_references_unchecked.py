"""The references an import writes for each row are no longer checked by the database: see
IMPORT_WRITTEN in zbut.bases.models."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('bases', '0008_partial_contact_indexes'),
        ('projects', '0002_fewer_fk_indexes'),
    ]

    operations = [
        migrations.AlterField(
            model_name='company',
            name='project',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='companies', to='projects.project'),
        ),
        migrations.AlterField(
            model_name='companyemail',
            name='company',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='emails', to='bases.company'),
        ),
        migrations.AlterField(
            model_name='companyphone',
            name='company',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='phones', to='bases.company'),
        ),
        migrations.AlterField(
            model_name='importissue',
            name='base_import',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='issues', to='bases.baseimport'),
        ),
        migrations.AlterField(
            model_name='importissue',
            name='company',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='import_issues', to='bases.company'),
        ),
    ]
