from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("exchange", "0004_merge_recovery_and_roles"),
    ]

    operations = [
        migrations.AddField(
            model_name="importjob",
            name="message_data",
            field=models.JSONField(blank=True, default=dict, verbose_name="说明（代码与参数）"),
        ),
    ]
