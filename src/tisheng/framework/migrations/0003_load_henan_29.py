"""R-FW-1: Henan's 29 ability points, loaded as data, descriptions word for word from the seed."""

import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "henan_29.json"


def load(apps, schema_editor):
    Framework = apps.get_model("framework", "Framework")
    AbilityPoint = apps.get_model("framework", "AbilityPoint")
    data = json.loads(DATA.read_text(encoding="utf-8"))
    framework, _ = Framework.objects.get_or_create(
        code=data["code"], defaults={"name": data["name"], "issuer": "河南省教育厅", "is_builtin": True}
    )
    for order, point in enumerate(data["points"], start=1):
        AbilityPoint.objects.update_or_create(
            framework=framework,
            code=point["code"],
            defaults={
                "environment": point["environment"],
                "dimension": point["dimension"],
                "description": point["description"],
                "sort_order": order,
            },
        )


def unload(apps, schema_editor):
    Framework = apps.get_model("framework", "Framework")
    AbilityPoint = apps.get_model("framework", "AbilityPoint")
    AbilityPoint.objects.filter(framework__code="henan-2021", city__isnull=True).delete()
    Framework.objects.filter(code="henan-2021").delete()


class Migration(migrations.Migration):
    dependencies = [("framework", "0002_initial")]
    operations = [migrations.RunPython(load, unload)]
