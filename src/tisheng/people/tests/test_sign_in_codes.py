"""First passwords (issue 8 item 2): codes issued by a manager in the background, printed on slips,
used once to set a password; reissuing voids the old code; a reset voids the old password."""

import io
import os
import shutil
import subprocess
from datetime import timedelta

import openpyxl
import pytest
from django.db.models import F
from django.test import Client

from tisheng.core.errors import NotFound, ValidationFailed
from tisheng.core.models import AuditEvent
from tisheng.organisation.tests.factories import (
    PASSWORD,
    CountyFactory,
    SchoolFactory,
    TeacherFactory,
    UserFactory,
    assign,
)
from tisheng.people import codes, services
from tisheng.people.models import ActivationCode, ApiToken, Role, SignInCodeBatch, User

LOGIN = "/accounts/login/"
ACTIVATE = "/accounts/activate/"
NEW_PASSWORD = "Lanshan-river-42"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _jobs_run_at_once(monkeypatch):
    """The test's transaction never commits, so run what is queued on commit at once (the immediate
    task backend then runs the job in this thread)."""
    from django.db import transaction

    monkeypatch.setattr(transaction, "on_commit", lambda fn, using=None, robust=False: fn())


def _no_password(teacher):
    teacher.user.set_unusable_password()
    teacher.user.save()
    return teacher


@pytest.fixture
def school():
    county = CountyFactory(name="浉河区")
    return SchoolFactory(county=county, name="浉河区第一小学")


@pytest.fixture
def principal(school):
    user = UserFactory(username="principal", full_name="周校长")
    assign(user, Role.SCHOOL_TEAM, school, is_principal=True)
    return user


@pytest.fixture
def teachers(school):
    names = ["李秀英", "王建国", "张晓梅"]
    made = [
        _no_password(TeacherFactory(school=school, user=UserFactory(username=f"t100{i}", full_name=n)))
        for i, n in enumerate(names)
    ]
    made.append(TeacherFactory(school=school, user=UserFactory(username="t1009", full_name="赵已激活")))
    return made


def _codes_of(batch) -> dict[str, str]:
    """login -> code, read back from the batch's Excel list."""
    batch.refresh_from_db()
    book = openpyxl.load_workbook(io.BytesIO(batch.xlsx.open("rb").read()))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0] == ("县区", "学校", "姓名", "账号", "激活码", "有效期至")
    return {r[3]: r[4] for r in rows[1:]}


def _sign_in(client, login, secret):
    return client.post(LOGIN, {"username": login, "password": secret})


# ---- issuing ---------------------------------------------------------------------------------------


def test_a_principal_issues_codes_for_the_whole_school(principal, school, teachers):
    batch = services.sign_in_codes_issue(actor=principal, school=school)

    batch.refresh_from_db()
    assert batch.status == "done"
    assert (batch.issued, batch.reset, batch.progress_done, batch.progress_total) == (3, 0, 3, 3)
    found = _codes_of(batch)
    # Only the teachers without a password; the one who has one is left alone.
    assert set(found) == {"t1000", "t1001", "t1002"}
    assert all(codes.looks_like_code(c) for c in found.values())
    assert len(set(found.values())) == 3
    # Only a keyed hash is stored, never the code.
    for login, code in found.items():
        row = ActivationCode.objects.get(user__username=login)
        assert row.code_hash == codes.hash_code(code) and code not in row.code_hash
        assert row.expires_at == batch.expires_at
    assert AuditEvent.objects.filter(kind="sign_in_codes.requested", actor=principal).count() == 1
    issued = AuditEvent.objects.get(kind="sign_in_codes.issued")
    assert issued.actor_id == principal.pk and issued.data["issued"] == 3
    for event in AuditEvent.objects.all():
        assert not any(code in str(event.data) + event.summary for code in found.values())


def test_when_everyone_has_a_password_there_is_nothing_to_issue(principal, school):
    TeacherFactory(school=school)

    with pytest.raises(ValidationFailed, match="没有需要发放登录码的教师"):
        services.sign_in_codes_issue(actor=principal, school=school)

    assert not SignInCodeBatch.objects.exists()


def test_a_county_admin_issues_for_the_whole_county(school, teachers):
    other_school = SchoolFactory(county=school.county, name="浉河区第二小学")
    _no_password(TeacherFactory(school=other_school, user=UserFactory(username="t2000")))
    _no_password(TeacherFactory(user=UserFactory(username="elsewhere")))  # another county
    admin = UserFactory()
    assign(admin, Role.COUNTY_ADMIN, school.county)

    batch = services.sign_in_codes_issue(actor=admin, county=school.county)

    assert set(_codes_of(batch)) == {"t1000", "t1001", "t1002", "t2000"}


def test_nobody_issues_outside_what_they_manage(school, teachers):
    other_principal = UserFactory()
    assign(other_principal, Role.SCHOOL_TEAM, SchoolFactory())
    guide = UserFactory()
    assign(guide, Role.COUNTY_GUIDE, school.county)
    for actor in (other_principal, guide, teachers[3].user):
        with pytest.raises(NotFound):
            services.sign_in_codes_issue(actor=actor, school=school)
    with pytest.raises(NotFound):
        services.sign_in_codes_issue(actor=guide, county=school.county)
    assert not SignInCodeBatch.objects.exists()


def test_teachers_of_another_school_cannot_be_slipped_into_a_selection(principal, school, teachers):
    stranger = _no_password(TeacherFactory())

    with pytest.raises(ValidationFailed):
        services.sign_in_codes_issue(
            actor=principal, school=school, teacher_ids=[teachers[0].pk, stranger.pk]
        )

    assert not ActivationCode.objects.exists()


def test_reissuing_voids_the_old_code(principal, school, teachers):
    first = _codes_of(services.sign_in_codes_issue(actor=principal, school=school))["t1000"]
    second = _codes_of(
        services.sign_in_codes_issue(actor=principal, school=school, teacher_ids=[teachers[0].pk])
    )["t1000"]

    assert first != second
    assert ActivationCode.objects.filter(user=teachers[0].user).count() == 1
    assert _sign_in(Client(), "t1000", first).status_code == 400
    assert _sign_in(Client(), "t1000", second)["Location"] == ACTIVATE


def test_a_reset_voids_the_password_and_the_tokens(principal, school, teachers):
    active = teachers[3]
    services.api_token_issue(actor=active.user)

    batch = services.sign_in_codes_issue(actor=principal, school=school, teacher_ids=[active.pk])

    batch.refresh_from_db()
    assert (batch.issued, batch.reset) == (1, 1)
    assert _sign_in(Client(), "t1009", PASSWORD).status_code == 400
    assert ApiToken.objects.get(user=active.user).revoked_at is not None
    code = _codes_of(batch)["t1009"]
    assert _sign_in(Client(), "t1009", code)["Location"] == ACTIVATE


# ---- the teacher's first sign-in ----------------------------------------------------------------


@pytest.fixture
def code(principal, school, teachers):
    return _codes_of(services.sign_in_codes_issue(actor=principal, school=school))["t1000"]


def test_login_page_tells_a_teacher_without_a_password_what_to_do():
    content = Client().get(LOGIN).content.decode()

    assert "还没有密码？" in content
    assert "在“密码”栏输入激活码" in content


def test_sign_in_with_the_code_then_set_a_password(code, teachers):
    client = Client()
    response = _sign_in(client, "t1000", code.lower().replace("-", " "))  # as typed from the slip

    assert response.status_code == 302 and response["Location"] == ACTIVATE
    assert "_auth_user_id" not in client.session  # not signed in until a password is set
    page = client.get(ACTIVATE)
    assert "李秀英" in page.content.decode()

    weak = client.post(ACTIVATE, {"password": "12345678", "password2": "12345678"})
    assert weak.status_code == 400
    assert "这个密码太常见" in weak.content.decode() or "不能全是数字" in weak.content.decode()
    mismatch = client.post(ACTIVATE, {"password": NEW_PASSWORD, "password2": NEW_PASSWORD + "x"})
    assert "两次输入的新密码不一致" in mismatch.content.decode()

    done = client.post(ACTIVATE, {"password": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert done.status_code == 302 and done["Location"] == "/"
    assert client.session["_auth_user_id"] == str(teachers[0].user.pk)
    assert ActivationCode.objects.get(user=teachers[0].user).used_at is not None
    assert AuditEvent.objects.filter(kind="password.first_set", actor=teachers[0].user).count() == 1
    # Single use: the code is spent, the new password works.
    assert _sign_in(Client(), "t1000", code).status_code == 400
    assert _sign_in(Client(), "t1000", NEW_PASSWORD).status_code == 302


def test_an_expired_code_is_refused(code, teachers):
    ActivationCode.objects.update(expires_at=F("expires_at") - timedelta(days=15))

    response = _sign_in(Client(), "t1000", code)

    assert response.status_code == 400
    assert "账号或密码错误" in response.content.decode()
    assert AuditEvent.objects.filter(kind="login.failed", target_id=str(teachers[0].user.pk)).count() == 1


def test_a_code_reissued_while_the_password_page_is_open_cannot_be_used(principal, school, code, teachers):
    client = Client()
    _sign_in(client, "t1000", code)
    services.sign_in_codes_issue(actor=principal, school=school, teacher_ids=[teachers[0].pk])

    response = client.post(ACTIVATE, {"password": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert response.status_code == 400
    assert "激活码已失效" in response.content.decode()
    assert not User.objects.get(pk=teachers[0].user.pk).has_usable_password()


def test_the_password_page_needs_a_fresh_code_sign_in(code):
    assert Client().get(ACTIVATE)["Location"] == LOGIN
    client = Client()
    _sign_in(client, "t1000", code)
    session = client.session
    session["activation"] = {**session["activation"], "at": session["activation"]["at"] - 16 * 60}
    session.save()

    assert client.post(ACTIVATE, {"password": NEW_PASSWORD, "password2": NEW_PASSWORD})["Location"] == LOGIN


def test_a_code_is_not_a_password_for_the_api(code):
    response = Client().post(
        "/api/v1/auth/token", {"username": "t1000", "password": code}, content_type="application/json"
    )

    assert response.status_code == 400


def test_guessing_codes_runs_into_the_lockout(code, settings):
    settings.TISHENG_LOGIN_FAILURE_LIMIT = 3
    client = Client(REMOTE_ADDR="192.0.2.7")
    for guess in ("ABCDE-FGHJK", "BCDEF-GHJKM", "CDEFG-HJKMN"):
        assert _sign_in(client, "t1000", guess).status_code == 400

    assert _sign_in(client, "t1000", code).status_code == 429


# ---- password rules and changing one's password ---------------------------------------------------


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short1", "密码太短"),
        ("password", "这个密码太常见"),
        ("abcdefgh", "这个密码太常见"),
        ("8675309123", "不能全是数字"),
        ("411502199001011234", "身份证号"),
        ("x411502199001011234", "身份证号"),
        ("wo13912345678", "手机号"),
        ("t1000-secret", "登录账号"),
    ],
)
def test_password_rules_speak_plain_chinese(teachers, password, message):
    teacher = teachers[0]
    teacher.id_number = "411502199001011234"
    teacher.phone = "13912345678"
    teacher.save()

    with pytest.raises(ValidationFailed) as caught:
        services.password_validate(user=teacher.user, password=password)

    assert message in str(caught.value.message)
    assert "This password" not in str(caught.value.message)


def test_a_teacher_changes_their_password(teachers):
    user = teachers[3].user
    client = Client()
    client.force_login(user)
    services.api_token_issue(actor=user)

    wrong = client.post(
        "/accounts/password/", {"old_password": "nope", "password": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert wrong.status_code == 400 and "原密码不正确" in wrong.content.decode()
    response = client.post(
        "/accounts/password/", {"old_password": PASSWORD, "password": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )

    assert response.status_code == 302
    assert client.get("/").status_code == 200  # this session stays signed in
    assert User.objects.get(pk=user.pk).check_password(NEW_PASSWORD)
    assert ApiToken.objects.get(user=user).revoked_at is not None
    assert AuditEvent.objects.filter(kind="password.changed", actor=user).count() == 1


def test_the_api_changes_the_password_with_chinese_errors(teachers):
    user = teachers[3].user
    _token, key = services.api_token_issue(actor=user)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}

    weak = Client().post(
        "/api/v1/me/password",
        {"old_password": PASSWORD, "new_password": "1234"},
        content_type="application/json",
        **auth,
    )
    assert weak.status_code == 400
    assert weak.json()["error"]["code"] == "weak_password" and "密码太短" in weak.json()["error"]["message"]
    ok = Client().post(
        "/api/v1/me/password",
        {"old_password": PASSWORD, "new_password": NEW_PASSWORD},
        content_type="application/json",
        **auth,
    )
    assert ok.status_code == 204
    assert Client().get("/api/v1/me", **auth).status_code == 401  # the token ended with the old password


# ---- pages and API of the manager, hostile input -----------------------------------------------------


def test_the_school_page_issues_for_selected_teachers_and_shows_the_batch(principal, school, teachers):
    client = Client()
    client.force_login(principal)
    page = client.get(f"/accounts/schools/{school.pk}/sign-in/")
    assert page.status_code == 200
    assert "李秀英" in page.content.decode() and "已设置密码" in page.content.decode()

    response = client.post(
        f"/accounts/schools/{school.pk}/sign-in/", {"scope": "selected", "teacher": [teachers[1].pk]}
    )

    batch = SignInCodeBatch.objects.get()
    assert response["Location"] == f"/accounts/code-batches/{batch.pk}/"
    detail = client.get(response["Location"]).content.decode()
    assert "已发放 1 个激活码" in detail
    pdf = client.get(f"/accounts/code-batches/{batch.pk}/pdf/")
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert "attachment" in pdf["Content-Disposition"]


@pytest.mark.parametrize(
    "data",
    [
        {"scope": "selected"},
        {"scope": "selected", "teacher": ["abc"]},
        {"scope": "selected", "teacher": ["1\x00"]},
        {"scope": "selected", "teacher": ["9" * 40]},
        {"scope": "selected", "teacher": [str(i) for i in range(10_000, 11_500)]},
    ],
)
def test_bad_selections_on_the_page_get_a_chinese_message_and_write_nothing(
    principal, school, teachers, data
):
    client = Client()
    client.force_login(principal)

    response = client.post(f"/accounts/schools/{school.pk}/sign-in/", data)

    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert not SignInCodeBatch.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"teacher_ids": ["x"]},
        {"teacher_ids": "all"},
        {"teacher_ids": list(range(5001))},
        {"teacher_ids": [2**70]},
    ],
)
def test_bad_selections_in_the_api_use_the_error_shape(principal, school, teachers, body):
    client = Client()
    client.force_login(principal)

    response = client.post(
        f"/api/v1/schools/{school.pk}/sign-in-codes", body, content_type="application/json"
    )

    assert response.status_code in (400, 422)
    assert response.json()["error"]["code"] == "invalid"
    assert not SignInCodeBatch.objects.exists()


def test_the_api_issues_and_reports_progress(principal, school, teachers):
    client = Client()
    client.force_login(principal)

    response = client.post(f"/api/v1/schools/{school.pk}/sign-in-codes", {}, content_type="application/json")

    assert response.status_code == 202
    batch_id = response.json()["id"]
    body = client.get(f"/api/v1/sign-in-code-batches/{batch_id}").json()
    assert body["status"] == "done" and body["issued"] == 3
    xlsx = client.get(body["xlsx_url"])
    assert xlsx.status_code == 200
    assert client.get(f"/api/v1/sign-in-code-batches/{batch_id}/download?format=exe").status_code == 422


def test_a_missing_font_fails_the_batch_with_a_clear_message(principal, school, teachers, settings, tmp_path):
    settings.TISHENG_SLIP_FONT = str(tmp_path / "none.ttf")

    batch = services.sign_in_codes_issue(actor=principal, school=school)

    batch.refresh_from_db()
    assert batch.status == "failed" and "make setup" in batch.message
    assert not ActivationCode.objects.exists()


# ---- the slip as printed ----------------------------------------------------------------------------


def _poppler(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        message = f"{tool} (poppler-utils) is needed to read the slips back"
        if os.environ.get("CI"):
            pytest.fail(message + "; .ci/run installs it")
        pytest.skip(message + ": apt-get install -y poppler-utils")
    return path


def test_the_slip_pdf_renders_and_reads_back_in_chinese_with_the_font_embedded(
    principal, school, teachers, tmp_path
):
    batch = services.sign_in_codes_issue(actor=principal, school=school)
    batch.refresh_from_db()
    found = _codes_of(batch)
    pdf = tmp_path / "slips.pdf"
    pdf.write_bytes(batch.pdf.open("rb").read())

    subprocess.run([_poppler("pdftoppm"), "-r", "50", "-png", str(pdf), str(tmp_path / "page")], check=True)
    assert (tmp_path / "page-1.png").stat().st_size > 1000
    text = subprocess.run(
        [_poppler("pdftotext"), "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    for name in ("李秀英", "王建国", "张晓梅"):
        assert name in text
    assert "浉河区第一小学" in text and "教师登录单" in text
    for login, code in found.items():
        assert login in text and code in text
    fonts = subprocess.run(
        [_poppler("pdffonts"), str(pdf)], check=True, capture_output=True, text=True
    ).stdout
    line = next(line for line in fonts.splitlines() if "NotoSansSC" in line)
    assert " yes yes " in line  # embedded, subset
    assert pdf.stat().st_size < 400_000  # a subset, not the 10 MB font
