"""What each imported company costs the database: its client copy is not checked (its project
is) nor indexed, and the agreement and phase indexes leave out the companies without one, as
every company an import writes is."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_fewer_fk_indexes'),
        ('bases', '0006_client_copies_unchecked'),
        ('projects', '0002_fewer_fk_indexes'),
    ]

    operations = [
        migrations.AlterField(
            model_name='company',
            name='agreement',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='companies', to='bases.baseagreement'),
        ),
        migrations.AlterField(
            model_name='company',
            name='client',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='companies', to='accounts.client'),
        ),
        migrations.AlterField(
            model_name='company',
            name='planned_phase',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='planned_companies', to='projects.phase', verbose_name='фаза'),
        ),
        migrations.AddIndex(
            model_name='company',
            index=models.Index(condition=models.Q(('agreement__isnull', False)), fields=['agreement'], name='company_agreement'),
        ),
        migrations.AddIndex(
            model_name='company',
            index=models.Index(condition=models.Q(('planned_phase__isnull', False)), fields=['planned_phase'], name='company_planned_phase'),
        ),
    ]
