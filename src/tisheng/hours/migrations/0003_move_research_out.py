"""School-based research activities moved to their own app (tisheng.research): OpenClass and Observation
leave the hours app's state only. Their tables stay as they are (the research models keep db_table
"hours_openclass", "hours_observation"), so no row moves; research/migrations/0001_initial.py takes
them over."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("hours", "0002_move_trainings_out")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="Observation"),
                migrations.DeleteModel(name="OpenClass"),
            ],
            database_operations=[],
        ),
    ]
