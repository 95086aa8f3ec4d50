"""Offline trainings, moved here from the hours app (R-OFFLINE).

The tables already exist (hours/migrations/0001_initial.py made them, under the names the models keep
with db_table): this migration adds Training and Attendance to this app's state only, after
hours/migrations/0002 took them out of the hours app's state. It also moves their content types (so
admin history and permissions follow) and the audit trail's target labels to the new app label.
"""

import django.db.models.deletion
import django.utils.timezone
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models

MOVED = ("training", "attendance")


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
    _relabel(apps, schema_editor, "hours", "trainings")


def backward(apps, schema_editor):
    _relabel(apps, schema_editor, "trainings", "hours")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('hours', '0002_move_trainings_out'),
        ('organisation', '0003_teacher_id_number_teacher_phone'),
        ('core', '0003_notice'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Training',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('title', models.CharField(max_length=120, verbose_name='培训主题')),
                        ('place', models.CharField(max_length=120, verbose_name='地点')),
                        ('starts_at', models.DateTimeField(verbose_name='开始时间')),
                        ('ends_at', models.DateTimeField(verbose_name='结束时间')),
                        ('hours', models.DecimalField(decimal_places=1, max_digits=5, verbose_name='学时')),
                        ('kind', models.CharField(choices=[('online', '网络研修'), ('practice', '校本实践')], default='practice', max_length=10, verbose_name='学时类型')),
                        ('audience_all', models.BooleanField(default=True, verbose_name='面向主办单位全体')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='创建时间')),
                        ('audience_schools', models.ManyToManyField(blank=True, related_name='+', to='organisation.school', verbose_name='参训学校')),
                        ('city', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='organisation.city', verbose_name='市')),
                        ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='创建人')),
                        ('organiser_city', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='organisation.city', verbose_name='主办市')),
                        ('organiser_county', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='organisation.county', verbose_name='主办县区')),
                        ('organiser_school', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='organisation.school', verbose_name='主办学校')),
                    ],
                    options={
                        'verbose_name': '线下集中培训',
                        'verbose_name_plural': '线下集中培训',
                        'ordering': ['-starts_at', '-id'],
                        'db_table': 'hours_training',
                    },
                ),
                migrations.CreateModel(
                    name='Attendance',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('method', models.CharField(choices=[('list', '名单登记'), ('qr', '扫码签到')], max_length=8, verbose_name='方式')),
                        ('at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='签到时间')),
                        ('recorded_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='登记人')),
                        ('teacher', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attendances', to='organisation.teacher', verbose_name='教师')),
                        ('training', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attendances', to='trainings.training', verbose_name='培训')),
                    ],
                    options={
                        'verbose_name': '培训签到',
                        'verbose_name_plural': '培训签到',
                        'ordering': ['training_id', 'at', 'id'],
                        'db_table': 'hours_attendance',
                    },
                ),
                migrations.AddConstraint(
                    model_name='training',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('organiser_city__isnull', False), ('organiser_county__isnull', True), ('organiser_school__isnull', True)), models.Q(('organiser_city__isnull', True), ('organiser_county__isnull', False), ('organiser_school__isnull', True)), models.Q(('organiser_city__isnull', True), ('organiser_county__isnull', True), ('organiser_school__isnull', False)), _connector='OR'), name='training_exactly_one_organiser'),
                ),
                migrations.AddConstraint(
                    model_name='training',
                    constraint=models.CheckConstraint(condition=models.Q(('ends_at__gt', models.F('starts_at'))), name='training_ends_after_start'),
                ),
                migrations.AddConstraint(
                    model_name='training',
                    constraint=models.CheckConstraint(condition=models.Q(('hours__gt', 0), ('hours__lte', Decimal('100'))), name='training_hours_range'),
                ),
                migrations.AddConstraint(
                    model_name='attendance',
                    constraint=models.UniqueConstraint(fields=('training', 'teacher'), name='attendance_once'),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forward, backward),
    ]
