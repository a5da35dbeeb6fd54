"""Data Base ONLINE: an index for today's counters and, on PostgreSQL, the NOTIFY trigger."""

from django.db import migrations, models

from zbut.history import notify


class Migration(migrations.Migration):
    dependencies = [
        ("history", "0003_agreement_event_kinds"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="event",
            index=models.Index(
                fields=["project", "kind", "occurred_at"], name="event_project_kind_time"
            ),
        ),
        migrations.RunPython(notify.install, notify.remove),
    ]
