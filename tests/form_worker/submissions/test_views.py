"""/submit: a host unit's position submission. The Unit and Position models judge every answer and
their Chinese errors stand beside the field; input survives every error and every add/remove; the
check page, the reference, the emails, the spreadsheet upload and the recognition of known units."""

import datetime as dt
import html
import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from form_worker.accounts.models import Account
from form_worker.outbox.models import Outbox
from form_worker.submissions.forms import POSITIONS_AT_MOST
from form_worker.submissions.models import Submission, SubmissionEvent
from site_builder import spreadsheet
from site_builder.model.credit_code import check_character
from tests.form_worker.conftest import csrf_token
from tests.helpers.clerks import (
    FIRST17,
    KNOWN_CODE,
    KNOWN_POSITION,
    KNOWN_UNIT,
    NEW_CODE,
    UNIT_EMAIL,
    Clerk,
    answers_for,
    assert_error,
    assert_kept,
    count,
    filled_workbook,
    form_answers,
    hidden_answers,
    position_answers,
    position_cells,
    summary,
    unit_answers,
)
from tests.helpers.parties import make_account
from tests.site_builder.spreadsheet import bombs

WRONG_CHECK = FIRST17 + ("0" if check_character(FIRST17) != "0" else "1")


@pytest.fixture
def clerk(client) -> Clerk:
    return Clerk(client)


# --- the form page -------------------------------------------------------------------------------


def test_form_page_offers_every_field_the_template_and_the_upload(client) -> None:
    page = client.get("/submit").text
    for name in unit_answers():
        assert f'name="{name}"' in page, name
    for name in position_answers():
        assert f'name="{name}"' in page, name
    assert 'name="action" value="add_position"' in page
    assert 'name="action" value="remove_position-0"' not in page  # one position cannot be removed
    assert 'href="/submit/template.xlsx"' in page
    assert 'enctype="multipart/form-data"' in page and 'name="spreadsheet"' in page


def test_empty_form_names_every_required_field_in_chinese(clerk, session) -> None:
    response = clerk.post({})
    page = response.text
    assert response.status_code == 422
    assert_error(page, "unit-name", "请填写单位名称")
    assert_error(page, "unit-credit_code", "请填写统一社会信用代码")
    assert_error(page, "unit-category", "请选择单位类别")
    assert_error(page, "unit-hr_status", "请选择就业见习单位认定")
    assert_error(page, "unit-contact_email", "请填写联系人电子邮箱")
    assert_error(page, "positions-0-title", "请填写岗位名称")
    assert_error(page, "positions-0-type", "请选择岗位类型")
    assert_error(page, "positions-0-headcount", "请填写招收人数")
    assert_error(page, "positions-0-mentors-0-name", "请至少填写一位见习导师")
    assert_error(page, "positions-0-majors", "请填写专业要求")
    assert_error(page, "positions-0-deadline", "请填写报名截止日期")
    assert count(session, Submission) == 0


# (id, unit changes, position changes, field id, message)
RULES = [
    (
        "credit-code-check-character",
        {"credit_code": WRONG_CHECK},
        {},
        "unit-credit_code",
        f"统一社会信用代码校验位不正确：最后一位应为 {check_character(FIRST17)}，请核对是否抄错",
    ),
    (
        "credit-code-length",
        {"credit_code": "91500106MA60Q8K2"},
        {},
        "unit-credit_code",
        "统一社会信用代码应为 18 位，这里是 16 位",
    ),
    (
        "credit-code-letter-o",
        {"credit_code": "9150010OMA60Q8K2XA"},
        {},
        "unit-credit_code",
        "统一社会信用代码含有不允许的字符：O（不使用 I、O、S、V、Z 和小写字母）",
    ),
    (
        "phone",
        {"contact_phone": "6300228"},
        {},
        "unit-contact_phone",
        "电话号码格式不对：应为 11 位手机号，或带区号的座机号（如 023-63002289）",
    ),
    ("email", {"contact_email": "clerk.example.com"}, {}, "unit-contact_email", "电子邮箱格式不正确"),
    ("website", {"website": "www.example.com"}, {}, "unit-website", "网址应以 http:// 或 https:// 开头"),
    ("approval-date", {"hr_date": ""}, {}, "unit-hr_date", "请填写认定日期"),
    (
        "mentor-limit",
        {},
        {"headcount": "4"},
        "positions-0-headcount",
        "招收 4 人至少需要 2 名导师（每名导师最多同时带教 3 名学生），现有 1 名",
    ),
    (
        "mentor-title-missing",
        {},
        {"mentors-1-name": "郑导师"},
        "positions-0-mentors-1-title",
        "请填写导师职务或职称",
    ),
    (
        "headcount-not-a-number",
        {},
        {"headcount": "两人"},
        "positions-0-headcount",
        "应填写整数（不要带单位、逗号或小数点）",
    ),
    ("headcount-zero", {}, {"headcount": "0"}, "positions-0-headcount", "不能小于 1"),
    (
        "end-before-start",
        {},
        {"end_date": "2027-06-30"},
        "positions-0-end_date",
        "见习结束日期必须晚于开始日期",
    ),
    (
        "shorter-than-three-months",
        {},
        {"end_date": "2027-08-31"},
        "positions-0-end_date",
        "科技见习的见习期一般不少于 3 个月：从 2027-07-01 开始，至少到 2027-09-30",
    ),
    (
        "deadline-after-end",
        {},
        {"deadline": "2028-01-01"},
        "positions-0-deadline",
        "报名截止日期不能晚于见习结束日期（2027-12-31）",
    ),
    (
        "date-format",
        {},
        {"start_date": "2027/07/01"},
        "positions-0-start_date",
        "日期格式不对，应写成 YYYY-MM-DD（如 2026-07-01）",
    ),
    ("date-nonexistent", {}, {"deadline": "2027-02-30"}, "positions-0-deadline", "日期 2027-02-30 不存在"),
    ("duties-too-short", {}, {"duties": "打杂"}, "positions-0-duties", "太短了，至少 10 个字"),
    ("placeholder", {}, {"title": "待填写"}, "positions-0-title", "还没有填写：请把“待填写”换成实际内容"),
    (
        "position-contact-partial",
        {},
        {"contact_name": "钱联系", "contact_email": "qian@unit.example.com"},
        "positions-0-contact_phone",
        "请填写岗位联系电话",
    ),
]


@pytest.mark.parametrize(
    ("unit", "position", "field_id", "message"), [r[1:] for r in RULES], ids=[r[0] for r in RULES]
)
def test_rule_answers_beside_its_field_and_keeps_input(
    clerk, session, unit, position, field_id, message
) -> None:
    answers = answers_for(unit=unit, **position)
    response = clerk.post(answers)
    assert response.status_code == 422
    assert_error(response.text, field_id, message)
    assert len(re.findall(r'<p class="error"', response.text)) == 1, summary(response.text)
    assert_kept(response.text, {k: v for k, v in answers.items() if not k.endswith("credit_code")})
    assert count(session, Submission) == 0


def test_lowercase_credit_code_is_read_in_capitals(clerk) -> None:
    response = clerk.post(answers_for(unit={"credit_code": NEW_CODE.lower()}))
    assert response.status_code == 200
    assert f"<dd>{NEW_CODE}</dd>" in response.text


def test_a_second_mentor_allows_a_larger_headcount(clerk) -> None:
    answers = answers_for(headcount="6", **{"mentors-1-name": "郑导师", "mentors-1-title": "馆员"})
    response = clerk.post(answers)
    assert response.status_code == 200, summary(response.text)
    assert "吴导师（科普部主任、高级工程师）；郑导师（馆员）" in response.text


# --- adding and removing without JavaScript ------------------------------------------------------


def test_add_position_keeps_every_answer_and_adds_an_empty_entry(clerk) -> None:
    answers = answers_for()
    response = clerk.post(answers, action="add_position")
    page = response.text
    assert response.status_code == 200
    assert "error-summary" not in page
    assert_kept(page, answers)
    assert 'name="positions-1-title"' in page and 'id="position-2"' in page
    assert re.search(r'name="positions-1-title" type="text" value=""', page)
    assert 'name="action" value="remove_position-1"' in page
    # The add button takes the browser to the entry it adds.
    assert 'value="add_position" formaction="/submit#position-3"' in page


def test_remove_position_moves_the_later_ones_up(clerk) -> None:
    answers = answers_for(positions=3)
    response = clerk.post(answers, action="remove_position-1")
    page = response.text
    assert response.status_code == 200
    assert 'name="positions-2-title"' not in page
    assert 'value="科普活动策划助理 1"' in page and 'value="科普活动策划助理 3"' in page
    assert "科普活动策划助理 2" not in page
    moved = {k.replace("positions-2-", "positions-1-"): v for k, v in position_answers(2).items()}
    assert_kept(page, unit_answers() | position_answers(0) | moved)


def test_add_mentor_adds_a_row_to_that_position(clerk) -> None:
    answers = answers_for(positions=2)
    page = clerk.post(answers, action="add_mentor-1").text
    assert 'name="positions-1-mentors-2-name"' in page
    assert 'name="positions-0-mentors-2-name"' not in page
    assert_kept(page, answers)


def test_enter_in_a_text_box_goes_to_the_check_page_not_to_remove(client) -> None:
    """Browsers submit with the first button of the form when Enter is pressed in a text box."""
    page = client.get("/submit").text
    form = page[page.index('<form method="post" action="/submit"') :]
    first = re.search(r"<button[^>]*>", form).group(0)
    assert 'value="review"' in first


# --- check, confirm, reference and emails --------------------------------------------------------


@pytest.mark.backend
def test_check_page_edit_and_confirm_give_a_reference_and_emails(clerk, client, session, app) -> None:
    make_account(app, session, "li", "李审核", "correct-horse-1", "reviewer", email="li@office.example.com")
    make_account(app, session, "wang", "王审核", "correct-horse-2", "admin", email="wang@office.example.com")
    make_account(app, session, "zhao", "赵审核", "correct-horse-3", "reviewer")  # no address: no email
    gone = make_account(
        app, session, "qian", "钱审核", "correct-horse-4", "reviewer", email="qian@office.example.com"
    )
    gone.active = False
    session.commit()

    answers = answers_for(positions=2)
    check = clerk.post(answers)
    assert check.status_code == 200
    assert "岗位 1：科普活动策划助理 1" in check.text and "岗位 2：科普活动策划助理 2" in check.text
    assert "吴导师（科普部主任、高级工程师）" in check.text
    assert "数智科技、生命健康" in check.text
    assert count(session, Submission) == 0

    # "修改" returns to the form with everything kept.
    data = hidden_answers(check.text)
    data.add("action", "edit")
    edit = client.post("/submit", data=data)
    assert edit.status_code == 200 and "error-summary" not in edit.text
    assert_kept(edit.text, answers)

    done = clerk.confirm(check.text)
    assert done.status_code == 303
    page = client.get(done.headers["Location"]).text
    reference = re.search(r'id="reference">([^<]+)<', page).group(1)
    submission = session.scalar(select(Submission))
    assert reference == submission.reference
    assert re.fullmatch(rf"DW2026-{submission.id:06d}-[2-9A-HJKMNP-Z]{{4}}", reference)
    assert submission.state == "submitted" and submission.source == "form"
    assert not submission.is_edit and submission.unit_slug == "cq-test-society-example-com"
    assert submission.unit_data["credit_code"] == NEW_CODE
    assert [p["title"] for p in submission.positions_data] == ["科普活动策划助理 1", "科普活动策划助理 2"]
    assert submission.positions_data[0]["published"] == "2026-11-27"
    assert all("_slug" not in p for p in submission.positions_data)
    assert len(submission.token) >= 40
    events = session.scalars(select(SubmissionEvent)).all()
    assert [(e.from_state, e.to_state, e.actor) for e in events] == [(None, "submitted", "设岗单位")]

    rows = session.scalars(select(Outbox).order_by(Outbox.id)).all()
    assert sorted(r.recipient for r in rows) == sorted(
        [UNIT_EMAIL, "li@office.example.com", "wang@office.example.com"]
    )
    to_unit = next(r for r in rows if r.recipient == UNIT_EMAIL)
    assert reference in to_unit.subject and "科普活动策划助理 2" in to_unit.body_text
    to_staff = next(r for r in rows if r.recipient == "li@office.example.com")
    assert f"/staff/submissions/{submission.id}" in to_staff.body_text
    assert to_staff.body_text.count("http://127.0.0.1:8000/staff/submissions/") == 1

    # Confirming the same check page again makes a second submission, not a changed first one.
    assert clerk.confirm(check.text).status_code == 303
    assert count(session, Submission) == 2


def test_confirmation_without_a_submission_goes_back_to_the_form(client) -> None:
    response = client.get("/submit/done")
    assert response.status_code == 302 and response.headers["Location"].endswith("/submit")


def test_honeypot_drops_the_submission(clerk, session) -> None:
    response = clerk.post(answers_for() | {"nickname": "bot"}, action="confirm")
    assert response.status_code == 200 and "感谢您的申报" in response.text
    assert count(session, Submission) == 0


def test_stale_csrf_token_keeps_the_input(client) -> None:
    answers = answers_for()
    data = MultiDict()
    for name, value in answers.items():
        for item in value if isinstance(value, list) else [value]:
            data.add(name, item)
    data.add("csrf_token", "stale")
    data.add("action", "review")
    client.get("/submit")
    response = client.post("/submit", data=data)
    assert response.status_code == 400
    assert "安全校验已过期" in response.text
    assert_kept(response.text, answers)


# --- units already in the catalogue --------------------------------------------------------------


def test_known_credit_code_makes_the_submission_an_edit_of_that_folder(clerk, session) -> None:
    reference = clerk.submit(answers_for(unit={"credit_code": KNOWN_CODE}))
    submission = session.scalar(select(Submission).where(Submission.reference == reference))
    assert submission.is_edit and submission.unit_slug == KNOWN_UNIT
    # A position without a published file name is a new one.
    assert "_slug" not in submission.positions_data[0]


def test_check_page_says_the_unit_is_known(clerk) -> None:
    page = clerk.post(answers_for(unit={"credit_code": KNOWN_CODE})).text
    assert f"贵单位已在岗位目录中（目录 {KNOWN_UNIT}）" in page


def test_loading_a_known_unit_fills_the_form_with_its_published_positions(client, clerk, session) -> None:
    page = client.get(f"/submit?credit_code={KNOWN_CODE.lower()}").text
    assert "已载入“重庆市示例青年科技工作者学会（示例）”" in page
    assert f'value="{KNOWN_POSITION}"' in page  # the hidden file name of the first published position
    assert 'value="学术会议组织助理（示例）"' in page
    assert 'value="society-office@example.com"' in page

    data = form_answers(page)
    data.add("action", "review")
    check = client.post("/submit", data=data)
    assert check.status_code == 200, summary(check.text)
    assert f"修改已发布的岗位“学术会议组织助理（示例）”（{KNOWN_POSITION}）" in check.text
    assert clerk.confirm(check.text).status_code == 303
    submission = session.scalar(select(Submission))
    assert submission.is_edit and submission.unit_slug == KNOWN_UNIT
    slugs = [p.get("_slug") for p in submission.positions_data]
    assert KNOWN_POSITION in slugs and None not in slugs
    first = submission.positions_data[slugs.index(KNOWN_POSITION)]
    assert first["published"] == "2026-11-10"  # the published date of the file is kept
    assert first["sample"] is True and submission.unit_data["sample"] is True


def test_unknown_credit_code_lookup_starts_a_new_unit(client) -> None:
    page = client.get(f"/submit?credit_code={NEW_CODE}").text
    assert "岗位目录中没有这个统一社会信用代码的单位" in page
    assert f'value="{NEW_CODE}"' in page


def test_a_file_name_of_another_unit_is_not_accepted(clerk, session) -> None:
    """A hidden file name only counts when it names a published position of the unit's own folder."""
    reference = clerk.submit(answers_for(slug=KNOWN_POSITION))
    submission = session.scalar(select(Submission).where(Submission.reference == reference))
    assert not submission.is_edit and "_slug" not in submission.positions_data[0]


# --- the spreadsheet -----------------------------------------------------------------------------


def test_template_download_is_the_blank_collection_form(client) -> None:
    response = client.get("/submit/template.xlsx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response.headers["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.data))
    assert spreadsheet.UNIT_SHEET in workbook.sheetnames and spreadsheet.POSITION_SHEET in workbook.sheetnames
    headers = [c.value for c in workbook[spreadsheet.POSITION_SHEET][1]]
    assert "岗位名称" in headers and "导师1姓名" in headers


def upload(client, data: bytes, filename: str = "岗位征集表.xlsx"):
    token = csrf_token(client.get("/submit").text)
    return client.post(
        "/submit/xlsx",
        data={"csrf_token": token, "spreadsheet": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def test_uploaded_spreadsheet_goes_to_the_check_page_and_is_recorded(client, clerk, session) -> None:
    response = upload(client, filled_workbook([position_cells(1), position_cells(2)]))
    assert response.status_code == 200, summary(response.text)
    page = response.text
    assert "以下内容读取自您上传的岗位征集表" in page
    assert "岗位 1：展厅讲解助理 1" in page and "岗位 2：展厅讲解助理 2" in page
    assert clerk.confirm(page).status_code == 303
    submission = session.scalar(select(Submission))
    assert submission.source == "xlsx" and not submission.is_edit
    assert submission.unit_data["name"] == "重庆市表格测试科技馆"
    assert [p["title"] for p in submission.positions_data] == ["展厅讲解助理 1", "展厅讲解助理 2"]
    assert count(session, Outbox) == 1  # the unit's receipt; no staff have an address here


def test_a_large_units_whole_spreadsheet_is_read_and_more_is_refused_in_words(client) -> None:
    """Issue 21: 31 positions (a university hosting many) overflowed the form's list of 30: a 500.
    A whole catalogue of up to POSITIONS_AT_MOST reaches the check page; more gets a Chinese answer."""
    many = upload(client, filled_workbook([position_cells(n) for n in range(1, 41)]))
    assert many.status_code == 200, summary(many.text)
    assert "岗位 40：展厅讲解助理 40" in many.text
    too_many = upload(client, filled_workbook([position_cells(n) for n in range(1, POSITIONS_AT_MOST + 2)]))
    assert too_many.status_code == 422
    assert f"一份申报最多 {POSITIONS_AT_MOST} 个岗位，这里有 {POSITIONS_AT_MOST + 1} 个" in too_many.text


def test_spreadsheet_with_errors_in_three_rows_names_sheet_row_and_column(client, session) -> None:
    rows = [
        position_cells(1),
        position_cells(2, 岗位类型="搬运助理"),
        position_cells(3, 招收人数=4),
        position_cells(4, 结束日期=dt.date(2027, 6, 1)),
    ]
    response = upload(client, filled_workbook(rows))
    assert response.status_code == 422
    problems = re.search(
        r'<div class="error-summary"[^>]*id="upload-problems">(.*?)</div>', response.text, re.S
    )
    assert problems, response.text
    text = html.unescape(problems.group(1))
    assert "岗位征集表中有 3 处问题，没有导入任何内容" in text
    items = re.findall(r"<li>(.*?)</li>", text)
    assert len(items) == 3, items
    # Plain Chinese for the clerk, no file:sheet:row:col; the upload's answer comes first on the page.
    assert re.search(r"^「岗位」表第 3 行「岗位类型」（[A-Z]+ 列）：应为以下之一", items[0]), items[0]
    assert re.search(r"^「岗位」表第 4 行「招收人数」（[A-Z]+ 列）：招收 4 人至少需要 2 名导师", items[1]), (
        items[1]
    )
    assert re.search(
        r"^「岗位」表第 5 行「结束日期」（[A-Z]+ 列）：见习结束日期必须晚于开始日期", items[2]
    ), items[2]
    assert "岗位征集表.xlsx" not in text
    assert response.text.index('id="upload-problems"') < response.text.index('<section id="unit">')
    assert 'action="/submit/xlsx#upload-problems"' in response.text
    assert count(session, Submission) == 0


@pytest.mark.parametrize(
    ("filename", "data", "message"),
    [
        ("positions.csv", b"a,b\n", "只能上传 .xlsx 格式的岗位征集表（可先下载模板填写）"),
        ("岗位征集表.xlsx", b"not a zip file", "无法读取：不是有效的 .xlsx 文件"),
    ],
    ids=["not-xlsx", "broken-xlsx"],
)
def test_unreadable_uploads_are_explained(client, filename, data, message) -> None:
    response = upload(client, data, filename)
    assert response.status_code == 422
    assert message in html.unescape(response.text)


def test_a_spreadsheet_bomb_gets_a_prompt_422_in_bounded_memory(client, session) -> None:
    """596 KB holding a 600 MB string took a worker to 1.4 GB; now the zip is measured first."""
    data = bombs.shared_string_bomb(600)
    token = csrf_token(client.get("/submit").text)
    # A hand-made body: the test client would spool a large file to a temporary file it never closes.
    body = (
        f'--B\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'.encode()
        + b'--B\r\nContent-Disposition: form-data; name="spreadsheet"; filename="bomb.xlsx"\r\n\r\n'
        + data
        + b"\r\n--B--\r\n"
    )
    kind = "multipart/form-data; boundary=B"
    response, peak = bombs.peak_memory(lambda: client.post("/submit/xlsx", data=body, content_type=kind))
    assert response.status_code == 422
    assert "文件过大或已损坏" in html.unescape(response.text)
    assert peak < 20, f"peak {peak} MB"
    assert count(session, Submission) == 0


def test_upload_without_a_file_asks_for_one(client) -> None:
    token = csrf_token(client.get("/submit").text)
    response = client.post("/submit/xlsx", data={"csrf_token": token}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert "请选择要上传的岗位征集表文件" in response.text


def test_spreadsheet_of_a_known_unit_edits_positions_with_the_same_title(client, clerk, session) -> None:
    unit = {"统一社会信用代码": KNOWN_CODE}
    rows = [position_cells(1, 岗位名称="学术会议组织助理（示例）"), position_cells(2)]
    response = upload(client, filled_workbook(rows, unit))
    assert response.status_code == 200, summary(response.text)
    assert clerk.confirm(response.text).status_code == 303
    submission = session.scalar(select(Submission))
    assert submission.is_edit and submission.unit_slug == KNOWN_UNIT
    assert [p.get("_slug") for p in submission.positions_data] == [KNOWN_POSITION, None]


def test_staff_accounts_are_not_needed_to_submit(clerk, session) -> None:
    assert count(session, Account) == 0
    assert clerk.submit(answers_for()).startswith("DW2026-")


# --- size limits ---------------------------------------------------------------------------------


def test_many_long_positions_fit_although_the_app_limit_is_smaller(clerk, app) -> None:
    """Twelve positions with 2,000-character texts post about 440 KB, above the app's 256 KB."""
    long = "负责科普活动的策划、组织和总结。" * 124
    answers = unit_answers()
    for index in range(12):
        answers |= position_answers(index, duties=long[:2000], learning=long[:2000])
    assert app.config["MAX_CONTENT_LENGTH"] < 440 * 1024
    response = clerk.post(answers)
    assert response.status_code == 200, summary(response.text)
    assert "岗位 12：科普活动策划助理 12" in response.text


def test_uploads_over_two_megabytes_are_refused_in_chinese(client) -> None:
    # A hand-made body: the test client would spool a large file to a temporary file it never closes.
    body = (
        b'--B\r\nContent-Disposition: form-data; name="spreadsheet"; filename="big.xlsx"\r\n\r\n'
        + b"x" * (2 * 1024 * 1024)
        + b"\r\n--B--\r\n"
    )
    response = client.post("/submit/xlsx", data=body, content_type="multipart/form-data; boundary=B")
    assert response.status_code == 413
    assert "提交的内容太大" in response.text


def test_the_larger_limit_is_only_for_submit(client) -> None:
    response = client.post("/apply", data={"statement": "长" * 100_000})
    assert response.status_code == 413
