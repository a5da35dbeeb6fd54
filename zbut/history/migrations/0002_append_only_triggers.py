from django.db import migrations

from zbut.history import triggers


class Migration(migrations.Migration):
    dependencies = [("history", "0001_initial")]

    operations = [migrations.RunPython(triggers.install, triggers.remove)]
