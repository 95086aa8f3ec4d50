"""Django admin for the city office: every model page opens, only staff get in, changes are audited."""

import pytest
from django.contrib import admin
from django.urls import reverse

from tisheng.core.models import AuditEvent
from tisheng.organisation.models import School
from tisheng.organisation.tests.factories import (
    CountyFactory,
    SchoolFactory,
    TeacherFactory,
    UserFactory,
    user_with_role,
)
from tisheng.people.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser():
    return UserFactory(is_staff=True, is_superuser=True)


def test_every_registered_model_has_a_working_list_and_add_page(client, superuser):
    TeacherFactory()
    client.force_login(superuser)
    for model in admin.site._registry:
        opts = model._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        assert client.get(changelist).status_code == 200, changelist
        assert client.get(changelist, {"q": "<script>"}).status_code == 200, changelist


def test_people_without_staff_rights_are_sent_to_the_admin_login(client):
    county_admin = user_with_role(Role.COUNTY_ADMIN, CountyFactory())
    client.force_login(county_admin)
    response = client.get(reverse("admin:organisation_school_changelist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_a_school_added_in_the_admin_is_audited_and_takes_its_county_city(client, superuser):
    county = CountyFactory()
    client.force_login(superuser)
    response = client.post(
        reverse("admin:organisation_school_add"),
        {"county": county.pk, "name": "后台新建小学", "locality": "village", "stage": "primary", "code": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    school = School.objects.get(name="后台新建小学")
    assert school.city_id == county.city_id
    event = AuditEvent.objects.get(kind="admin.added", target_id=str(school.pk))
    assert event.actor == superuser and "后台新建小学" in event.summary


def test_a_school_deleted_in_the_admin_is_audited(client, superuser):
    school = SchoolFactory()
    client.force_login(superuser)
    response = client.post(reverse("admin:organisation_school_delete", args=[school.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not School.objects.filter(pk=school.pk).exists()
    assert AuditEvent.objects.filter(kind="admin.deleted", target_id=str(school.pk)).exists()


def test_the_audit_trail_cannot_be_edited_in_the_admin(client, superuser):
    client.force_login(superuser)
    SchoolFactory()
    event = AuditEvent.objects.create(kind="x", actor_label="someone")
    assert client.get(reverse("admin:core_auditevent_change", args=[event.pk])).status_code in (200, 403)
    response = client.post(reverse("admin:core_auditevent_delete", args=[event.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()
