"""A database built on the migrations from before hours was split into hours, trainings and research
migrates forward with its rows intact: the moved models keep their tables, only the apps' state, the
content types and the audit trail's target labels move. (Here because progress sits above all three.)"""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tisheng.core.models import AuditEvent
from tisheng.framework.models import AbilityPoint, Dimension, Environment, Framework
from tisheng.hours.models import HoursEntry
from tisheng.organisation.tests.factories import TeacherFactory, UserFactory
from tisheng.research.models import Observation, OpenClass
from tisheng.trainings.models import Attendance, Training

# The last migration of the hours app before the split (today's main).
BEFORE_SPLIT = [("hours", "0001_initial")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()  # read what is applied now
    return executor


# Real transactions: the migrations run as `migrate` runs them. (No serialized_rollback: its restore
# clashes with the content types another transactional test's flush has made again.)
@pytest.mark.django_db(transaction=True)
def test_the_split_migrates_a_database_of_the_old_hours_app_forward_with_its_rows():
    # People, units and an ability point first: their tables are not touched by the split.
    giver = TeacherFactory()
    observer = TeacherFactory(school=giver.school)
    manager = UserFactory()
    framework = Framework.objects.create(code="split-test", name="迁移测试")
    point = AbilityPoint.objects.create(
        framework=framework,
        code="1-1",
        environment=Environment.values[0],
        dimension=Dimension.values[0],
        description="迁移测试能力点",
    )
    # The content types as a database in use has them (a flush by an earlier test may have left none).
    ContentType.objects.clear_cache()
    for model in (Training, Attendance, OpenClass, Observation):
        ContentType.objects.get_for_model(model)
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        executor = _migrate(BEFORE_SPLIT)
        old = executor.loader.project_state(BEFORE_SPLIT).apps
        assert not MigrationExecutor(connection).loader.applied_migrations.keys() & {
            ("trainings", "0001_initial"),
            ("research", "0001_initial"),
        }
        start = timezone.now() - dt.timedelta(hours=1)
        training = old.get_model("hours", "Training").objects.create(
            organiser_county_id=giver.county_id,
            city_id=giver.city_id,
            title="信息技术应用能力提升培训",
            place="县教师发展中心",
            starts_at=start,
            ends_at=start + dt.timedelta(hours=3),
            hours=Decimal("4"),
            kind="practice",
            audience_all=False,
            created_by_id=manager.pk,
        )
        training.audience_schools.add(giver.school_id)
        attendance = old.get_model("hours", "Attendance").objects.create(
            training_id=training.pk, teacher_id=giver.pk, method="qr", at=start, recorded_by_id=manager.pk
        )
        open_class = old.get_model("hours", "OpenClass").objects.create(
            school_id=giver.school_id,
            teacher_id=giver.pk,
            topic="用希沃白板上《春》",
            point_id=point.pk,
            scheduled_at=start,
            place="录播教室",
            held_at=start + dt.timedelta(hours=1),
            created_by_id=manager.pk,
        )
        observation = old.get_model("hours", "Observation").objects.create(
            open_class_id=open_class.pk, observer_id=observer.pk, comment="课件使用恰当。", rating="good"
        )
        entry = old.get_model("hours", "HoursEntry").objects.create(
            teacher_id=giver.pk,
            kind="practice",
            hours=Decimal("4"),
            date=dt.date(2022, 3, 5),
            source="offline_training",
            source_key=str(training.pk),
            title=training.title,
        )
        # The backward migrations gave the content types their old label back; an audit event names
        # the training the old way.
        old_types = old.get_model("contenttypes", "ContentType").objects
        assert old_types.filter(app_label="hours", model="training").exists()
        old_type_id = old_types.get(app_label="hours", model="openclass").pk
        AuditEvent.objects.create(
            kind="training.created", target_type="hours.training", target_id=training.pk
        )
    finally:
        _migrate(latest)
    ContentType.objects.clear_cache()

    moved = Training.objects.get(pk=training.pk)
    assert (moved.title, moved.hours, moved.organiser_county_id, moved.created_by_id) == (
        "信息技术应用能力提升培训",
        Decimal("4"),
        giver.county_id,
        manager.pk,
    )
    assert list(moved.audience_schools.values_list("pk", flat=True)) == [giver.school_id]
    came = Attendance.objects.get(pk=attendance.pk)
    assert (came.training_id, came.teacher_id, came.method) == (training.pk, giver.pk, "qr")
    held = OpenClass.objects.get(pk=open_class.pk)
    assert (held.topic, held.point_id, held.giver_hours, held.is_held) == (
        "用希沃白板上《春》",
        point.pk,
        Decimal("2"),
        True,
    )
    seen = Observation.objects.get(pk=observation.pk)
    assert (seen.open_class_id, seen.observer_id, seen.rating) == (open_class.pk, observer.pk, "good")
    ledger = HoursEntry.objects.get(pk=entry.pk)
    assert (ledger.teacher_id, ledger.source_key, ledger.hours) == (giver.pk, str(training.pk), Decimal("4"))
    # Content types (admin history, permissions) and audit labels follow the models to their new apps.
    assert ContentType.objects.get_for_model(OpenClass).pk == old_type_id
    assert not ContentType.objects.filter(app_label="hours", model__in=["training", "openclass"]).exists()
    assert AuditEvent.objects.filter(target_type="trainings.training", target_id=str(training.pk)).exists()
    assert not AuditEvent.objects.filter(target_type="hours.training").exists()
