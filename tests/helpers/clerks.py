"""A host unit's clerk on /submit: valid answers, the form as a browser posts it, and its errors."""

import datetime as dt
import html
import re
from html.parser import HTMLParser

from markupsafe import escape
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from site_builder import spreadsheet
from site_builder.model.credit_code import check_character
from tests.form_worker.conftest import csrf_token, followed_reference

FIRST17 = "91500106MA60Q8K2X"


NEW_CODE = FIRST17 + check_character(FIRST17)


KNOWN_UNIT = "shili-youth-scitech-society"


KNOWN_CODE = "51500000MJP0000172"


KNOWN_POSITION = "academic-conference-assistant"


UNIT_EMAIL = "clerk@unit.example.com"


HIDDEN = re.compile(r'<input type="hidden" name="([^"]*)" value="([^"]*)">')


def unit_answers(**overrides: str) -> dict[str, object]:
    """Valid answers for the unit part of the form, keyed by field name without the "unit-" prefix."""
    answers = {
        "name": "重庆市测试青年科技促进会",
        "credit_code": NEW_CODE,
        "category": "市级学会（协会、研究会）",
        "district": "渝北区",
        "address": "重庆市渝北区测试大道 9 号",
        "website": "https://cq-test-society.example.com/",
        "hr_status": "approved",
        "hr_bureau": "重庆市渝北区人力资源和社会保障局",
        "hr_date": "2026-05-12",
        "contact_name": "周办事",
        "contact_phone": "023-67001234",
        "contact_email": UNIT_EMAIL,
    } | overrides
    return {f"unit-{k}": v for k, v in answers.items()}


def position_answers(index: int = 0, **overrides: object) -> dict[str, object]:
    """Valid answers for one position entry (a 科技见习 post with one mentor)."""
    answers: dict[str, object] = {
        "slug": "",
        "title": f"科普活动策划助理 {index + 1}",
        "type": "科普助理",
        "track": "科技见习",
        "headcount": "2",
        "mentors-0-name": "吴导师",
        "mentors-0-title": "科普部主任、高级工程师",
        "mentors-1-name": "",
        "mentors-1-title": "",
        "duties": "策划并执行科普进校园活动，撰写活动方案和新闻稿，协助制作科普短视频。",
        "learning": "掌握科普活动从策划到执行的完整流程，学会面向公众的科学传播写作。",
        "majors": "新闻传播学类\n理工科各专业",
        "education": "本科",
        "workplace_district": "渝北区",
        "workplace_address": "重庆市渝北区测试大道 9 号",
        "allowance": "2800",
        "start_date": "2027-07-01",
        "end_date": "2027-12-31",
        "deadline": "2027-05-31",
        "status": "open",
        "tags": ["数智科技", "生命健康"],
        "contact_name": "",
        "contact_phone": "",
        "contact_email": "",
    } | overrides
    return {f"positions-{index}-{k}": v for k, v in answers.items()}


def answers_for(
    positions: int = 1, unit: dict | None = None, **position_overrides: object
) -> dict[str, object]:
    result = unit_answers(**(unit or {}))
    for index in range(positions):
        result |= position_answers(index, **(position_overrides if index == 0 else {}))
    return result


def hidden_answers(page: str) -> MultiDict:
    """What the check page posts back: its hidden fields and CSRF token, as a browser sends them."""
    data = MultiDict([("csrf_token", csrf_token(page))])
    for name, value in HIDDEN.findall(page):
        data.add(name, html.unescape(value))
    return data


class _Controls(HTMLParser):
    """Collects what a browser would post from the main form of a page."""

    def __init__(self, action: str) -> None:
        super().__init__(convert_charrefs=True)
        self.action, self.inside, self.data = action, False, MultiDict()
        self._select: str | None = None
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("action") == self.action and a.get("method") == "post"
        if not self.inside or "name" not in a and tag != "option":
            return
        if tag == "input" and a.get("type") not in ("submit", "file"):
            if a.get("type") in ("radio", "checkbox") and "checked" not in a:
                return
            if a["name"] != "nickname":
                self.data.add(a["name"], a.get("value") or "")
        elif tag == "select":
            self._select = a["name"]
        elif tag == "option" and self._select and "selected" in a:
            self.data.add(self._select, a.get("value") or "")
        elif tag == "textarea":
            self._textarea, self._text = a["name"], ""

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.data.add(self._textarea, self._text.removeprefix("\r\n").removeprefix("\n"))
            self._textarea = None


def form_answers(page: str, action: str = "/submit") -> MultiDict:
    """What the page's form posts as it stands (its CSRF token included)."""
    parser = _Controls(action)
    parser.feed(page)
    return parser.data


class Clerk:
    """A unit's clerk driving /submit like a browser without JavaScript."""

    def __init__(self, client) -> None:
        self.client = client

    def post(self, answers: dict, action: str = "review", url: str = "/submit"):
        token = csrf_token(self.client.get("/submit").text)
        data = MultiDict()
        for name, value in answers.items():
            for item in value if isinstance(value, list) else [value]:
                data.add(name, item)
        data.add("csrf_token", token)
        data.add("action", action)
        return self.client.post(url, data=data)

    def confirm(self, check_page: str, url: str = "/submit"):
        data = hidden_answers(check_page)
        data.add("action", "confirm")
        return self.client.post(url, data=data)

    def submit(self, answers: dict, url: str = "/submit") -> str:
        """Fill in, check, confirm; return the reference on the confirmation page."""
        check = self.post(answers, url=url)
        assert check.status_code == 200 and "核对申报信息" in check.text, check.text
        return followed_reference(self.client, self.confirm(check.text, url))


def error_beside(page: str, field_id: str) -> list[str]:
    return [
        html.unescape(m)
        for m in re.findall(rf'<p class="error" id="{re.escape(field_id)}-error">([^<]*)</p>', page)
    ]


def summary(page: str) -> str:
    match = re.search(r'<div class="error-summary".*?</div>', page, re.S)
    return html.unescape(match.group(0)) if match else ""


def assert_error(page: str, field_id: str, message: str) -> None:
    """The message stands beside the field and, linked to it, in the summary at the top."""
    assert message in error_beside(page, field_id), (field_id, error_beside(page, field_id))
    assert re.search(rf'<a href="#{re.escape(field_id)}">[^<]*：{re.escape(message)}</a>', summary(page)), (
        summary(page)
    )


def assert_kept(page: str, answers: dict) -> None:
    """Every non-empty answer is back in its control."""
    for name, given in answers.items():
        for value in given if isinstance(given, list) else [given]:
            if not value:
                continue
            shown = str(escape(value))
            control = re.search(rf'<(input|select|textarea)[^>]*name="{re.escape(name)}"[^>]*>', page)
            assert control, name
            if control.group(1) == "select":
                block = page[control.start() : page.index("</select>", control.start())]
                assert f'<option selected value="{shown}">' in block, (name, value)
            elif control.group(1) == "textarea":
                assert re.search(
                    rf'name="{re.escape(name)}"[^>]*>\r?\n?{re.escape(shown)}</textarea>', page
                ), name
            elif 'type="radio"' in control.group(0) or 'type="checkbox"' in control.group(0):
                assert re.search(
                    rf'<input checked [^>]*name="{re.escape(name)}"[^>]*value="{re.escape(shown)}"', page
                ), (
                    name,
                    value,
                )
            else:
                assert re.search(rf'name="{re.escape(name)}"[^>]*value="{re.escape(shown)}"', page), (
                    name,
                    value,
                )


def count(session, model) -> int:
    session.rollback()
    return session.scalar(select(func.count()).select_from(model))


UNIT_CELLS = {
    "单位名称": "重庆市表格测试科技馆",
    "统一社会信用代码": NEW_CODE,
    "单位类别": "科普场馆",
    "单位所在区县": "沙坪坝区",
    "单位地址": "重庆市沙坪坝区表格路 1 号",
    "就业见习单位认定状态": "已认定",
    "认定部门": "重庆市沙坪坝区人力资源和社会保障局",
    "认定日期": dt.date(2026, 5, 12),
    "单位联系人": "孙表格",
    "单位联系人电话": "13800001111",
    "单位联系人邮箱": UNIT_EMAIL,
}


def position_cells(number: int, **changes: object) -> dict[str, object]:
    return {
        "岗位名称": f"展厅讲解助理 {number}",
        "岗位类型": "科普助理",
        "岗位性质": "科技见习",
        "招收人数": 3,
        "导师1姓名": "冯导师",
        "导师1职称": "展教部主任",
        "岗位职责": "负责展厅常设展项的讲解和观众引导，参与科普活动的组织。",
        "见习收获": "掌握面向不同观众的讲解技巧和科普活动组织方法。",
        "专业要求": "教育学类、理工科各专业",
        "最低学历": "本科",
        "工作地点区县": "沙坪坝区",
        "工作地点详细地址": "重庆市沙坪坝区表格路 1 号",
        "每月生活费（元）": 2600,
        "开始日期": dt.date(2027, 7, 1),
        "结束日期": dt.date(2027, 12, 31),
        "报名截止日期": dt.date(2027, 5, 31),
        "产业领域标签": "数智科技",
    } | changes


def filled_workbook(rows: list[dict[str, object]], unit: dict[str, object] | None = None) -> bytes:
    """The downloadable template, filled in as a clerk would in Excel."""
    workbook = spreadsheet.template_workbook()
    unit_sheet = workbook[spreadsheet.UNIT_SHEET]
    cells = UNIT_CELLS | (unit or {})
    for row in unit_sheet.iter_rows(min_row=2):
        if row[0].value in cells:
            row[1].value = cells[row[0].value]
    sheet = workbook[spreadsheet.POSITION_SHEET]
    columns = {c.value: c.column for c in sheet[1]}
    for number, values in enumerate(rows, start=2):
        for header, value in values.items():
            sheet.cell(number, columns[header], value)
    return spreadsheet.workbook_bytes(workbook)
