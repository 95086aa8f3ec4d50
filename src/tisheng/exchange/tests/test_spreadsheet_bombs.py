"""Spreadsheet bombs: every part of an uploaded .xlsx is bounded before calamine reads any of it
(exchange/readers.py `_xlsx_inspect`), on the command line and on the web alike. The files are built
in the test: a valid roster plus one member of about 1 MB that unpacks to far more."""

import tracemalloc
import zipfile

import pytest
from django.test import Client

from tisheng.exchange import readers
from tisheng.exchange.models import ImportJob, ImportStatus
from tisheng.exchange.readers import FileProblem, read_table
from tisheng.exchange.roster import RosterImporter
from tisheng.organisation.models import Teacher
from tisheng.organisation.tests.factories import Role, user_with_role

from .files import (
    GIB,
    ROSTER_HEADER,
    RawMember,
    phone,
    roster_members,
    run,
    valid_id,
    write_raw_zip,
    write_xlsx,
    xlsx_bomb,
    xlsx_forged_size,
)

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


@pytest.fixture(scope="module")
def gigabyte_bomb(tmp_path_factory):
    """About 1 MB on disk; its xl/sharedStrings.xml unpacks to 1 GiB. Built once for the module."""
    return xlsx_bomb(tmp_path_factory.mktemp("bomb") / "花名册.xlsx")


def _refusal(path) -> str:
    with pytest.raises(FileProblem) as caught:
        read_table(path, RosterImporter.columns, max_rows=1000)
    return str(caught.value)


def test_the_bomb_is_a_small_file_that_declares_a_gigabyte(gigabyte_bomb):
    assert gigabyte_bomb.stat().st_size < 2 * MB
    with zipfile.ZipFile(gigabyte_bomb) as archive:
        assert archive.getinfo("xl/sharedStrings.xml").file_size >= GIB


def test_shared_strings_that_unpack_to_a_gigabyte_are_refused_with_bounded_memory(gigabyte_bomb):
    tracemalloc.start()
    try:
        message = _refusal(gigabyte_bomb)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert "xl/sharedStrings.xml" in message
    assert "疑似压缩炸弹" in message and "已拒绝" in message
    assert "1024 MB" in message
    assert peak < 50 * MB


@pytest.mark.parametrize(
    "member",
    [
        "xl/sharedStrings.xml",
        "xl/styles.xml",
        "xl/theme/theme1.xml",
        "xl/drawings/drawing1.xml",
        "xl/comments1.xml",
        "docProps/custom.xml",
        "xl/worksheets/sheet1.xml",
        "xl/worksheets/sheet2.xml",
    ],
)
def test_any_part_that_unpacks_far_beyond_its_bound_is_refused_by_its_declared_size(tmp_path, member):
    path = xlsx_bomb(tmp_path / "r.xlsx", member=member, unpacked=readers.MAX_SHEET_XML + MB)

    message = _refusal(path)

    assert member in message and "疑似压缩炸弹" in message


@pytest.mark.parametrize("member", ["xl/styles.xml", "xl/sharedStrings.xml", "xl/worksheets/sheet1.xml"])
def test_a_part_below_its_size_bound_but_at_a_bomb_ratio_is_refused(tmp_path, member):
    # 12 MB of one letter packs into about 12 KB (a ratio near 1000), below every size bound.
    path = xlsx_bomb(tmp_path / "r.xlsx", member=member, unpacked=12 * MB)
    assert min(readers.MAX_PART, readers.MAX_SHARED_STRINGS, readers.MAX_SHEET_XML) > 12 * MB

    message = _refusal(path)

    assert member in message and "压缩比异常" in message


@pytest.mark.parametrize("member", ["xl/styles.xml", "xl/sharedStrings.xml", "xl/worksheets/sheet1.xml"])
def test_a_part_that_unpacks_to_more_than_it_declares_is_refused(tmp_path, member):
    """Its declared size and CRC describe only its first 4 KB, so zipfile alone would be satisfied;
    calamine would follow the data to the end."""
    path = xlsx_forged_size(tmp_path / "r.xlsx", member=member)

    message = _refusal(path)

    assert member in message and "与声明的大小不符" in message


def test_too_many_members_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "MAX_MEMBERS", 12)
    members = roster_members(tmp_path)
    extra = [RawMember(f"xl/media/image{i}.png", b"", 0, 0) for i in range(13 - len(members))]
    path = write_raw_zip(tmp_path / "r.xlsx", [*members, *extra])

    assert "超过 12 个" in _refusal(path)


def test_an_ordinary_roster_still_reads(tmp_path):
    path = write_xlsx(tmp_path / "r.xlsx", [ROSTER_HEADER, [1, "张三", "男", valid_id(1), phone(1)]])

    table = read_table(path, RosterImporter.columns, max_rows=10)

    assert [cells[1] for _, cells in table.rows] == ["张三"]


def test_an_ordinary_roster_rebuilt_member_by_member_still_reads(tmp_path):
    """The zip writer the bombs use makes readable files: what is refused above is the bomb itself."""
    path = write_raw_zip(tmp_path / "r.xlsx", roster_members(tmp_path))

    table = read_table(path, RosterImporter.columns, max_rows=10)

    assert len(table.rows) == 1


def test_the_cli_refuses_the_bomb_with_one_clear_line(org, gigabyte_bomb):
    outcome = run("import-roster", str(gigabyte_bomb))

    assert outcome.code == 2
    assert len(outcome.err_lines) == 1
    assert "疑似压缩炸弹" in outcome.err and "Traceback" not in outcome.err
    assert Teacher.objects.count() == 0


def test_the_cli_json_output_names_the_refusal(org, gigabyte_bomb):
    outcome = run("import-roster", str(gigabyte_bomb), "--json")

    assert outcome.code == 2
    assert "xl/sharedStrings.xml" in outcome.json["error"]


def test_an_upload_of_the_bomb_is_rejected_with_the_message(
    org, gigabyte_bomb, django_capture_on_commit_callbacks
):
    client = Client()
    client.force_login(user_with_role(Role.COUNTY_ADMIN, org.shihe))
    with gigabyte_bomb.open("rb") as fh, django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/imports", {"kind": "roster", "unit_kind": "county", "unit_id": org.shihe.pk, "file": fh}
        )

    assert response.status_code == 201, response.content
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.REJECTED
    assert "疑似压缩炸弹" in job.message
    assert "疑似压缩炸弹" in client.get(f"/api/v1/imports/{job.pk}").json()["message"]
    assert Teacher.objects.count() == 0
