"""The index of Data Base ONLINE's counters widened by the actor: the reports count each
manager's calls in a phase from the index alone (zbut.reports.figures.manager_productivity)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("history", "0005_phase_planned"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="event", name="event_project_kind_time"),
        migrations.AddIndex(
            model_name="event",
            index=models.Index(
                fields=["project", "kind", "occurred_at", "actor"],
                name="event_project_kind_time_actor",
            ),
        ),
    ]
