"""Scope is never crossed (foundation item 3).

Walks every page and every API operation that takes an id, with users of every role and scope,
and checks each gets the row when it is theirs and "not found" otherwise — with exactly the same
response as for an id that does not exist, so ids leak nothing. List pages and list operations are
checked to contain only rows in scope.

The expected visibility is written out here by hand (the oracle), not computed by core/scoping.py.
A new URL or API operation with an id parameter this test does not know fails the test until it
is added to PARAMS / the oracle.
"""

import re

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tisheng.config.api import api
from tisheng.organisation.tests.factories import (
    CityFactory,
    CountyFactory,
    GroupFactory,
    SchoolFactory,
    TeacherFactory,
    UserFactory,
    assign,
)
from tisheng.people.models import Role

MISSING_ID = 987654321

# Non-GET API operations and how their cross-scope behaviour is tested elsewhere.
WRITE_OPERATIONS = {
    ("post", "/api/v1/auth/token"): "people/tests/test_api_tokens.py (anonymous, own credentials only)",
    ("delete", "/api/v1/auth/token"): "people/tests/test_api_tokens.py (revokes only the caller's token)",
    (
        "post",
        "/api/v1/frameworks/{code}/points",
    ): "framework/tests/test_local_points.py + test_write_scope below",
    ("post", "/api/v1/imports"): "exchange/tests/test_import_web.py (upload into another unit is not found)",
    ("post", "/api/v1/imports/{job_id}/confirm"): "walked below (POST) + exchange/tests/test_import_web.py",
    (
        "post",
        "/api/v1/imports/{job_id}/retry",
    ): "walked below (POST) + exchange/tests/test_import_recovery.py",
    ("put", "/api/v1/schools/{school_id}/menu"): "walked below + plans/tests",
    ("post", "/api/v1/schools/{school_id}/menu/preview"): "walked below + plans/tests/test_menu_change.py",
    ("post", "/api/v1/picks/{pick_id}/unlock"): "walked below + plans/tests",
    ("post", "/api/v1/plans/{plan_id}/submit"): "walked below + plans/tests",
    ("post", "/api/v1/plans/{plan_id}/review"): "walked below + plans/tests",
    ("post", "/api/v1/plans/{plan_id}/withdraw"): "walked below + plans/tests/test_plan_states.py",
    ("put", "/api/v1/me/picks"): "plans/tests (only the caller's own picks; no id)",
    ("post", "/api/v1/plans"): "plans/tests/test_plans.py (owner units outside the scope are not found)",
    ("post", "/api/v1/plans/{plan_id}/attachments"): "walked below + plans/tests/test_attachments.py",
    ("delete", "/api/v1/plan-attachments/{attachment_id}"): "walked below + plans/tests/test_attachments.py",
    ("patch", "/api/v1/cities/{city_id}/programme"): "walked below + programme/tests",
    ("put", "/api/v1/cities/{city_id}/calendar/{batch_year}"): "walked below + programme/tests",
    # Sheets (issue 10): the level above enters scores; the city office edits the rules.
    ("put", "/api/v1/sheets/cities/{city_id}/rules"): "walked below + scoring/tests/test_api.py",
    ("post", "/api/v1/sheets/schools/{school_id}/scores"): "walked below + scoring/tests/test_api.py",
    ("post", "/api/v1/sheets/counties/{county_id}/scores"): "walked below + scoring/tests/test_api.py",
    # Evidence (R-OUTCOME): only its teacher changes it; walked below with the "own" oracle.
    ("post", "/api/v1/evidence"): "evidence/tests/test_api.py (only for the caller's own picks; no id)",
    ("put", "/api/v1/evidence/{evidence_id}"): "walked below + evidence/tests/test_api.py",
    ("post", "/api/v1/evidence/{evidence_id}/files"): "walked below + evidence/tests/test_api.py",
    ("delete", "/api/v1/evidence/files/{file_id}"): "walked below + evidence/tests/test_api.py",
    ("post", "/api/v1/evidence/{evidence_id}/submit"): "walked below + evidence/tests/test_api.py",
    ("post", "/api/v1/evidence/{evidence_id}/withdraw"): "walked below + evidence/tests/test_api.py",
    ("post", "/api/v1/evidence/{evidence_id}/uploads"): "walked below + evidence/tests/test_uploads.py",
    ("put", "/api/v1/uploads/{upload_id}/chunks"): "walked below + evidence/tests/test_uploads.py",
    ("post", "/api/v1/uploads/{upload_id}/complete"): "walked below + evidence/tests/test_uploads.py",
    ("delete", "/api/v1/uploads/{upload_id}"): "walked below + evidence/tests/test_uploads.py",
    # Hours (R-HOURS, R-OFFLINE, R-RESEARCH).
    ("post", "/api/v1/hours/teachers/{teacher_id}/entries"): "walked below + hours/tests/test_pages.py",
    ("post", "/api/v1/hours/entries/{entry_id}/remove"): "walked below + hours/tests/test_pages.py",
    (
        "post",
        "/api/v1/trainings",
    ): "trainings/tests/test_trainings.py (an organiser outside the scope is not found)",
    (
        "post",
        "/api/v1/trainings/{training_id}/attendance",
    ): "walked below + trainings/tests/test_trainings.py",
    (
        "post",
        "/api/v1/checkins",
    ): "trainings/tests/test_trainings.py (a signed code; audience and window checked)",
    (
        "post",
        "/api/v1/open-classes",
    ): "research/tests/test_research.py (teachers and points out of sight: not found)",
    (
        "post",
        "/api/v1/open-classes/{open_class_id}/observations",
    ): "walked below + research/tests/test_research.py",
    ("post", "/api/v1/open-classes/{open_class_id}/held"): "walked below + research/tests/test_research.py",
    (
        "post",
        "/api/v1/open-classes/{open_class_id}/hours",
    ): "walked below + research/tests/test_open_class_hours.py",
    # Appointments (R-TEAM): only within the units the caller manages.
    (
        "post",
        "/api/v1/role-assignments",
    ): "test_appointments_only_within_managed_units below + people/tests/test_appointment_rules.py",
    ("delete", "/api/v1/role-assignments/{assignment_id}"): "walked below (rolled back) + people/tests",
    # Sign-in (issue 8): codes, unlock, own password.
    (
        "post",
        "/api/v1/schools/{school_id}/sign-in-codes",
    ): "walked below + people/tests/test_sign_in_codes.py",
    (
        "post",
        "/api/v1/counties/{county_id}/sign-in-codes",
    ): "walked below + people/tests/test_sign_in_codes.py",
    ("post", "/api/v1/teachers/{teacher_id}/unlock"): "walked below + people/tests/test_lockout.py",
    ("post", "/api/v1/me/password"): "people/tests/test_sign_in_codes.py (the caller's own password; no id)",
    # Peer review (R-PEER): a review by the assigned reviewer only; allocations by the school's managers.
    (
        "post",
        "/api/v1/peer/assignments/{peer_assignment_id}/review",
    ): "walked below + evaluation/tests/test_peer_api.py",
    (
        "post",
        "/api/v1/schools/{school_id}/peer-allocations/preview",
    ): "walked below + evaluation/tests/test_peer_api.py",
    (
        "post",
        "/api/v1/schools/{school_id}/peer-allocations",
    ): "walked below (rolled back) + evaluation/tests/test_peer_api.py",
    # The evaluation chain (issue 10): rubrics by the city office; self-evaluation and appeals by the
    # teacher; verdicts by the school's assessors.
    ("put", "/api/v1/rubrics/{rubric_id}"): "walked below + evaluation/tests/test_rubrics_edit.py",
    (
        "post",
        "/api/v1/evidence/{evidence_id}/self-evaluation",
    ): "walked below (own) + evaluation/tests/test_assess_api.py",
    (
        "post",
        "/api/v1/evidence/{evidence_id}/verdicts",
    ): "walked below + evaluation/tests/test_assess_services.py",
    (
        "post",
        "/api/v1/evidence/{evidence_id}/appeal",
    ): "walked below (own) + evaluation/tests/test_assess_api.py",
}


@pytest.fixture
def world(db):
    city_a = CityFactory(name="甲市")
    city_b = CityFactory(name="乙市")
    a1 = CountyFactory(city=city_a, name="甲一县")
    a2 = CountyFactory(city=city_a, name="甲二县")
    b1 = CountyFactory(city=city_b, name="乙一县")
    s1 = SchoolFactory(county=a1, name="甲一县第一小学")
    s2 = SchoolFactory(county=a1, name="甲一县第二小学")
    s3 = SchoolFactory(county=a2, name="甲二县实验中学")
    sb = SchoolFactory(county=b1, name="乙一县育才小学")
    g1 = GroupFactory(school=s1, name="语文组")
    g2 = GroupFactory(school=s1, name="数学组")
    g3 = GroupFactory(school=s2, name="英语组")
    g4 = GroupFactory(school=s3, name="理化组")
    gb = GroupFactory(school=sb, name="综合组")
    t1 = TeacherFactory(school=s1, group=g1)
    t2 = TeacherFactory(school=s1, group=g2)
    t3 = TeacherFactory(school=s2, group=g3)
    t4 = TeacherFactory(school=s3, group=g4)
    tb = TeacherFactory(school=sb, group=gb)

    def user(role, unit, **marks):
        u = UserFactory()
        assign(u, role, unit, **marks)
        return u

    users = {
        "city_admin_a": user(Role.CITY_ADMIN, city_a),
        "city_guide_a": user(Role.CITY_GUIDE, city_a),
        "county_admin_a1": user(Role.COUNTY_ADMIN, a1),
        "county_guide_a2": user(Role.COUNTY_GUIDE, a2),
        "principal_s1": user(Role.SCHOOL_TEAM, s1, is_principal=True),
        # R-EVAL: a member of s1's assessment group views s1 (and judges its teachers' evidence).
        "member_s1": user(Role.ASSESSMENT_GROUP, s1),
        "group_leader_g1": user(Role.GROUP_LEADER, g1),
        "teacher_t1": t1.user,
        "evaluator_s3": user(Role.EVALUATOR, s3),
        "city_admin_b": user(Role.CITY_ADMIN, city_b),
        "nobody": UserFactory(),
    }

    def job(unit_user, unit, name):
        from tisheng.exchange.models import ImportJob, ImportStatus

        school = unit if unit.__class__.__name__ == "School" else None
        county = school.county if school else (unit if unit.__class__.__name__ == "County" else None)
        city = county.city if county else unit
        j = ImportJob(
            kind="roster",
            status=ImportStatus.DONE,
            created_by=unit_user,
            city=city,
            county=county,
            school=school,
            original_name=name,
        )
        j.file.save(name, ContentFile(b"x"), save=False)
        j.report.save("r.xlsx", ContentFile(b"report"), save=False)
        j.save()
        return j

    jobs = {
        "j_a1": job(users["county_admin_a1"], a1, "甲一县花名册.xlsx"),
        "j_s1": job(users["principal_s1"], s1, "一小花名册.xlsx"),
        "j_b": job(users["city_admin_b"], city_b, "乙市学校.xlsx"),
    }
    from tisheng.framework.models import AbilityPoint
    from tisheng.plans.models import Pick, Plan

    plans = {
        # Submitted, so that walking the write routes cannot change them (they answer 409).
        "p_s1": Plan.objects.create(
            kind="school_it", school=s1, title="甲一县第一小学整校推进方案", status="submitted"
        ),
        "p_g1": Plan.objects.create(kind="group_research", school=s1, group=g1, title="语文组研修计划"),
        "p_t1": Plan.objects.create(kind="personal", school=s1, teacher=t1, title="个人研修计划"),
        "p_sb": Plan.objects.create(
            kind="school_it", school=sb, title="乙一县育才小学整校推进方案", status="submitted"
        ),
    }
    from tisheng.plans.models import PlanAttachment

    def attachment(plan):
        a = PlanAttachment(plan=plan, original_name="附件.pdf", size=5, uploaded_by=users["city_admin_a"])
        a.file.save("a.pdf", ContentFile(b"%PDF-"), save=False)
        a.save()
        return a

    plan_attachments = {"a_s1": attachment(plans["p_s1"]), "a_sb": attachment(plans["p_sb"])}
    point = AbilityPoint.objects.get(framework__code="henan-2021", code="1-1")
    picks = {
        "k_t1": Pick.objects.create(teacher=t1, point=point, locked=True),
        "k_tb": Pick.objects.create(teacher=tb, point=point, locked=True),
    }
    # Evidence: t1's submitted set and draft, submitted sets of t2, t4 and tb; t1's upload in progress.
    from tisheng.evidence.models import EvidenceUpload
    from tisheng.evidence.tests.helpers import make_rows

    point_12 = AbilityPoint.objects.get(framework__code="henan-2021", code="1-2")
    ev_t1, ef_t1 = make_rows(t1, point)
    ev_t1d, ef_t1d = make_rows(t1, point_12, submitted=False)
    ev_t2, ef_t2 = make_rows(t2, point)
    ev_t4, ef_t4 = make_rows(t4, point)
    ev_tb, ef_tb = make_rows(tb, point)
    import datetime as dt

    # Peer review (R-PEER): t1 is given t2's work (another group of the same school); t2 is given t1's.
    from tisheng.evaluation.models import PeerAllocation, PeerAssignment

    run = PeerAllocation.objects.create(
        school=s1, seed=1, reviews_per_reviewer=3, reviewers_per_work=3, due_on=dt.date(2030, 1, 1)
    )

    def peer_assignment(reviewer, evidence):
        return PeerAssignment.objects.create(
            allocation=run,
            reviewer=reviewer,
            evidence=evidence,
            version=evidence.versions.get(),
            tier="school",
            due_on=run.due_on,
        )

    peer_assignments = {"pa_t1": peer_assignment(t1, ev_t2), "pa_t2": peer_assignment(t2, ev_t1)}
    uploads = {
        "up_t1": EvidenceUpload.objects.create(
            evidence=ev_t1d, created_by=t1.user, name="课堂实录.mp4", size=10
        ),
        "up_tb": EvidenceUpload.objects.create(
            evidence=ev_tb, created_by=tb.user, name="课堂实录.mp4", size=10
        ),
    }
    # Hours: manual entries of t1, t4, tb; a county (a1), a school (s3) and a city (B) training under
    # way; open classes at s1, s3 and sb (given by t2, t4, tb) an hour ago.
    import datetime as dt

    from django.utils import timezone

    from tisheng.hours.models import HoursEntry
    from tisheng.research.models import OpenClass
    from tisheng.trainings.models import Training

    def entry(teacher):
        return HoursEntry.objects.create(
            teacher=teacher,
            kind="practice",
            hours=2,
            date=dt.date(2022, 5, 1),
            source="manual",
            source_key=f"walk-{teacher.pk}",
            reason="补录",
        )

    def training(**organiser):
        unit = next(iter(organiser.values()))
        start = timezone.now() - dt.timedelta(hours=1)
        return Training.objects.create(
            **organiser,
            city=unit if unit.__class__.__name__ == "City" else unit.city,
            title="线下集中培训",
            place="报告厅",
            starts_at=start,
            ends_at=start + dt.timedelta(hours=3),
            hours=3,
            created_by=users["city_admin_a"],
        )

    def open_class(teacher):
        return OpenClass.objects.create(
            school=teacher.school,
            teacher=teacher,
            topic="公开课",
            point=point,
            place="录播教室",
            scheduled_at=timezone.now() - dt.timedelta(hours=1),
            created_by=users["city_admin_a"],
        )

    from tisheng.people.models import SignInCodeBatch

    def code_batch(by, county, school=None):
        b = SignInCodeBatch(
            created_by=by,
            city=county.city,
            county=county,
            school=school,
            status="done",
            expires_at=timezone.now() + dt.timedelta(days=14),
        )
        b.pdf.save("slips.pdf", ContentFile(b"%PDF-1.4"), save=False)
        b.xlsx.save("codes.xlsx", ContentFile(b"PK"), save=False)
        b.save()
        return b

    from tisheng.evaluation.rubrics import current_rubric

    objects = {
        # Rubrics (R-FW-3): city-wide data of each city.
        "rubric": {
            "r_A": current_rubric(city_id=city_a.pk, point=point),
            "r_B": current_rubric(city_id=city_b.pk, point=point),
        },
        "code_batch": {
            "cb_s1": code_batch(users["principal_s1"], a1, s1),
            "cb_a2": code_batch(users["city_admin_a"], a2),
            "cb_b": code_batch(users["city_admin_b"], b1, sb),
        },
        "hours_entry": {"e_t1": entry(t1), "e_t4": entry(t4), "e_tb": entry(tb)},
        "training": {
            "tr_a1": training(organiser_county=a1),
            "tr_s3": training(organiser_school=s3),
            "tr_b": training(organiser_city=city_b),
        },
        "open_class": {"oc_s1": open_class(t2), "oc_s3": open_class(t4), "oc_b": open_class(tb)},
        "evidence": {"ev_t1": ev_t1, "ev_t1d": ev_t1d, "ev_t2": ev_t2, "ev_t4": ev_t4, "ev_tb": ev_tb},
        "evidence_file": {"ef_t1": ef_t1, "ef_t1d": ef_t1d, "ef_t2": ef_t2, "ef_t4": ef_t4, "ef_tb": ef_tb},
        "upload": uploads,
        "peer_assignment": peer_assignments,
        "plan_attachment": plan_attachments,
        "city": {"A": city_a, "B": city_b},
        "plan": plans,
        "pick": picks,
        "import": jobs,
        "county": {"a1": a1, "a2": a2, "b1": b1},
        "school": {"s1": s1, "s2": s2, "s3": s3, "sb": sb},
        "group": {"g1": g1, "g2": g2, "g3": g3, "g4": g4, "gb": gb},
        "teacher": {"t1": t1, "t2": t2, "t3": t3, "t4": t4, "tb": tb},
    }
    # The oracle: which named objects each user may see.
    a_all = {"a1", "a2", "s1", "s2", "s3", "g1", "g2", "g3", "g4", "t1", "t2", "t3", "t4"}
    # Import jobs: their uploader and the managers of the unit they write into; guides never.
    visible = {
        "city_admin_a": a_all | {"j_a1", "j_s1"},
        "city_guide_a": a_all,
        "county_admin_a1": {"a1", "s1", "s2", "g1", "g2", "g3", "t1", "t2", "t3", "j_a1", "j_s1"},
        "county_guide_a2": {"a2", "s3", "g4", "t4"},
        "principal_s1": {"s1", "g1", "g2", "t1", "t2", "j_s1"},
        "member_s1": {"s1", "g1", "g2", "t1", "t2"},
        "group_leader_g1": {"g1", "t1"},
        "teacher_t1": {"t1"},
        "evaluator_s3": {"s3", "g4", "t4"},
        "city_admin_b": {"b1", "sb", "gb", "tb", "j_b"},
        "nobody": set(),
    }
    # Plans: a school's plans with the school (and for its teachers), group plans with the group,
    # personal plans with the teacher. Picks: with the teacher.
    plan_and_pick_visible = {
        "city_admin_a": {"p_s1", "p_g1", "p_t1", "k_t1", "a_s1"},
        "city_guide_a": {"p_s1", "p_g1", "p_t1", "k_t1", "a_s1"},
        "county_admin_a1": {"p_s1", "p_g1", "p_t1", "k_t1", "a_s1"},
        "principal_s1": {"p_s1", "p_g1", "p_t1", "k_t1", "a_s1"},
        "member_s1": {"p_s1", "p_g1", "p_t1", "k_t1", "a_s1"},
        "group_leader_g1": {"p_g1", "p_t1", "k_t1"},
        "teacher_t1": {"p_s1", "p_g1", "p_t1", "k_t1", "a_s1"},
        "city_admin_b": {"p_sb", "k_tb", "a_sb"},
    }
    for key, extra in plan_and_pick_visible.items():
        visible[key] = visible[key] | extra
    # Hours entries go with their teacher. Trainings: organised by a unit in scope, or for a school in
    # scope (a county training is for every school of the county), or for the teacher. Open classes:
    # at a school in scope, given by a teacher in scope, or at the teacher's own school.
    hours_visible = {
        "city_admin_a": {"e_t1", "e_t4", "tr_a1", "tr_s3", "oc_s1", "oc_s3"},
        "city_guide_a": {"e_t1", "e_t4", "tr_a1", "tr_s3", "oc_s1", "oc_s3"},
        "county_admin_a1": {"e_t1", "tr_a1", "oc_s1"},
        "county_guide_a2": {"e_t4", "tr_s3", "oc_s3"},
        "principal_s1": {"e_t1", "tr_a1", "oc_s1"},
        "member_s1": {"e_t1", "tr_a1", "oc_s1"},
        "group_leader_g1": {"e_t1"},
        "teacher_t1": {"e_t1", "tr_a1", "oc_s1"},
        "evaluator_s3": {"e_t4", "tr_s3", "oc_s3"},
        "city_admin_b": {"e_tb", "tr_b", "oc_b"},
    }
    for key, extra in hours_visible.items():
        visible[key] = visible[key] | extra
    # Who may change things: the managers of the unit (city office, county office, school team).
    manage = {
        "city_admin_a": {"s1", "s2", "s3", "g1", "g2", "g3", "g4", "k_t1", "p_s1", "p_g1", "a_s1"}
        | {"e_t1", "e_t4", "tr_a1", "tr_s3", "oc_s1", "oc_s3"},
        "county_admin_a1": {
            "s1",
            "s2",
            "g1",
            "g2",
            "g3",
            "k_t1",
            "p_s1",
            "p_g1",
            "e_t1",
            "tr_a1",
            "oc_s1",
            "a_s1",
        },
        "principal_s1": {"s1", "g1", "g2", "k_t1", "p_s1", "p_g1", "e_t1", "oc_s1", "a_s1"},
        "group_leader_g1": {"g1", "p_g1"},
        "teacher_t1": {"p_t1"},
        "city_admin_b": {"sb", "gb", "k_tb", "p_sb", "e_tb", "tr_b", "oc_b", "a_sb"},
    }
    # Sign-in (issue 8): codes, resets and unlocks of teachers, by the managers of their school, county
    # or city; a batch of codes with the unit it was issued for.
    for key, extra in {
        "city_admin_a": {"a1", "a2", "t1", "t2", "t3", "t4", "cb_s1", "cb_a2"},
        "county_admin_a1": {"a1", "t1", "t2", "t3", "cb_s1"},
        "principal_s1": {"t1", "t2", "cb_s1"},
        "city_admin_b": {"b1", "tb", "cb_b"},
    }.items():
        manage[key] = manage[key] | extra
    # City-wide things (programme settings): everyone whose units lie in the city.
    in_city_a = {
        "city_admin_a",
        "city_guide_a",
        "county_admin_a1",
        "county_guide_a2",
        "principal_s1",
        "member_s1",
        "group_leader_g1",
        "teacher_t1",
        "evaluator_s3",
    }
    for key in users:
        visible[key] = visible[key] | (
            {"A", "r_A"} if key in in_city_a else {"B", "r_B"} if key == "city_admin_b" else set()
        )
    # Evidence: the teacher's own in every state; others' (and their files) once submitted, for
    # whoever sees the teacher. An upload in progress: its uploader only.
    evidence_visible = {
        "city_admin_a": {"ev_t1", "ev_t2", "ev_t4", "ef_t1", "ef_t2", "ef_t4"},
        "city_guide_a": {"ev_t1", "ev_t2", "ev_t4", "ef_t1", "ef_t2", "ef_t4"},
        "county_admin_a1": {"ev_t1", "ev_t2", "ef_t1", "ef_t2"},
        "county_guide_a2": {"ev_t4", "ef_t4"},
        "principal_s1": {"ev_t1", "ev_t2", "ef_t1", "ef_t2"},
        "member_s1": {"ev_t1", "ev_t2", "ef_t1", "ef_t2"},
        "group_leader_g1": {"ev_t1", "ef_t1"},
        # t1 also reads the files of t2's version assigned to them for peer review (R-PEER).
        "teacher_t1": {"ev_t1", "ev_t1d", "ef_t1", "ef_t1d", "up_t1", "ef_t2"},
        "evaluator_s3": {"ev_t4", "ef_t4"},
        "city_admin_b": {"ev_tb", "ef_tb"},
    }
    for key, extra in evidence_visible.items():
        visible[key] = visible[key] | extra
    # Appointments: the managers of a unit (and of the units above it) list and remove the roles bound
    # to it; their 人员与角色 pages are theirs alone.
    objects["assignment"] = {
        f"ra_{key}": u.role_assignments.get()
        for key, u in users.items()
        if key not in ("teacher_t1", "nobody")
    }
    in_a = {
        f"ra_{k}"
        for k in (
            "city_admin_a",
            "city_guide_a",
            "county_admin_a1",
            "county_guide_a2",
            "principal_s1",
            "member_s1",
            "group_leader_g1",
            "evaluator_s3",
        )
    }
    appoint = {
        "city_admin_a": {"A", "a1", "a2", "s1", "s2", "s3"} | in_a,
        "county_admin_a1": {
            "a1",
            "s1",
            "s2",
            "ra_county_admin_a1",
            "ra_principal_s1",
            "ra_member_s1",
            "ra_group_leader_g1",
        },
        "principal_s1": {"s1", "ra_principal_s1", "ra_member_s1", "ra_group_leader_g1"},
        "city_admin_b": {"B", "b1", "sb", "ra_city_admin_b"},
    }
    oracles = {
        "appoint": {k: appoint.get(k, set()) for k in users},
        # Only its teacher changes evidence: for anyone else its write routes are "not found".
        "own": {k: ({"ev_t1", "ev_t1d", "ef_t1", "ef_t1d"} if k == "teacher_t1" else set()) for k in users},
        "see": visible,
        "manage": {k: manage.get(k, set()) for k in users},
        # A teacher also reads the ability-point menu of their own school.
        "menu": {k: visible[k] | ({"s1"} if k == "teacher_t1" else set()) for k in users},
        # The county's own plan (sheet 3.1 item 1): written by the county's office only.
        "county_office": {k: {"county_admin_a1": {"a1"}}.get(k, set()) for k in users},
        # The city's progress overview: only those who hold a role over the whole city.
        # A peer assignment: its reviewer alone (R-PEER), not the school team, not the group leader.
        "reviewer": {k: ({"pa_t1"} if k == "teacher_t1" else set()) for k in users},
        # A rubric's edit page: the city office of its city.
        "rubric_manage": {k: {"city_admin_a": {"r_A"}, "city_admin_b": {"r_B"}}.get(k, set()) for k in users},
        "city_overview": {
            k: {"city_admin_a": {"A"}, "city_guide_a": {"A"}, "city_admin_b": {"B"}}.get(k, set())
            for k in users
        },
    }
    return users, objects, oracles


PARAMS = {
    "county_id": "county",
    "school_id": "school",
    "group_id": "group",
    "teacher_id": "teacher",
    "job_id": "import",
    "plan_id": "plan",
    "pick_id": "pick",
    "city_id": "city",
    "evidence_id": "evidence",
    "file_id": "evidence_file",
    "upload_id": "upload",
    "entry_id": "hours_entry",
    "training_id": "training",
    "open_class_id": "open_class",
    "attachment_id": "plan_attachment",
    "assignment_id": "assignment",
    "batch_id": "code_batch",
    "peer_assignment_id": "peer_assignment",
    "rubric_id": "rubric",
}
# Routes whose rule is not "whoever sees the row": which oracle decides, and fixed extra arguments.
PAGE_ORACLE = {
    "plan-edit-school": "manage",
    "plan-edit-group": "manage",
    "pick-unlock": "manage",
    "plan-attach": "manage",
    "plan-attachment-remove": "manage",
    "evidence-withdraw": "own",
    "evidence-file-remove": "own",
    # Managers' screens and actions in hours: "not found" for anyone who does not manage the row.
    "hours-entry-remove": "manage",
    "hours-training-qr": "manage",
    "hours-training-qr-code": "manage",
    "hours-open-class-held": "manage",
    "hours-open-class-hours": "manage",
    # 人员与角色: managers' pages.
    "people-city": "appoint",
    "people-county": "appoint",
    "people-school": "appoint",
    "people-remove": "appoint",
    # Sign-in codes, resets and unlocks (issue 8): the managers' screens.
    "school-sign-in": "manage",
    "county-sign-in": "manage",
    "code-batch": "manage",
    "code-batch-progress": "manage",
    "code-batch-pdf": "manage",
    "code-batch-xlsx": "manage",
    "teacher-unlock": "manage",
    "progress-city": "city_overview",
    "peer-review": "reviewer",
    # The evaluation chain: the city office edits rubrics; the teacher self-evaluates and appeals.
    "rubric-edit": "rubric_manage",
    "self-evaluate": "own",
    "appeal": "own",
    "scoring-city": "city_overview",  # the city's rates: those who hold a role over the whole city
    "plan-edit-county": "county_office",
}
PAGE_KWARGS = {"plan-edit-school": {"kind": "school_it"}}
API_ORACLE = {
    ("get", "/api/v1/schools/{school_id}/menu"): "menu",
    ("put", "/api/v1/schools/{school_id}/menu"): "manage",
    ("post", "/api/v1/schools/{school_id}/menu/preview"): "manage",
    ("post", "/api/v1/picks/{pick_id}/unlock"): "manage",
    ("post", "/api/v1/plans/{plan_id}/submit"): "manage",
    ("post", "/api/v1/plans/{plan_id}/withdraw"): "manage",
    ("post", "/api/v1/plans/{plan_id}/attachments"): "manage",
    ("delete", "/api/v1/plan-attachments/{attachment_id}"): "manage",
    ("put", "/api/v1/evidence/{evidence_id}"): "own",
    ("post", "/api/v1/evidence/{evidence_id}/files"): "own",
    ("delete", "/api/v1/evidence/files/{file_id}"): "own",
    ("post", "/api/v1/evidence/{evidence_id}/submit"): "own",
    ("post", "/api/v1/evidence/{evidence_id}/withdraw"): "own",
    ("post", "/api/v1/evidence/{evidence_id}/uploads"): "own",
    ("get", "/api/v1/trainings/{training_id}/checkin-code"): "manage",
    ("delete", "/api/v1/role-assignments/{assignment_id}"): "appoint",
    ("post", "/api/v1/schools/{school_id}/sign-in-codes"): "manage",
    ("post", "/api/v1/counties/{county_id}/sign-in-codes"): "manage",
    ("get", "/api/v1/sign-in-code-batches/{batch_id}"): "manage",
    ("get", "/api/v1/sign-in-code-batches/{batch_id}/download"): "manage",
    ("post", "/api/v1/teachers/{teacher_id}/unlock"): "manage",
    ("get", "/api/v1/cities/{city_id}/progress"): "city_overview",
    ("get", "/api/v1/peer/assignments/{peer_assignment_id}"): "reviewer",
    ("post", "/api/v1/peer/assignments/{peer_assignment_id}/review"): "reviewer",
    ("post", "/api/v1/schools/{school_id}/peer-allocations/preview"): "manage",
    ("post", "/api/v1/schools/{school_id}/peer-allocations"): "manage",
    ("post", "/api/v1/evidence/{evidence_id}/self-evaluation"): "own",
    ("post", "/api/v1/evidence/{evidence_id}/appeal"): "own",
    ("get", "/api/v1/sheets/cities/{city_id}"): "city_overview",
}
API_KWARGS = {"/api/v1/cities/{city_id}/calendar/{batch_year}": {"batch_year": "2022"}}
API_BODY = {
    ("patch", "/api/v1/cities/{city_id}/programme"): {"min_picks": 3},
    ("put", "/api/v1/cities/{city_id}/calendar/{batch_year}"): {},
    ("put", "/api/v1/schools/{school_id}/menu"): {"environments": ["multimedia"], "point_ids": []},
    ("post", "/api/v1/schools/{school_id}/menu/preview"): {"environments": ["multimedia"], "point_ids": []},
    ("post", "/api/v1/plans/{plan_id}/review"): {"approve": False, "reason": ""},
    ("put", "/api/v1/evidence/{evidence_id}"): {"summary": "巡查写入"},
    ("post", "/api/v1/evidence/{evidence_id}/uploads"): {"name": "课堂实录.mp4", "size": 10},
    ("post", "/api/v1/hours/teachers/{teacher_id}/entries"): {
        "kind": "practice",
        "hours": "1",
        "date": "2022-05-01",
        "reason": "补录",
    },
    ("post", "/api/v1/hours/entries/{entry_id}/remove"): {"reason": "重复录入"},
    # A review too short to be accepted (400 for its reviewer): the walk leaves the assignment open.
    ("post", "/api/v1/peer/assignments/{peer_assignment_id}/review"): {
        "ratings": {},
        "overall": "pass",
        "comment": "短",
    },
    ("post", "/api/v1/schools/{school_id}/peer-allocations/preview"): {"seed": 1},
    # Refused for whoever may try (over the item's weight; an incomplete sheet): nothing written.
    ("put", "/api/v1/sheets/cities/{city_id}/rules"): {"sheet": "teacher", "items": []},
    ("post", "/api/v1/sheets/schools/{school_id}/scores"): {"key": "plan", "points": 99, "reason": "巡查"},
    ("post", "/api/v1/sheets/counties/{county_id}/scores"): {"key": "plan", "points": 99, "reason": "巡查"},
    ("post", "/api/v1/schools/{school_id}/sign-in-codes"): {"teacher_ids": []},
    ("post", "/api/v1/trainings/{training_id}/attendance"): {"teacher_ids": []},
    ("post", "/api/v1/open-classes/{open_class_id}/observations"): {
        "comment": "信息技术应用恰当，学生参与度高。"
    },
    # Valid bodies (a schema error would answer 422 before the scope is checked); the services then
    # refuse them (a version that is not the latest, nothing to appeal) or the role may not act.
    ("put", "/api/v1/rubrics/{rubric_id}"): {
        "criteria": [{"label": "巡查指标", "description": ""}],
        "note": "巡查写入",
    },
    ("post", "/api/v1/evidence/{evidence_id}/self-evaluation"): {
        "version_id": MISSING_ID,
        "ratings": {"c1": "pass"},
        "overall": "pass",
        "reflection": "巡查写入的自评反思，不会保存。",
    },
    ("post", "/api/v1/evidence/{evidence_id}/verdicts"): {
        "version_id": MISSING_ID,
        "verdicts_seen": 0,
        "decision": "pass",
        "comment": "巡查写入的考核评语，不会保存。",
    },
    ("post", "/api/v1/evidence/{evidence_id}/appeal"): {"reason": "巡查写入的复核申请理由。"},
    ("post", "/api/v1/open-classes/{open_class_id}/hours"): {
        "giver_hours": 2,
        "observer_hours": 1,
        "reason": "巡查写入，学时不变",
    },
}


def _png_upload():
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tisheng.core.tests.files import png

    return SimpleUploadedFile("照片.png", png(), content_type="image/png")


def _withdraw_and_put_back(client, target):
    """Withdraw, then put the plan back as submitted, so the rest of the walk sees the same world."""
    from tisheng.plans.models import Plan

    response = client.post(target)
    if response.status_code == 200:
        Plan.objects.filter(pk=response.json()["id"]).update(status="submitted")
    return response


class _Undo(Exception):
    def __init__(self, response):
        self.response = response


def _rolled_back(call):
    """Run a request and undo what it wrote, so that one user's removal does not change the next
    user's world."""
    from django.db import transaction

    try:
        with transaction.atomic():
            raise _Undo(call())
    except _Undo as undo:
        return undo.response


# Operations whose body is not JSON, or that must be undone: how the walk sends them.
API_RAW = {
    ("post", "/api/v1/plans/{plan_id}/withdraw"): _withdraw_and_put_back,
    ("delete", "/api/v1/role-assignments/{assignment_id}"): lambda client, target: _rolled_back(
        lambda: client.delete(target)
    ),
    ("post", "/api/v1/evidence/{evidence_id}/files"): lambda client, target: client.post(
        target, {"file": _png_upload()}
    ),
    ("post", "/api/v1/plans/{plan_id}/attachments"): lambda client, target: client.post(
        target, {"file": _png_upload()}
    ),
    ("post", "/api/v1/schools/{school_id}/peer-allocations"): lambda client, target: _rolled_back(
        lambda: client.post(target, {"seed": 1}, content_type="application/json")
    ),
    ("put", "/api/v1/uploads/{upload_id}/chunks"): lambda client, target: client.put(
        target + "?offset=0", b"x", content_type="application/octet-stream"
    ),
}
MISSING = {
    "job_id": "00000000-0000-4000-8000-000000000000",
    "upload_id": "00000000-0000-4000-8000-000000000000",
    "batch_id": "00000000-0000-4000-8000-000000000000",
}


def _page_patterns():
    """Every HTML route with an int id parameter (admin and the API are walked separately)."""
    found = []

    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                route = str(p.pattern)
                if route.startswith(("admin/", "api/", "i18n/")):
                    continue
                walk(p.url_patterns, prefix + route)
            elif isinstance(p, URLPattern) and p.pattern.converters:
                found.append((p.name, list(p.pattern.converters)))

    walk(get_resolver().url_patterns)
    return found


def _api_id_operations():
    schema = api.get_openapi_schema(path_prefix="/api/v1")
    ops = []
    for path, methods in schema["paths"].items():
        for method in methods:
            params = re.findall(r"{(\w+)}", path)
            ops.append((method, path, params))
    return ops


FLASH = re.compile(rb'<p class="flash[^"]*">.*?</p>', re.S)
CSRF = re.compile(rb'(csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+')


def _same_page(response, missing, path, missing_path) -> bool:
    """Equal but for the per-request CSRF mask and the requested path echoed in the language form."""

    def norm(content: bytes, own_path: str) -> bytes:
        # A flash message left by an earlier successful action is shown on whatever page comes next.
        content = FLASH.sub(b"", content)
        return CSRF.sub(rb"\1", content).replace(own_path.encode(), b"PATH")

    return norm(response.content, path) == norm(missing.content, missing_path)


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def test_every_page_with_an_id_is_walked():
    for name, params in _page_patterns():
        if name == "framework-detail":  # slug of a public framework, not a scoped row
            continue
        if name == "hours-checkin":  # a signed, expiring check-in code: trainings/tests/test_trainings.py
            continue
        ids = [p for p in params if p not in PAGE_KWARGS.get(name, {})]
        assert len(ids) == 1 and ids[0] in PARAMS, f"page {name} has parameters {params}: add it to this test"


def test_pages_show_rows_in_scope_and_not_found_otherwise(world):
    users, objects, oracles = world
    pages = []
    for name, params in _page_patterns():
        ids = [p for p in params if p not in PAGE_KWARGS.get(name, {})]
        if ids and ids[0] in PARAMS:
            pages.append((name, ids[0]))
    assert len(pages) >= 4
    for user_key, user in users.items():
        client = _client(user)
        for name, param in pages:
            kind = PARAMS[param]
            visible = oracles[PAGE_ORACLE.get(name, "see")]
            extra = PAGE_KWARGS.get(name, {})
            missing_path = reverse(name, kwargs={param: MISSING.get(param, MISSING_ID), **extra})
            call = client.get
            if client.get(missing_path).status_code == 405:
                call = client.post  # a POST-only action (e.g. confirm an import)
            missing = call(missing_path)
            assert missing.status_code == 404, (user_key, name)
            for obj_key, obj in objects[kind].items():
                path = reverse(name, kwargs={param: obj.pk, **extra})
                response = call(path)
                if obj_key in visible[user_key]:
                    # A POST-only action: done (302), refused as invalid (400, the form again) or a conflict.
                    expected = (200,) if call == client.get else (302, 400, 409)
                    assert response.status_code in expected, (user_key, name, obj_key, response.status_code)
                else:
                    assert response.status_code == 404, (user_key, name, obj_key, response.status_code)
                    # Same page as for a row that does not exist: nothing tells them it exists.
                    assert _same_page(response, missing, path, missing_path), (user_key, name, obj_key)


def test_api_operations_with_an_id(world):
    users, objects, oracles = world
    ops = _api_id_operations()
    id_ops = [(m, p, params) for m, p, params in ops if params and (m == "get" or (m, p) in WRITE_OPERATIONS)]
    assert {p for _m, p, _ in id_ops} >= {
        "/api/v1/counties/{county_id}",
        "/api/v1/schools/{school_id}",
        "/api/v1/groups/{group_id}",
        "/api/v1/teachers/{teacher_id}",
    }
    for method, path, params in ops:
        if method != "get":
            assert (method, path) in WRITE_OPERATIONS, f"{method.upper()} {path}: add its cross-scope test"
        ids = [p for p in params if p not in API_KWARGS.get(path, {})]
        if ids and ids != ["code"]:
            assert len(ids) == 1 and ids[0] in PARAMS, f"{path}: add it to this test"
    for user_key, user in users.items():
        client = _client(user)
        for method, path, params in id_ops:
            ids = [p for p in params if p not in API_KWARGS.get(path, {})]
            if ids == ["code"]:
                continue
            param = ids[0]
            kind = PARAMS[param]
            visible = oracles[API_ORACLE.get((method, path), "see")]
            body = API_BODY.get((method, path))
            raw = API_RAW.get((method, path))
            for fixed, value in API_KWARGS.get(path, {}).items():
                path = path.replace("{" + fixed + "}", value)

            def call(target, method=method, body=body, client=client, raw=raw):
                if raw is not None:
                    return raw(client, target)
                if body is None:
                    return getattr(client, method)(target)
                return getattr(client, method)(target, body, content_type="application/json")

            missing = call(path.replace("{" + param + "}", str(MISSING.get(param, MISSING_ID))))
            assert missing.status_code == 404, (user_key, method, path)
            assert missing.json()["error"]["code"] == "not_found"
            for obj_key, obj in objects[kind].items():
                response = call(path.replace("{" + param + "}", str(obj.pk)))
                if obj_key in visible[user_key]:
                    if method == "get" and path.endswith(("/report", "/download")):
                        assert response.status_code == 200, (user_key, path, obj_key)
                    elif method == "get":
                        assert response.status_code == 200, (user_key, path, obj_key)
                        data = response.json()
                        ident = (
                            data.get("id")
                            or data.get("school_id")
                            or data.get("city_id")
                            or data.get("teacher_id")
                        )
                        assert str(ident) == str(obj.pk)
                    else:
                        # Allowed to try: the answer is about the request (invalid, conflict,
                        # forbidden for a read-only role), never "not found" and never a crash.
                        assert response.status_code in (200, 201, 202, 204, 400, 403, 409, 422), (
                            user_key,
                            method,
                            path,
                            obj_key,
                            response.status_code,
                        )
                else:
                    assert response.status_code == 404, (
                        user_key,
                        method,
                        path,
                        obj_key,
                        response.status_code,
                    )
                    assert response.json() == missing.json()


def test_api_lists_contain_only_rows_in_scope(world):
    users, objects, oracles = world
    visible = oracles["see"]
    lists = {
        "/api/v1/counties": "county",
        "/api/v1/schools": "school",
        "/api/v1/groups": "group",
        "/api/v1/teachers": "teacher",
        "/api/v1/evidence": "evidence",
    }
    for user_key, user in users.items():
        client = _client(user)
        for path, kind in lists.items():
            body = client.get(path, {"limit": 100}).json()
            got = {item["id"] for item in body["items"]}
            expected = {obj.pk for key, obj in objects[kind].items() if key in visible[user_key]}
            assert got == expected, (user_key, path)
            assert body["count"] == len(expected)
        # Peer review (R-PEER): the caller's own assignments, whatever else they see.
        got = {item["id"] for item in client.get("/api/v1/peer/assignments", {"limit": 100}).json()["items"]}
        expected = {a.pk for k, a in objects["peer_assignment"].items() if k in oracles["reviewer"][user_key]}
        assert got == expected, (user_key, "/api/v1/peer/assignments")
        page = client.get(reverse("peer-home")).content.decode()
        shown = {
            k for k, a in objects["peer_assignment"].items() if f'data-testid="assignment-{a.pk}"' in page
        }
        assert shown == oracles["reviewer"][user_key], (user_key, "peer-home")
        # Filtering by a unit outside the scope yields nothing, not the other unit's rows.
        for school in objects["school"].values():
            got = {t["id"] for t in client.get("/api/v1/teachers", {"school_id": school.pk}).json()["items"]}
            expected = {
                t.pk
                for k, t in objects["teacher"].items()
                if k in visible[user_key] and t.school_id == school.pk
            }
            assert got == expected, (user_key, school.name)


def test_list_pages_show_only_names_in_scope(world):
    users, objects, oracles = world
    visible = oracles["see"]
    for user_key, user in users.items():
        client = _client(user)
        home = client.get(reverse("home")).content.decode()
        schools_page = client.get(reverse("school-list")).content.decode()
        for key, school in objects["school"].items():
            shown = school.name in home or school.name in schools_page
            assert shown == (
                key in visible[user_key] and user_key not in {"group_leader_g1", "teacher_t1"}
            ) or (
                # a teacher and a group leader see their own school's name on their home page only
                user_key in {"group_leader_g1", "teacher_t1"} and key == "s1"
            ), (user_key, school.name)


def test_anonymous_is_sent_to_login_and_api_says_unauthenticated(world):
    _users, objects, _visible = world
    client = Client()
    school = objects["school"]["s1"]
    response = client.get(reverse("school-detail", kwargs={"school_id": school.pk}))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    response = client.get(f"/api/v1/schools/{school.pk}")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_write_scope_local_point_for_another_city_is_not_found(world):
    users, _objects, _visible = world
    city_a = users["city_admin_a"].role_assignments.get().city
    for user_key in ("city_admin_b", "county_admin_a1", "principal_s1", "teacher_t1", "evaluator_s3"):
        client = _client(users[user_key])
        response = client.post(
            "/api/v1/frameworks/henan-2021/points",
            {
                "city_id": city_a.pk,
                "code": "L-9",
                "environment": "mixed",
                "dimension": "design",
                "description": "x",
            },
            content_type="application/json",
        )
        assert response.status_code in (403, 404), user_key
        assert response.json()["error"]["code"] in ("not_found", "forbidden")


def test_appointments_only_within_managed_units(world):
    """POST /role-assignments, the role-assignment list and the person search stay within the units
    the caller manages; anything else is "not found", the same as a unit that does not exist."""
    users, objects, oracles = world
    appoint = oracles["appoint"]
    teachers_at = {key: t for key, t in objects["teacher"].items()}
    school_of = {"s1": "t1", "s2": "t3", "s3": "t4", "sb": "tb"}
    for user_key, user in users.items():
        client = _client(user)
        missing = client.post(
            "/api/v1/role-assignments",
            {"role": "assessment_group", "school_id": MISSING_ID, "teacher_id": teachers_at["t1"].pk},
            content_type="application/json",
        )
        assert missing.status_code == 404, user_key
        for school_key, school in objects["school"].items():
            teacher = teachers_at[school_of[school_key]]
            response = _rolled_back(
                lambda client=client, school=school, teacher=teacher: client.post(
                    "/api/v1/role-assignments",
                    {"role": "assessment_group", "school_id": school.pk, "teacher_id": teacher.pk},
                    content_type="application/json",
                )
            )
            if school_key in appoint[user_key]:
                assert response.status_code == 201, (user_key, school_key, response.content)
            else:
                assert response.status_code == 404, (user_key, school_key, response.status_code)
                assert response.json() == missing.json()
        # The list: exactly the assignments this user may remove.
        got = {i["id"] for i in client.get("/api/v1/role-assignments", {"limit": 500}).json()["items"]}
        expected = {a.pk for k, a in objects["assignment"].items() if k in appoint[user_key]}
        assert got == expected, user_key
        # The person search finds roster teachers only in the schools this user manages.
        for school_key, teacher_key in school_of.items():
            teacher = teachers_at[teacher_key]
            found = {p["id"] for p in client.get("/api/v1/people", {"q": teacher.user.full_name}).json()}
            assert (teacher.user.pk in found) == (school_key in appoint[user_key]), (user_key, school_key)


def test_review_queues_hold_only_what_the_person_reviews(world):
    """Plans' review queues (R-FILING): school plans for the office of their county, group and personal
    plans for their school's team; nobody else has them, whatever filter they send."""
    users, objects, _oracles = world
    plans, schools = objects["plan"], objects["school"]
    reviews = {"county_admin_a1": {"p_s1"}, "principal_s1": {"p_g1", "p_t1"}}
    for user_key, user in users.items():
        client = _client(user)
        shown = set()
        for queue in ("county", "school", "group", "personal"):
            for school in [None, *schools.values()]:
                params = {"queue": queue, "status": "all"}
                if school is not None:
                    params["school"] = school.pk
                page = client.get(reverse("plan-list"), params).content.decode()
                if 'data-testid="to-review"' not in page:
                    continue
                table = page.split('data-testid="to-review"')[1].split("</table>")[0]
                shown |= {key for key, plan in plans.items() if f'data-plan="{plan.pk}"' in table}
        assert shown == reviews.get(user_key, set()), user_key
        listed = set()
        for queue in ("county", "school", "group", "personal"):
            for school in [None, *schools.values()]:
                params = {"queue": queue, "status": "", "limit": 100}
                if school is not None:
                    params["school_id"] = school.pk
                items = client.get("/api/v1/plans/review-queue", params).json()["items"]
                listed |= {key for key, plan in plans.items() if plan.pk in {i["id"] for i in items}}
        assert listed == reviews.get(user_key, set()), (user_key, "api")
