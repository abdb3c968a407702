"""The work file: each rule of attendance, tasks, notes, allowance and evaluation; the evaluation
gate before `completed` and the early end; the unit's pages, the attendance sheet's row errors,
the office's read-only view and the intern's on /status; and that a unit sees only its own."""

import datetime as dt
import io

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from form_worker.accounts.models import AuditEntry
from form_worker.applications import services
from form_worker.applications.models import (
    Application,
    Attendance,
    Evaluation,
    Placement,
    Transition,
    WorkTask,
)
from form_worker.applications.workfile import ending, rules
from form_worker.applications.workfile import services as workfile
from form_worker.applications.workfile.services import Days, Task
from site_builder.clock import today_in_chongqing
from tests.form_worker.conftest import TODAY, csrf_token
from tests.helpers.parties import OTHER_POSITION, make_parties, party
from tests.helpers.workfiles import END, START, approved_report, intern

JULY, AUGUST = dt.date(2026, 7, 1), dt.date(2026, 8, 1)


@pytest.fixture
def placed(app, session) -> Placement:
    """An active intern whose end-of-internship report the mentor approved (test_logs tests the gate)."""
    make_parties(app, session)
    placement = intern(app, session)
    approved_report(session, placement)
    return placement


def evaluate(session, placement: Placement, grade: str = "良好") -> None:
    scores = dict.fromkeys(rules.CRITERIA, 4)
    ending.save_evaluation(session, placement, scores, grade, "认真负责，按时完成任务。", "unit_a")
    session.commit()


# The rules, one by one.


# A day after the whole internship: every month of it may be recorded.
AFTER = dt.date(2027, 3, 1)


def test_a_month_of_the_internship_adds_up() -> None:
    placement = Placement(start_date=START, end_date=END)
    assert workfile.attendance_problems(placement, AUGUST, Days(21, 19, 1, 1, 0), AFTER) == {}
    # July starts on the 15th: 17 days of the month are in the internship.
    assert workfile.attendance_problems(placement, JULY, Days(12, 12, 0, 0, 0), AFTER) == {}
    assert workfile.months(placement)[0] == JULY and workfile.months(placement)[-1] == dt.date(2027, 1, 1)


@pytest.mark.parametrize(
    ("month", "days", "field", "message"),
    [
        (dt.date(2026, 6, 1), Days(20, 20, 0, 0, 0), "month", "不在见习期内（2026年7月至2027年1月）"),
        (dt.date(2027, 2, 1), Days(20, 20, 0, 0, 0), "month", "不在见习期内"),
        (JULY, Days(18, 18, 0, 0, 0), "expected", "2026年7月的见习期只有 17 天"),
        (AUGUST, Days(32, 32, 0, 0, 0), "expected", "只有 31 天"),
        (AUGUST, Days(20, -1, 0, 0, 21), "present", "天数不能为负数"),
        (AUGUST, Days(20, 20, -1, 0, 1), "personal_leave", "天数不能为负数"),
        (AUGUST, Days(20, 18, 1, 0, 0), "present", "之和（19 天）应等于应出勤天数（20 天）"),
        (AUGUST, Days(20, 20, 0, 0, 0, "备" * 501), "note", "备注最多 500 个字"),
    ],
)
def test_attendance_refuses(month, days, field, message) -> None:
    problems = workfile.attendance_problems(Placement(start_date=START, end_date=END), month, days, AFTER)
    assert message in problems[field]


def test_attendance_for_a_month_not_yet_begun_is_refused() -> None:
    """Issue 21: December's attendance could be recorded on 27 November. The month of today may."""
    placement = Placement(start_date=START, end_date=END)
    december = dt.date(2026, 12, 1)
    problems = workfile.attendance_problems(placement, december, Days(20, 20, 0, 0, 0), TODAY)
    assert problems["month"] == "2026年12月还没有开始，不能提前登记"
    assert workfile.attendance_problems(placement, dt.date(2026, 11, 1), Days(20, 20, 0, 0, 0), TODAY) == {}


TASK = Task("整理会议资料", dt.date(2026, 8, 1), dt.date(2026, 8, 31), "会议手册一份", "doing", 50)


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"title": "  "}, "title", "请填写任务名称"),
        ({"start_date": dt.date(2026, 7, 1)}, "start_date", "不能早于见习开始日期 2026-07-15"),
        ({"end_date": dt.date(2027, 2, 1)}, "end_date", "不能晚于见习结束日期 2027-01-14"),
        ({"end_date": dt.date(2026, 7, 31)}, "end_date", "结束日期不能早于开始日期"),
        ({"status": "lost"}, "status", "请选择完成情况"),
        ({"percent": 101}, "percent", "应在 0 到 100 之间"),
        ({"status": "done", "percent": 90}, "percent", "已完成的任务，完成百分比应为 100"),
        ({"status": "todo", "percent": 10}, "percent", "未开始的任务，完成百分比应为 0"),
        ({"percent": 100}, "percent", "请选择“已完成”"),
        ({"start_date": dt.date(2026, 12, 1), "end_date": dt.date(2026, 12, 31)}, "status", "只能是“未开始”"),
    ],
)
def test_a_task_refuses(change, field, message) -> None:
    task = Task(**(vars(TASK) | change))
    problems = workfile.task_problems(Placement(start_date=START, end_date=END), task, TODAY)
    assert message in problems[field]
    assert workfile.task_problems(Placement(start_date=START, end_date=END), TASK, TODAY) == {}


@pytest.mark.parametrize(
    ("day", "text", "field", "message"),
    [
        (None, "表现良好", "day", "请填写日期"),
        (dt.date(2026, 7, 1), "表现良好", "day", "不能早于见习开始日期"),
        (TODAY + dt.timedelta(days=1), "表现良好", "day", "不能晚于今天"),
        (TODAY, " ", "text", "请填写表现记录"),
    ],
)
def test_a_note_refuses(day, text, field, message) -> None:
    assert (
        message in workfile.note_problems(Placement(start_date=START, end_date=END), day, text, TODAY)[field]
    )


@pytest.mark.parametrize(
    ("month", "amount", "paid_on", "field", "message"),
    [
        (dt.date(2026, 6, 1), 3000, dt.date(2026, 7, 5), "month", "不在见习期内"),
        (AUGUST, -1, dt.date(2026, 8, 31), "amount", "金额不能为负数"),
        (AUGUST, None, dt.date(2026, 8, 31), "amount", "请填写发放金额"),
        (AUGUST, 3000, dt.date(2026, 7, 31), "paid_on", "发放日期不能早于 2026年8月"),
        (AUGUST, 3000, TODAY + dt.timedelta(days=1), "paid_on", "发放日期不能晚于今天"),
        (AUGUST, 3000, None, "paid_on", "请填写发放日期"),
    ],
)
def test_an_allowance_payment_refuses(month, amount, paid_on, field, message) -> None:
    placement = Placement(start_date=START, end_date=END)
    assert message in workfile.allowance_problems(placement, month, amount, paid_on, TODAY)[field]
    assert workfile.allowance_problems(placement, AUGUST, 3000, dt.date(2026, 9, 5), TODAY) == {}


def test_an_evaluation_needs_every_score_a_grade_and_a_comment() -> None:
    scores = dict.fromkeys(rules.CRITERIA, 5)
    assert ending.evaluation_problems(scores, "优秀", "很好") == {}
    problems = ending.evaluation_problems(scores | {"skill": 6, "teamwork": None}, "很好", "")
    assert problems == {
        "skill": "请为“专业能力”打分（1–5 分）",
        "teamwork": "请为“沟通协作”打分（1–5 分）",
        "grade": "请选择总体评价等级",
        "comment": "请填写导师评语",
    }


# The gate before completed.


def test_completing_needs_the_mentors_evaluation(app, session, placed) -> None:
    application = session.get(Application, placed.application_id)
    with pytest.raises(workfile.Refused) as refused:
        ending.finish(
            session,
            application,
            placed,
            ending.Ending(END, "", "kept"),
            dt.date(2027, 1, 20),
            "unit_a",
            "x@jianxi.test",
            None,
        )
    assert refused.value.fields == {"finished_on": "请先提交导师评价，再登记见习结束"}
    # The office's own button goes through the same gate.
    with pytest.raises(services.TransitionRefused, match="导师尚未提交见习评价"):
        services.transition(session, application, "completed", "reviewer", "", "x@jianxi.test")
    session.rollback()
    evaluate(session, placed)
    application = session.get(Application, placed.application_id)
    positions = app.extensions["jianxi.positions"].get()
    ending.finish(
        session,
        application,
        placed,
        ending.Ending(END, "", "kept"),
        dt.date(2027, 1, 20),
        "unit_a",
        "x@jianxi.test",
        positions,
    )
    session.commit()
    assert session.get(Application, placed.application_id).state == "completed"
    assert placed.finished_on == END and placed.early_end_reason is None


def test_ending_early_records_why(app, session, placed) -> None:
    evaluate(session, placed, "合格")
    application = session.get(Application, placed.application_id)
    positions = app.extensions["jianxi.positions"].get()
    early = dt.date(2026, 10, 31)
    with pytest.raises(workfile.Refused) as refused:
        ending.finish(
            session,
            application,
            placed,
            ending.Ending(early, " ", "kept"),
            TODAY,
            "unit_a",
            "x@jianxi.test",
            positions,
        )
    assert "属于提前结束，请填写原因" in refused.value.fields["reason"]
    for day, message in (
        (dt.date(2026, 7, 1), "不能早于见习开始日期"),
        (dt.date(2027, 1, 20), "不能晚于协议"),
    ):
        with pytest.raises(workfile.Refused) as refused:
            ending.finish(
                session,
                application,
                placed,
                ending.Ending(day, "", "kept"),
                dt.date(2027, 2, 1),
                "unit_a",
                "x",
                positions,
            )
        assert message in refused.value.fields["finished_on"]
    ending.finish(
        session,
        application,
        placed,
        ending.Ending(early, "考取研究生，提前离岗", "kept"),
        TODAY,
        "unit_a",
        "x",
        positions,
    )
    session.commit()
    assert placed.early_end_reason == "考取研究生，提前离岗" and placed.finished_on == early
    last = session.scalars(select(Transition).order_by(Transition.id.desc())).first()
    assert last.to_state == "completed" and last.reason == "提前结束于 2026-10-31，原因：考取研究生，提前离岗"
    # The internship's months now end where it ended.
    assert workfile.months(placed)[-1] == dt.date(2026, 10, 1)


# The unit's pages.


def _form(client, path: str) -> str:
    return csrf_token(client.get(path).text)


def test_a_unit_records_a_month_of_attendance_and_every_change_is_audited(app, session, placed) -> None:
    unit = party(app, "unit_a")
    path = f"/staff/unit/placements/{placed.id}/file/attendance"
    page = unit.get(path + "?month=2026-08")
    assert page.status_code == 200 and 'value="2026-08"' in page.text
    bad = {"month": "2026-08", "expected": "21", "present": "18", "personal_leave": "1", "sick_leave": "0"}
    bad |= {"absent": "0", "note": "中秋前请假一天"}
    refused = unit.post(path, bad)
    assert refused.status_code == 422
    assert "之和（19 天）应等于应出勤天数（21 天）" in refused.text and "中秋前请假一天" in refused.text
    assert 'aria-invalid="true"' in refused.text and session.scalar(select(Attendance)) is None
    saved = unit.post(path, bad | {"present": "20"})
    assert saved.status_code == 303
    row = session.scalar(select(Attendance))
    assert (row.month, row.expected, row.present, row.personal_leave) == (AUGUST, 21, 20, 1)
    # The same month again corrects it.
    assert unit.post(path, bad | {"present": "19", "sick_leave": "1"}).status_code == 303
    session.expire_all()
    assert session.scalars(select(Attendance)).one().sick_leave == 1
    entries = session.scalars(select(AuditEntry).where(AuditEntry.action == "workfile_attendance")).all()
    reference = session.get(Application, placed.application_id).reference
    assert [e.target for e in entries] == [reference, reference] and "陈示例" not in entries[0].detail
    overview = unit.get(f"/staff/unit/placements/{placed.id}/file")
    assert "2026年8月" in overview.text and "未登记" in overview.text


def test_a_unit_records_a_task_an_allowance_a_note_an_evaluation_and_ends_it(app, session, placed) -> None:
    unit = party(app, "unit_a")
    base = f"/staff/unit/placements/{placed.id}/file"
    task = {
        "title": "整理会议资料",
        "start_date": "2026-08-01",
        "end_date": "2026-08-31",
        "delivered": "手册",
    }
    assert unit.post(base + "/tasks/new", task | {"status": "done", "percent": "80"}).status_code == 422
    assert unit.post(base + "/tasks/new", task | {"status": "done", "percent": "100"}).status_code == 303
    row = session.scalars(select(WorkTask)).one()
    assert (
        unit.post(
            f"{base}/tasks/{row.id}", task | {"title": "会议手册", "status": "done", "percent": "100"}
        ).status_code
        == 303
    )
    session.expire_all()
    assert session.scalars(select(WorkTask)).one().title == "会议手册"
    assert (
        unit.post(
            base + "/allowance", {"month": "2026-08", "amount": "-5", "paid_on": "2026-09-05"}
        ).status_code
        == 422
    )
    assert (
        unit.post(
            base + "/allowance", {"month": "2026-08", "amount": "3000", "paid_on": "2026-09-05"}
        ).status_code
        == 303
    )
    assert unit.post(base + "/notes", {"day": "2026-09-01", "text": "主动承担会务联络"}).status_code == 303
    assert unit.post(base + "/finish", {"finished_on": "2026-11-20", "reason": "个人原因"}).status_code == 422
    evaluation = {"attitude": "5", "skill": "4", "teamwork": "4", "delivery": "5", "grade": "优秀"}
    missing = unit.post(base + "/evaluation", evaluation | {"skill": "", "comment": ""})
    assert missing.status_code == 422 and "请为“专业能力”打分" in missing.text
    assert 'aria-describedby="skill-error"' in missing.text  # the group's error is tied to it
    assert unit.post(base + "/evaluation", evaluation | {"comment": "表现突出"}).status_code == 303
    ended = unit.post(
        base + "/finish", {"finished_on": "2026-11-20", "reason": "个人原因", "destination": "employed"}
    )
    assert ended.status_code == 303
    session.expire_all()
    assert session.get(Application, placed.application_id).state == "completed"
    assert session.scalars(select(Evaluation)).one().scores == {
        "attitude": 5,
        "skill": 4,
        "teamwork": 4,
        "delivery": 5,
    }
    actions = set(session.scalars(select(AuditEntry.action)))
    assert {"workfile_task", "workfile_allowance", "workfile_note", "workfile_evaluation"} <= actions
    # Once completed, the evaluation stands.
    assert unit.post(base + "/evaluation", evaluation | {"grade": "合格", "comment": "改"}).status_code == 303
    session.expire_all()
    assert session.scalars(select(Evaluation)).one().grade == "优秀"


def test_a_unit_never_reaches_another_units_work_file_and_the_office_only_reads(app, session, placed) -> None:
    other = intern(app, session, OTHER_POSITION, phone="13900001111", email="b@example.com", name="王示例")
    unit_a = party(app, "unit_a")
    for suffix in ("", "/attendance", "/tasks/new", "/notes", "/allowance", "/evaluation", "/finish"):
        assert unit_a.get(f"/staff/unit/placements/{other.id}/file{suffix}").status_code == 404
    assert (
        unit_a.post(f"/staff/unit/placements/{other.id}/file/case", {"typical_case": "y"}).status_code == 404
    )
    assert "王示例" not in unit_a.get("/staff/unit/attendance?month=2026-08").text
    assert "陈示例" in unit_a.get("/staff/unit/attendance?month=2026-08").text
    reviewer = party(app, "reviewer")
    page = reviewer.get(f"/staff/work-files/{other.id}")
    assert page.status_code == 200 and "王示例" in page.text
    assert "/file/attendance" not in page.text and "登记新任务" not in page.text
    assert reviewer.get(f"/staff/unit/placements/{other.id}/file").status_code == 403


def test_a_typical_case_needs_its_story(app, session, placed) -> None:
    unit = party(app, "unit_a")
    path = f"/staff/unit/placements/{placed.id}/file/case"
    refused = unit.post(path, {"typical_case": "y", "case_story": ""})
    assert refused.status_code == 422 and "请写一段简短的事迹" in refused.text
    assert unit.post(path, {"typical_case": "y", "case_story": "牵头完成学术年会会务"}).status_code == 303
    session.expire_all()
    assert session.get(Placement, placed.id).typical_case is True


# The month's sheet.


def _sheet(rows: list[list[object]], header: list[str] | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(
        header
        or ["报名编号", "姓名", "岗位", "应出勤天数", "出勤天数", "事假天数", "病假天数", "缺勤天数", "备注"]
    )
    for number, row in enumerate(rows, start=2):  # an empty row stays a blank line of the sheet
        for column, value in enumerate(row, start=1):
            sheet.cell(row=number, column=column, value=value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _upload(client, data: bytes, month: str = "2026-08", name: str = "考勤.xlsx"):
    token = _form(client, "/staff/unit/attendance?month=" + month)
    return client.client.post(
        "/staff/unit/attendance",
        data={"csrf_token": token, "month": month, "sheet": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_the_attendance_sheet_lists_the_months_interns_and_reports_every_bad_row(
    app, session, placed
) -> None:
    second = intern(app, session, phone="13900002222", email="c@example.com", name="赵示例")
    third = intern(app, session, phone="13900003333", email="d@example.com", name="钱示例")
    references = [session.get(Application, p.application_id).reference for p in (placed, second, third)]
    unit = party(app, "unit_a")
    template = unit.get("/staff/unit/attendance/template?month=2026-08")
    assert template.status_code == 200
    rows = list(load_workbook(io.BytesIO(template.data)).active.iter_rows(values_only=True))
    assert rows[0][:5] == ("报名编号", "姓名", "岗位", "应出勤天数", "出勤天数")
    assert sorted(r[0] for r in rows[1:]) == sorted(references)
    bad = _sheet([
        [references[0], "陈示例", "", 21, 20, 0, 0, 0, ""],
        [references[1], "赵示例", "", 21, "二十", 0, 0, 0, ""],
        ["JX2026-999999", "某某", "", 21, 21, 0, 0, 0, ""],
        [references[0], "陈示例", "", 21, 21, 0, 0, 0, ""],
        [],
        [references[2], "钱示例", "", 40, 40, 0, 0, 0, ""],
    ])  # fmt: skip
    refused = _upload(unit, bad)
    assert refused.status_code == 422
    assert (
        f"第 2 行（{references[0]}）：出勤天数："
        "出勤、事假、病假、缺勤天数之和（20 天）应等于应出勤天数（21 天）" in refused.text
    )
    assert f"第 3 行（{references[1]}）：出勤天数：请填写整数天数（没有填 0）" in refused.text
    assert "第 4 行（JX2026-999999）：JX2026-999999 不是本单位2026年8月在岗的见习生" in refused.text
    assert "第 5 行（" + references[0] + "）：与第 2 行重复" in refused.text
    assert f"第 7 行（{references[2]}）：应出勤天数：2026年8月的见习期只有 31 天" in refused.text
    assert "本次没有登记任何考勤" in refused.text and session.scalar(select(Attendance)) is None
    good = _sheet([[r, "", "", 21, 20, 1, 0, 0, ""] for r in references])
    assert _upload(unit, good).status_code == 303
    assert len(session.scalars(select(Attendance)).all()) == 3
    upload = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "workfile_attendance_upload")
    ).one()
    assert '"rows": 3' in upload.detail


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"not a workbook", "考勤.xlsx", "无法读取：不是有效的 .xlsx 文件"),
        (b"a,b", "考勤.csv", "只能上传 .xlsx 格式的考勤表"),
        (
            _sheet([["JX2026-000001", "", "", 1, 1, 0, 0, 0, ""]], header=["编号", "天数"]),
            "考勤.xlsx",
            "缺少列",
        ),
        (_sheet([]), "考勤.xlsx", "表格里没有填写任何见习生的考勤"),
    ],
)
def test_an_unreadable_sheet_gets_a_clear_answer(app, session, placed, data, name, message) -> None:
    response = _upload(party(app, "unit_a"), data, name=name)
    assert response.status_code == 422 and message in response.text


# The intern's view.


def test_the_intern_sees_attendance_tasks_and_the_evaluation_once_submitted(
    app, session, client, placed
) -> None:
    workfile.save_attendance(session, placed, AUGUST, Days(21, 20, 1, 0, 0), "unit_a", TODAY)
    today = TODAY
    workfile.save_task(session, placed, TASK, today, "unit_a")
    workfile.add_note(session, placed, dt.date(2026, 9, 1), "内部记录：需加强沟通", today, "unit_a")
    session.commit()
    application = session.get(Application, placed.application_id)
    lookup = {"reference": application.reference, "contact": application.phone}
    page = client.post("/status", data=lookup | {"csrf_token": csrf_token(client.get("/status").text)})
    assert page.status_code == 200
    assert "见习档案" in page.text and "2026年8月" in page.text and "整理会议资料" in page.text
    assert "内部记录" not in page.text and "导师评价" not in page.text
    # The office reads the notes, and the work file page says who does and who does not (issue 21).
    office = party(app, "reviewer").get(f"/staff/work-files/{placed.id}").text
    assert "内部记录：需加强沟通" in office and "见习生本人看不到" in office
    evaluate(session, placed, "优秀")
    page = client.post("/status", data=lookup | {"csrf_token": csrf_token(client.get("/status").text)})
    assert "总体评价：<strong>优秀</strong>" in page.text and "认真负责" in page.text


# What an outsider sends, and what happens around the work file.


def test_the_early_end_reason_stays_out_of_the_audit_log(app, session, placed) -> None:
    evaluate(session, placed)
    application = session.get(Application, placed.application_id)
    positions = app.extensions["jianxi.positions"].get()
    ending.finish(
        session,
        application,
        placed,
        ending.Ending(dt.date(2026, 11, 1), "因病住院治疗", "seeking"),
        TODAY,
        "unit_a",
        "x",
        positions,
    )
    session.commit()
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "application_transition")).one()
    assert "住院" not in entry.detail and '"reason_given": true' in entry.detail
    assert "因病住院治疗" in session.scalars(select(Transition.reason)).all()[-1]  # the history has it


def test_the_office_cannot_complete_an_internship_without_its_last_day(app, session, placed) -> None:
    evaluate(session, placed)
    application = session.get(Application, placed.application_id)
    with pytest.raises(services.TransitionRefused, match="请由单位在工作档案中登记见习结束"):
        services.transition(session, application, "completed", "reviewer", "", "x@jianxi.test")


def test_a_withdrawal_from_the_office_ends_the_internship_on_the_pinned_day(app, session, placed) -> None:
    """placements.end once read the server's date; the day now comes from the app's CLOCK."""
    app.config["CLOCK"] = lambda: dt.date(2026, 9, 30)
    application = session.get(Application, placed.application_id)
    seen = {"state": application.state, "to_state": "withdrawn", "reason": "另有打算"}
    response = party(app, "reviewer").post(f"/staff/applications/{application.id}/transition", seen)
    assert response.status_code == 303, response.text
    session.expire_all()
    assert session.get(Placement, placed.id).finished_on == dt.date(2026, 9, 30)


def test_a_move_that_ends_a_placement_needs_the_day(session, placed) -> None:
    application = session.get(Application, placed.application_id)
    with pytest.raises(ValueError, match="pass today="):
        services.transition(session, application, "withdrawn", "申请人", "另有打算", "x@jianxi.test")


def test_a_withdrawal_ends_the_internship_that_day_and_the_file_can_still_be_completed(
    app, session, placed
) -> None:
    application = session.get(Application, placed.application_id)
    services.transition(
        session, application, "withdrawn", "申请人", "另有打算", "x@jianxi.test", today=today_in_chongqing()
    )
    session.commit()
    session.expire_all()
    assert session.get(Placement, placed.id).finished_on == min(today_in_chongqing(), END)
    unit = party(app, "unit_a")
    base = f"/staff/unit/placements/{placed.id}/file"
    assert unit.get(base + "/attendance?month=2026-08").status_code == 200
    saved = {"month": "2026-08", "expected": "21", "present": "21", "personal_leave": "0", "sick_leave": "0"}
    assert unit.post(base + "/attendance", saved | {"absent": "0"}).status_code == 303
    assert unit.get(base + "/evaluation").status_code == 303  # no evaluation of a withdrawn intern


def test_odd_posts_get_an_answer_not_an_error(app, session, placed) -> None:
    unit = party(app, "unit_a")
    base = f"/staff/unit/placements/{placed.id}/file"
    days = {"month": "2026-08", "expected": "21", "present": "21", "personal_leave": "0", "sick_leave": "0"}
    assert unit.post(base + "/attendance", days | {"absent": "0"}).status_code == 303  # no note field
    assert (
        unit.post(
            base + "/tasks/new",
            {
                "title": "无交付说明",
                "start_date": "2026-08-01",
                "end_date": "2026-08-02",
                "status": "done",
                "percent": "100",
            },
        ).status_code
        == 303
    )
    evaluation = {"skill": "4", "teamwork": "4", "delivery": "4", "grade": "良好", "comment": "好"}
    for odd in ("²", "٤", "5.0", "9" * 5000, "-1"):
        refused = unit.post(base + "/evaluation", evaluation | {"attitude": odd})
        assert refused.status_code == 422 and "请为“工作态度”打分" in refused.text, odd
    references = [session.get(Application, placed.application_id).reference]
    for odd in ("9" * 5000, "٢١", "21.5"):
        refused = _upload(unit, _sheet([[references[0], "", "", odd, 21, 0, 0, 0, ""]]))
        assert refused.status_code == 422 and "应出勤天数：请填写整数天数" in refused.text, odd


def test_two_saves_of_one_month_at_once_end_as_one_row(app, session, placed) -> None:
    """The second of two submits racing for a month finds the first's row only when it inserts;
    it is retried as a correction, not answered with an error."""
    engine = session.get_bind()
    raced: list[bool] = []

    def before_flush(flushing, _context, _instances) -> None:
        if raced or not any(isinstance(o, Attendance) for o in flushing.new):
            return
        raced.append(True)
        with engine.begin() as other:  # the other request commits first
            other.execute(
                Attendance.__table__.insert(),
                {"placement_id": placed.id, "month": AUGUST, "expected": 21, "present": 21,
                 "personal_leave": 0, "sick_leave": 0, "absent": 0, "note": "", "updated_by": "unit_a",
                 "updated_at": dt.datetime(2026, 11, 1)},
            )  # fmt: skip

    event.listen(Session, "before_flush", before_flush)
    try:
        days = {
            "month": "2026-08",
            "expected": "21",
            "present": "20",
            "personal_leave": "1",
            "sick_leave": "0",
        }
        response = party(app, "unit_a").post(
            f"/staff/unit/placements/{placed.id}/file/attendance", days | {"absent": "0"}
        )
    finally:
        event.remove(Session, "before_flush", before_flush)
    assert raced and response.status_code == 303
    session.expire_all()
    assert [(a.present, a.personal_leave) for a in session.scalars(select(Attendance))] == [(20, 1)]
