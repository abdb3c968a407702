"""Forms of the work file (services.py and ending.py): each field's own checks here, the rules across
fields and against the internship's dates in the service."""

import datetime as dt
from collections.abc import Iterable
from typing import TypeVar

from flask_wtf.file import FileAllowed, FileField, FileRequired, FileSize
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    MonthField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from ...core.forms import Form, required
from .destinations import DESTINATIONS, DETAIL_MAX
from .logs import TEXT_MAX as LOG_TEXT_MAX
from .plans import MILESTONE_MAX, TEXT_MAX, TEXTS, Plan, milestone_name
from .rules import CRITERIA, GRADES, SCORES, TASK_STATUSES, Refused, month_label
from .services import Task

F = TypeVar("F", bound=Form)

_DAYS = [
    InputRequired(message="请填写天数（没有填 0）"),
    NumberRange(min=0, max=31, message="天数应在 0 到 31 之间"),
]
_NUMBER = {"inputmode": "numeric", "min": 0, "max": 31}


class AttendanceForm(Form):
    """One month of one intern's attendance, sized for a phone."""

    month = MonthField("月份", [InputRequired(message="请选择月份，如 2026-07")])
    expected = IntegerField("应出勤天数", _DAYS, render_kw=_NUMBER)
    present = IntegerField("出勤天数", _DAYS, render_kw=_NUMBER)
    personal_leave = IntegerField("事假天数", _DAYS, render_kw=_NUMBER, default=0)
    sick_leave = IntegerField("病假天数", _DAYS, render_kw=_NUMBER, default=0)
    absent = IntegerField("缺勤天数", _DAYS, render_kw=_NUMBER, default=0)
    note = TextAreaField(
        "备注（可不填）", [Length(max=500, message="备注最多 500 个字")], render_kw={"rows": 2}
    )


class TaskForm(Form):
    title = StringField("任务名称", [required("任务名称"), Length(max=100, message="任务名称最多 100 个字")])
    start_date = DateField("开始日期", [InputRequired(message="请填写开始日期")])
    end_date = DateField("结束日期", [InputRequired(message="请填写结束日期")])
    delivered = TextAreaField(
        "交付成果（可不填）", [Length(max=1000, message="交付成果最多 1000 个字")], render_kw={"rows": 3}
    )
    status = RadioField(
        "完成情况", choices=[SelectChoice(k, v) for k, v in TASK_STATUSES.items()], validate_choice=False
    )
    percent = IntegerField(
        "完成百分比",
        [
            InputRequired(message="请填写完成百分比（0 到 100）"),
            NumberRange(min=0, max=100, message="应在 0 到 100 之间"),
        ],
        render_kw={"inputmode": "numeric", "min": 0, "max": 100},
        default=0,
    )
    # Choices per request: the internship's months with the plan's milestones (plans.milestone_choices).
    milestone = SelectField("对应培养计划的月度目标（可不选）", validate_choice=False)

    def validate_milestone(self, field: SelectField) -> None:
        if field.data and field.data not in {value for value, _ in field.choices or []}:
            raise ValidationError("请从列出的月份中选择")

    def task(self) -> Task:
        return Task(
            title=self.title.data or "",
            start_date=self.start_date.data,
            end_date=self.end_date.data,
            delivered=self.delivered.data or "",
            status=self.status.data or "",
            percent=self.percent.data,
            milestone=dt.date.fromisoformat(self.milestone.data) if self.milestone.data else None,
        )


class PlanForm(Form):
    """The training plan's three texts; plan_form_for adds a milestone field per month."""

    goals = TextAreaField(
        "培养目标", [Length(max=TEXT_MAX, message=f"最多 {TEXT_MAX} 个字")], render_kw={"rows": 3}
    )
    teaching = TextAreaField(
        "导师传授的内容", [Length(max=TEXT_MAX, message=f"最多 {TEXT_MAX} 个字")], render_kw={"rows": 3}
    )
    assessment = TextAreaField(
        "考核方式", [Length(max=TEXT_MAX, message=f"最多 {TEXT_MAX} 个字")], render_kw={"rows": 3}
    )

    def plan(self, internship_months: list[dt.date]) -> Plan:
        texts = {name: self[name].data or "" for name in TEXTS}
        return Plan(**texts, milestones={m: self[milestone_name(m)].data or "" for m in internship_months})


def plan_form_for(internship_months: list[dt.date]) -> type[PlanForm]:
    """The plan form with one milestone field per month the internship touches."""

    class MonthlyPlanForm(PlanForm):
        pass

    for month in internship_months:
        field = TextAreaField(
            f"{month_label(month)}目标",
            [Length(max=MILESTONE_MAX, message=f"每月目标最多 {MILESTONE_MAX} 个字")],
            render_kw={"rows": 2},
        )
        setattr(MonthlyPlanForm, milestone_name(month), field)
    return MonthlyPlanForm


class ReviewForm(Form):
    """The mentor's review of a week of the intern's log or of the report: approve, or return it
    with what to change (the comment is then required, by logs.review)."""

    comment = TextAreaField(
        "导师意见（退回时必填，学生能看到）",
        [Length(max=LOG_TEXT_MAX, message=f"意见最多 {LOG_TEXT_MAX} 个字")],
        render_kw={"rows": 3},
    )


class NoteForm(Form):
    day = DateField("日期", [InputRequired(message="请填写日期")])
    text = TextAreaField(
        "表现记录", [required("表现记录"), Length(max=1000, message="最多 1000 个字")], render_kw={"rows": 3}
    )


class AllowanceForm(Form):
    month = MonthField("月份", [InputRequired(message="请选择月份，如 2026-07")])
    amount = IntegerField(
        "发放金额（元）",
        [InputRequired(message="请填写发放金额"), NumberRange(min=0, message="金额不能为负数")],
        render_kw={"inputmode": "numeric", "min": 0},
    )
    paid_on = DateField("发放日期", [InputRequired(message="请填写发放日期")])


SCORE_VALUES = {str(n) for n in SCORES}


def with_errors(form: F, refused: Refused) -> F:
    """The form with each of a service's refusals beside its field, to render again."""
    for name, message in refused.fields.items():
        form[name].errors = [*form[name].errors, message]
    return form


def score_field(label: str) -> RadioField:
    """A 1–5 score: the mentor's evaluation, and the intern's rating of the internship."""
    return RadioField(label, choices=[SelectChoice(str(n), f"{n} 分") for n in SCORES], validate_choice=False)


def scores_of(form: Form, names: Iterable[str]) -> dict[str, int | None]:
    """Each named score field's value, None where nothing valid was chosen."""
    return {name: int(form[name].data) if form[name].data in SCORE_VALUES else None for name in names}


class EvaluationForm(Form):
    """The mentor's evaluation: the four criteria, a comment and the overall grade."""

    attitude = score_field(CRITERIA["attitude"])
    skill = score_field(CRITERIA["skill"])
    teamwork = score_field(CRITERIA["teamwork"])
    delivery = score_field(CRITERIA["delivery"])
    grade = RadioField("总体评价", choices=[SelectChoice(g) for g in GRADES], validate_choice=False)
    # Required by the service, which reports it together with the scores and the grade.
    comment = TextAreaField(
        "导师评语",
        [Length(max=1000, message="评语最多 1000 个字")],
        render_kw={"rows": 4},
    )

    def scores(self) -> dict[str, int | None]:
        return scores_of(self, CRITERIA)


def destination_field(label: str) -> RadioField:
    """The destination (去向) as the unit records it at the end and the intern confirms it."""
    choices = [SelectChoice(key, words) for key, words in DESTINATIONS.items()]
    return RadioField(label, choices=choices, validate_choice=False)


def destination_detail_field() -> StringField:
    return StringField(
        "去向说明（选“其他”时必填；就业、升学的可写单位或学校）",
        [Length(max=DETAIL_MAX, message=f"说明最多 {DETAIL_MAX} 个字")],
    )


class FinishForm(Form):
    state = StringField()
    finished_on = DateField("见习实际结束日期", [InputRequired(message="请填写见习实际结束日期")])
    reason = TextAreaField(
        "提前结束的原因（早于协议约定的结束日期时必填）",
        [Optional(), Length(max=500, message="原因最多 500 个字")],
        render_kw={"rows": 2},
    )
    destination = destination_field("学生见习结束后的去向")
    destination_detail = destination_detail_field()

    def answers(self) -> tuple[dt.date | None, str, str | None, str]:
        """The last day, the early-end reason, the destination and its detail, as ending.Ending takes them."""
        detail = self.destination_detail.data or ""
        return self.finished_on.data, self.reason.data or "", self.destination.data, detail


class CaseForm(Form):
    typical_case = BooleanField("推荐为典型案例，写入市项目办的总结评估")
    case_story = TextAreaField(
        "典型事迹（推荐时必填，300 字左右）",
        [Length(max=800, message="最多 800 个字")],
        render_kw={"rows": 5},
    )


class AttendanceUploadForm(Form):
    month = MonthField("月份", [InputRequired(message="请选择月份，如 2026-07")])
    sheet = FileField(
        "填好的考勤表（.xlsx）",
        [
            FileRequired("请选择要上传的考勤表文件"),
            FileAllowed(["xlsx"], "只能上传 .xlsx 格式的考勤表（请先下载本月模板填写）"),
            FileSize(200 * 1024, message="文件不能超过 200 KB"),
        ],
        render_kw={"accept": ".xlsx"},
    )
