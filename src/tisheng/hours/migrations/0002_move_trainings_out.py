"""Offline trainings moved to their own app (tisheng.trainings): Training and Attendance leave the hours
app's state only. Their tables stay as they are (the trainings models keep db_table "hours_training",
"hours_attendance"), so no row moves; trainings/migrations/0001_initial.py takes them over."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("hours", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="Attendance"),
                migrations.DeleteModel(name="Training"),
            ],
            database_operations=[],
        ),
    ]
