"""Issue 8 item 3: accounts that a roster import named by the teacher's ID number get a generated
login ("t" and 8 random digits). Signing in with the ID number then works only where the city turns on
ProgrammeSettings.id_number_login; the mobile number works everywhere."""

from django.db import migrations
from django.db.models import F


def rename(apps, schema_editor):
    from tisheng.people.logins import new_logins

    User = apps.get_model("people", "User")
    named_by_id = list(
        User.objects.filter(teacher__id_number__isnull=False, username=F("teacher__id_number")).values_list(
            "pk", flat=True
        )
    )
    for pk, login in zip(named_by_id, new_logins(len(named_by_id), user_model=User), strict=True):
        User.objects.filter(pk=pk).update(username=login)


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0003_sign_in_codes"),
        ("organisation", "0003_teacher_id_number_teacher_phone"),
    ]

    operations = [migrations.RunPython(rename, migrations.RunPython.noop)]
