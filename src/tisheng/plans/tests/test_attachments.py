"""Plan attachments: documents and images, judged by content, only on drafts and returned plans."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tisheng.core.errors import Conflict, NotFound, ValidationFailed
from tisheng.core.models import AuditEvent
from tisheng.core.tests import files
from tisheng.organisation.tests.factories import (
    CountyFactory,
    SchoolFactory,
    TeacherFactory,
    UserFactory,
    assign,
    user_with_role,
)
from tisheng.people.models import Role
from tisheng.plans import services
from tisheng.plans.models import PlanAttachment, PlanEvent
from tisheng.programme.models import ProgrammeSettings

pytestmark = pytest.mark.django_db


@pytest.fixture
def place():
    county = CountyFactory()
    school = SchoolFactory(county=county)
    principal = user_with_role(Role.SCHOOL_TEAM, school, is_principal=True)
    for marks in ({"is_cio": True}, {}):
        assign(UserFactory(), Role.SCHOOL_TEAM, school, **marks)
    plan = services.plan_save(
        actor=principal, kind="school_it", title="整校推进方案", body="正文", school=school
    )
    return {
        "school": school,
        "principal": principal,
        "plan": plan,
        "county_admin": user_with_role(Role.COUNTY_ADMIN, county),
    }


def upload(name, content):
    return SimpleUploadedFile(name, content)


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def test_a_docx_and_an_image_are_attached_and_listed_with_the_submission(place):
    services.plan_attach(
        actor=place["principal"], plan=place["plan"], upload=upload("方案.docx", files.docx())
    )
    services.plan_attach(actor=place["principal"], plan=place["plan"], upload=upload("照片.png", files.png()))
    assert sorted(PlanAttachment.objects.values_list("detected_type", flat=True)) == ["docx", "png"]
    services.plan_submit(actor=place["principal"], plan=place["plan"])
    submitted = PlanEvent.objects.get(action="submitted")
    assert [a["name"] for a in submitted.attachments] == ["方案.docx", "照片.png"]
    assert AuditEvent.objects.filter(kind="plan.attached").count() == 2
    # Submitted: attachments are frozen.
    with pytest.raises(Conflict):
        services.plan_attach(
            actor=place["principal"], plan=place["plan"], upload=upload("再加.pdf", files.pdf())
        )


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("方案.docx", files.exe(), "不是"),
        ("方案.docx", files.zip_bomb_ratio(), ""),
        ("课堂.mp4", files.mp4(), "课堂视频请在成果材料中上传"),
        ("方案.pdf", b"", "空"),
    ],
)
def test_hostile_or_wrong_files_are_refused_and_nothing_is_kept(place, name, content, message):
    with pytest.raises(ValidationFailed) as caught:
        services.plan_attach(actor=place["principal"], plan=place["plan"], upload=upload(name, content))
    assert message in str(caught.value.message)
    assert not PlanAttachment.objects.exists()


def test_size_limits_come_from_the_city_settings(place):
    ProgrammeSettings.objects.create(city=place["school"].city, max_document_mb=1)
    big = files.pdf() + b"0" * (1024 * 1024 + 1)
    with pytest.raises(ValidationFailed) as caught:
        services.plan_attach(actor=place["principal"], plan=place["plan"], upload=upload("大文件.pdf", big))
    assert "上限 1 MB" in str(caught.value.message)


def test_only_editors_attach_and_people_in_scope_download(place):
    attachment = services.plan_attach(
        actor=place["principal"], plan=place["plan"], upload=upload("方案.pdf", files.pdf())
    )
    teacher = TeacherFactory(school=place["school"])
    with pytest.raises(NotFound):
        services.plan_attach(actor=teacher.user, plan=place["plan"], upload=upload("x.pdf", files.pdf()))
    response = _client(place["county_admin"]).get(reverse("plan-attachment-download", args=[attachment.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"]
    outsider = user_with_role(Role.SCHOOL_TEAM, SchoolFactory())
    assert _client(outsider).get(reverse("plan-attachment-download", args=[attachment.pk])).status_code == 404


def test_pages_and_api(place):
    client = _client(place["principal"])
    response = client.post(
        reverse("plan-attach", args=[place["plan"].pk]), {"file": upload("方案.docx", files.exe())}
    )
    assert response.status_code == 302
    page = client.get(reverse("plan-detail", args=[place["plan"].pk])).content.decode()
    assert "不是" in page and not PlanAttachment.objects.exists()
    response = client.post(
        f"/api/v1/plans/{place['plan'].pk}/attachments", {"file": upload("方案.pdf", files.pdf())}
    )
    assert response.status_code == 201
    attachment_id = response.json()["id"]
    assert (
        client.get(f"/api/v1/plans/{place['plan'].pk}").json()["attachments"][0]["original_name"]
        == "方案.pdf"
    )
    assert client.delete(f"/api/v1/plan-attachments/{attachment_id}").status_code == 204
    assert client.get(f"/api/v1/plans/{place['plan'].pk}").json()["attachments"] == []
    response = client.post(
        f"/api/v1/plans/{place['plan'].pk}/attachments", {"file": upload("x.docx", files.exe())}
    )
    assert response.status_code == 400 and response.json()["error"]["code"] in ("invalid", "content_refused")
