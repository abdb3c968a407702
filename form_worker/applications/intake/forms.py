"""Forms of applicants: the application (/apply), the status lookup, withdrawing, and answering an
offer (/status)."""

import datetime as dt

from wtforms import (
    BooleanField,
    HiddenField,
    MonthField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from site_builder.model.phone import is_mobile
from site_builder.model.vocab import EDUCATION_LEVELS

from ...core.forms import Form, required
from ..workfile.forms import destination_detail_field, destination_field, score_field, scores_of
from ..workfile.logs import REPORT_MAX
from ..workfile.logs import TEXT_MAX as LOG_MAX
from ..workfile.ratings import ASPECTS, COMMENT_MAX
from .eligibility import STATUSES

PRIORITY_GROUPS = ("低保家庭", "零就业家庭", "防止返贫致贫对象家庭", "特困人员", "残疾")
# The disciplines of the national catalogue of majors (学科门类): the statistics group applicants by
# them, since the major itself is free text.
MAJOR_GROUPS = (
    "哲学",
    "经济学",
    "法学",
    "教育学",
    "文学",
    "历史学",
    "理学",
    "工学",
    "农学",
    "医学",
    "管理学",
    "艺术学",
    "交叉学科",
)


class ApplyForm(Form):
    """The application form; choices are filled per request with the positions open today."""

    # Position ids, chosen by searching (applications.chooser); checked in views.check_choices.
    choice1 = HiddenField("第一意向岗位")
    choice2 = HiddenField("第二意向岗位（可不选）")
    choice3 = HiddenField("第三意向岗位（可不选）")
    find = StringField(
        "搜索岗位",
        [Length(max=50)],
        render_kw={"placeholder": "岗位名称、单位或区县，如 科普", "type": "search"},
    )
    find_type = SelectField("岗位类型", validate_choice=False)
    find_district = SelectField("工作地点", validate_choice=False)

    name = StringField("姓名", [required("姓名"), Length(max=30, message="姓名最多 30 个字")])
    phone = StringField(
        "手机号",
        [required("手机号")],
        render_kw={"inputmode": "tel", "autocomplete": "tel"},
    )
    email = StringField(
        "电子邮箱",
        [required("电子邮箱"), Email(message="邮箱格式不正确"), Length(max=254)],
        render_kw={"inputmode": "email", "autocomplete": "email"},
    )
    university = StringField(
        "毕业（就读）学校",
        [required("学校"), Length(max=100, message="学校名称最多 100 个字")],
        render_kw={"list": "universities"},
    )
    major = StringField("专业", [required("专业"), Length(max=100, message="专业最多 100 个字")])
    major_group = SelectField(
        "专业所属学科门类",
        choices=[SelectChoice("", "请选择")] + [SelectChoice(g) for g in MAJOR_GROUPS],
        validate_choice=False,
    )
    degree = SelectField(
        "学历",
        choices=[SelectChoice("", "请选择")] + [SelectChoice(d) for d in EDUCATION_LEVELS],
        validate_choice=False,
    )
    graduation = MonthField(
        "毕业时间（在校生填预计毕业时间）", [DataRequired(message="请填写毕业时间，如 2026-06")]
    )
    current_status = RadioField(
        "目前状态", choices=[SelectChoice(s) for s in STATUSES], validate_choice=False
    )

    registered = RadioField(
        "是否已在“智慧科协见习计划系统”注册",
        choices=[SelectChoice("yes", "已注册"), SelectChoice("no", "还没有注册")],
        validate_choice=False,
    )
    registry_account = StringField(
        "在该系统注册的账号（可不填）",
        [Length(max=50, message="账号最多 50 个字符")],
        render_kw={"autocomplete": "off"},
    )

    society_post = BooleanField("我有大学生科技社团任职经历")
    # No Optional() on the two details: it would stop the chain before validate_*_detail runs.
    society_post_detail = TextAreaField("科技社团任职经历说明", [Length(max=300, message="最多 300 个字")])
    volunteering = BooleanField("我有科技志愿服务经历")
    volunteering_detail = TextAreaField("科技志愿服务经历说明", [Length(max=300, message="最多 300 个字")])

    priority_consent = BooleanField("我单独同意提供以下家庭经济困难或残疾情况，用于同等条件下的优先考虑")
    priority_mark_consent = BooleanField(
        "我还同意：告诉我所在的高校和设岗单位“我属于同等条件下优先考虑的情形”（不告诉具体是哪一种）"
    )
    priority_groups = SelectMultipleField(
        "优先考虑情形（可多选，可不选）",
        choices=[SelectChoice(g) for g in PRIORITY_GROUPS],
        option_widget=CheckboxInput(),
        widget=ListWidget(prefix_label=False),
        validate_choice=False,
    )

    statement = TextAreaField(
        "个人陈述（可不填）", [Optional(), Length(max=2000, message="个人陈述最多 2000 个字")]
    )
    privacy = BooleanField(
        "我已阅读并同意《个人信息处理说明》",
        [DataRequired(message="请阅读并同意个人信息处理说明后再提交")],
    )
    # A field people never see; bots fill every field they find.
    website = StringField("网址（请留空）")

    def choice_fields(self) -> list[HiddenField]:
        return [self.choice1, self.choice2, self.choice3]

    def chosen(self) -> list[str]:
        return [f.data for f in self.choice_fields() if f.data]

    def choose(self, position_ids: list[str]) -> None:
        """Put these ids into the choice fields in order, the rest empty."""
        for field, value in zip(self.choice_fields(), [*position_ids, "", "", ""], strict=False):
            field.data = value

    def validate_phone(self, field: StringField) -> None:
        if not is_mobile(field.data or ""):
            raise ValidationError("请填写 11 位手机号")

    def validate_major_group(self, field: SelectField) -> None:
        if field.data not in MAJOR_GROUPS:
            raise ValidationError("请选择专业所属学科门类")

    def validate_degree(self, field: SelectField) -> None:
        if field.data not in EDUCATION_LEVELS:
            raise ValidationError("请选择学历")

    def validate_current_status(self, field: RadioField) -> None:
        if field.data not in STATUSES:
            raise ValidationError("请选择目前状态")

    def validate_graduation(self, field: MonthField) -> None:
        if field.data and not dt.date(1990, 1, 1) <= field.data <= dt.date(2100, 12, 1):
            raise ValidationError("毕业时间不在合理范围内")

    def validate_registered(self, field: RadioField) -> None:
        if field.data not in ("yes", "no"):
            raise ValidationError("请选择是否已在智慧科协见习计划系统注册")

    def validate_society_post_detail(self, field: TextAreaField) -> None:
        if self.society_post.data and not (field.data or "").strip():
            raise ValidationError("请简要说明在哪个科技社团担任什么职务")

    def validate_volunteering_detail(self, field: TextAreaField) -> None:
        if self.volunteering.data and not (field.data or "").strip():
            raise ValidationError("请简要说明参加过哪些科技志愿服务")

    def validate_priority_groups(self, field: SelectMultipleField) -> None:
        if any(g not in PRIORITY_GROUPS for g in field.data or []):
            raise ValidationError("请从列出的情形中选择")


class StatusForm(Form):
    reference = StringField(
        "报名编号", [required("报名编号"), Length(max=20)], render_kw={"placeholder": "如 JX2026-000123"}
    )
    contact = StringField(
        "报名时填写的手机号或邮箱",
        [required("手机号或邮箱"), Length(max=254)],
        render_kw={"autocomplete": "email"},
    )


class LookedUpForm(Form):
    """An action on /status: the reference and contact the student just looked up, carried in
    hidden fields and checked again (throttled like the look-up)."""

    reference = HiddenField(validators=[required("报名编号"), Length(max=20)])
    contact = HiddenField(validators=[required("手机号或邮箱"), Length(max=254)])


class PlanReadForm(LookedUpForm):
    """The intern confirms having read the training plan the mentor confirmed."""


class WithdrawForm(LookedUpForm):
    """Withdrawing from /status, with a reason."""

    reason = TextAreaField(
        "撤回原因",
        [required("撤回原因"), Length(max=200, message="撤回原因最多 200 字")],
        render_kw={"rows": 2, "maxlength": 200},
    )


class DestinationForm(LookedUpForm):
    """The intern confirms or corrects the destination (去向) the unit recorded at the end."""

    destination = destination_field("见习结束后的去向")
    destination_detail = destination_detail_field()


class CaseConsentForm(LookedUpForm):
    """The intern's answer to publishing their typical case on the public 成果展示 page; the
    choices (with the byline each gives) are set per intern (workfile.consent.choices)."""

    consent = RadioField("是否同意在“成果展示”页面公开您的典型案例", validate_choice=False)


class RatingForm(LookedUpForm):
    """The intern's rating of the internship, once it has completed."""

    mentor = score_field(ASPECTS["mentor"])
    tasks = score_field(ASPECTS["tasks"])
    learning = score_field(ASPECTS["learning"])
    comment = TextAreaField(
        "想说的话（可不填）",
        [Length(max=COMMENT_MAX, message=f"最多 {COMMENT_MAX} 个字")],
        render_kw={"rows": 3, "maxlength": COMMENT_MAX},
    )

    def scores(self) -> dict[str, int | None]:
        return scores_of(self, ASPECTS)


class LogForm(LookedUpForm):
    """A week of the intern's log (见习周志): the week's choices are filled per request."""

    week = SelectField("哪一周", validate_choice=False)
    did = TextAreaField(
        "本周做了什么", [Length(max=LOG_MAX, message=f"最多 {LOG_MAX} 个字")], render_kw={"rows": 4}
    )
    learned = TextAreaField(
        "学到了什么", [Length(max=LOG_MAX, message=f"最多 {LOG_MAX} 个字")], render_kw={"rows": 3}
    )
    problems = TextAreaField(
        "遇到的问题（可不填）", [Length(max=LOG_MAX, message=f"最多 {LOG_MAX} 个字")], render_kw={"rows": 2}
    )

    def chosen_week(self) -> dt.date | None:
        """The week chosen, if it is one of the choices offered."""
        offered = {value for value, _ in self.week.choices or []}
        return dt.date.fromisoformat(self.week.data) if self.week.data in offered else None


class ReportForm(LookedUpForm):
    """The intern's end-of-internship report (见习总结)."""

    text = TextAreaField(
        "见习总结内容",
        [Length(max=REPORT_MAX, message=f"最多 {REPORT_MAX} 个字")],
        render_kw={"rows": 8},
    )


class AnswerForm(Form):
    """The student's answer to an offer."""

    answer = StringField()
    reason = TextAreaField(
        "谢绝原因（可不填）",
        [Length(max=200, message="最多 200 字")],
        render_kw={"rows": 2, "maxlength": 200},
    )
