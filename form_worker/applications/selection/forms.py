"""Forms of a unit selecting and placing: its offer to a candidate and the agreement it records."""

import datetime as dt

from wtforms import (
    DateField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Length, NumberRange, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from ...core.forms import Form, required


class UnitOfferForm(Form):
    """A unit's offer to one candidate: a mentor of the position and the days given to answer."""

    state = HiddenField()
    mentor = SelectField("见习导师", validate_choice=False)
    days = IntegerField(
        "答复期限（天）",
        [required("答复期限"), NumberRange(min=1, max=30, message="答复期限应为 1 至 30 天")],
        default=7,
    )
    reason = TextAreaField(
        "给学生的说明（可不填，会写入录用通知邮件）", [Length(max=1000, message="最多 1000 个字")]
    )


def _programme_day(form: Form, field: DateField) -> None:
    """A date the programme can have (the agreement's rules count months from it)."""
    if field.data and not dt.date(2000, 1, 1) <= field.data <= dt.date(2099, 12, 31):
        raise ValidationError("日期应在 2000 至 2099 年之间")


class AgreementForm(Form):
    agreement_date = DateField("协议签订日期", [required("协议签订日期"), _programme_day])
    start_date = DateField("见习开始日期", [required("见习开始日期"), _programme_day])
    end_date = DateField("见习结束日期", [required("见习结束日期"), _programme_day])
    allowance = IntegerField(
        "每月基本生活费（元）",
        [required("每月基本生活费"), NumberRange(min=0, max=50000, message="请填写 0 至 50000 之间的金额")],
    )
    insurer = StringField(
        "意外伤害保险承保公司", [required("承保公司"), Length(max=100, message="最多 100 个字")]
    )
    policy_number = StringField("保单号", [required("保单号"), Length(max=100, message="最多 100 个字符")])
    cover_start = DateField("保险起始日期", [required("保险起始日期"), _programme_day])
    cover_end = DateField("保险终止日期", [required("保险终止日期"), _programme_day])


class GroupAgreementForm(Form):
    """One agreement date, internship period and group insurance policy for several interns at once;
    each intern's monthly allowance is what their position publishes."""

    placements = SelectMultipleField(
        "见习生",
        coerce=int,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validators=[required("至少一名见习生")],
    )
    agreement_date = DateField("协议签订日期", [required("协议签订日期"), _programme_day])
    start_date = DateField("见习开始日期", [required("见习开始日期"), _programme_day])
    end_date = DateField("见习结束日期", [required("见习结束日期"), _programme_day])
    insurer = StringField(
        "团体意外伤害保险承保公司", [required("承保公司"), Length(max=100, message="最多 100 个字")]
    )
    policy_number = StringField(
        "团体保单号", [required("保单号"), Length(max=100, message="最多 100 个字符")]
    )
    cover_start = DateField("保险起始日期", [required("保险起始日期"), _programme_day])
    cover_end = DateField("保险终止日期", [required("保险终止日期"), _programme_day])


class InterviewRoundForm(Form):
    """The office opens an interview round for a position: one time and place per line."""

    position = SelectField("岗位", validate_choice=False)
    slots = TextAreaField(
        "面试时间和地点（北京时间，每行一个）",
        [required("面试时间"), Length(max=8000, message="内容过长")],
        render_kw={
            "rows": 6,
            "placeholder": "2027-01-10 09:30 学会 3 楼会议室\n2027-01-10 10:00 学会 3 楼会议室",
        },
    )


class UnitInterviewForm(Form):
    """A unit sets one candidate's interview time itself."""

    starts_at = DateTimeLocalField("面试时间（北京时间）", [required("面试时间")], format="%Y-%m-%dT%H:%M")
    place = StringField("地点或线上会议号", [required("地点"), Length(max=200, message="最多 200 个字")])
