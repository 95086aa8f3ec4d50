"""School-based research activities, moved here from the hours app (R-RESEARCH).

The tables already exist (hours/migrations/0001_initial.py made them, under the names the models keep
with db_table): this migration adds OpenClass and Observation to this app's state only, after
hours/migrations/0003 took them out of the hours app's state. It also moves their content types (so
admin history and permissions follow) and the audit trail's target labels to the new app label.
"""

import django.db.models.deletion
import django.utils.timezone
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models

MOVED = ("openclass", "observation")


def _relabel(apps, schema_editor, old: str, new: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    AuditEvent = apps.get_model("core", "AuditEvent")
    db = schema_editor.connection.alias
    for model in MOVED:
        # A content type already under the new label (made by an earlier post_migrate) wins.
        if not ContentType.objects.using(db).filter(app_label=new, model=model).exists():
            ContentType.objects.using(db).filter(app_label=old, model=model).update(app_label=new)
        AuditEvent.objects.using(db).filter(target_type=f"{old}.{model}").update(target_type=f"{new}.{model}")
    ContentType.objects.clear_cache()


def forward(apps, schema_editor):
    _relabel(apps, schema_editor, "hours", "research")


def backward(apps, schema_editor):
    _relabel(apps, schema_editor, "research", "hours")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('hours', '0003_move_research_out'),
        ('framework', '0004_local_codes_per_city'),
        ('organisation', '0003_teacher_id_number_teacher_phone'),
        ('core', '0003_notice'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='OpenClass',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('topic', models.CharField(max_length=120, verbose_name='课题')),
                        ('scheduled_at', models.DateTimeField(verbose_name='时间')),
                        ('place', models.CharField(max_length=120, verbose_name='地点')),
                        ('giver_hours', models.DecimalField(decimal_places=1, default=Decimal('2'), max_digits=4, verbose_name='授课教师学时')),
                        ('observer_hours', models.DecimalField(decimal_places=1, default=Decimal('1'), max_digits=4, verbose_name='听课教师学时')),
                        ('held_at', models.DateTimeField(blank=True, null=True, verbose_name='确认举行时间')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='安排时间')),
                        ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='安排人')),
                        ('held_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='确认人')),
                        ('point', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='framework.abilitypoint', verbose_name='能力点')),
                        ('school', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='open_classes', to='organisation.school', verbose_name='学校')),
                        ('teacher', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='open_classes', to='organisation.teacher', verbose_name='授课教师')),
                    ],
                    options={
                        'verbose_name': '公开课',
                        'verbose_name_plural': '公开课',
                        'ordering': ['-scheduled_at', '-id'],
                        'db_table': 'hours_openclass',
                    },
                ),
                migrations.CreateModel(
                    name='Observation',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('comment', models.TextField(verbose_name='评课意见')),
                        ('rating', models.CharField(blank=True, choices=[('excellent', '优'), ('good', '良'), ('fair', '中'), ('poor', '差')], max_length=10, verbose_name='评价')),
                        ('at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='时间')),
                        ('observer', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='observations', to='organisation.teacher', verbose_name='听课教师')),
                        ('open_class', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='observations', to='research.openclass', verbose_name='公开课')),
                    ],
                    options={
                        'verbose_name': '听评课记录',
                        'verbose_name_plural': '听评课记录',
                        'ordering': ['open_class_id', 'at', 'id'],
                        'db_table': 'hours_observation',
                    },
                ),
                migrations.AddConstraint(
                    model_name='openclass',
                    constraint=models.CheckConstraint(condition=models.Q(('giver_hours__gte', 0), ('giver_hours__lte', 20), ('observer_hours__gte', 0), ('observer_hours__lte', 20)), name='open_class_hours_range'),
                ),
                migrations.AddConstraint(
                    model_name='observation',
                    constraint=models.UniqueConstraint(fields=('open_class', 'observer'), name='observation_once'),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forward, backward),
    ]
